{% set natural_key = ['api_key', 'usage_date'] %}
{{ staging_incremental_config(natural_key) }}

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
        {{ bronze_lineage() }}
    from source

),

deduped as (

    -- latest pull wins; the payload breaks exact ties so re-runs write identical rows
    {{ latest_pull_wins('renamed', natural_key, ['total_bytes', 'codeium_bytes', 'user_bytes']) }}

)

select * from deduped
where {{ record_date_filter('usage_date') }}
