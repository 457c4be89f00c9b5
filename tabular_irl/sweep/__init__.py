"""Known-truth sweeps: every IRL method against the exact answer, over grids of settings.

A sweep is data (:func:`load_spec`, :func:`expand`: environments x methods x
horizons x discounts x numbers of demonstrations x seeds); each cell is run by
:func:`run_cell`, which samples demonstrations from an expert of the true
reward and measures the fit against that truth; :func:`run_sweep` runs the
cells here, in a process pool or on a Dask cluster, writing one row per cell
to a JSON Lines (or Parquet) file it can resume; :func:`summarize` and :func:`plot_sweep`
read the file back. The command line has the same as ``tabular-irl sweep`` and
``tabular-irl sweep-report``.

Modules: :mod:`~tabular_irl.sweep.spec` (specs, cells, keys),
:mod:`~tabular_irl.sweep.cells` (one cell), :mod:`~tabular_irl.sweep.engines`
(serial, processes, Dask), :mod:`~tabular_irl.sweep.store` (the results
file), :mod:`~tabular_irl.sweep.run` (the loop), :mod:`~tabular_irl.sweep.report`
(tables and figures).
"""

from .cells import Cell, run_cell
from .report import plot_sweep, summarize
from .run import SweepRun, run_sweep
from .spec import expand, load_spec
from .store import read_rows

__all__ = ["load_spec", "expand", "run_cell", "run_sweep", "summarize", "plot_sweep", "read_rows", "Cell",
           "SweepRun"]
