{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'dim_manager_chain'}}}) }}
-- Warns for people whose manager is not in the directory, and for chains deeper than the 10 level columns.
select person_id, is_orphan, exceeds_levels, depth
from {{ ref('dim_manager_chain') }}
where is_orphan or exceeds_levels
