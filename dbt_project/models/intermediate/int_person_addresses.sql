-- Every normalized address of every directory person, and of everyone who left the directory (is_former), with
-- how many current people claim it. Privacy matches on all of them (a shared address denies everyone who has it;
-- a leaver's past stays under the lists); identity matching (int_person_emails) uses the current directory's.
with users as (

    select *, false as is_former from {{ ref('stg_graph__users') }}
    union all by name
    select *, true as is_former from {{ ref('stg_graph__former_users') }}

),

addresses as (

    select person_id, is_former, mail_normalized as email_normalized, 1 as priority, 'mail' as address_type
    from users
    union all
    select person_id, is_former, user_principal_name_normalized, 2, 'user_principal_name'
    from users
    union all
    select person_id, is_former, unnest(other_mails_normalized), 3, 'other_mail'
    from users
    union all
    select person_id, is_former, unnest(proxy_smtp_addresses_normalized), 4, 'proxy_address'
    from users

),

per_person as (

    -- one row per (person, address): the most specific way they hold it
    select
        person_id,
        email_normalized,
        is_former,
        arg_min(address_type, priority) as address_type
    from addresses
    where email_normalized is not null
    group by person_id, email_normalized, is_former

)

select
    person_id,
    email_normalized,
    address_type,
    is_former,
    count(*) filter (where not is_former) over (partition by email_normalized) as claimed_by_people
from per_person
