-- The org over time from snap_person_org: one row per person and version with a date range [valid_from,
-- valid_to). A person's first version reaches back to the beginning (the org before the first sync is taken to
-- be the one it saw); the current version runs to 9999-12-31.
select
    person_id,
    manager_id,
    department,
    is_removed,
    case
        when row_number() over (partition by person_id order by dbt_valid_from) = 1 then date '1900-01-01'
        else cast(dbt_valid_from as date)
    end as valid_from,
    coalesce(cast(dbt_valid_to as date), date '9999-12-31') as valid_to
from {{ ref('snap_person_org') }}
