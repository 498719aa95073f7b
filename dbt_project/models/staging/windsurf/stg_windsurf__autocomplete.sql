{% set natural_key = ['api_key', 'usage_date', 'usage_hour', 'language', 'ide', 'version'] %}
{{ staging_incremental_config(natural_key) }}

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
        {{ bronze_lineage() }}
    from source

),

deduped as (

    -- latest pull wins; the payload breaks exact ties so re-runs write identical rows
    {{ latest_pull_wins('renamed', natural_key, ['num_acceptances', 'num_lines_accepted', 'num_bytes_accepted']) }}

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
