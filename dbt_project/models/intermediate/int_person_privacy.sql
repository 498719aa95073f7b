-- Who may appear in marts. A list is its seed plus the env var FLYWHEEL_DENY_LIST / FLYWHEEL_ALLOW_LIST
-- (comma-separated emails). Every person any mart can name (directory people and those who left it, Windsurf
-- api_key identities, Cascade email identities) with every address they are known by; a person is denied when
-- any address is on the deny list, and - when the allow list is non-empty - allowed only when some address is on
-- it. Marts keep only is_visible people, so anyone missing here is left out (fail closed).
with people as (

    select person_id from {{ ref('int_people') }}
    union
    select person_id from {{ ref('stg_graph__former_users') }}
    union
    select person_id from {{ ref('int_windsurf_identities') }}
    union
    select person_id from {{ ref('int_windsurf_email_identities') }}

),

addresses as (

    select person_id, email_normalized from {{ ref('int_person_addresses') }}
    union
    select person_id, email_normalized from {{ ref('int_windsurf_identities') }}
    where email_normalized is not null
    union
    select person_id, email_normalized from {{ ref('int_windsurf_email_identities') }}

),

deny_list as (

    {{ privacy_list('privacy_deny_list', 'FLYWHEEL_DENY_LIST') }}

),

allow_list as (

    {{ privacy_list('privacy_allow_list', 'FLYWHEEL_ALLOW_LIST') }}

),

denied as (

    select distinct addresses.person_id
    from addresses
    inner join deny_list on addresses.email_normalized = deny_list.email_normalized

),

allowed as (

    select distinct addresses.person_id
    from addresses
    inner join allow_list on addresses.email_normalized = allow_list.email_normalized

),

flags as (

    select
        people.person_id,
        people.person_id in (select person_id from denied) as is_denied,
        (select count(*) from allow_list) = 0
            or people.person_id in (select person_id from allowed) as is_allowed
    from people

)

select
    person_id,
    is_denied,
    is_allowed,
    is_allowed and not is_denied as is_visible
from flags
