{{ config(meta={'dagster': {'ref': {'name': 'dim_users'}}}) }}
-- Nobody the privacy lists hide (deny-listed by any address, or outside a non-empty allow list) appears in any
-- mart: person-grain marts hold only visible person_ids and no denied address; the adoption mart's head counts
-- add up to visible people only (checked over the dates this run owns).
{%- set reach = [30, var('inactive_after_days') | int] | max %}

with visible as (

    select person_id from {{ ref('int_person_privacy') }} where is_visible

),

denied_addresses as (

    {{ privacy_list('privacy_deny_list', 'FLYWHEEL_DENY_LIST') }}

),

person_rows as (

    select 'dim_users' as mart, person_id, primary_email from {{ ref('dim_users') }}
    union all
    select 'fct_ai_usage_daily', person_id, null from {{ ref('fct_ai_usage_daily') }}
    union all
    select 'fct_ai_usage_daily_utc', person_id, null from {{ ref('fct_ai_usage_daily_utc') }}
    union all
    select 'dim_person_emails', person_id, email_normalized from {{ ref('dim_person_emails') }}
    union all
    -- the org marts name people in their rows and inside their chains / cycles / claimant lists
    select 'dim_manager_chain', unnest(list_append(chain_ids, person_id)), null from {{ ref('dim_manager_chain') }}
    union all
    select 'roster_cycles', unnest(list_append(cycle_path_ids, person_id)), null from {{ ref('roster_cycles') }}
    union all
    select 'person_email_conflicts', unnest(person_ids), null from {{ ref('person_email_conflicts') }}
    union all
    select distinct 'mart_adoption_by_manager', manager_id, null from {{ ref('mart_adoption_by_manager') }}

),

leaks as (

    select mart, person_id, 'hidden person' as problem
    from person_rows
    where person_id is not null  -- withheld members of a chain are null
      and person_id not in (select person_id from visible)
    union all
    select mart, person_id, 'denied address'
    from person_rows
    where primary_email in (select email_normalized from denied_addresses)

),

adoption as (

    select local_date, sum(group_size) as people, sum(dau) as dau
    from {{ ref('mart_adoption_daily') }}
    where {{ record_date_filter('local_date', 1, reach) }}
    group by local_date

),

expected_dau as (

    select local_date, count(distinct person_id) as dau
    from {{ ref('fct_ai_usage_daily') }}
    where is_active
      and person_id in (select person_id from visible)
      and person_id in (select person_id from {{ ref('dim_users') }})
    group by local_date

)

select mart, person_id, problem from leaks
union all
select 'mart_adoption_daily', cast(adoption.local_date as varchar), 'counts people who are not visible'
from adoption
left join expected_dau on adoption.local_date = expected_dau.local_date
where adoption.people <> (
        select count(*) from {{ ref('dim_users') }} where person_id in (select person_id from visible))
   or adoption.dau <> coalesce(expected_dau.dau, 0)
