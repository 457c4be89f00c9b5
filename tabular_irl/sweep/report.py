"""Read a sweep's results back: :func:`summarize` (a table) and :func:`plot_sweep` (the figure).

Both take the results file (or its rows) and use the last row of each key;
failed rows are counted, not averaged.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from .._validation import check_names
from ..approx._study import StudyTable
from ._methods import DIAGNOSTICS
from .store import latest_rows, read_rows

__all__ = ["summarize", "plot_sweep", "SETTINGS", "METRICS", "DIAGNOSTICS"]

# the columns that say what a cell is (besides its seed): a summary's default grouping
SETTINGS = ("environment", "method", "expert", "horizon", "discount", "n_demos")
# the numbers each row measures (tabular_irl.sweep.cells); "converged" averages to the fraction converged
METRICS = ("evd", "evd_policy", "kl", "total_variation", "reward_correlation", "reward_correlation_shaping",
           "epic", "converged", "n_iter", "wall_time", "peak_memory")
# DIAGNOSTICS (a sampler's acceptance rate, ESS and R-hat; GAIL's last JS divergence) can be summarised
# too, when asked for: they are in the rows of one method each


def _rows(results: Any) -> list[dict[str, Any]]:
    if isinstance(results, (str, os.PathLike)):
        results = read_rows(results)
    return latest_rows(list(results))


def _columns(names: Any, valid: Sequence[str], name: str) -> tuple[str, ...]:
    return tuple(check_names(names, name, valid, what="column"))


def _mean_se(values: list[Any]) -> tuple[float | None, float | None, int]:
    """Mean and standard error (sample standard deviation / sqrt(n)) of the defined values, and their number."""
    xs = [float(v) for v in values if v is not None]
    n = len(xs)
    if n == 0:
        return None, None, 0
    mean = math.fsum(xs) / n
    if n < 2 or not math.isfinite(mean):
        return mean, None, n
    return mean, math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1) / n), n


def summarize(results: Any, *, by: Sequence[str] | str = SETTINGS,
              metrics: Sequence[str] | str = METRICS) -> StudyTable:
    """Mean and standard error of each metric over seeds, per setting.

    Parameters
    ----------
    results : str, path-like or iterable of dict
        A results file of :func:`~tabular_irl.sweep.run_sweep`, or its rows.
    by : sequence of str
        The columns that define a setting (default :data:`SETTINGS`).
    metrics : sequence of str
        The metrics to summarise (default :data:`METRICS`; also :data:`DIAGNOSTICS`).

    Returns
    -------
    StudyTable
        Columns ``by``, then ``n`` (ok rows), ``failed``, and
        ``<metric>`` and ``<metric>_se`` for each metric (``None`` where no row
        defines it, or, for the standard error, with fewer than two). Rows in
        the order settings first appear.

    See Also
    --------
    plot_sweep : draws it.
    read_rows : the rows it averages.

    Examples
    --------
    >>> rows = [{"key": str(i), "status": "ok", "method": "mce", "n_demos": 10, "evd": v}
    ...         for i, v in enumerate([0.1, 0.3])]
    >>> table = summarize(rows, by=["method", "n_demos"], metrics=["evd"])
    >>> table.columns
    ('method', 'n_demos', 'n', 'failed', 'evd', 'evd_se')
    >>> [round(x, 6) for x in table.rows[0][2:]]
    [2, 0, 0.2, 0.1]
    """
    by = _columns(by, SETTINGS + ("seed",), "by")
    metrics = _columns(metrics, METRICS + DIAGNOSTICS, "metrics")
    groups: dict[tuple, list[dict]] = {}
    for row in _rows(results):
        groups.setdefault(tuple(row.get(c) for c in by), []).append(row)
    table = []
    for setting, rows in groups.items():
        ok = [r for r in rows if r["status"] == "ok"]
        stats = []
        for metric in metrics:
            mean, se, _ = _mean_se([r.get(metric) for r in ok])
            stats += [mean, se]
        table.append((*setting, len(ok), len(rows) - len(ok), *stats))
    columns = (*by, "n", "failed", *(f"{m}{suffix}" for m in metrics for suffix in ("", "_se")))
    return StudyTable(columns, table, {"made_by": "tabular_irl.sweep.summarize"})


def plot_sweep(results: Any, x: str = "n_demos", y: str = "evd", hue: str = "method", *, ax: Any = None,
               logx: bool | None = None, title: str | None = None, path: str | os.PathLike | None = None,
               dpi: int = 120) -> Any:
    """Mean of ``y`` against ``x`` with standard-error bars, one line per value of ``hue``.

    Settings other than ``x`` and ``hue`` that vary in the results (an
    environment, a horizon) split the lines further, named in the legend.

    Parameters
    ----------
    results : str, path-like or iterable of dict
        A results file of :func:`~tabular_irl.sweep.run_sweep`, or its rows.
    x : str, default "n_demos"
        A setting (:data:`SETTINGS`).
    y : str, default "evd"
        A metric (:data:`METRICS` or :data:`DIAGNOSTICS`).
    hue : str, default "method"
        A setting.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    logx : bool, optional
        Log-scaled ``x`` (default: when ``x`` is ``"n_demos"``).
    title : str, optional
    path : str or path-like, optional
        Also save the figure there.
    dpi : int, default 120

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ImportError
        Without matplotlib (the ``[plot]`` extra).

    See Also
    --------
    summarize : the table it draws.
    run_sweep : writes the rows.

    Examples
    --------
    >>> rows = [{"key": f"{m}{n}{s}", "status": "ok", "method": m, "n_demos": n, "evd": 1.0 / n + s / 10}
    ...         for m in ("a", "b") for n in (1, 10) for s in (0, 1)]
    >>> ax = plot_sweep(rows)  # needs matplotlib
    >>> ax.get_legend_handles_labels()[1], ax.get_xscale()  # needs matplotlib
    (['a', 'b'], 'log')
    """
    from ..plotting._figure import finish, panel

    x, hue = _columns(x, SETTINGS, "x")[0], _columns(hue, SETTINGS, "hue")[0]
    y = _columns(y, METRICS + DIAGNOSTICS, "y")[0]
    table = summarize(results, metrics=[y])
    rows = table.to_dicts()
    others = [c for c in SETTINGS if c not in (x, hue) and len({r[c] for r in rows}) > 1]
    ax = panel(ax)
    lines: dict[tuple, list[dict]] = {}
    for r in rows:
        lines.setdefault((r[hue], *(r[c] for c in others)), []).append(r)
    for (name, *rest), points in lines.items():
        points = sorted((p for p in points if p[y] is not None), key=lambda p: p[x])
        label = str(name) + "".join(f", {c}={v}" for c, v in zip(others, rest))
        ax.errorbar([p[x] for p in points], [p[y] for p in points],
                    yerr=[0.0 if p[f"{y}_se"] is None else p[f"{y}_se"] for p in points],
                    marker="o", capsize=3, label=label)
    if logx if logx is not None else x == "n_demos":
        ax.set_xscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(f"{y} (mean ± standard error)")
    ax.legend()
    return finish(ax, title, path, dpi)
