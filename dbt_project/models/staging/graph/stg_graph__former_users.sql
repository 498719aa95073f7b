{{ config(materialized='table') }}

-- People an earlier directory sync held and the latest one lacks (they left, or were deleted): each as the last
-- sync that listed them saw them. Their past still counts: the org history keeps them under their managers until
-- they left, and the privacy lists must be able to find their addresses. Finding them reads every sync's ids
-- (one column); only the leavers' own rows are parsed.
with source as (

    select * from {{ source('graph', 'users') }}

),

last_seen as (

    select id, max(_partition_date) as last_partition_date
    from source
    where id not in (select id from ({{ latest_snapshot('source') }}))
    group by id

),

renamed as (

    {{ graph_user_columns() }}
    from source
    semi join last_seen
        on source.id = last_seen.id and source._partition_date = last_seen.last_partition_date

)

{{ latest_pull_wins('renamed', ['person_id'], ['display_name', 'mail_normalized']) }}
