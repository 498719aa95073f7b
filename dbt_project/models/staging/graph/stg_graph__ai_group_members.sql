{{ config(materialized='table') }}

-- Transitive members of the AI tool's AD group(s), from the latest snapshot.
with source as (

    select * from {{ source('graph', 'ai_group_members') }}

),

latest as (

    {{ latest_snapshot('source') }}

),

renamed as (

    select
        lower(trim(group_id)) as group_id,
        id as member_id,
        odata_type,
        -- the users-only cast endpoint omits @odata.type: its members are users
        coalesce(odata_type, '#microsoft.graph.user') = '#microsoft.graph.user' as is_user,
        display_name,
        nullif(lower(trim(mail)), '') as mail_normalized,
        nullif(lower(trim(user_principal_name)), '') as user_principal_name_normalized,
        {{ bronze_lineage() }}
    from latest

)

{{ latest_pull_wins('renamed', ['group_id', 'member_id'], ['display_name']) }}
