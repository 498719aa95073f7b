{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='cascade_id',
        on_schema_change='fail',
        pre_hook="{{ delete_window('usage_date') }}"
    )
}}

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
        _partition_date as pulled_partition_date,
        _pulled_at as pulled_at,
        _source,
        _request_id
    from source

),

deduped as (

    -- Latest pull wins, decided before the day filter: should a run's day change between pulls, the newest
    -- version decides which window owns it.
    select * from renamed
    qualify row_number() over (
        partition by cascade_id
        order by pulled_partition_date desc, pulled_at desc, _request_id desc nulls last,
            usage_date desc nulls last, messages_sent desc nulls last, prompts_used desc nulls last,
            email_normalized, model, mode
    ) = 1

)

select * from deduped
where {{ record_date_filter('usage_date') }}
