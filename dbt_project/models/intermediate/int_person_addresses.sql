-- Every normalized address of every directory person, with how many people claim it. Privacy matches on all
-- of them (a shared address denies everyone who has it); identity matching uses int_person_emails.
with users as (

    select * from {{ ref('stg_graph__users') }}

),

addresses as (

    select person_id, mail_normalized as email_normalized, 1 as priority, 'mail' as address_type
    from users
    union all
    select person_id, user_principal_name_normalized, 2, 'user_principal_name'
    from users
    union all
    select person_id, unnest(other_mails_normalized), 3, 'other_mail'
    from users
    union all
    select person_id, unnest(proxy_smtp_addresses_normalized), 4, 'proxy_address'
    from users

),

per_person as (

    -- one row per (person, address): the most specific way they hold it
    select
        person_id,
        email_normalized,
        arg_min(address_type, priority) as address_type
    from addresses
    where email_normalized is not null
    group by person_id, email_normalized

)

select
    person_id,
    email_normalized,
    address_type,
    count(*) over (partition by email_normalized) as claimed_by_people
from per_person
