-- Commit authors no directory person could be matched to (an address unknown to the directory, or one two people
-- share), bots and agents apart: reported, never silently dropped. One row per address.
select
    cast(author_email_normalized as varchar) as author_email,
    cast(min(author_name) as varchar) as author_name,
    cast(count(*) as integer) as commits,
    cast(list(distinct repo order by repo) as varchar[]) as repos,
    cast(min(local_date) as date) as first_commit_date,
    cast(max(local_date) as date) as last_commit_date,
    cast(author_email_normalized in (select email_normalized from {{ ref('person_email_conflicts') }})
        as boolean) as is_shared_address
from {{ ref('int_git_commits') }}
where person_id is null and not is_bot
group by author_email_normalized
