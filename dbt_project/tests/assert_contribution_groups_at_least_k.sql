{{ config(meta={'dagster': {'ref': {'name': 'mart_ai_vs_contribution'}}}) }}
-- No contribution group describes fewer than small_group_k people, by its own count or by recounting the people
-- with counted commits that week.
with recount as (

    select cast(date_trunc('week', local_date) as date) as week_start, count(distinct person_id) as people
    from {{ ref('mart_contributions_daily') }}
    group by week_start

)

select groups.*
from {{ ref('mart_ai_vs_contribution') }} as groups
left join recount using (week_start)
where groups.people < {{ var('small_group_k') | int }}
   or recount.people < groups.people
