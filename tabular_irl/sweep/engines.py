"""Where cells run: in this process, in a local process pool, or on a Dask cluster.

Every engine yields the rows of :func:`~tabular_irl.sweep.run_cell` as cells
finish (in completion order); the caller, and only the caller, writes them.
In a pool or on a cluster each task first sets the kernels to one thread
(:func:`tabular_irl.set_num_threads`): the workers are the parallelism, and
results are bit-identical for any thread count anyway.

``engine`` is one of

* ``None`` or ``"serial"``: in this process, one cell after another, each
  with BLAS at one thread (threadpoolctl), as the workers of the other
  engines run;
* ``"processes"``: a :class:`concurrent.futures.ProcessPoolExecutor` of
  ``workers`` processes (started with ``spawn``: no inherited threads);
* ``"dask"``: a new local Dask cluster of ``workers`` single-threaded
  processes, or the scheduler at ``address``;
* a ``dask.distributed.Client``, or a scheduler address ``"tcp://host:8786"``.

Dask (``pip install "tabular_irl[dask]"``) is imported only for the last two.
On several machines, start a scheduler and workers and pass its address;
nothing else changes::

    dask scheduler                                   # on one machine: prints tcp://HOST:8786
    dask worker tcp://HOST:8786 --nthreads 1         # on each machine (as many as wanted)
    tabular-irl sweep spec.toml --out results.jsonl --engine dask --address tcp://HOST:8786

A worker that dies takes its running cells with it; Dask runs them again
elsewhere (a cell that kills three workers is recorded as failed).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from .._blas import blas_threads
from .cells import Cell, run_cell

__all__ = ["ENGINES", "check_engine", "run_cells"]

ENGINES = ("serial", "processes", "dask")
# What a pool's worker processes start with, as Dask's nanny does for its workers: BLAS and
# OpenMP pools of one thread. With one thread pool per core-sized worker, two workers with
# two BLAS threads each on two cores ran the example sweep 2-3 times slower (oversubscribed).
_ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_ADDRESS_SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")


def _task(cell: Cell) -> dict[str, Any]:
    """One cell on a worker: kernels on one thread, then :func:`run_cell`."""
    from .._config import set_num_threads

    set_num_threads(1)
    return run_cell(cell)


def _is_address(engine: Any) -> bool:
    return isinstance(engine, str) and engine.startswith(_ADDRESS_SCHEMES)


def _is_client(engine: Any) -> bool:
    return type(engine).__name__ == "Client" and type(engine).__module__.startswith("distributed")


def check_engine(engine: Any, workers: Any = None, address: Any = None) -> str:
    """The engine's kind (``"serial"``, ``"processes"`` or ``"dask"``); a ``ValueError`` for anything else.

    Examples
    --------
    >>> check_engine(None), check_engine("processes", workers=2), check_engine("tcp://10.0.0.1:8786")
    ('serial', 'processes', 'dask')
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be an integer >= 1 or None, got {workers!r}")
    if address is not None and not _is_address(address):
        raise ValueError(f"address must be a Dask scheduler address such as 'tcp://host:8786', got {address!r}")
    if engine is None or engine == "serial":
        kind = "serial"
    elif _is_address(engine) or _is_client(engine):
        kind = "dask"
    elif engine in ENGINES:
        kind = engine
    else:
        raise ValueError(f"engine must be None, one of {', '.join(map(repr, ENGINES))}, a dask.distributed.Client "
                         f"or a scheduler address 'tcp://host:port', got {engine!r}")
    if address is not None and kind != "dask":
        raise ValueError(f"address={address!r} is a Dask scheduler: use it with engine='dask'")
    return kind


def run_cells(cells: list[Cell], engine: Any = None, *, workers: int | None = None,
              address: str | None = None) -> Iterator[dict[str, Any]]:
    """The rows of ``cells`` as they finish, on ``engine`` (module docstring).

    A generator: closing it (or an exception in the caller) cancels the
    cells not yet finished and shuts down what it started.

    Examples
    --------
    >>> from tabular_irl.sweep import expand
    >>> cells = expand({"seeds": [0, 1], "n_demos": 10, "horizon": 4, "environments": [{"kind": "gridworld", "rows": 3}],
    ...                 "methods": [{"name": "mmp"}]})
    >>> [row["status"] for row in run_cells(cells)]
    ['ok', 'ok']
    """
    kind = check_engine(engine, workers, address)
    if kind == "serial":
        return _serial(cells)
    if kind == "processes":
        return _processes(cells, workers)
    return _dask(cells, engine, workers, address)


def _serial(cells: list[Cell]) -> Iterator[dict[str, Any]]:
    for cell in cells:
        # one BLAS thread per cell (cells are small problems, where BLAS threads cost more than they give:
        # the example sweep ran 2-3 times faster serially with one); between cells the caller's settings hold
        with blas_threads(1):
            row = run_cell(cell)
        yield row


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block (for processes started in it), then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _processes(cells: list[Cell], workers: int | None) -> Iterator[dict[str, Any]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1,
                               mp_context=multiprocessing.get_context("spawn"))
    finished = False
    try:
        with _environment(_ONE_THREAD):  # the workers start at the first submit and inherit it
            futures = [pool.submit(_task, cell) for cell in cells]
        for future in as_completed(futures):
            yield future.result()
        finished = True
    finally:
        # after an interruption, do not wait for the cells in flight: resume runs them again
        pool.shutdown(wait=finished, cancel_futures=True)


def _dask_client(engine: Any, workers: int | None, address: str | None):
    """``(client, owned)``: the client to submit to, and whether this sweep made it (and closes it)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError('engine="dask" needs Dask: pip install "tabular_irl[dask]"') from None
    if _is_client(engine):
        return engine, False
    if _is_address(engine) or address is not None:
        return Client(address if address is not None else engine), True
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), True


def _dask(cells: list[Cell], engine: Any, workers: int | None, address: str | None) -> Iterator[dict[str, Any]]:
    from distributed import as_completed

    client, owned = _dask_client(engine, workers, address)
    futures = {}
    try:
        for cell in cells:
            future = client.submit(_task, cell, key=f"tabular-irl-cell-{cell.key}", pure=False)
            futures[future] = cell
        for future in as_completed(list(futures)):
            if future.status == "error":  # the cluster lost it (KilledWorker): the cell itself never raises
                exc = future.exception()
                row = futures[future].params()
                row.update(status="failed", error=f"{type(exc).__name__}: {exc}", wall_time=None, peak_memory=None)
                yield row
            else:
                yield future.result()
            future.release()
    finally:
        for future in futures:
            future.cancel()
        if owned:
            cluster = client.cluster
            client.close()
            if cluster is not None:
                cluster.close()
