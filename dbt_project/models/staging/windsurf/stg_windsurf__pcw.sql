{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['api_key', 'usage_date'],
        on_schema_change='fail',
        pre_hook="{{ delete_window('usage_date') }}"
    )
}}

with source as (

    select * from {{ source('windsurf', 'pcw') }}
    where {{ bronze_partition_filter() }}

),

renamed as (

    select
        api_key,
        try_cast(date as date) as usage_date,
        try_cast(percent_code_written as double) as percent_code_written,
        try_cast(codeium_bytes as bigint) as codeium_bytes,
        try_cast(user_bytes as bigint) as user_bytes,
        try_cast(total_bytes as bigint) as total_bytes,
        try_cast(codeium_bytes_by_autocomplete as bigint) as codeium_bytes_by_autocomplete,
        try_cast(codeium_bytes_by_command as bigint) as codeium_bytes_by_command,
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
        partition by api_key, usage_date
        order by pulled_partition_date desc, pulled_at desc, _request_id desc nulls last,
            total_bytes desc nulls last, codeium_bytes desc nulls last, user_bytes desc nulls last
    ) = 1

)

select * from deduped
where {{ record_date_filter('usage_date') }}
