"""Where chunks run: in this process, or on a Dask cluster.

Why Dask (``dask.distributed``) rather than Ray: the trial's work is an embarrassingly parallel
map of a pure function over chunks, which ``Client.map`` expresses directly; Dask is a pure-Python
dependency already used by the scientific Python stack (NumPy/SciPy arrays pickle as-is), it
starts a real multi-process cluster on one machine (``LocalCluster``) for tests and CI, and scales
out to many machines unchanged (``dask-jobqueue`` for HPC schedulers, ``dask-kubernetes``,
``dask-cloudprovider``) by pointing the runner at a scheduler address. Ray would add a large
binary dependency and its own object store for no gain in a map with small results.

Every backend returns the outcomes in task order, whatever order workers finish in, so the
reduction — and the result JSON — is identical on every backend and worker count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from immunobalance.errors import InvalidInputError, Problem

__all__ = ["BACKENDS", "Backend", "DaskBackend", "LocalBackend", "make_backend"]

T = TypeVar("T")
R = TypeVar("R")

#: Backend names accepted by ``--backend``.
BACKENDS = ("local", "dask", "ray")


class Backend(Protocol):
    """Runs ``fn`` over tasks and returns results in task order, calling ``done(k)`` as each
    finishes (``k`` = results so far); an exception in ``done`` (Ctrl-C) stops the run."""

    name: str

    def map(
        self, fn: Callable[[T], R], tasks: Sequence[T], done: Callable[[int], None]
    ) -> list[R]: ...


class LocalBackend:
    """Run chunks one after another in this process (the vectorised solver uses the CPU)."""

    name = "local"

    def map(self, fn: Callable[[T], R], tasks: Sequence[T], done: Callable[[int], None]) -> list[R]:
        out = []
        for task in tasks:
            out.append(fn(task))
            done(len(out))
        return out


class DaskBackend:
    """Run chunks on a Dask cluster.

    Parameters
    ----------
    client
        An existing ``distributed.Client`` (not closed by the backend).
    scheduler
        Address of a running scheduler (``tcp://host:8786``); used when no client is given.
    n_workers
        Size of the local cluster started when neither is given (default: CPU count), one
        thread per worker process (the numba kernel is single-threaded per chunk).
    """

    name = "dask"

    def __init__(
        self, client: Any = None, scheduler: str | None = None, n_workers: int | None = None
    ) -> None:
        self.client = client
        self.scheduler = scheduler
        self.n_workers = n_workers

    def map(self, fn: Callable[[T], R], tasks: Sequence[T], done: Callable[[int], None]) -> list[R]:
        from distributed import Client, LocalCluster, as_completed

        own_cluster = own_client = None
        client = self.client
        if client is None:
            if self.scheduler:
                client = own_client = Client(self.scheduler)
            else:
                import os

                own_cluster = LocalCluster(
                    n_workers=self.n_workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                client = own_client = Client(own_cluster)
        futures = client.map(fn, list(tasks), pure=False)
        position = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        try:
            for k, future in enumerate(as_completed(futures), start=1):
                results[position[future.key]] = future.result()
                done(k)
        except BaseException:
            client.cancel(futures)
            raise
        finally:
            if own_client is not None:
                own_client.close()
            if own_cluster is not None:
                own_cluster.close()
        return results


def make_backend(
    name: str, *, client: Any = None, scheduler: str | None = None, n_workers: int | None = None
) -> Backend:
    """The backend called ``name`` (``local``, ``dask``; ``ray`` explains why it is absent).

    Raises
    ------
    InvalidInputError
        For an unknown name, or ``ray`` (not implemented: distributed runs use Dask).
    """
    if name == "local":
        return LocalBackend()
    if name == "dask":
        return DaskBackend(client=client, scheduler=scheduler, n_workers=n_workers)
    if name == "ray":
        try:
            import ray  # noqa: F401

            installed = "Ray is installed, but"
        except ImportError:
            installed = "Ray is not installed, and"
        raise InvalidInputError(
            [
                Problem(
                    "--backend",
                    f"{installed} immunobalance has no Ray backend: distributed "
                    "trials run on Dask (--backend dask, with --scheduler ADDRESS for a cluster)",
                )
            ],
            what="trial run request",
        )
    raise InvalidInputError(
        [Problem("--backend", f"unknown backend {name!r} (expected one of {', '.join(BACKENDS)})")],
        what="trial run request",
    )
