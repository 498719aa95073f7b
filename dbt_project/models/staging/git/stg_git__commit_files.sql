{{ config(materialized='table') }}

-- The files each live commit changed (a commit rewritten by a force-push takes its files with it), one row per
-- (repo, commit, path): the newest sync's record wins when a commit was synced twice.
with source as (

    select * from {{ ref('stg_git__commit_file_syncs') }}

),

latest as (

    {{ latest_pull_wins('source', ['repo', 'sha', 'path']) }}

)

select
    latest.repo,
    latest.sha,
    latest.path,
    nullif(latest.old_path, '') as old_path,
    coalesce(lower(latest.is_binary) = 'true', false) as is_binary,
    try_cast(latest.additions as bigint) as additions,
    try_cast(latest.deletions as bigint) as deletions,
    latest.pulled_partition_date,
    latest._source
from latest
inner join {{ ref('stg_git__commits') }} as commits
    on latest.repo = commits.repo and latest.sha = commits.sha
