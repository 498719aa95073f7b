{{ config(meta={'dagster': {'ref': {'name': 'mart_adoption_daily'}}}) }}
-- Per day, the rows of mart_adoption_daily add up to the whole (visible) organisation: licensed seats to all
-- licensed people in dim_users, and each seat is in at most one of active / idle / never-used. Checked over the
-- dates this run owns (older days keep the directory of the run that wrote them).
{%- set reach = [30, var('inactive_after_days') | int] | max %}

with days as (

    select
        local_date,
        sum(licensed_seats) as licensed_seats,
        sum(active_seats + idle_seats + never_used_seats) as classified_seats,
        count(*) as n_groups
    from {{ ref('mart_adoption_daily') }}
    where {{ record_date_filter('local_date', 1, reach) }}
    group by local_date

),

licensed as (

    select count(*) as licensed_people from {{ ref('dim_users') }} where is_licensed

)

select days.*, licensed.licensed_people
from days
cross join licensed
where days.licensed_seats <> licensed.licensed_people
   or days.classified_seats > days.licensed_seats
