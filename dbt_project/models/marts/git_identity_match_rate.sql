-- How many commits' authors were matched to a directory person, per source and repository (bots and agents
-- apart: they are not people). The share to watch when a new host or repository is added.
select
    cast(_source as varchar) as source,
    cast(repo as varchar) as repo,
    cast(count(*) as integer) as commits,
    cast(count(*) filter (where is_matched) as integer) as matched_commits,
    cast(count(distinct author_email_normalized) as integer) as author_addresses,
    cast(count(distinct author_email_normalized) filter (where not is_matched) as integer) as unmatched_addresses,
    cast(round(count(*) filter (where is_matched) / count(*), 4) as double) as match_rate
from {{ ref('int_git_commits') }}
where not is_bot
group by _source, repo
