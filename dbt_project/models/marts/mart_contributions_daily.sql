-- Each person's counted contribution per local date: commits that count (not merges, bots, mass changes, and in
-- the project allow-list), lines added and deleted over counted files, files touched, and how many of those
-- commits carry AI evidence. People only (unmatched authors are in git_unmatched_authors); privacy as fct_commits.
with commits as (

    select * from {{ ref('fct_commits') }}
    where is_counted and person_id is not null

),

files as (

    select commits.person_id, commits.local_date, count(distinct files.repo || ':' || files.path) as files_touched
    from commits
    inner join {{ ref('fct_commit_files') }} as files
        on commits.repo = files.repo and commits.sha = files.sha and files.is_counted
    group by commits.person_id, commits.local_date

)

select
    cast(commits.person_id as varchar) as person_id,
    cast(commits.local_date as date) as local_date,
    cast(count(*) as integer) as commits,
    cast(sum(commits.lines_added) as bigint) as lines_added,
    cast(sum(commits.lines_deleted) as bigint) as lines_deleted,
    cast(coalesce(any_value(files.files_touched), 0) as integer) as files_touched,
    cast(count(*) filter (where commits.is_ai_assisted) as integer) as ai_assisted_commits,
    cast(list(distinct commits.repo order by commits.repo) as varchar[]) as repos
from commits
left join files on commits.person_id = files.person_id and commits.local_date = files.local_date
group by commits.person_id, commits.local_date
