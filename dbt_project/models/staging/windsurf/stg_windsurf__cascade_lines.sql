{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['email_normalized', 'usage_date'],
        on_schema_change='fail',
        pre_hook="{{ delete_window('usage_date') }}"
    )
}}

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
        partition by email_normalized, usage_date
        order by pulled_partition_date desc, pulled_at desc, _request_id desc nulls last,
            lines_suggested desc nulls last, lines_accepted desc nulls last
    ) = 1

)

select * from deduped
where {{ record_date_filter('usage_date') }}
