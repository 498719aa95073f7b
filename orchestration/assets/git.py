"""Git ingestion assets: commits and per-file changes from local clones and hosted APIs, incremental per branch."""

from collections import Counter

import dagster as dg

from orchestration.assets.landing import bronze_asset_spec, landed, nonempty_check, reconcile_check
from orchestration.partitions import run_window
from orchestration.resources import GitResource
from python_assets.ingest import bronze_tables as bt
from python_assets.ingest.git_sync import sync_repository
from python_assets.ingest.pulls import LoadResult


@dg.multi_asset(
    specs=[
        bronze_asset_spec(bt.GIT_COMMITS, "Commits of each configured repository (a clone or a host's API) and "
                                          "branch, as each sync saw them: new ones `added`, and `removed` when a "
                                          "force-push took them off the branch. The branch head is the watermark."),
        bronze_asset_spec(bt.GIT_COMMIT_FILES, "Per commit, each file changed with lines added and deleted "
                                               "(`git log --numstat -z`: clean rename paths, binaries flagged)."),
    ],
    check_specs=[reconcile_check(bt.GIT_COMMITS), nonempty_check(bt.GIT_COMMITS),
                 reconcile_check(bt.GIT_COMMIT_FILES), nonempty_check(bt.GIT_COMMIT_FILES)],
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="git_local",
)
def git_local(context: dg.AssetExecutionContext, git: GitResource):
    window = run_window(context)
    commits = files = 0
    modes: Counter = Counter()
    repos = git.repo_configs()
    for repo in repos:
        for sync in sync_repository(repo, window.end, window.start):
            modes[sync.mode] += 1
            commits += len(sync.added) + len(sync.removed)
            files += sum(len(c.files) for c in sync.added)
    extra = {"branch_syncs": dict(modes), "repositories": len(repos)}
    # git's own output: every record lands (a record git cannot describe fails the run with GitError)
    yield landed(context, bt.GIT_COMMITS, LoadResult(bt.GIT_COMMITS.lake_name, commits, commits, 0, Counter()),
                 extra, expect_rows=False)
    yield landed(context, bt.GIT_COMMIT_FILES, LoadResult(bt.GIT_COMMIT_FILES.lake_name, files, files, 0,
                                                          Counter()), extra, expect_rows=False)
