{{ config(materialized='table') }}

-- UserPageAnalytics is a snapshot per pull: the latest pull's snapshot is the current user list.
with source as (

    select * from {{ source('windsurf', 'user_page_analytics') }}

),

latest as (

    {{ latest_snapshot('source') }}

),

renamed as (

    select
        api_key,
        name as windsurf_name,
        lower(trim(email)) as email_normalized,
        try_cast(last_update_time as timestamptz) as last_update_at,
        try_cast(active_days as integer) as active_days,
        coalesce(lower(trim(disable_codeium)) = 'true', false) as is_codeium_disabled,
        try_cast(last_autocomplete_usage_time as timestamptz) as last_autocomplete_usage_at,
        try_cast(last_chat_usage_time as timestamptz) as last_chat_usage_at,
        try_cast(last_command_usage_time as timestamptz) as last_command_usage_at,
        team_status,
        {{ bronze_lineage() }}
    from latest

)

-- a snapshot can list a key twice (paging); keep the newest request's row
{{ latest_pull_wins('renamed', ['api_key'], ['last_update_at', 'email_normalized']) }}
