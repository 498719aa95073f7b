-- Every person in a manager cycle (bad directory data: A reports to B ... reports to A), with the cycle in
-- reporting order starting at them. Their chains in dim_manager_chain stop at the cycle (in_cycle); people
-- whose chain runs into a cycle are flagged below_cycle there. Privacy: hidden people get no row and show as
-- null in others' cycle paths.
with cycles as (

    select person_id, cycle_id, cycle_ids
    from {{ ref('int_manager_chains') }}
    where in_cycle

),

-- rotate each cycle to start at the person: they report to the next one, and so on back to them
rotated as (

    select
        person_id,
        cycle_id,
        cycle_ids[list_position(cycle_ids, person_id):] || cycle_ids[:list_position(cycle_ids, person_id) - 1]
            as path_ids
    from cycles

),

named as (

    {{ masked_people_list('rotated', 'path_ids') }}

)

select
    cast(rotated.person_id as varchar) as person_id,
    cast(users.display_name as varchar) as display_name,
    cast(md5(rotated.cycle_id) as varchar) as cycle_key,
    cast(len(rotated.path_ids) as integer) as cycle_length,
    cast(named.ids as varchar[]) as cycle_path_ids,
    cast(named.names as varchar[]) as cycle_path_names,
    cast(array_to_string(list_transform(named.names, lambda x: coalesce(x, '(withheld)')), ' -> ')
        || ' -> ' || coalesce(named.names[1], '(withheld)') as varchar) as cycle_path
from rotated
inner join named on rotated.person_id = named.person_id
left join {{ ref('stg_graph__users') }} as users on rotated.person_id = users.person_id
where {{ privacy_visible('rotated.person_id') }}
