{{ config(materialized='table') }}

-- People an earlier directory sync held and the latest one lacks (they left, or were deleted): each as the last
-- sync that listed them saw them. Their past still counts: the org history keeps them under their managers until
-- they left, and the privacy lists must be able to find their addresses. Reads every sync (not just the latest).
with source as (

    select * from {{ source('graph', 'users') }}

),

renamed as (

    {{ graph_user_columns() }}
    from source
    where id not in (select id from ({{ latest_snapshot('source') }}))

)

{{ latest_pull_wins('renamed', ['person_id'], ['display_name', 'mail_normalized']) }}
