-- Every Windsurf api_key (from the user list, and any key seen in usage without a user row) resolved to a
-- person: the directory person whose address equals the Windsurf email, else a Windsurf-only person
-- 'windsurf:<api_key>'.
with users as (

    select * from {{ ref('stg_windsurf__users') }}

),

usage_keys as (

    select api_key from {{ ref('stg_windsurf__autocomplete') }}
    union
    select api_key from {{ ref('stg_windsurf__chat') }}
    union
    select api_key from {{ ref('stg_windsurf__pcw') }}

),

keys as (

    select api_key, email_normalized, windsurf_name, is_codeium_disabled, team_status, true as in_user_list
    from users
    union all
    select api_key, null, null, false, null, false
    from usage_keys
    where api_key not in (select api_key from users)

)

select
    keys.api_key,
    keys.email_normalized,
    keys.windsurf_name,
    keys.is_codeium_disabled,
    keys.team_status,
    keys.in_user_list,
    coalesce(emails.person_id, 'windsurf:' || keys.api_key) as person_id,
    emails.person_id is not null as is_directory_match
from keys
left join {{ ref('int_person_emails') }} as emails
    on keys.email_normalized = emails.email_normalized
