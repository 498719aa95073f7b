{{ config(meta={'dagster': {'ref': {'name': 'mart_adoption_daily'}}}) }}
-- No adoption row describes fewer than small_group_k people: neither by its own group_size nor by recounting
-- dim_users people in the departments it lists.
with groups as (

    select distinct department_group, group_size, departments_in_group
    from {{ ref('mart_adoption_daily') }}

),

recounted as (

    select
        groups.department_group,
        groups.group_size,
        count(dim_users.person_id) as people
    from groups
    left join {{ ref('dim_users') }} as dim_users
        on list_contains(string_split(groups.departments_in_group, ', '), coalesce(dim_users.department, 'Unknown'))
    group by groups.department_group, groups.group_size

)

select *
from recounted
where group_size < {{ var('small_group_k') | int }}
   or people < {{ var('small_group_k') | int }}
