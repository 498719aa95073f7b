-- One row per person: every licensed directory person and every Windsurf user (api_key or Cascade email),
-- privacy-filtered, with their adoption status as of status_as_of (default: the latest local usage date).
{%- set inactive_after_days = var('inactive_after_days') | int %}

with persons as (

    select * from {{ ref('int_persons') }}
    where {{ privacy_visible('person_id') }}

),

usage as (

    select person_id, local_date
    from {{ ref('fct_ai_usage_daily') }}
    where is_active

),

as_of as (

    select
        {% if var('status_as_of', none) -%}
        date '{{ var("status_as_of") }}'
        {%- else -%}
        (select max(local_date) from usage)
        {%- endif %} as status_as_of

),

usage_span as (

    select
        usage.person_id,
        min(usage.local_date) as first_use_date,
        max(usage.local_date) as last_use_date,
        max(usage.local_date) filter (where usage.local_date <= as_of.status_as_of) as last_use_as_of
    from usage
    cross join as_of
    group by usage.person_id

)

select
    cast(persons.person_id as varchar) as person_id,
    cast(persons.display_name as varchar) as display_name,
    cast(persons.primary_email as varchar) as primary_email,
    cast(persons.department as varchar) as department,
    cast(persons.office_location as varchar) as office_location,
    cast(persons.timezone as varchar) as timezone,
    cast(persons.timezone_source as varchar) as timezone_source,
    persons.is_licensed,
    persons.account_enabled,
    persons.is_directory_match,
    cast(persons.api_key_count as bigint) as api_key_count,
    usage_span.first_use_date,
    usage_span.last_use_date,
    cast(
        case
            when persons.account_enabled = false or persons.is_codeium_disabled then 'disabled'
            when usage_span.last_use_as_of > as_of.status_as_of - {{ inactive_after_days }} then 'active'
            when usage_span.last_use_as_of is not null then 'inactive'
            else 'licensed_never_used'
        end as varchar
    ) as status
from persons
cross join as_of
left join usage_span on persons.person_id = usage_span.person_id
