{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['api_key', 'usage_date', 'usage_hour', 'language', 'ide', 'version'],
        on_schema_change='fail',
        pre_hook="{{ delete_window('usage_date') }}"
    )
}}

with source as (

    select * from {{ source('windsurf', 'autocomplete') }}
    where {{ bronze_partition_filter() }}

),

renamed as (

    select
        api_key,
        try_cast(date as date) as usage_date,
        try_cast(hour as integer) as usage_hour,
        -- key parts can be absent; delete+insert matches keys with `=`, which never matches null
        coalesce(nullif(trim(language), ''), 'unknown') as language,
        coalesce(nullif(trim(ide), ''), 'unknown') as ide,
        coalesce(nullif(trim(version), ''), 'unknown') as version,
        try_cast(num_acceptances as bigint) as num_acceptances,
        try_cast(num_lines_accepted as bigint) as num_lines_accepted,
        try_cast(num_bytes_accepted as bigint) as num_bytes_accepted,
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
        partition by api_key, usage_date, usage_hour, language, ide, version
        order by pulled_partition_date desc, pulled_at desc, _request_id desc nulls last,
            num_acceptances desc nulls last, num_lines_accepted desc nulls last, num_bytes_accepted desc nulls last
    ) = 1

)

select
    api_key,
    usage_date,
    usage_hour,
    timezone('UTC', usage_date + to_hours(usage_hour)) as usage_ts_utc,
    language,
    ide,
    version,
    num_acceptances,
    num_lines_accepted,
    num_bytes_accepted,
    pulled_partition_date,
    pulled_at,
    _source,
    _request_id
from deduped
where {{ record_date_filter('usage_date') }}
