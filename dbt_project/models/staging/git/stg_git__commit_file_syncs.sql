{{ bronze_mirror_config() }}

-- Every sync record of git.commit_files (one per repo, commit, path and sync), as bronze holds them: the DuckDB
-- copy that stg_git__commit_files reads. Refreshed per window (see bronze_mirror_config).
select * exclude (_partition_date, _pulled_at, _source, _request_id), {{ bronze_lineage() }}
from {{ source('git', 'commit_files') }}
{% if is_incremental() %}where {{ bronze_partition_filter() }}{% endif %}
