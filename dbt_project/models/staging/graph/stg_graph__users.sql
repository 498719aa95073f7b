{{ config(materialized='table') }}

-- Directory users from the latest sync (graph/users holds the whole directory per sync partition).
with source as (

    select * from {{ source('graph', 'users') }}

),

latest as (

    {{ latest_snapshot('source') }}

),

renamed as (

    select
        id as person_id,
        display_name,
        nullif(lower(trim(mail)), '') as mail_normalized,
        nullif(lower(trim(user_principal_name)), '') as user_principal_name_normalized,
        -- JSON text -> lists of normalized addresses; invalid JSON gives an empty list rather than failing
        case when json_valid(other_mails) then
            [lower(trim(x)) for x in from_json(other_mails, '["VARCHAR"]') if nullif(trim(x), '') is not null]
        else [] end as other_mails_normalized,
        -- only SMTP proxy addresses are email addresses ("SMTP:" primary, "smtp:" alias; X500:, SIP: are not)
        case when json_valid(proxy_addresses) then
            [lower(trim(x[6:])) for x in from_json(proxy_addresses, '["VARCHAR"]')
                if lower(x) like 'smtp:%' and nullif(trim(x[6:]), '') is not null]
        else [] end as proxy_smtp_addresses_normalized,
        job_title,
        nullif(trim(department), '') as department,
        nullif(trim(office_location), '') as office_location,
        employee_id,
        nullif(trim(manager_id), '') as manager_id,
        case lower(trim(account_enabled)) when 'true' then true when 'false' then false end as account_enabled,
        case when json_valid(assigned_licenses) then
            [lower(x) for x in json_extract_string(assigned_licenses, '$[*].skuId') if x is not null]
        else [] end as assigned_sku_ids,
        {{ bronze_lineage() }}
    from latest

)

-- a snapshot can list a user twice (paging); keep the newest request's row
{{ latest_pull_wins('renamed', ['person_id'], ['display_name', 'mail_normalized']) }}
