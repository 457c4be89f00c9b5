"""Run a sweep: :func:`run_sweep` expands the spec, skips finished cells, runs the rest, writes each row."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._progress import progress_bar
from .engines import check_engine, run_cells
from .spec import expand, load_spec
from .store import open_results

__all__ = ["SweepRun", "run_sweep"]


@dataclass(frozen=True)
class SweepRun:
    """What :func:`run_sweep` did.

    Attributes
    ----------
    out : str
        The results file.
    n_cells : int
        Distinct cells of the spec.
    n_skipped : int
        Cells already done in ``out`` (resume).
    n_ok, n_failed : int
        Cells run now that finished, and that failed (recorded, retried on resume).
    wall_time : float
        Seconds.

    See Also
    --------
    run_sweep : returns it.
    summarize : the table of its rows.

    Examples
    --------
    >>> print(SweepRun("results.jsonl", n_cells=10, n_skipped=4, n_ok=5, n_failed=1, wall_time=12.0))
    ... # doctest: +ELLIPSIS
    10 cells: 4 already done, 5 ran, 1 failed in ...; results in results.jsonl
    """

    out: str
    n_cells: int
    n_skipped: int
    n_ok: int
    n_failed: int
    wall_time: float

    def __str__(self) -> str:
        return (f"{self.n_cells} cells: {self.n_skipped} already done, {self.n_ok} ran, {self.n_failed} failed "
                f"in {self.wall_time:.1f} s; results in {self.out}")


def run_sweep(
    spec: Mapping[str, Any] | str | os.PathLike,
    out: str | os.PathLike,
    *,
    engine: Any = None,
    workers: int | None = None,
    address: str | None = None,
    resume: bool = True,
    progress: bool | None = None,
) -> SweepRun:
    """Run every cell of a sweep and write one row per finished cell to ``out``.

    Rows are JSON objects, one per line, appended and flushed as each cell
    finishes (``tabular_irl.sweep.store``): an interruption loses at most
    the cells in flight. An ``out`` ending in ``.parquet`` is a Parquet file
    (needs pyarrow: ``pip install "tabular_irl[parquet]"``), kept with the
    same guarantee through a JSON Lines journal beside it
    (``tabular_irl.sweep._parquet``). A cell that raises is recorded as a failed row
    (``status="failed"``, ``error``) and the sweep goes on.

    Parameters
    ----------
    spec : mapping, str or path-like
        A spec (``tabular_irl.sweep.spec``) or the path of a TOML / JSON spec file.
    out : str or path-like
        The results file: JSON Lines, or Parquet when it ends in ``.parquet``.
    engine : None, "serial", "processes", "dask", dask.distributed.Client or str
        Where the cells run (``tabular_irl.sweep.engines``); ``None``: here, serially.
    workers : int, optional
        Processes of a ``"processes"`` pool or a new local Dask cluster (default: the CPU count).
    address : str, optional
        With ``engine="dask"``: the scheduler to use (``"tcp://host:8786"``) instead of a local cluster.
    resume : bool, default True
        Run only the cells whose key has no ``"ok"`` row in ``out`` yet (failed cells run again);
        ``False`` starts ``out`` afresh.
    progress : bool or None
        Cells done of those to run, with the elapsed time and an ETA
        (the package's progress helper; ``None``: automatic).

    Returns
    -------
    SweepRun
        Counts and wall time.

    Raises
    ------
    ValueError
        A bad spec or engine, before anything runs.
    ImportError
        A ``.parquet`` ``out`` without pyarrow, before anything runs.

    See Also
    --------
    summarize, plot_sweep : read ``out`` back.

    Examples
    --------
    >>> import os, tempfile
    >>> spec = {"seeds": [0, 1], "n_demos": [10], "horizon": 4,
    ...         "environments": [{"kind": "gridworld", "rows": 3}], "methods": [{"name": "mmp"}]}
    >>> out = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> run_sweep(spec, out, progress=False).n_ok
    2
    >>> run_sweep(spec, out, progress=False).n_skipped  # resumed: nothing left to run
    2
    """
    start = time.perf_counter()
    if not isinstance(spec, Mapping):
        spec = load_spec(spec)
    check_engine(engine, workers, address)
    cells = list({cell.key: cell for cell in expand(spec)}.values())  # one run per key
    n_ok = n_failed = 0
    with open_results(out, resume=resume) as results:
        todo = [cell for cell in cells if cell.key not in results.done]
        n_skipped = len(cells) - len(todo)
        if todo:
            rows = run_cells(todo, engine, workers=workers, address=address)
            try:
                with progress_bar("sweep", progress, total=len(todo)) as bar:
                    for row in rows:
                        results.write(row)
                        failed = row["status"] != "ok"
                        n_ok, n_failed = n_ok + (not failed), n_failed + failed
                        bar.update(n_ok + n_failed, failed=n_failed)
            finally:
                rows.close()  # cancel what is in flight after an interruption
    return SweepRun(out=os.fspath(out), n_cells=len(cells), n_skipped=n_skipped, n_ok=n_ok, n_failed=n_failed,
                    wall_time=time.perf_counter() - start)
