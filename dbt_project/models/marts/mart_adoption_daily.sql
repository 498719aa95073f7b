{#-
  A day's row depends on usage up to `reach` days back (MAU: 30; idle: inactive_after_days), so a run that
  rewrote fct_ai_usage_daily local dates [start - 1, end + 1] owns adoption dates [start - 1, end + reach] and
  reads usage from [start - reach, end + reach].
-#}
{%- set reach = [30, var('inactive_after_days') | int] | max -%}
{%- set inactive_after_days = var('inactive_after_days') | int -%}
{%- set k = var('small_group_k') | int -%}
{%- set rollup = 'Other (small groups)' -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['local_date', 'department_group'],
        on_schema_change='fail',
        pre_hook="{{ delete_window('local_date', 1, [30, var('inactive_after_days') | int] | max) }}"
    )
}}

with people as (

    select
        person_id,
        coalesce(department, 'Unknown') as department,
        is_licensed
    from {{ ref('int_persons') }}
    where {{ privacy_visible('person_id') }}

),

department_sizes as (

    select department, count(*) as n_people
    from people
    group by department

),

small_departments as (

    select coalesce(sum(n_people), 0) as n_people
    from department_sizes
    where n_people < {{ k }}

),

smallest_large_department as (

    select department
    from department_sizes
    where n_people >= {{ k }}
    order by n_people, department
    limit 1

),

department_groups as (

    -- Departments under k are pooled; if the pool is still under k, the smallest remaining department joins
    -- it (which brings it to k or more). An organisation under k gets no rows at all.
    select
        department_sizes.department,
        department_sizes.n_people,
        case
            when department_sizes.n_people < {{ k }} then '{{ rollup }}'
            when (select n_people from small_departments) between 1 and {{ k - 1 }}
                and department_sizes.department in (select department from smallest_large_department)
                then '{{ rollup }}'
            else department_sizes.department
        end as department_group
    from department_sizes
    where (select sum(n_people) from department_sizes) >= {{ k }}

),

groups as (

    select
        department_group,
        count(*) > 1 or bool_or(department <> department_group) as is_rollup,
        sum(n_people) as group_size,
        string_agg(department, ', ' order by department) as departments_in_group
    from department_groups
    group by department_group

),

members as (

    select people.person_id, people.is_licensed, department_groups.department_group
    from people
    inner join department_groups on people.department = department_groups.department

),

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

),

person_days as (

    select
        dates.local_date,
        members.department_group,
        members.person_id,
        members.is_licensed,
        coalesce(trailing_activity.active_1d, false) as active_1d,
        coalesce(trailing_activity.active_7d, false) as active_7d,
        coalesce(trailing_activity.active_30d, false) as active_30d,
        coalesce(trailing_activity.active_recent, false) as active_recent,
        coalesce(first_use.first_use_date <= dates.local_date, false) as used_before,
        coalesce(usage.acceptances, 0) as acceptances,
        coalesce(usage.lines_accepted, 0) as lines_accepted,
        coalesce(usage.cascade_lines_suggested, 0) as cascade_lines_suggested,
        coalesce(usage.cascade_lines_accepted, 0) as cascade_lines_accepted
    from dates
    cross join members
    left join trailing_activity
        on dates.local_date = trailing_activity.local_date
        and members.person_id = trailing_activity.person_id
    left join first_use
        on members.person_id = first_use.person_id
    left join usage
        on dates.local_date = usage.local_date
        and members.person_id = usage.person_id

),

aggregated as (

    select
        local_date,
        department_group,
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
    from person_days
    group by local_date, department_group

)

select
    aggregated.local_date,
    cast(aggregated.department_group as varchar) as department_group,
    cast(aggregated.licensed_seats as bigint) as licensed_seats,
    cast(aggregated.active_seats as bigint) as active_seats,
    cast(aggregated.idle_seats as bigint) as idle_seats,
    cast(aggregated.never_used_seats as bigint) as never_used_seats,
    cast(aggregated.dau as bigint) as dau,
    cast(aggregated.wau as bigint) as wau,
    cast(aggregated.mau as bigint) as mau,
    cast(aggregated.licensed_mau as bigint) as licensed_mau,
    cast(aggregated.licensed_mau as double) / nullif(aggregated.licensed_seats, 0) as adoption_rate,
    cast(aggregated.acceptances as bigint) as acceptances,
    cast(aggregated.lines_accepted as bigint) as lines_accepted,
    cast(aggregated.cascade_lines_suggested as bigint) as cascade_lines_suggested,
    cast(aggregated.cascade_lines_accepted as bigint) as cascade_lines_accepted,
    cast(aggregated.cascade_lines_accepted as double)
        / nullif(aggregated.cascade_lines_suggested, 0) as acceptance_rate_by_lines,
    cast(aggregated.person_days_with_accepted_lines as double)
        / nullif(aggregated.person_days_with_suggested_lines, 0) as acceptance_rate_by_count,
    cast(groups.group_size as bigint) as group_size,
    groups.is_rollup,
    cast(groups.departments_in_group as varchar) as departments_in_group
from aggregated
inner join groups on aggregated.department_group = groups.department_group
