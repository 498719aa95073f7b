{{ bronze_mirror_config() }}

-- Every sync record of git.commits (one per repo, branch, commit and sync), as bronze holds them: the DuckDB copy
-- that stg_git__commits reads. Refreshed per window (see bronze_mirror_config).
select * exclude (_partition_date, _pulled_at, _source, _request_id), {{ bronze_lineage() }}
from {{ source('git', 'commits') }}
{% if is_incremental() %}where {{ bronze_partition_filter() }}{% endif %}
