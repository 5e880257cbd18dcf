"""Background execution of in-silico trials: a worker thread that drains the ``trial_runs`` queue.

Requests only *queue* a trial (``POST /trials`` → 202); the :class:`TrialWorker` thread, started
with the server, claims queued runs one at a time, calls the runner with a progress callback and
the run's output directory ``<data_dir>/trials/<id>/`` (``run_trial`` writes ``result.json``,
``patients.parquet``, ``report.html`` and ``manifest.json`` there; for a runner that writes
nothing, the worker writes ``result.json`` from the returned result) and records ``done`` or
``failed``. Because the queue is the database, a run submitted by any process (another server,
the CLI) is picked up, and a claim is atomic, so no run is executed twice.

The runner is any callable ``runner(spec, progress=callback, out_dir=path) -> result`` — in the
service,
:func:`immunobalance.trials.run_trial`; ``load_spec`` turns the stored JSON form back into the
runner's spec object (``immunobalance.trials.spec.parse_trial_spec``).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from immunobalance.cli._output import to_jsonable
from immunobalance.errors import InvalidInputError
from immunobalance.store.crud import trials as crud
from immunobalance.store.session import Database

__all__ = ["ProgressCallback", "TrialRunner", "TrialWorker", "result_relpath"]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[float], None]


class TrialRunner(Protocol):
    """What the worker calls: run ``spec``, reporting progress in [0, 1], writing any files
    into ``out_dir``, and return the result (the signature of
    :func:`immunobalance.trials.run_trial`)."""

    def __call__(self, spec: Any, *, progress: ProgressCallback, out_dir: Path) -> Any: ...


def result_relpath(trial_id: str) -> str:
    """Where a trial's result lives, relative to the data directory."""
    return f"trials/{trial_id}/result.json"


class TrialWorker:
    """Run queued trials on one background thread.

    Parameters
    ----------
    db
        The database holding the queue.
    data_dir
        Data directory; results go to ``data_dir / result_relpath(id)``.
    runner
        ``runner(spec, progress=callback, out_dir=path) -> result``; unless the runner wrote
        ``out_dir / "result.json"``, the result must be JSON-serialisable after
        :func:`~immunobalance.cli._output.to_jsonable` (pydantic models, numpy values, dates).
    load_spec
        Turns the stored JSON spec back into the runner's spec (default: pass the dict).
    poll_interval_s
        How often an idle worker looks for runs submitted by other processes; runs submitted
        through :meth:`notify` start at once.
    orphan_after
        A ``running`` trial silent this long (no progress, no heartbeat) is failed at start-up:
        its server stopped.
    """

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        runner: TrialRunner,
        load_spec: Callable[[dict[str, Any]], Any] = lambda spec: spec,
        *,
        poll_interval_s: float = 5.0,
        orphan_after: timedelta = timedelta(minutes=10),
    ) -> None:
        self.db = db
        self.data_dir = Path(data_dir)
        self.runner = runner
        self.load_spec = load_spec
        self.poll_interval_s = poll_interval_s
        self.orphan_after = orphan_after
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._empty_polls = 0
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------- life cycle
    def start(self) -> TrialWorker:
        """Fail orphaned runs, then start the worker thread."""
        with self.db.write() as session:
            failed = crud.fail_orphaned_trials(session, silent_for=self.orphan_after)
        if failed:
            log.warning("failed %d orphaned trial run(s): %s", len(failed), ", ".join(failed))
        self._thread = threading.Thread(target=self._loop, name="trial-worker", daemon=True)
        self._thread.start()
        return self

    def notify(self) -> None:
        """Wake the worker: a run was just queued."""
        self._wake.set()

    def stop(self) -> None:
        """Ask the worker to stop after the current run and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wait_idle(self) -> None:
        """Block until every run queued before this call has finished (done or failed)."""
        with self._idle:
            seen = self._empty_polls
        self.notify()
        with self._idle:
            while self._empty_polls <= seen and self._thread is not None:
                if not self._thread.is_alive():
                    raise RuntimeError("the trial worker thread has stopped")
                self._idle.wait(timeout=1.0)  # re-check liveness; not a limit on the wait

    # ------------------------------------------------------------------------------ work
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_next()
            except Exception:  # a database hiccup must not kill the worker
                log.exception("trial worker: could not claim or record a run")
                ran = False
            if not ran:
                with self._idle:
                    self._empty_polls += 1
                    self._idle.notify_all()
                self._wake.wait(self.poll_interval_s)
                self._wake.clear()

    def run_next(self) -> bool:
        """Claim and run the oldest queued trial in the calling thread; False if none queued."""
        with self.db.write() as session:
            run = crud.claim_next_trial(session, self.name)
            if run is None:
                return False
            trial_id, spec_json = run.id, run.spec
        log.info("trial %s: started", trial_id)
        relpath = result_relpath(trial_id)
        result_file = self.data_dir / relpath
        try:
            result = self.runner(
                self.load_spec(spec_json),
                progress=self._progress(trial_id),
                out_dir=result_file.parent,
            )
            if not result_file.exists():
                self._write_result(result_file, to_jsonable(result))
        except Exception as exc:
            log.exception("trial %s: failed", trial_id)
            with self.db.write() as session:
                crud.fail_trial(session, trial_id, _describe(exc))
        else:
            with self.db.write() as session:
                crud.finish_trial(session, trial_id, relpath)
            log.info("trial %s: done", trial_id)
        return True

    def _progress(self, trial_id: str) -> ProgressCallback:
        """A callback recording progress, at most ~once a second or per 1 % step."""
        last = {"value": 0.0, "at": 0.0}

        def report(fraction: float) -> None:
            fraction = float(fraction)
            if not 0.0 <= fraction <= 1.0:
                raise ValueError(f"progress must be a fraction in [0, 1], got {fraction!r}")
            now = time.monotonic()
            if fraction - last["value"] < 0.01 and now - last["at"] < 1.0 and fraction < 1.0:
                return
            last.update(value=fraction, at=now)
            with self.db.write() as session:
                crud.report_progress(session, trial_id, fraction)

        return report

    @staticmethod
    def _write_result(path: Path, document: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(document, ensure_ascii=False, allow_nan=False), "utf-8")
        partial.replace(path)  # atomic: a reader sees the whole result or none


def _describe(exc: Exception) -> str:
    if isinstance(exc, InvalidInputError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def read_result(data_dir: Path, relpath: str | None) -> Any:
    """The stored result document of a finished trial (None when there is none)."""
    if relpath is None:
        return None
    return json.loads((Path(data_dir) / relpath).read_text("utf-8"))
