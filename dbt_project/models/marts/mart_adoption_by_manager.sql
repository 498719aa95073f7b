{#-
  Adoption of everyone under each manager, per local date, using the org as it was on that date
  (int_org_history): a person who moved on day D counts under the old manager before D and the new one from D.
  Windows as in mart_adoption_daily: a run owns dates [start - 1, end + reach].
-#}
{%- set reach = [30, var('inactive_after_days') | int] | max -%}
{%- set inactive_after_days = var('inactive_after_days') | int -%}
{%- set k = var('small_group_k') | int -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['local_date', 'manager_id'],
        on_schema_change='fail',
        pre_hook="{{ delete_window('local_date', 1, [30, var('inactive_after_days') | int] | max) }}"
    )
}}

with recursive members as (

    -- everyone in the directory counts under their managers (licences as in dim_users), and so do the people
    -- who left it, on the dates before they left (int_org_history closes them), licensed by their last SKUs
    select person_id, is_licensed
    from {{ ref('int_people') }}
    where {{ privacy_visible('person_id') }}
    union all
    select person_id, list_contains(assigned_sku_ids, lower('{{ var("ai_license_sku_id") }}'))
    from {{ ref('stg_graph__former_users') }}
    where {{ privacy_visible('person_id') }}

),

{{ adoption_activity_ctes(reach, inactive_after_days) }},

edges as (

    select person_id, manager_id, valid_from, valid_to
    from {{ ref('int_org_history') }}
    where not is_removed and manager_id is not null

),

up(person_id, ancestor_id, hops, valid_from, valid_to, path) as (

    -- every (person, manager above them, distance) with the dates that link holds; stops at a cycle
    select person_id, manager_id, 1, valid_from, valid_to, [person_id] from edges
    union all
    select
        up.person_id,
        edges.manager_id,
        up.hops + 1,
        greatest(up.valid_from, edges.valid_from),
        least(up.valid_to, edges.valid_to),
        list_append(up.path, up.ancestor_id)
    from up
    inner join edges
        on edges.person_id = up.ancestor_id
        and edges.valid_from < up.valid_to
        and edges.valid_to > up.valid_from
    where not list_contains(up.path, up.ancestor_id)

),

reports as (

    select dates.local_date, up.ancestor_id as manager_id, up.person_id
    from dates
    inner join up on dates.local_date >= up.valid_from and dates.local_date < up.valid_to
    where up.person_id <> up.ancestor_id

),

manager_levels as (

    -- a manager's level on the day: 1 + how many managers sit above them
    select managers.local_date, managers.manager_id, 1 + coalesce(max(above.hops), 0) as manager_level
    from (select distinct local_date, manager_id from reports) as managers
    left join up as above
        on above.person_id = managers.manager_id
        and managers.local_date >= above.valid_from
        and managers.local_date < above.valid_to
    group by managers.local_date, managers.manager_id

),

person_days as (

    select
        reports.local_date,
        reports.manager_id,
        members.person_id,
        members.is_licensed,
        {{ adoption_person_day_columns('reports.local_date') }}
    from reports
    inner join members on reports.person_id = members.person_id
    {{ adoption_person_day_joins('reports.local_date', 'reports.person_id') }}

),

aggregated as (

    select
        local_date,
        manager_id,
        count(*) as group_size,
        {{ adoption_seat_counts() }}
    from person_days
    group by local_date, manager_id

)

select
    aggregated.local_date,
    cast(aggregated.manager_id as varchar) as manager_id,
    cast(users.display_name as varchar) as manager_name,
    cast(manager_levels.manager_level as integer) as manager_level,
    cast(aggregated.group_size as bigint) as group_size,
    {{ adoption_seat_columns('aggregated') }}
from aggregated
inner join manager_levels
    on aggregated.local_date = manager_levels.local_date
    and aggregated.manager_id = manager_levels.manager_id
left join {{ ref('stg_graph__users') }} as users on aggregated.manager_id = users.person_id
-- a manager's org under k people is not shown; the people in it still count in every org above
where aggregated.group_size >= {{ k }}
  and {{ privacy_visible('aggregated.manager_id') }}
