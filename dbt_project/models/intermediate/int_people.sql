-- Directory people with what the adoption marts need: department, office timezone, licence, account state.
with users as (

    select * from {{ ref('stg_graph__users') }}

),

offices as (

    select lower(trim(office_location)) as office_key, timezone
    from {{ ref('office_timezones') }}

),

ai_group as (

    select distinct member_id as person_id
    from {{ ref('stg_graph__ai_group_members') }}
    where is_user
      and group_id = lower('{{ var("ai_group_id") }}')

)

select
    users.person_id,
    users.display_name,
    coalesce(users.mail_normalized, users.user_principal_name_normalized) as primary_email,
    users.department,
    users.office_location,
    coalesce(offices.timezone, 'Etc/UTC') as timezone,
    case when offices.timezone is null then 'default' else 'office' end as timezone_source,
    list_contains(users.assigned_sku_ids, lower('{{ var("ai_license_sku_id") }}')) as has_ai_license,
    ai_group.person_id is not null as is_ai_group_member,
    list_contains(users.assigned_sku_ids, lower('{{ var("ai_license_sku_id") }}'))
        or ai_group.person_id is not null as is_licensed,
    users.account_enabled,
    users.job_title,
    users.employee_id
from users
left join offices
    on lower(trim(users.office_location)) = offices.office_key
left join ai_group
    on users.person_id = ai_group.person_id
