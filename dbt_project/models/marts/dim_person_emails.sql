-- Every address of every visible directory person (mail, userPrincipalName, otherMails, SMTP proxyAddresses
-- with the smtp:/SMTP: prefix stripped), normalized (trimmed, lower case), each mapping to exactly one person.
-- It is the published face of int_person_emails, the map every identity join uses; addresses two people claim
-- are left out of both and reported in person_email_conflicts.
select
    cast(emails.email_normalized as varchar) as email_normalized,
    cast(emails.person_id as varchar) as person_id,
    cast(emails.address_type as varchar) as address_type,
    emails.email_normalized = people.primary_email as is_primary
from {{ ref('int_person_emails') }} as emails
inner join {{ ref('int_people') }} as people on emails.person_id = people.person_id
where {{ privacy_visible('emails.person_id') }}
