{{ config(materialized='table') }}

-- Transitive members of the AI tool's AD group(s), from the latest snapshot.
with source as (

    select * from {{ source('graph', 'ai_group_members') }}

),

latest as (

    select * from source
    where _partition_date = (select max(_partition_date) from source)

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
        _partition_date as pulled_partition_date,
        _pulled_at as pulled_at,
        _source,
        _request_id
    from latest

)

select * from renamed
qualify row_number() over (
    partition by group_id, member_id
    order by pulled_at desc, _request_id desc nulls last, display_name
) = 1
