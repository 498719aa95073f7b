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

{{ adoption_activity_ctes(reach, inactive_after_days) }},

person_days as (

    select
        dates.local_date,
        members.department_group,
        members.person_id,
        members.is_licensed,
        {{ adoption_person_day_columns('dates.local_date') }}
    from dates
    cross join members
    {{ adoption_person_day_joins('dates.local_date', 'members.person_id') }}

),

aggregated as (

    select
        local_date,
        department_group,
        {{ adoption_seat_counts() }}
    from person_days
    group by local_date, department_group

)

select
    aggregated.local_date,
    cast(aggregated.department_group as varchar) as department_group,
    {{ adoption_seat_columns('aggregated') }},
    cast(groups.group_size as bigint) as group_size,
    groups.is_rollup,
    cast(groups.departments_in_group as varchar) as departments_in_group
from aggregated
inner join groups on aggregated.department_group = groups.department_group
