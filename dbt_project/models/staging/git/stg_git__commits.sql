{{ config(materialized='table') }}

-- Commits on the followed branches now: each (repo, branch, commit)'s newest sync record, kept when it is
-- `added` (a force-push's `removed` record retires the commit it rewrote), then one row per (repo, commit)
-- with every branch it is on. Parsed: dates to UTC timestamps, the address normalized for identity.
with source as (

    select * from {{ ref('stg_git__commit_syncs') }}

),

latest as (

    {{ latest_pull_wins('source', ['repo', 'branch', 'sha']) }}

),

live as (

    select * from latest where change = 'added'

)

select
    repo,
    sha,
    list(distinct branch order by branch) as branches,
    any_value(from_json(parents, '["VARCHAR"]')) as parent_shas,
    len(any_value(from_json(parents, '["VARCHAR"]'))) > 1 as is_merge,
    any_value(author_name) as author_name,
    any_value(nullif(lower(trim(author_email)), '')) as author_email_normalized,
    any_value(try_cast(authored_at as timestamptz)) as authored_at,
    -- the author's own UTC offset in minutes, from the ISO date (+05:30 -> 330)
    any_value(case when authored_at ~ '[+-]\d\d:\d\d$' then
        (case when substr(authored_at, -6, 1) = '-' then -1 else 1 end)
        * (cast(substr(authored_at, -5, 2) as integer) * 60 + cast(substr(authored_at, -2, 2) as integer))
    end) as author_utc_offset_minutes,
    any_value(committer_name) as committer_name,
    any_value(nullif(lower(trim(committer_email)), '')) as committer_email_normalized,
    any_value(try_cast(committed_at as timestamptz)) as committed_at,
    any_value(message) as message,
    min(pulled_partition_date) as first_synced_partition_date,
    any_value(_source) as _source
from live
group by repo, sha
