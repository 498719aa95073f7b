{% set natural_key = ['api_key', 'usage_date', 'usage_hour', 'model_id', 'latest_intent_type'] %}
{{ staging_incremental_config(natural_key) }}

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
        {{ bronze_lineage() }}
    from source

),

deduped as (

    -- latest pull wins; the payload breaks exact ties so re-runs write identical rows
    {{ latest_pull_wins('renamed', natural_key, ['num_chats_received', 'chat_loc_used']) }}

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
