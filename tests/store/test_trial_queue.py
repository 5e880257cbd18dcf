"""The trial-run queue: state transitions and atomic claims."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from immunobalance.store.crud import trials
from immunobalance.store.errors import RecordNotFoundError
from immunobalance.store.session import Database


def test_life_cycle(database: Database) -> None:
    with database.write() as session:
        run = trials.submit_trial(session, {"trial": {"name": "t"}}, "t")
    assert (run.status, run.progress) == ("queued", 0.0)
    with database.write() as session:
        claimed = trials.claim_next_trial(session, "worker-1")
        assert claimed is not None and claimed.id == run.id and claimed.status == "running"
        assert trials.claim_next_trial(session, "worker-1") is None
        trials.report_progress(session, run.id, 0.5)
    with database.read() as session:
        assert trials.get_trial(session, run.id).progress == 0.5
    with database.write() as session:
        trials.finish_trial(session, run.id, f"trials/{run.id}/result.json")
    with database.read() as session:
        done = trials.get_trial(session, run.id)
    assert (done.status, done.progress, done.worker) == ("done", 1.0, "worker-1")
    assert done.finished_at is not None and done.started_at is not None
    assert done.started_at <= done.finished_at


def test_progress_outside_0_1_is_refused(database: Database) -> None:
    with database.write() as session:
        run = trials.submit_trial(session, {}, "t")
    with pytest.raises(ValueError, match=r"\[0, 1\]"), database.write() as session:
        trials.report_progress(session, run.id, 1.5)


def test_unknown_trial(database: Database) -> None:
    with pytest.raises(RecordNotFoundError), database.read() as session:
        trials.get_trial(session, "nope")


def test_concurrent_workers_claim_each_run_once(database: Database) -> None:
    with database.write() as session:
        ids = {trials.submit_trial(session, {"i": i}, f"t{i}").id for i in range(12)}
    claims: list[tuple[str, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def work(name: str) -> None:
        start.wait()
        while True:
            with database.write() as session:
                run = trials.claim_next_trial(session, name)
            if run is None:
                return
            with lock:
                claims.append((run.id, name))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed_ids = [c[0] for c in claims]
    assert sorted(claimed_ids) == sorted(ids)  # every run claimed, none twice


def test_orphaned_runs_are_failed(database: Database) -> None:
    with database.write() as session:
        run = trials.submit_trial(session, {}, "t")
        trials.claim_next_trial(session, "dead-worker")
    with database.write() as session:
        assert trials.fail_orphaned_trials(session, silent_for=timedelta(hours=1)) == []
        assert trials.fail_orphaned_trials(session, silent_for=timedelta(seconds=-1)) == [run.id]
    with database.read() as session:
        failed = trials.get_trial(session, run.id)
    assert failed.status == "failed" and "submit it again" in (failed.error or "")
