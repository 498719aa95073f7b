-- One row per commit on the followed branches (a force-push's rewritten commits replaced by the new ones), with
-- its author as a person where the address identifies one, the exclusion flags and the AI-assisted evidence.
-- Lines are over counted files only (see fct_commit_files.excluded_as); is_counted says whether the commit
-- counts as a person's contribution at all. Privacy: commits of hidden people are left out.
select
    cast(repo as varchar) as repo,
    cast(sha as varchar) as sha,
    cast(branches as varchar[]) as branches,
    cast(person_id as varchar) as person_id,
    cast(case when person_id is null then author_email_normalized end as varchar) as unmatched_author_email,
    cast(author_kind as varchar) as author_kind,
    cast(authored_at as timestamptz) as authored_at,
    cast(local_date as date) as local_date,
    cast(subject as varchar) as subject,
    cast(is_merge as boolean) as is_merge,
    cast(is_bot as boolean) as is_bot,
    cast(is_mass_change as boolean) as is_mass_change,
    cast(is_in_scope as boolean) as is_in_scope,
    cast(not is_merge and not is_bot and not is_mass_change and is_in_scope as boolean) as is_counted,
    cast(files_changed as integer) as files_changed,
    cast(files_counted as integer) as files_counted,
    cast(lines_added as bigint) as lines_added,
    cast(lines_deleted as bigint) as lines_deleted,
    cast(lines_added_all_files as bigint) as lines_added_all_files,
    cast(lines_deleted_all_files as bigint) as lines_deleted_all_files,
    cast(is_ai_assisted as boolean) as is_ai_assisted,
    cast(ai_evidence as varchar[]) as ai_evidence,
    cast(ai_confidence as varchar) as ai_confidence,
    cast(agent_tool as varchar) as agent_tool,
    cast(first_synced_partition_date as date) as first_synced_partition_date,
    cast(_source as varchar) as source
from {{ ref('int_git_commits') }}
where person_id is null or {{ privacy_visible('person_id') }}
