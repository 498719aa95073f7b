-- Redacted texts for a person to read for what redaction missed (false negatives): per source x event day (UTC),
-- `pii_review_per_day` texts drawn at random, and as many again per residual-risk signal that the redacted text
-- still shows (a long digit run, an @-address, two capitalized words in a row) once its placeholders are taken
-- out. Each row is one field of one event with its findings, so a reviewer sees the text around each
-- replacement. Drawn by a hash of the event id and field: the same rows on every run over the same data. Reads
-- only redacted tables.
{% set per_day = var('pii_review_per_day', 20) %}
with texts as (

    {% for field in ['content', 'tool_arguments', 'tool_result', 'feedback_value', 'metadata'] %}
    select
        source,
        cast(ts as date) as event_date,
        event_id,
        session_id,
        source_file,
        '{{ field }}' as field,
        {{ field }} as redacted_text
    from {{ source('logs', 'events_redacted') }}
    where {{ field }} is not null and length({{ field }}) > 0
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

findings as (

    select
        event_id,
        field,
        count(*) as findings,
        string_agg(distinct entity, ', ' order by entity) as entity_types
    from {{ source('logs', 'pii_audit') }}
    group by event_id, field

),

signals as (

    select
        texts.*,
        -- what is left once the placeholders are out: where a missed value would show
        regexp_replace(redacted_text, '<[A-Z_]+_[0-9a-f]+>', ' ', 'g') as residue
    from texts

),

flagged as (

    select
        *,
        case
            when regexp_matches(residue, '\d[\d ().-]{5,}\d') then 'digit_run'
            when regexp_matches(residue, '[\w.+-]+@[\w-]+\.[A-Za-z]') then 'at_address'
            when regexp_matches(residue, '\b[A-Z][a-z]+[ \t]+[A-Z][a-z]+\b') then 'capitalized_pair'
        end as signal,
        hash(event_id || '/' || field) as draw
    from signals

),

drawn as (

    select
        *,
        row_number() over (partition by source, event_date order by draw) as random_rank,
        row_number() over (partition by source, event_date, signal order by draw) as signal_rank
    from flagged

)

select
    cast(drawn.source as varchar) as source,
    cast(drawn.event_date as date) as event_date,
    cast(drawn.event_id as varchar) as event_id,
    cast(drawn.session_id as varchar) as session_id,
    cast(drawn.source_file as varchar) as source_file,
    cast(drawn.field as varchar) as field,
    cast(case when drawn.signal is not null and drawn.signal_rank <= {{ per_day }} then 'signal' else 'random' end
        as varchar) as sample_reason,
    cast(drawn.signal as varchar) as signal,
    cast(coalesce(findings.findings, 0) as integer) as findings,
    cast(findings.entity_types as varchar) as entity_types,
    cast(length(drawn.redacted_text) as integer) as text_chars,
    cast(left(drawn.redacted_text, 4000) as varchar) as redacted_text
from drawn
left join findings on drawn.event_id = findings.event_id and drawn.field = findings.field
where drawn.random_rank <= {{ per_day }} or (drawn.signal is not null and drawn.signal_rank <= {{ per_day }})
