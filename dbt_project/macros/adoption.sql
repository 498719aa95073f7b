{#- The adoption metrics, shared by mart_adoption_daily (per department group) and mart_adoption_by_manager
    (per manager's org): who was active when, and the seat counts and rates over a set of person-days. -#}

{% macro adoption_activity_ctes(reach, inactive_after_days) %}
usage as (

    select
        person_id,
        local_date,
        is_active,
        acceptances,
        lines_accepted,
        cascade_lines_suggested,
        cascade_lines_accepted
    from {{ ref('fct_ai_usage_daily') }}
    where {{ record_date_filter('local_date', reach, reach) }}

),

first_use as (

    -- over all history: "used before" is not limited to the window
    select person_id, min(local_date) as first_use_date
    from {{ ref('fct_ai_usage_daily') }}
    where is_active
    group by person_id

),

spine as (

    select cast(unnest(generate_series(min(local_date), max(local_date), interval 1 day)) as date) as local_date
    from {{ ref('fct_ai_usage_daily') }}

),

dates as (

    select local_date from spine
    where {{ record_date_filter('local_date', 1, reach) }}

),

trailing_activity as (

    -- per person and day: was the person active on the day / in the trailing 7, 30, inactive_after_days days
    select
        dates.local_date,
        usage.person_id,
        bool_or(usage.local_date = dates.local_date) as active_1d,
        bool_or(usage.local_date > dates.local_date - 7) as active_7d,
        bool_or(usage.local_date > dates.local_date - 30) as active_30d,
        bool_or(usage.local_date > dates.local_date - {{ inactive_after_days }}) as active_recent
    from dates
    inner join usage
        on usage.is_active
        and usage.local_date <= dates.local_date
        and usage.local_date > dates.local_date - {{ reach }}
    group by dates.local_date, usage.person_id

)
{%- endmacro %}


{% macro adoption_seat_counts() %}
  {#- Aggregates over person_days rows (local_date, person_id, is_licensed, active_1d/7d/30d, active_recent,
      used_before, usage sums); definitions in _marts__models.yml. -#}
        count(*) filter (where is_licensed) as licensed_seats,
        count(*) filter (where is_licensed and active_1d) as active_seats,
        count(*) filter (where is_licensed and used_before and not active_recent) as idle_seats,
        count(*) filter (where is_licensed and not used_before) as never_used_seats,
        count(*) filter (where active_1d) as dau,
        count(*) filter (where active_7d) as wau,
        count(*) filter (where active_30d) as mau,
        count(*) filter (where is_licensed and active_30d) as licensed_mau,
        sum(acceptances) as acceptances,
        sum(lines_accepted) as lines_accepted,
        sum(cascade_lines_suggested) as cascade_lines_suggested,
        sum(cascade_lines_accepted) as cascade_lines_accepted,
        count(*) filter (where cascade_lines_accepted > 0) as person_days_with_accepted_lines,
        count(*) filter (where cascade_lines_suggested > 0) as person_days_with_suggested_lines
{%- endmacro %}


{% macro adoption_seat_columns(rel) %}
    cast({{ rel }}.licensed_seats as bigint) as licensed_seats,
    cast({{ rel }}.active_seats as bigint) as active_seats,
    cast({{ rel }}.idle_seats as bigint) as idle_seats,
    cast({{ rel }}.never_used_seats as bigint) as never_used_seats,
    cast({{ rel }}.dau as bigint) as dau,
    cast({{ rel }}.wau as bigint) as wau,
    cast({{ rel }}.mau as bigint) as mau,
    cast({{ rel }}.licensed_mau as bigint) as licensed_mau,
    cast({{ rel }}.licensed_mau as double) / nullif({{ rel }}.licensed_seats, 0) as adoption_rate,
    cast({{ rel }}.acceptances as bigint) as acceptances,
    cast({{ rel }}.lines_accepted as bigint) as lines_accepted,
    cast({{ rel }}.cascade_lines_suggested as bigint) as cascade_lines_suggested,
    cast({{ rel }}.cascade_lines_accepted as bigint) as cascade_lines_accepted,
    cast({{ rel }}.cascade_lines_accepted as double)
        / nullif({{ rel }}.cascade_lines_suggested, 0) as acceptance_rate_by_lines,
    cast({{ rel }}.person_days_with_accepted_lines as double)
        / nullif({{ rel }}.person_days_with_suggested_lines, 0) as acceptance_rate_by_count
{%- endmacro %}


{% macro adoption_person_day_columns(day) %}
  {#- A person-day's activity flags and usage, from the CTEs of adoption_activity_ctes joined by
      adoption_person_day_joins. -#}
coalesce(trailing_activity.active_1d, false) as active_1d,
        coalesce(trailing_activity.active_7d, false) as active_7d,
        coalesce(trailing_activity.active_30d, false) as active_30d,
        coalesce(trailing_activity.active_recent, false) as active_recent,
        coalesce(first_use.first_use_date <= {{ day }}, false) as used_before,
        coalesce(usage.acceptances, 0) as acceptances,
        coalesce(usage.lines_accepted, 0) as lines_accepted,
        coalesce(usage.cascade_lines_suggested, 0) as cascade_lines_suggested,
        coalesce(usage.cascade_lines_accepted, 0) as cascade_lines_accepted
{%- endmacro %}


{% macro adoption_person_day_joins(day, person) %}
    left join trailing_activity
        on {{ day }} = trailing_activity.local_date
        and {{ person }} = trailing_activity.person_id
    left join first_use
        on {{ person }} = first_use.person_id
    left join usage
        on {{ day }} = usage.local_date
        and {{ person }} = usage.person_id
{%- endmacro %}
