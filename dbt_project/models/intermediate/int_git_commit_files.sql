-- Each file a live commit changed, with why its lines do not count (git_path_rules: vendored, lock, generated;
-- binary files have no line counts). Not privacy-filtered.
with files as (

    select * from {{ ref('stg_git__commit_files') }}

),

matched as (

    select
        files.repo,
        files.sha,
        files.path,
        min(rules.category) as rule_category
    from files
    inner join {{ ref('git_path_rules') }} as rules on files.path glob rules.pattern
    group by files.repo, files.sha, files.path

)

select
    files.*,
    case when files.is_binary then 'binary' else matched.rule_category end as excluded_as,
    not files.is_binary and matched.rule_category is null as is_counted
from files
left join matched using (repo, sha, path)
