{% set natural_key = ['email_normalized', 'usage_date'] %}
{{ staging_incremental_config(natural_key) }}

with source as (

    select * from {{ source('windsurf', 'cascade_lines') }}
    where {{ bronze_partition_filter() }}

),

renamed as (

    select
        lower(trim(email)) as email_normalized,
        try_cast(day as date) as usage_date,
        try_cast(lines_suggested as bigint) as lines_suggested,
        try_cast(lines_accepted as bigint) as lines_accepted,
        {{ bronze_lineage() }}
    from source

),

deduped as (

    -- latest pull wins; the payload breaks exact ties so re-runs write identical rows
    {{ latest_pull_wins('renamed', natural_key, ['lines_suggested', 'lines_accepted']) }}

)

select * from deduped
where {{ record_date_filter('usage_date') }}
