{{ config(meta={'dagster': {'ref': {'name': 'mart_adoption_daily'}}}) }}
-- The counts of every mart_adoption_daily row nest as their definitions say: DAU <= WAU <= MAU (1, 7 and 30
-- day windows of the same person-days), licensed MAU <= MAU and <= licensed seats, so the adoption rate lies
-- in [0, 1].

select *
from {{ ref('mart_adoption_daily') }}
where not (
    dau <= wau and wau <= mau
    and licensed_mau <= mau and licensed_mau <= licensed_seats
    and active_seats <= licensed_mau
    and coalesce(adoption_rate between 0 and 1, licensed_seats = 0)
)
