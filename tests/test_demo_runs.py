"""`make demo` keeps only its latest run in the Dagster instance, and leaves every other run alone."""

from __future__ import annotations

import dagster as dg

from orchestration.demo import DEMO_TAGS, forget_previous_demo_runs


@dg.op
def _noop() -> None:
    pass


@dg.job
def _job() -> None:
    _noop()


def test_previous_demo_runs_are_forgotten_and_others_kept():
    instance = dg.DagsterInstance.ephemeral()
    demo = [_job.execute_in_process(instance=instance, tags=DEMO_TAGS).run_id for _ in range(2)]
    other = _job.execute_in_process(instance=instance, tags={"flywheel/demo": "false"}).run_id
    assert instance.get_records_for_run(demo[0]).records  # the run's events are there ...
    assert forget_previous_demo_runs(instance) == 2
    assert [r.run_id for r in instance.get_runs()] == [other]
    assert not instance.get_records_for_run(demo[0]).records  # ... and gone with it
    assert forget_previous_demo_runs(instance) == 0
