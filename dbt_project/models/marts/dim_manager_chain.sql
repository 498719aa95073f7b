-- One row per visible directory person: their reporting chain from the top of the org down to them (level 1 =
-- the top; the person is at level `depth`), built by int_manager_chains' recursive walk. Managers hidden by the
-- privacy lists keep their place in a chain with a null id and name (has_withheld_managers).
{%- set levels = 10 %}

with chains as (

    select * from {{ ref('int_manager_chains') }}

),

masked as (

    {{ masked_people_list('chains', 'chain_ids') }}

)

select
    cast(chains.person_id as varchar) as person_id,
    cast(chains.display_name as varchar) as display_name,
    cast(people.department as varchar) as department,
    cast(masked.ids[-2] as varchar) as manager_id,
    cast(chains.depth as integer) as depth,
    {%- for i in range(1, levels + 1) %}
    cast(masked.ids[{{ i }}] as varchar) as level_{{ i }}_id,
    cast(masked.names[{{ i }}] as varchar) as level_{{ i }}_name,
    {%- endfor %}
    cast(masked.ids as varchar[]) as chain_ids,
    cast(masked.names as varchar[]) as chain_names,
    chains.depth > {{ levels }} as exceeds_levels,
    chains.is_orphan,
    coalesce(chains.top_is_orphan, false) as under_orphan,
    chains.in_cycle,
    chains.below_cycle,
    masked.has_withheld as has_withheld_managers
from chains
inner join masked on chains.person_id = masked.person_id
inner join {{ ref('int_people') }} as people on chains.person_id = people.person_id
where {{ privacy_visible('chains.person_id') }}
