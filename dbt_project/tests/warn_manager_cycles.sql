{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'roster_cycles'}}}) }}
-- Warns while the directory holds manager cycles (bad data the directory owners should fix): one row per
-- person in a cycle.
select person_id, cycle_path from {{ ref('roster_cycles') }}
