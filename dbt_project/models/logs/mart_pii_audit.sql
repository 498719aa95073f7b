-- What the redaction replaced, by source x entity type x recognizer x field: counts only, never values. The
-- day is the event's (UTC); events without a timestamp count under a null day.
select
    cast(audit.source as varchar) as source,
    cast(cast(events.ts as date) as date) as event_date,
    cast(audit.entity as varchar) as entity_type,
    cast(audit.recognizer as varchar) as recognizer,
    cast(audit.field as varchar) as field,
    cast(count(*) as integer) as findings,
    cast(count(distinct audit.event_id) as integer) as events,
    cast(count(distinct audit.session_id) as integer) as sessions,
    cast(round(avg(audit.score), 4) as double) as avg_score
from {{ source('logs', 'pii_audit') }} as audit
left join {{ source('logs', 'events_redacted') }} as events on audit.event_id = events.event_id
group by all
