-- Everyone the marts describe: licensed directory people and every Windsurf user (an api_key, or an email
-- Cascade reports), one row per person with directory attributes where there are any. Not privacy-filtered:
-- each mart applies privacy_visible().
with directory as (

    select * from {{ ref('int_people') }}

),

windsurf_keys as (

    select
        person_id,
        count(distinct api_key) as api_key_count,
        bool_or(is_codeium_disabled) as is_codeium_disabled,
        min(windsurf_name) as windsurf_name,
        min(email_normalized) as windsurf_email
    from {{ ref('int_windsurf_identities') }}
    group by person_id

),

windsurf_emails as (

    select person_id, min(email_normalized) as windsurf_email
    from {{ ref('int_windsurf_email_identities') }}
    group by person_id

),

population as (

    select person_id from directory where is_licensed
    union
    select person_id from windsurf_keys
    union
    select person_id from windsurf_emails

)

select
    population.person_id,
    coalesce(directory.display_name, windsurf_keys.windsurf_name) as display_name,
    coalesce(directory.primary_email, windsurf_keys.windsurf_email, windsurf_emails.windsurf_email)
        as primary_email,
    directory.department,
    directory.office_location,
    coalesce(directory.timezone, 'Etc/UTC') as timezone,
    coalesce(directory.timezone_source, 'default') as timezone_source,
    coalesce(directory.is_licensed, false) as is_licensed,
    directory.account_enabled,
    directory.person_id is not null as is_directory_match,
    coalesce(windsurf_keys.api_key_count, 0) as api_key_count,
    coalesce(windsurf_keys.is_codeium_disabled, false) as is_codeium_disabled
from population
left join directory on population.person_id = directory.person_id
left join windsurf_keys on population.person_id = windsurf_keys.person_id
left join windsurf_emails on population.person_id = windsurf_emails.person_id
