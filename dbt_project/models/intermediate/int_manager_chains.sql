-- A table, not a view: dim_manager_chain and roster_cycles both read it, and the walk should run once.
{{ config(materialized='table') }}

-- Every directory person's reporting chain from the top of the org down to them, SQL-first: one recursive
-- walk down from the tops (no manager, or a manager missing from the directory), one row per person, so no
-- query can loop. People the walk never reaches sit in or below a manager cycle; a second walk goes up from
-- each of them and stops at the first repeat, which closes the cycle. Not privacy-filtered.
with recursive users as (

    select person_id, display_name, manager_id from {{ ref('stg_graph__users') }}

),

edges as (

    select
        users.person_id,
        users.manager_id,
        users.manager_id is not null and managers.person_id is null as is_orphan
    from users
    left join users as managers on users.manager_id = managers.person_id

),

down(person_id, chain_ids) as (

    select person_id, [person_id] from edges
    where manager_id is null or is_orphan
    union all
    select edges.person_id, list_append(down.chain_ids, edges.person_id)
    from down
    inner join edges on edges.manager_id = down.person_id and not edges.is_orphan

),

stuck as (

    select edges.* from edges anti join down using (person_id)

),

up(person_id, cur, path) as (

    -- path: the person, their manager, and so on; it ends where `cur` would repeat a node on it
    select person_id, manager_id, [person_id] from stuck
    union all
    select up.person_id, edges.manager_id, list_append(up.path, up.cur)
    from up
    inner join edges on edges.person_id = up.cur
    where not list_contains(up.path, up.cur)

),

closed as (

    select
        person_id,
        list_reverse(path) as chain_ids,
        -- the cycle in reporting order, starting where the walk entered it
        path[list_position(path, cur):] as cycle_ids,
        cur = person_id as in_cycle
    from up
    where list_contains(path, cur)

),

chains as (

    select person_id, chain_ids, null::varchar[] as cycle_ids, false as in_cycle, false as below_cycle
    from down
    union all
    select person_id, chain_ids, cycle_ids, in_cycle, not in_cycle
    from closed

)

select
    chains.person_id,
    users.display_name,
    users.manager_id,
    len(chains.chain_ids) as depth,
    chains.chain_ids,
    chains.chain_ids[1] as top_id,
    top.is_orphan as top_is_orphan,
    edges.is_orphan,
    case when edges.is_orphan then users.manager_id end as missing_manager_id,
    chains.in_cycle,
    chains.below_cycle,
    case when chains.cycle_ids is not null then list_min(chains.cycle_ids) end as cycle_id,
    chains.cycle_ids
from chains
inner join users on chains.person_id = users.person_id
inner join edges on chains.person_id = edges.person_id
left join edges as top on chains.chain_ids[1] = top.person_id
