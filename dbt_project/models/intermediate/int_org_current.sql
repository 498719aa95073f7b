-- The org as of the latest directory sync, the input of the snap_person_org snapshot: each person's manager and
-- department, dated by the sync (so the snapshot's valid_from is the sync's date, not the run's clock). People
-- an earlier sync had and the latest one lacks are listed as removed, dated by the latest sync, so the history
-- closes them on the data's date too.
with latest as (

    select person_id, manager_id, department, pulled_partition_date from {{ ref('stg_graph__users') }}

),

synced as (

    select max(pulled_partition_date) as synced_on from latest

),

former as (

    -- as the last sync that listed them saw them
    select person_id, manager_id, department from {{ ref('stg_graph__former_users') }}

)

select
    latest.person_id,
    latest.manager_id,
    latest.department,
    false as is_removed,
    cast(synced.synced_on as timestamp) as synced_at
from latest
cross join synced
union all
select
    former.person_id,
    former.manager_id,
    former.department,
    true,
    cast(synced.synced_on as timestamp)
from former
cross join synced
