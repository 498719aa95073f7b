-- One row per (commit, file) of fct_commits: lines added and deleted, the rename's old path, and why a file's
-- lines do not count (excluded_as: vendored, lock, generated, binary; null = counted).
select
    cast(files.repo as varchar) as repo,
    cast(files.sha as varchar) as sha,
    cast(files.path as varchar) as path,
    cast(files.old_path as varchar) as old_path,
    cast(files.additions as bigint) as additions,
    cast(files.deletions as bigint) as deletions,
    cast(files.is_binary as boolean) as is_binary,
    cast(files.excluded_as as varchar) as excluded_as,
    cast(files.is_counted as boolean) as is_counted
from {{ ref('int_git_commit_files') }} as files
inner join {{ ref('fct_commits') }} as commits on files.repo = commits.repo and files.sha = commits.sha
