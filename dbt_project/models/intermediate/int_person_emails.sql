-- The address -> person map used to join Windsurf users to directory people. An address claimed by two or more
-- people (a shared mailbox alias, a reused otherMail) identifies nobody and is left out. Current directory only:
-- a leaver's usage stays with their Windsurf identity.
select
    email_normalized,
    person_id,
    address_type
from {{ ref('int_person_addresses') }}
where claimed_by_people = 1 and not is_former
