-- Cascade data names users by email, not api_key. Resolve each email to a person: the directory person with
-- that address, else the Windsurf user with that email (one person per email: the smallest person_id), else a
-- Windsurf-only person 'windsurf-email:<md5 of the email>' (no address in the id).
with emails as (

    select email_normalized from {{ ref('stg_windsurf__cascade_lines') }}
    union
    select email_normalized from {{ ref('stg_windsurf__cascade_runs') }}

),

windsurf_users as (

    select email_normalized, min(person_id) as person_id
    from {{ ref('int_windsurf_identities') }}
    where email_normalized is not null
    group by email_normalized

)

select
    emails.email_normalized,
    coalesce(directory.person_id, windsurf_users.person_id,
             'windsurf-email:' || md5(emails.email_normalized)) as person_id,
    directory.person_id is not null as is_directory_match
from emails
left join {{ ref('int_person_emails') }} as directory
    on emails.email_normalized = directory.email_normalized
left join windsurf_users
    on emails.email_normalized = windsurf_users.email_normalized
