{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['api_key', 'usage_date', 'usage_hour', 'model_id', 'latest_intent_type'],
        on_schema_change='fail',
        pre_hook="{{ delete_window('usage_date') }}"
    )
}}

with source as (

    select * from {{ source('windsurf', 'chat') }}
    where {{ bronze_partition_filter() }}

),

renamed as (

    select
        api_key,
        try_cast(date as date) as usage_date,
        try_cast(hour as integer) as usage_hour,
        -- key parts can be absent; delete+insert matches keys with `=`, which never matches null
        coalesce(nullif(trim(model_id), ''), 'unknown') as model_id,
        coalesce(nullif(trim(latest_intent_type), ''), 'unknown') as latest_intent_type,
        try_cast(num_chats_received as bigint) as num_chats_received,
        try_cast(chat_loc_used as bigint) as chat_loc_used,
        _partition_date as pulled_partition_date,
        _pulled_at as pulled_at,
        _source,
        _request_id
    from source

),

deduped as (

    -- latest pull wins; the payload breaks exact ties so re-runs write identical rows
    select * from renamed
    qualify row_number() over (
        partition by api_key, usage_date, usage_hour, model_id, latest_intent_type
        order by pulled_partition_date desc, pulled_at desc, _request_id desc nulls last,
            num_chats_received desc nulls last, chat_loc_used desc nulls last
    ) = 1

)

select
    api_key,
    usage_date,
    usage_hour,
    timezone('UTC', usage_date + to_hours(usage_hour)) as usage_ts_utc,
    model_id,
    latest_intent_type,
    num_chats_received,
    chat_loc_used,
    pulled_partition_date,
    pulled_at,
    _source,
    _request_id
from deduped
where {{ record_date_filter('usage_date') }}
