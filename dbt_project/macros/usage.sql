{% macro ai_usage_daily(date_basis) %}
{#-
  The body of fct_ai_usage_daily (date_basis='local_date') and fct_ai_usage_daily_utc ('utc_date'): one row per
  person x day x tool. Hourly sources are placed by the chosen date; daily-only sources (PCW, Cascade) have just
  a UTC day and count on that day under both bases. Windowed runs own local dates [start - 1, end + 1] (a UTC
  day spreads over three local days), read from UTC dates [start - 2, end + 2]; UTC runs own [start, end].
-#}
{%- if date_basis == 'local_date' -%}
    {%- set hourly_read = record_date_filter('utc_date', 2, 2) -%}
    {%- set keep = record_date_filter('local_date', 1, 1) -%}
{%- elif date_basis == 'utc_date' -%}
    {%- set hourly_read = record_date_filter('utc_date') -%}
    {%- set keep = record_date_filter('utc_date') -%}
{%- else -%}
    {{ exceptions.raise_compiler_error("ai_usage_daily: date_basis must be local_date or utc_date") }}
{%- endif -%}

with hourly as (

    select
        person_id,
        {{ date_basis }} as activity_date,
        sum(acceptances) as acceptances,
        sum(lines_accepted) as lines_accepted,
        sum(bytes_accepted) as bytes_accepted,
        sum(chats) as chats,
        sum(chat_loc_used) as chat_loc_used,
        0 as cascade_runs,
        0 as cascade_messages_sent,
        0 as cascade_lines_suggested,
        0 as cascade_lines_accepted,
        0 as codeium_bytes,
        0 as total_bytes
    from {{ ref('int_ai_usage_hourly') }}
    where {{ hourly_read }}
      and {{ keep }}
    group by person_id, {{ date_basis }}

),

daily as (

    select
        person_id,
        {{ date_basis }} as activity_date,
        0 as acceptances,
        0 as lines_accepted,
        0 as bytes_accepted,
        0 as chats,
        0 as chat_loc_used,
        cascade_runs,
        cascade_messages_sent,
        cascade_lines_suggested,
        cascade_lines_accepted,
        codeium_bytes,
        total_bytes
    from {{ ref('int_ai_usage_daily_utc') }}
    where {{ keep }}

),

combined as (

    select
        person_id,
        activity_date,
        cast(sum(acceptances) as bigint) as acceptances,
        cast(sum(lines_accepted) as bigint) as lines_accepted,
        cast(sum(bytes_accepted) as bigint) as bytes_accepted,
        cast(sum(chats) as bigint) as chats,
        cast(sum(chat_loc_used) as bigint) as chat_loc_used,
        cast(sum(cascade_runs) as bigint) as cascade_runs,
        cast(sum(cascade_messages_sent) as bigint) as cascade_messages_sent,
        cast(sum(cascade_lines_suggested) as bigint) as cascade_lines_suggested,
        cast(sum(cascade_lines_accepted) as bigint) as cascade_lines_accepted,
        cast(sum(codeium_bytes) as bigint) as codeium_bytes,
        cast(sum(total_bytes) as bigint) as total_bytes
    from (
        select * from hourly
        union all
        select * from daily
    ) as unioned
    group by person_id, activity_date

)

select
    cast(person_id as varchar) as person_id,
    cast(activity_date as date) as {{ date_basis }},
    cast('windsurf' as varchar) as tool,
    acceptances,
    lines_accepted,
    bytes_accepted,
    chats,
    chat_loc_used,
    cascade_runs,
    cascade_messages_sent,
    cascade_lines_suggested,
    cascade_lines_accepted,
    codeium_bytes,
    total_bytes,
    cast(codeium_bytes as double) / nullif(total_bytes, 0) as percent_code_written,
    (acceptances > 0 or chats > 0 or cascade_runs > 0 or cascade_messages_sent > 0
        or cascade_lines_suggested > 0 or cascade_lines_accepted > 0 or codeium_bytes > 0) as is_active
from combined
where {{ privacy_visible('person_id') }}

{% endmacro %}
