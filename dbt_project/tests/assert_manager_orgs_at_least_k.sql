{{ config(meta={'dagster': {'ref': {'name': 'mart_adoption_by_manager'}}}) }}
-- No manager row describes fewer than small_group_k people, and its counts nest (DAU <= WAU <= MAU, licensed
-- MAU <= licensed seats <= group size), so the adoption rate lies in [0, 1].
select *
from {{ ref('mart_adoption_by_manager') }}
where group_size < {{ var('small_group_k') | int }}
   or not (dau <= wau and wau <= mau and licensed_mau <= licensed_seats and licensed_seats <= group_size
           and coalesce(adoption_rate between 0 and 1, licensed_seats = 0))
