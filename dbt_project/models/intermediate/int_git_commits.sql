-- Each live commit with the rules applied: its author as a person (dim_person_emails' map: an address shared by
-- two people matches nobody), bots and coding agents, merges, mass changes, the project allow-list, the AI
-- evidence in its message, and its lines over counted files. Not privacy-filtered.
{%- set projects = var('git_projects') %}
with commits as (

    select * from {{ ref('stg_git__commits') }}

),

files as (

    select
        repo,
        sha,
        count(*) as files_changed,
        count(*) filter (where is_counted) as files_counted,
        coalesce(sum(additions) filter (where is_counted), 0) as lines_added,
        coalesce(sum(deletions) filter (where is_counted), 0) as lines_deleted,
        coalesce(sum(additions), 0) as lines_added_all_files,
        coalesce(sum(deletions), 0) as lines_deleted_all_files
    from {{ ref('int_git_commit_files') }}
    group by repo, sha

),

authors as (

    select
        commits.repo,
        commits.sha,
        min(rules.kind) as author_kind,  -- ai_agent < bot: an agent outranks a plain bot
        min(rules.tool) as agent_tool
    from commits
    inner join {{ ref('git_author_rules') }} as rules
        on (rules.field = 'name' and lower(commits.author_name) like lower(rules.pattern))
        or (rules.field = 'email' and commits.author_email_normalized like lower(rules.pattern))
    group by commits.repo, commits.sha

),

evidence as (

    select
        commits.repo,
        commits.sha,
        list(distinct rules.evidence order by rules.evidence) as evidences,
        min(rules.confidence) as best_confidence  -- 'high' < 'medium'
    from commits
    inner join {{ ref('git_ai_evidence_rules') }} as rules
        on regexp_matches(commits.message, '(?im)' || rules.pattern)
    group by commits.repo, commits.sha

)

select
    commits.repo,
    commits.sha,
    commits.branches,
    commits.author_name,
    commits.author_email_normalized,
    emails.person_id,
    emails.person_id is not null as is_matched,
    commits.authored_at,
    commits.author_utc_offset_minutes,
    -- the author's local date: their office timezone when known, else the offset the commit carries
    case
        when people.timezone is not null then cast(timezone(people.timezone, commits.authored_at) as date)
        else cast(timezone('UTC', commits.authored_at)
                  + to_minutes(coalesce(commits.author_utc_offset_minutes, 0)) as date)
    end as local_date,
    commits.committed_at,
    split_part(commits.message, chr(10), 1) as subject,
    commits.is_merge,
    coalesce(authors.author_kind, 'person') as author_kind,
    authors.author_kind is not null as is_bot,
    coalesce(files.lines_added + files.lines_deleted, 0) >= {{ var('git_mass_change_lines') }} as is_mass_change,
    {% if projects | length > 0 -%}
    commits.repo in ({% for p in projects %}'{{ p }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {%- else -%}
    true
    {%- endif %} as is_in_scope,
    coalesce(files.files_changed, 0) as files_changed,
    coalesce(files.files_counted, 0) as files_counted,
    coalesce(files.lines_added, 0) as lines_added,
    coalesce(files.lines_deleted, 0) as lines_deleted,
    coalesce(files.lines_added_all_files, 0) as lines_added_all_files,
    coalesce(files.lines_deleted_all_files, 0) as lines_deleted_all_files,
    authors.author_kind = 'ai_agent' or evidence.sha is not null as is_ai_assisted,
    case
        when authors.author_kind = 'ai_agent' then list_prepend('agent_author', coalesce(evidence.evidences, []))
        else evidence.evidences
    end as ai_evidence,
    case when authors.author_kind = 'ai_agent' then 'high' else evidence.best_confidence end as ai_confidence,
    authors.agent_tool,
    commits.first_synced_partition_date,
    commits._source
from commits
left join files using (repo, sha)
left join authors using (repo, sha)
left join evidence using (repo, sha)
left join {{ ref('int_person_emails') }} as emails on commits.author_email_normalized = emails.email_normalized
left join {{ ref('int_people') }} as people on emails.person_id = people.person_id
