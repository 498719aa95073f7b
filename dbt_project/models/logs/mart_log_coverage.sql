-- The diversity and complexity report of the training data the logs give: units by type x complexity bucket x
-- tool mix x source, with what they hold (turns, tool calls, hops, recoveries, outcomes, languages, task types).
-- Fragments (segments with no user message and no tool activity, kept only for lineage) are left out.
with units as (

    select
        *,
        case
            when distinct_tools = 0 then 'no_tools'
            when distinct_tools = 1 then 'one_tool'
            when distinct_tools <= 3 then 'two_to_three_tools'
            else 'four_plus_tools'
        end as tool_mix
    from {{ source('logs', 'training_units') }}
    where unit_type != 'fragment'

),

grouped as (

    select
        unit_type,
        complexity_bucket,
        tool_mix,
        source,
        count(*) as units,
        count(distinct session_id) as sessions,
        sum(turns) as turns,
        sum(tool_calls) as tool_calls,
        avg(hops) as avg_hops,
        max(hops) as max_hops,
        count(*) filter (where has_recovery) as units_with_recovery,
        count(*) filter (where outcome = 'success') as outcome_success,
        count(*) filter (where outcome = 'failure') as outcome_failure,
        count(*) filter (where outcome = 'unknown') as outcome_unknown,
        avg(complexity_score) as avg_complexity,
        count(distinct language) as languages,
        count(distinct task_type) as task_types,
        count(distinct domain) as domains,
        sum(text_chars) as text_chars
    from units
    group by all

)

select
    cast(unit_type as varchar) as unit_type,
    cast(complexity_bucket as varchar) as complexity_bucket,
    cast(tool_mix as varchar) as tool_mix,
    cast(source as varchar) as source,
    cast(units as integer) as units,
    cast(round(units / sum(units) over (), 4) as double) as share_of_units,
    cast(sessions as integer) as sessions,
    cast(turns as bigint) as turns,
    cast(tool_calls as bigint) as tool_calls,
    cast(round(avg_hops, 3) as double) as avg_hops,
    cast(max_hops as integer) as max_hops,
    cast(units_with_recovery as integer) as units_with_recovery,
    cast(outcome_success as integer) as outcome_success,
    cast(outcome_failure as integer) as outcome_failure,
    cast(outcome_unknown as integer) as outcome_unknown,
    cast(round(avg_complexity, 4) as double) as avg_complexity,
    cast(languages as integer) as languages,
    cast(task_types as integer) as task_types,
    cast(domains as integer) as domains,
    cast(text_chars as bigint) as text_chars
from grouped
