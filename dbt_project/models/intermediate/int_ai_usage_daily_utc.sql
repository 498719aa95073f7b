-- Daily-grained Windsurf usage (percent-code-written bytes, Cascade lines and runs) per person and UTC day.
-- The API gives these only a UTC day, no hour, so they cannot be moved onto a local calendar: the local-date
-- marts attribute them to local_date = utc_date.
with pcw as (

    select
        identities.person_id,
        pcw.usage_date as utc_date,
        coalesce(pcw.codeium_bytes, 0) as codeium_bytes,
        coalesce(pcw.total_bytes, 0) as total_bytes,
        0 as cascade_lines_suggested,
        0 as cascade_lines_accepted,
        0 as cascade_runs,
        0 as cascade_messages_sent
    from {{ ref('stg_windsurf__pcw') }} as pcw
    inner join {{ ref('int_windsurf_identities') }} as identities
        on pcw.api_key = identities.api_key

),

cascade_lines as (

    select
        identities.person_id,
        lines.usage_date as utc_date,
        0 as codeium_bytes,
        0 as total_bytes,
        coalesce(lines.lines_suggested, 0) as cascade_lines_suggested,
        coalesce(lines.lines_accepted, 0) as cascade_lines_accepted,
        0 as cascade_runs,
        0 as cascade_messages_sent
    from {{ ref('stg_windsurf__cascade_lines') }} as lines
    inner join {{ ref('int_windsurf_email_identities') }} as identities
        on lines.email_normalized = identities.email_normalized

),

cascade_runs as (

    select
        identities.person_id,
        runs.usage_date as utc_date,
        0 as codeium_bytes,
        0 as total_bytes,
        0 as cascade_lines_suggested,
        0 as cascade_lines_accepted,
        1 as cascade_runs,
        coalesce(runs.messages_sent, 0) as cascade_messages_sent
    from {{ ref('stg_windsurf__cascade_runs') }} as runs
    inner join {{ ref('int_windsurf_email_identities') }} as identities
        on runs.email_normalized = identities.email_normalized

),

unioned as (

    select * from pcw
    union all
    select * from cascade_lines
    union all
    select * from cascade_runs

)

select
    person_id,
    utc_date,
    utc_date as local_date,
    cast(sum(codeium_bytes) as bigint) as codeium_bytes,
    cast(sum(total_bytes) as bigint) as total_bytes,
    cast(sum(cascade_lines_suggested) as bigint) as cascade_lines_suggested,
    cast(sum(cascade_lines_accepted) as bigint) as cascade_lines_accepted,
    cast(sum(cascade_runs) as bigint) as cascade_runs,
    cast(sum(cascade_messages_sent) as bigint) as cascade_messages_sent
from unioned
group by person_id, utc_date
