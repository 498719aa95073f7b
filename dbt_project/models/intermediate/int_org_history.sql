-- The org over time from snap_person_org: one row per person and version with a date range [valid_from,
-- valid_to). History starts with the first sync: the people it saw are taken to have been there since the
-- beginning (their first version reaches back to 1900-01-01); anyone a later sync adds joined on that sync's date.
-- The current version runs to 9999-12-31.
with versions as (

    select
        *,
        row_number() over (partition by person_id order by dbt_valid_from) = 1 as is_first_version,
        min(dbt_valid_from) over () as history_starts
    from {{ ref('snap_person_org') }}

)

select
    person_id,
    manager_id,
    department,
    is_removed,
    case
        when is_first_version and dbt_valid_from = history_starts then date '1900-01-01'
        else cast(dbt_valid_from as date)
    end as valid_from,
    coalesce(cast(dbt_valid_to as date), date '9999-12-31') as valid_to
from versions
