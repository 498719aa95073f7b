-- Contribution next to AI-assistant use, per ISO week (Monday), adoption tier and team: the people who made a
-- counted commit that week, grouped by how much they used the assistant that week (non_user: no use; occasional:
-- 1-2 active days; frequent: 3 or more) and by their department in the org of that week (int_org_history).
-- A group under var small_group_k people is not shown. Lines are a rough measure: see docs/ARCHITECTURE.md.
{%- set k = var('small_group_k') | int %}
with contribution as (

    select
        person_id,
        cast(date_trunc('week', local_date) as date) as week_start,
        sum(commits) as commits,
        sum(lines_added) as lines_added,
        sum(lines_deleted) as lines_deleted,
        sum(ai_assisted_commits) as ai_assisted_commits
    from {{ ref('mart_contributions_daily') }}
    group by person_id, week_start

),

usage as (

    select person_id, cast(date_trunc('week', local_date) as date) as week_start,
           count(distinct local_date) as active_days
    from {{ ref('fct_ai_usage_daily') }}
    group by person_id, week_start

),

teams as (

    select contribution.person_id, contribution.week_start, any_value(history.department) as department
    from contribution
    inner join {{ ref('int_org_history') }} as history
        on contribution.person_id = history.person_id
        and contribution.week_start >= history.valid_from
        and contribution.week_start < history.valid_to
        and not history.is_removed
    group by contribution.person_id, contribution.week_start

),

tiered as (

    select
        contribution.*,
        case
            when usage.active_days is null then 'non_user'
            when usage.active_days >= 3 then 'frequent'
            else 'occasional'
        end as adoption_tier,
        coalesce(teams.department, 'Unknown') as team
    from contribution
    left join usage using (person_id, week_start)
    left join teams using (person_id, week_start)

)

select
    cast(week_start as date) as week_start,
    cast(adoption_tier as varchar) as adoption_tier,
    cast(team as varchar) as team,
    cast(count(*) as integer) as people,
    cast(sum(commits) as integer) as commits,
    cast(sum(lines_added) as bigint) as lines_added,
    cast(sum(lines_deleted) as bigint) as lines_deleted,
    cast(round(sum(commits) / count(*), 2) as double) as commits_per_person,
    cast(round(median(lines_added + lines_deleted), 1) as double) as median_lines_changed_per_person,
    cast(sum(ai_assisted_commits) as integer) as ai_assisted_commits,
    cast(round(sum(ai_assisted_commits) / sum(commits), 4) as double) as ai_assisted_share
from tiered
group by week_start, adoption_tier, team
having count(*) >= {{ k }}
