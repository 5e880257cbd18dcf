"""The trial worker: a real background thread draining the real queue in the database."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from immunobalance.api.jobs import TrialWorker, result_relpath
from immunobalance.errors import InvalidSpecError, Problem
from immunobalance.store.crud import trials
from immunobalance.store.session import Database


def arithmetic_series(spec: dict[str, Any], *, progress: Any, out_dir: Path) -> dict[str, Any]:
    """Sum 0 + 1 + … + (n − 1), reporting progress every tenth; truth: n(n − 1)/2."""
    n = int(spec["n"])
    total = 0
    for i in range(n):
        total += i
        if (i + 1) % max(1, n // 10) == 0:
            progress((i + 1) / n)
    return {"n": n, "sum": total}


@pytest.fixture
def database(database_url: str) -> Any:
    db = Database(database_url)
    yield db
    db.dispose()


def _submit(db: Database, spec: dict[str, Any]) -> str:
    with db.write() as session:
        return trials.submit_trial(session, spec, "t").id


def _run(db: Database, trial_id: str) -> Any:
    with db.read() as session:
        return trials.get_trial(session, trial_id)


def test_runs_are_executed_in_order_and_results_written(database: Database, tmp_path: Path) -> None:
    worker = TrialWorker(database, tmp_path, arithmetic_series).start()
    try:
        ids = [_submit(database, {"n": n}) for n in (10, 1000, 12345)]
        worker.wait_idle()
    finally:
        worker.stop()
    runs = [_run(database, i) for i in ids]
    assert [r.status for r in runs] == ["done"] * 3
    assert [r.progress for r in runs] == [1.0] * 3
    assert runs[0].started_at <= runs[1].started_at <= runs[2].started_at
    for run, n in zip(runs, (10, 1000, 12345), strict=True):
        assert run.result_path == result_relpath(run.id)
        result = json.loads((tmp_path / run.result_path).read_text())
        assert result == {"n": n, "sum": n * (n - 1) // 2}


def test_progress_is_visible_while_running(database: Database, tmp_path: Path) -> None:
    reached, release = threading.Event(), threading.Event()

    def halfway(spec: dict[str, Any], *, progress: Any, out_dir: Path) -> dict[str, Any]:
        progress(0.5)
        reached.set()
        release.wait()
        return {}

    worker = TrialWorker(database, tmp_path, halfway).start()
    try:
        trial_id = _submit(database, {})
        worker.notify()
        reached.wait()
        run = _run(database, trial_id)
        assert (run.status, run.progress) == ("running", 0.5)
        release.set()
        worker.wait_idle()
    finally:
        release.set()
        worker.stop()
    assert _run(database, trial_id).status == "done"


def test_failures_are_recorded_with_their_reason(database: Database, tmp_path: Path) -> None:
    def invalid(spec: dict[str, Any], *, progress: Any, out_dir: Path) -> None:
        raise InvalidSpecError([Problem("arms[0].regimen[0].dose", "missing")])

    def overshoot(spec: dict[str, Any], *, progress: Any, out_dir: Path) -> None:
        progress(1.5)

    for runner, reason in (
        (invalid, "arms[0].regimen[0].dose: missing"),
        (overshoot, "progress must be a fraction in [0, 1], got 1.5"),
    ):
        worker = TrialWorker(database, tmp_path, runner).start()
        try:
            trial_id = _submit(database, {})
            worker.wait_idle()
        finally:
            worker.stop()
        run = _run(database, trial_id)
        assert run.status == "failed" and reason in (run.error or "")
        assert run.result_path is None and not (tmp_path / result_relpath(trial_id)).exists()


def test_two_workers_share_one_queue_without_duplicates(database: Database, tmp_path: Path) -> None:
    executed: list[int] = []
    lock = threading.Lock()

    def record(spec: dict[str, Any], *, progress: Any, out_dir: Path) -> dict[str, Any]:
        with lock:
            executed.append(spec["i"])
        return {"i": spec["i"]}

    ids = [_submit(database, {"i": i}) for i in range(10)]
    workers = [TrialWorker(database, tmp_path, record).start() for _ in range(2)]
    try:
        for w in workers:
            w.wait_idle()
    finally:
        for w in workers:
            w.stop()
    assert sorted(executed) == list(range(10))
    assert {_run(database, i).status for i in ids} == {"done"}
