-- Addresses held by more than one directory person. Such an address identifies nobody: it is left out of the
-- identity map (dim_person_emails / int_person_emails) rather than resolved to one of them. Hidden people show
-- as a count only.
with claims as (

    select * from {{ ref('int_person_addresses') }}
    where claimed_by_people > 1 and not is_former

),

visible as (

    select person_id from {{ ref('int_person_privacy') }} where is_visible

)

select
    cast(claims.email_normalized as varchar) as email_normalized,
    cast(count(*) as integer) as claimed_by_people,
    cast(list(claims.person_id order by claims.person_id) filter (where visible.person_id is not null)
        as varchar[]) as person_ids,
    cast(list(claims.address_type order by claims.person_id) filter (where visible.person_id is not null)
        as varchar[]) as address_types
from claims
left join visible on claims.person_id = visible.person_id
group by claims.email_normalized
