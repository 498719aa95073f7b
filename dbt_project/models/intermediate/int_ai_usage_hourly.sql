-- Hourly Windsurf usage (autocomplete + chat) per person and UTC hour, with the hour placed on the person's
-- local calendar: local_date = date of timezone(<person's IANA zone>, usage_ts_utc). DuckDB's ICU applies the
-- zone's offset at that instant, so DST changes and half-hour zones (Asia/Kolkata) land on the right day.
-- People without a directory timezone (unknown office, Windsurf-only) use Etc/UTC.
with autocomplete as (

    select
        api_key,
        usage_date,
        usage_ts_utc,
        coalesce(num_acceptances, 0) as acceptances,
        coalesce(num_lines_accepted, 0) as lines_accepted,
        coalesce(num_bytes_accepted, 0) as bytes_accepted,
        0 as chats,
        0 as chat_loc_used
    from {{ ref('stg_windsurf__autocomplete') }}

),

chat as (

    select
        api_key,
        usage_date,
        usage_ts_utc,
        0 as acceptances,
        0 as lines_accepted,
        0 as bytes_accepted,
        coalesce(num_chats_received, 0) as chats,
        coalesce(chat_loc_used, 0) as chat_loc_used
    from {{ ref('stg_windsurf__chat') }}

),

events as (

    select * from autocomplete
    union all
    select * from chat

),

located as (

    select
        identities.person_id,
        events.usage_date as utc_date,
        events.usage_ts_utc,
        coalesce(people.timezone, 'Etc/UTC') as timezone,
        events.acceptances,
        events.lines_accepted,
        events.bytes_accepted,
        events.chats,
        events.chat_loc_used
    from events
    inner join {{ ref('int_windsurf_identities') }} as identities
        on events.api_key = identities.api_key
    left join {{ ref('int_people') }} as people
        on identities.person_id = people.person_id

)

select
    person_id,
    utc_date,
    usage_ts_utc,
    timezone,
    cast(timezone(timezone, usage_ts_utc) as date) as local_date,
    cast(sum(acceptances) as bigint) as acceptances,
    cast(sum(lines_accepted) as bigint) as lines_accepted,
    cast(sum(bytes_accepted) as bigint) as bytes_accepted,
    cast(sum(chats) as bigint) as chats,
    cast(sum(chat_loc_used) as bigint) as chat_loc_used
from located
group by person_id, utc_date, usage_ts_utc, timezone
