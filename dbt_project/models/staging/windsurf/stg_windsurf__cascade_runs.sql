{% set natural_key = ['cascade_id'] %}
{{ staging_incremental_config(natural_key) }}

with source as (

    select * from {{ source('windsurf', 'cascade_runs') }}
    where {{ bronze_partition_filter() }}

),

renamed as (

    select
        cascade_id,
        lower(trim(email)) as email_normalized,
        try_cast(day as date) as usage_date,
        model,
        mode,
        try_cast(messages_sent as bigint) as messages_sent,
        try_cast(prompts_used as bigint) as prompts_used,
        {{ bronze_lineage() }}
    from source

),

deduped as (

    -- Latest pull wins, decided before the day filter: should a run's day change between pulls, the newest
    -- version decides which window owns it.
    {{ latest_pull_wins('renamed', natural_key,
        ['usage_date', 'messages_sent', 'prompts_used', 'email_normalized', 'model', 'mode']) }}

)

select * from deduped
where {{ record_date_filter('usage_date') }}
