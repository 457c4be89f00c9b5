"""Figures for gridworlds and fits (optional: ``pip install "tabular_irl[plot]"``).

matplotlib is imported only when a figure is drawn, never at package import;
without it every function raises an ``ImportError`` that names the extra.

Every function draws into the ``ax`` it is given, or into a new figure, returns
what it drew into (the ``Axes``; :func:`plot_gridworld_summary` the ``Figure``)
and, with ``path=``, also writes the figure to that file (the format from the
extension, PNG by default, at ``dpi``). The figure is left open: close it with
``matplotlib.pyplot.close(fig)`` when drawing many.

Grid plots take the layout as ``grid``: a :class:`~tabular_irl.envs.GridGeometry`
(``world.grid``), a problem that has one (``world``), or a ``(rows, cols)``
pair (the gridworld's five actions, no walls, no goals). Cell ``(row, col)``
is drawn at ``x = col``, ``y = row`` with row 0 at the top, as in the grid
itself; walls are grey, goals are marked with a star.

==============================  ================================================
:func:`plot_grid_values`        a per-state array as a heatmap (reward, value,
                                visitation)
:func:`plot_policy`             the policy as arrows (expected move per cell)
:func:`plot_trajectories`       demonstrations as paths through the cells
:func:`plot_convergence`        objective and gradient norm per iteration of a fit
:func:`plot_reward_scatter`     learned against true reward, with the correlation
:func:`plot_gridworld_summary`  all of the above for one fit on one figure (the
                                ``tabular-irl demo --plot`` figure)
==============================  ================================================

Examples
--------
>>> import tabular_irl as tirl
>>> from tabular_irl.plotting import plot_grid_values, plot_policy
>>> world = tirl.gridworld(5, slip=0.1)
>>> plan = tirl.soft_backward(world.mdp, world.reward, horizon=8)
>>> ax = plot_grid_values(world, plan.V[0], label="V_0(s)")   # doctest: +SKIP
>>> ax = plot_policy(world, plan.policy, ax=ax, path="policy.png")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import _describe
from .envs._problem import GridGeometry
from .envs.gridworld import ACTION_DELTAS, ACTION_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_grid_values",
    "plot_policy",
    "plot_trajectories",
    "plot_convergence",
    "plot_reward_scatter",
    "plot_gridworld_summary",
    "save_figure",
]

# the size of a new single-panel figure (inches) and of the summary figure
_PANEL_SIZE = (5.0, 4.2)
_SUMMARY_SIZE = (13.0, 8.0)


def _interactive_session() -> bool:
    """Whether Python runs interactively: a REPL prompt, ``python -i`` or IPython / Jupyter."""
    if hasattr(sys, "ps1") or sys.flags.interactive:
        return True
    ipython = sys.modules.get("IPython")
    try:
        return ipython is not None and ipython.get_ipython() is not None
    except Exception:  # pragma: no cover - a broken IPython install
        return False


def _pyplot():
    """Return ``matplotlib.pyplot``, or raise ImportError saying how to install it.

    The backend is left as the user chose it: a backend already in use
    (``pyplot`` imported, ``matplotlib.use``, ``%matplotlib inline`` in
    Jupyter), the ``MPLBACKEND`` environment variable or a ``matplotlibrc``
    setting all win. Only when nothing chose one and Python is not interactive
    (a script, the command line, a test run) is the file-only ``Agg`` backend
    selected, so that drawing never opens a window or needs a display. An
    interactive session keeps matplotlib's automatic choice, so that
    ``plt.show()`` works there.
    """
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            'plots need matplotlib: pip install "tabular_irl[plot]" (or pip install matplotlib)'
        ) from None
    if "matplotlib.pyplot" not in sys.modules and not _interactive_session():
        try:
            chosen = matplotlib.rcParams._get_backend_or_none()
        except AttributeError:  # pragma: no cover - matplotlib < 3.5 spelled it differently
            chosen = os.environ.get("MPLBACKEND")
        if chosen is None:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# --------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------
def _geometry(grid: Any) -> GridGeometry:
    """The :class:`GridGeometry` of ``grid`` (a geometry, a problem with one, or ``(rows, cols)``)."""
    if isinstance(grid, GridGeometry):
        return grid
    if hasattr(grid, "grid") and hasattr(grid, "mdp"):  # a Problem
        if not isinstance(grid.grid, GridGeometry):
            raise ValueError(f"grid must have a grid layout; got the problem {getattr(grid, 'name', '?')!r}, "
                             "which has none (grid is None: not a grid environment)")
        return grid.grid
    if isinstance(grid, (tuple, list)) and len(grid) == 2:
        rows, cols = grid
        return GridGeometry((rows, cols), np.zeros((_int(rows, "grid[0] (rows)"), _int(cols, "grid[1] (cols)")),
                                                   dtype=bool), (), ACTION_NAMES, ACTION_DELTAS)
    raise TypeError(f"grid must be a GridGeometry (world.grid), a problem with a grid (world) or a (rows, cols) "
                    f"pair, got {_describe(grid)}")


def _int(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise TypeError(f"{name} must be an integer >= 1, got {_describe(value)}")
    return int(value)


def _finite(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {_describe(values)}") from None
    if not np.all(np.isfinite(arr)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite, got {arr[idx]} at index {idx}")
    return arr


def _state_only(arr: np.ndarray, name: str, n_states: int) -> np.ndarray:
    """An ``(S, A)`` table whose columns are all equal (a state reward broadcast over actions) as ``(S,)``."""
    if arr.ndim == 2 and arr.shape[0] == n_states and arr.shape[1] >= 1:
        if np.array_equal(arr, np.broadcast_to(arr[:, :1], arr.shape)):
            return arr[:, 0]
        raise ValueError(f"{name} of shape (S, A) = {arr.shape} depends on the action, and a cell shows one "
                         f"number: pass a state array, e.g. {name}.max(axis=1)")
    return arr


def _grid_values(values: Any, geom: GridGeometry, name: str) -> np.ndarray:
    """``values`` (S,), state-only (S, A) or (rows, cols), as a new (rows, cols) float array."""
    arr = _finite(values, name)
    S = geom.n_states
    arr = _state_only(arr, name, S)
    if arr.shape == (S,):
        return arr.reshape(geom.shape).copy()
    if arr.shape == geom.shape:
        return arr.copy()
    hint = ""
    if arr.ndim == 2 and arr.shape[1] == S:
        hint = " (a time-indexed (T+1, S) array: pick a time, values[t], or sum over time, values.sum(axis=0))"
    raise ValueError(f"{name} must have shape (S,) = ({S},) or (rows, cols) = {geom.shape} for this "
                     f"{geom.rows} x {geom.cols} grid, got shape {arr.shape}{hint}")


def _policy_at(policy: Any, geom: GridGeometry, t: int) -> np.ndarray:
    """``policy`` (S, A), (T, S, A) at time ``t``, or (S,) integer actions, as a validated (S, A) array."""
    S, A = geom.n_states, len(geom.action_deltas)
    raw = np.asarray(policy)
    if raw.ndim == 1 and raw.dtype.kind in "iu":
        if raw.shape != (S,) or raw.min(initial=0) < 0 or raw.max(initial=0) >= A:
            raise ValueError(f"policy given as actions must have shape (S,) = ({S},) with entries in [0, {A}), "
                             f"got shape {raw.shape}, range [{raw.min(initial=0)}, {raw.max(initial=0)}]")
        return np.eye(A)[raw]
    arr = _finite(policy, "policy")
    if arr.ndim == 3:
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)):
            raise TypeError(f"t must be an integer time index, got {_describe(t)}")
        if not -arr.shape[0] <= t < arr.shape[0]:
            raise ValueError(f"t must be in [0, T) = [0, {arr.shape[0]}) for a (T, S, A) policy, got {t}")
        arr = arr[t]
    if arr.shape != (S, A):
        raise ValueError(f"policy must have shape (S, A) = ({S}, {A}) or (T, S, A) = (T, {S}, {A}) for this "
                         f"{geom.rows} x {geom.cols} grid with {A} actions, got shape {np.shape(policy)}")
    if np.any(arr < 0) or not np.allclose(arr.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("policy rows must be probability distributions over actions (non-negative, summing to 1)")
    return arr


def _paths(demos: Any, n_states: int) -> np.ndarray:
    """The state sequences of ``demos`` (Trajectories, (N, T+1) or (T+1,) ints) as (N, T+1) int64."""
    states = getattr(demos, "states", demos)
    arr = np.asarray(states)
    if arr.dtype.kind not in "iu" or arr.ndim not in (1, 2) or arr.size == 0:
        raise TypeError(f"demos must be Trajectories or integer state sequences of shape (N, T+1) or (T+1,), "
                        f"got {_describe(demos)}")
    arr = np.atleast_2d(arr).astype(np.int64)
    if arr.min() < 0 or arr.max() >= n_states:
        raise ValueError(f"demos must hold states in [0, {n_states}) for this grid, got states in "
                         f"[{arr.min()}, {arr.max()}]")
    return arr


def _check_dpi(dpi: Any) -> float:
    if isinstance(dpi, (bool, np.bool_)) or not isinstance(dpi, (int, float, np.integer, np.floating)) \
            or not np.isfinite(dpi) or dpi <= 0:
        raise ValueError(f"dpi must be a finite number > 0, got {_describe(dpi)}")
    return float(dpi)


# --------------------------------------------------------------------------
# drawing helpers
# --------------------------------------------------------------------------
def _axes(ax: Any, figsize: tuple[float, float] = _PANEL_SIZE):
    """``ax`` (checked), or the axes of a new figure."""
    plt = _pyplot()
    if ax is None:
        fig = plt.figure(figsize=figsize, layout="constrained")
        return fig.add_subplot()
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {_describe(ax)}")
    return ax


def _save(fig: Figure, path: Any, dpi: float) -> None:
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file name (str or os.PathLike) or None, got {_describe(path)}")
        fig.savefig(path, dpi=dpi)


def _grid_frame(ax, geom: GridGeometry) -> None:
    """Limits, orientation (row 0 on top), integer ticks and labels of a grid panel."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlim(-0.5, geom.cols - 0.5)
    ax.set_ylim(geom.rows - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    ax.set_xlabel("col")
    ax.set_ylabel("row")


def _walls_and_goals(ax, geom: GridGeometry, *, walls: bool) -> None:
    """Grey wall cells (unless a heatmap already shows them) and a star on each goal."""
    if walls and geom.walls.any():
        from matplotlib.colors import ListedColormap

        ax.imshow(np.where(geom.walls, 1.0, np.nan), cmap=ListedColormap(["0.35"]), vmin=0, vmax=1,
                  extent=(-0.5, geom.cols - 0.5, geom.rows - 0.5, -0.5), interpolation="nearest", zorder=0.5)
    if geom.goals:
        rows, cols = zip(*geom.goals)
        ax.plot(cols, rows, linestyle="none", marker="*", markersize=max(6.0, 120.0 / max(geom.shape)),
                markerfacecolor="white", markeredgecolor="black", markeredgewidth=0.8, zorder=4, gid="goal",
                label="goal")


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------
def plot_grid_values(
    grid: Any,
    values: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    label: str | None = None,
    cmap: str = "viridis",
    norm: Any = None,
    colorbar: bool = True,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """A per-state array as a heatmap on the grid (reward, value, visitation, ...).

    Parameters
    ----------
    grid : GridGeometry, Problem with a grid, or (rows, cols)
        The layout (``world.grid`` or ``world``).
    values : array_like, shape (S,) or (rows, cols)
        One number per state, in state order ``s = row * cols + col`` (or
        already arranged on the grid). A state-action array ``(S, A)`` whose
        columns are all equal (a state reward broadcast over actions, as in
        ``fit.reward``) is accepted too. Wall cells are drawn grey whatever
        their value.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title, label : str, optional
        Panel title and colorbar label.
    cmap : str, default "viridis"
    norm : str or matplotlib Normalize, optional
        Colour scaling, e.g. ``"log"`` for visitation frequencies.
    colorbar : bool, default True
    path : str or path-like, optional
        Also save the figure there.
    dpi : float, default 100

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` is the heatmap; its data is ``values`` on the grid.

    Examples
    --------
    >>> import tabular_irl as tirl
    >>> world = tirl.gridworld(4)
    >>> ax = plot_grid_values(world, world.reward, title="reward")  # doctest: +SKIP
    """
    geom = _geometry(grid)
    data = _grid_values(values, geom, "values")
    dpi = _check_dpi(dpi)
    ax = _axes(ax)
    import matplotlib

    colormap = matplotlib.colormaps[cmap].with_extremes(bad="0.35")
    shown = np.ma.masked_array(data, mask=geom.walls)
    image = ax.imshow(shown, cmap=colormap, norm=norm, interpolation="nearest", origin="upper",
                      extent=(-0.5, geom.cols - 0.5, geom.rows - 0.5, -0.5))
    _grid_frame(ax, geom)
    _walls_and_goals(ax, geom, walls=False)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=label, shrink=0.9)
    if title is not None:
        ax.set_title(title)
    _save(ax.figure, path, dpi)
    return ax


def plot_policy(
    grid: Any,
    policy: Any,
    *,
    t: int = 0,
    kind: str = "mean",
    values: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
    label: str | None = None,
    cmap: str = "viridis",
    color: str | None = None,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    r"""The policy as one arrow per cell (walls and goals excluded).

    Parameters
    ----------
    grid : GridGeometry, Problem with a grid, or (rows, cols)
    policy : array_like, shape (S, A), (T, S, A) or (S,) of int
        ``policy[s, a]`` (stationary), ``policy[t, s, a]`` (time-indexed:
        drawn at time ``t``) or one action per state. ``A`` must be the
        grid's number of actions.
    t : int, default 0
        The time step drawn from a ``(T, S, A)`` policy.
    kind : {"mean", "argmax"}
        ``"mean"``: the expected intended move
        :math:`\sum_a \pi(a|s)\,\delta_a` (``delta_a = (drow, dcol)`` of
        action ``a``): a full-length arrow for a certain move, a short one
        for an undecided or staying policy. ``"argmax"``: the most likely
        action's move, full length (no arrow where it is "stay").
    values : array_like, shape (S,) or (rows, cols), optional
        A heatmap drawn underneath (e.g. ``plan.V[t]``), with its colorbar.
    ax, title, path, dpi
        As in :func:`plot_grid_values`; ``label`` and ``cmap`` are the heatmap's.
    color : str, optional
        Arrow colour; white on a heatmap, black otherwise.

    Returns
    -------
    matplotlib.axes.Axes
        The arrows are one ``Quiver`` (``gid="policy"``) with an arrow at
        each non-wall, non-goal cell, in state order.

    Examples
    --------
    >>> import tabular_irl as tirl
    >>> world = tirl.gridworld(5, slip=0.1)
    >>> plan = tirl.soft_backward(world.mdp, world.reward, horizon=8)
    >>> ax = plot_policy(world, plan.policy, values=plan.V[0], label="V_0(s)")  # doctest: +SKIP
    """
    geom = _geometry(grid)
    pi = _policy_at(policy, geom, t)
    if kind not in ("mean", "argmax"):
        raise ValueError(f"kind must be 'mean' or 'argmax', got {kind!r}")
    dpi = _check_dpi(dpi)
    if values is not None:
        ax = plot_grid_values(geom, values, ax=ax, label=label, cmap=cmap, dpi=dpi)
    else:
        ax = _axes(ax)
        if not ax.has_data():  # a fresh panel: draw the grid; else draw over what is there
            _grid_frame(ax, geom)
            _walls_and_goals(ax, geom, walls=True)
    deltas = np.asarray(geom.action_deltas, dtype=np.float64)  # (A, 2): (drow, dcol)
    if kind == "argmax":
        pi = np.eye(pi.shape[1])[pi.argmax(axis=1)]
    move = pi @ deltas  # (S, 2)
    skip = geom.walls.ravel().copy()
    for row, col in geom.goals:
        skip[row * geom.cols + col] = True
    states = np.flatnonzero(~skip)
    rows, cols = np.divmod(states, geom.cols)
    if color is None:
        color = "white" if values is not None else "black"
    # angles="xy": (dcol, drow) in data units, so drow > 0 points down the grid (rows grow downwards);
    # scale 1.25: a certain move is an arrow 0.8 cells long, centred on its cell
    ax.quiver(cols, rows, move[states, 1], move[states, 0], angles="xy", scale_units="xy", scale=1.25,
              pivot="middle", color=color, edgecolor="black" if color == "white" else color, linewidth=0.4,
              width=0.055 / max(geom.shape), headwidth=3.5, headlength=3.5, headaxislength=3.0, zorder=3,
              gid="policy")
    if title is not None:
        ax.set_title(title)
    _save(ax.figure, path, dpi)
    return ax


def plot_trajectories(
    grid: Any,
    demos: Any,
    *,
    n: int | None = 10,
    ax: Axes | None = None,
    title: str | None = None,
    color: str = "tab:red",
    alpha: float = 0.7,
    jitter: float = 0.2,
    seed: int = 0,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """Demonstrations as paths through the cells, start marked by a dot.

    Parameters
    ----------
    grid : GridGeometry, Problem with a grid, or (rows, cols)
    demos : Trajectories or array_like of int, shape (N, T+1) or (T+1,)
        The state sequences ``s_0, ..., s_T`` (actions are not drawn).
    n : int or None, default 10
        Draw the first ``n`` paths (all with ``None``).
    ax, title, path, dpi
        As in :func:`plot_grid_values`.
    color : str, default "tab:red"
    alpha : float, default 0.7
    jitter : float, default 0.2
        Each path is shifted by a random offset of at most this many cells
        (fixed by ``seed``), so that paths through the same cells stay
        distinguishable; ``0`` draws them through the cell centres.

    Returns
    -------
    matplotlib.axes.Axes
        One ``Line2D`` per path with ``gid="trajectory"``; its data is
        ``(col + dx, row + dy)`` of the path's states.

    Examples
    --------
    >>> import tabular_irl as tirl
    >>> world = tirl.gridworld(5, slip=0.1)
    >>> plan = tirl.soft_backward(world.mdp, world.reward, horizon=8)
    >>> demos = tirl.sample_trajectories(world.mdp, plan.policy, 5, horizon=8, seed=0)
    >>> ax = plot_trajectories(world, demos, jitter=0.1)  # doctest: +SKIP
    """
    geom = _geometry(grid)
    paths = _paths(demos, geom.n_states)
    if n is not None:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be an integer >= 1 or None (all paths), got {_describe(n)}")
        paths = paths[:n]
    jitter = float(jitter)
    if not 0.0 <= jitter < 0.5:
        raise ValueError(f"jitter must be in [0, 0.5) cells, got {jitter}")
    dpi = _check_dpi(dpi)
    ax = _axes(ax)
    if not ax.has_data():  # a fresh panel: draw the grid; else draw over what is there
        _grid_frame(ax, geom)
        _walls_and_goals(ax, geom, walls=True)
    offsets = np.random.default_rng(seed).uniform(-jitter, jitter, size=(len(paths), 2))
    for path_states, (dx, dy) in zip(paths, offsets):
        rows, cols = np.divmod(path_states, geom.cols)
        (line,) = ax.plot(cols + dx, rows + dy, color=color, alpha=alpha, linewidth=1.2, zorder=2.5,
                          gid="trajectory")
        ax.plot(cols[0] + dx, rows[0] + dy, marker="o", markersize=3.5, color=color, alpha=alpha, zorder=2.6,
                gid="trajectory_start")
    if title is not None:
        ax.set_title(title)
    _save(ax.figure, path, dpi)
    return ax


# history keys: (label, drawn on the log-scaled residual axis)
_SERIES = {
    "objective": ("objective", False),
    "lower_bound": ("certified lower bound", False),
    "grad_norm": ("max |gradient|", True),
    "max_violation": ("max margin violation", True),
    "margin": ("||mu_E - mu_bar||_2", True),
}


def _history(result: Any) -> dict[str, np.ndarray]:
    from .irl import ApprenticeshipResult, LPIRLResult

    if isinstance(result, ApprenticeshipResult):
        history: Any = {"margin": result.margins}
    elif isinstance(result, LPIRLResult):
        raise TypeError("result: lp_irl solves a single linear programme and records no per-iteration history "
                        "to plot")
    elif isinstance(result, Mapping):
        history = result
    elif isinstance(getattr(result, "history", None), Mapping):
        history = result.history
    elif isinstance(result, (Sequence, np.ndarray)) and not isinstance(result, str):
        history = {"objective": result}
    else:
        raise TypeError(f"result must be a fit result with a history (maxent_irl, max_margin_planning, "
                        f"apprenticeship_learning), a history dict or a sequence of objective values, "
                        f"got {_describe(result)}")
    out = {}
    for key in _SERIES:
        if key in history:
            arr = _finite(history[key], f"history[{key!r}]")
            if arr.ndim != 1:
                raise ValueError(f"history[{key!r}] must be one number per iteration (1-d), got shape {arr.shape}")
            out[key] = arr
    if not out:
        raise ValueError(f"result's history has none of the series {list(_SERIES)}; got keys {list(history)}")
    return out


def plot_convergence(
    result: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """Objective and gradient norm (or the method's residual) per iteration of a fit.

    Parameters
    ----------
    result : fit result, dict or sequence
        A :class:`~tabular_irl.MaxEntResult` (``history["objective"]`` and
        ``history["grad_norm"]``, the ``max |gradient|``), an
        :class:`~tabular_irl.MMPResult` (objective, certified lower bound and,
        for cutting planes, the largest margin violation), an
        :class:`~tabular_irl.ApprenticeshipResult` (``margins``), a history
        dict with some of those keys, or a sequence of objective values.
    ax, title, path, dpi
        As in :func:`plot_grid_values`.

    Returns
    -------
    matplotlib.axes.Axes
        The objective-like series (objective, lower bound) are drawn on
        ``ax``, linear; the residuals (gradient norm, violation, margin) on a
        log-scaled twin axis at the right (on ``ax`` itself when there is no
        objective). Line ``i`` of either axis has x-data ``1..n_iter`` and
        y-data the recorded series.

    Examples
    --------
    >>> ax = plot_convergence({"objective": [-3.0, -2.5, -2.4], "grad_norm": [1.0, 0.1, 1e-4]})  # doctest: +SKIP
    """
    series = _history(result)
    dpi = _check_dpi(dpi)
    ax = _axes(ax)
    from matplotlib.ticker import MaxNLocator

    left = [k for k in series if not _SERIES[k][1]]
    right = [k for k in series if _SERIES[k][1]]
    residual_ax = ax.twinx() if left and right else ax
    colors = iter(["tab:blue", "tab:green", "tab:red", "tab:purple", "tab:orange"])
    handles = []
    for keys, target in ((left, ax), (right, residual_ax)):
        for key in keys:
            y = series[key]
            style = "--" if key == "lower_bound" else "-"
            (line,) = target.plot(np.arange(1, len(y) + 1), y, style, marker="." if len(y) < 40 else None,
                                  color=next(colors), label=_SERIES[key][0], gid=key)
            handles.append(line)
        if target is residual_ax and right:
            if any(np.any(series[k] > 0) for k in right):
                target.set_yscale("log")
            target.set_ylabel(", ".join(_SERIES[k][0] for k in right) + (" (log)" if target.get_yscale() == "log"
                                                                          else ""))
    if left:
        ax.set_ylabel(", ".join(_SERIES[k][0] for k in left))
    n_iter = max(len(v) for v in series.values())
    ax.set_xlabel("iteration")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if n_iter == 0:
        ax.text(0.5, 0.5, "no iterations recorded", transform=ax.transAxes, ha="center", va="center")
    else:
        ax.legend(handles=handles, loc="center right", fontsize="small", framealpha=0.8)
    if title is not None:
        ax.set_title(title)
    _save(ax.figure, path, dpi)
    return ax


def plot_reward_scatter(
    true_reward: Any,
    learned_reward: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    fit_line: bool = True,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Axes:
    """Learned against true reward, one point per state (or state-action pair), with their correlation.

    IRL recovers a reward only up to shifts and scaling (and more), so the
    question is whether the points lie on *some* increasing line: the title
    shows the Pearson correlation (:func:`tabular_irl.metrics.reward_correlation`)
    and a dashed least-squares line is drawn.

    Parameters
    ----------
    true_reward, learned_reward : array_like, shape (S,) or (S, A)
        A state-action reward whose columns are all equal counts as a state
        reward (one point per state); a state reward paired with a
        state-action one is broadcast over actions.
    ax, title, path, dpi
        As in :func:`plot_grid_values` (``title`` replaces the correlation).
    fit_line : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
        The points are one ``PathCollection`` (``gid="reward_scatter"``)
        whose offsets are ``(true, learned)``.

    Examples
    --------
    >>> ax = plot_reward_scatter([0.0, 0.0, 1.0], [0.1, -0.1, 2.0])  # doctest: +SKIP
    """
    from .metrics import _check_reward_pair, reward_correlation

    pair = []
    for value, name in ((true_reward, "true_reward"), (learned_reward, "learned_reward")):
        arr = _finite(value, name)
        pair.append(_state_only(arr, name, arr.shape[0]) if arr.ndim == 2 else arr)
    x, y = _check_reward_pair(*pair)
    dpi = _check_dpi(dpi)
    ax = _axes(ax)
    ax.scatter(x, y, s=14, alpha=0.7, color="tab:blue", edgecolors="none", gid="reward_scatter")
    try:
        rho = reward_correlation(x, y)
        subtitle = f"correlation {rho:.3f}"
    except ValueError:  # a constant reward: the correlation is undefined
        rho, subtitle = None, "correlation undefined (a constant reward)"
    if fit_line and rho is not None:
        slope, intercept = np.polyfit(x, y, 1)
        xs = np.array([x.min(), x.max()])
        ax.plot(xs, slope * xs + intercept, "--", color="0.3", linewidth=1, gid="fit_line",
                label=f"least squares, slope {slope:.3g}")
        ax.legend(loc="upper left", fontsize="small")
    ax.set_xlabel("true reward")
    ax.set_ylabel("learned reward")
    ax.set_title(subtitle if title is None else title)
    _save(ax.figure, path, dpi)
    return ax


def _learned(world: Any, fit: Any, demos: Any, horizon: Any, discount: Any):
    """``(learned state reward (S,), policy, V or None, state visitation (S,), history source or None, note)``."""
    from . import value_iteration, visitation
    from .irl import ApprenticeshipResult

    mdp = world.mdp
    S = mdp.n_states
    if horizon is None and discount is None:
        plan = getattr(fit, "plan", None)
        if plan is not None:
            horizon, discount = plan.horizon, (None if plan.horizon is not None and plan.discount == 1.0
                                               else plan.discount)
        elif demos is not None and hasattr(demos, "horizon"):
            horizon = demos.horizon
        else:
            raise ValueError("horizon or discount is needed to plan with the learned reward: pass horizon=T "
                             "and/or discount=gamma (or demos, whose horizon is used)")
    note = ""
    if isinstance(fit, ApprenticeshipResult):
        reward = np.asarray(world.features @ fit.theta, dtype=np.float64)
        # the learner is the mixture: its visitation is the weighted one; show its most likely policy
        vis = sum(w * visitation(mdp, pi, horizon=horizon, discount=discount).total_state_action.sum(axis=1)
                  for w, pi in zip(fit.mixture_weights, fit.policies) if w > 0)
        j = int(np.argmax(fit.mixture_weights))
        policy = fit.policies[j]
        note = f" (mixture's likeliest, weight {fit.mixture_weights[j]:.2f})"
        return _state_only(reward, "learned reward", S), policy, None, vis, fit, note
    reward = getattr(fit, "reward", fit)
    reward = _state_only(_finite(reward, "fit.reward"), "fit.reward", S)
    if reward.shape != (S,):
        raise ValueError(f"the learned reward must have shape (S,) = ({S},) or a state-only (S, A), "
                         f"got shape {reward.shape}")
    plan = getattr(fit, "plan", None)
    if plan is None:
        plan = value_iteration(mdp, reward, horizon=horizon, discount=discount)
        note = " (optimal for it)"
    vis = getattr(fit, "visitation", None)
    if vis is None:
        vis = visitation(mdp, plan.policy, horizon=horizon, discount=discount)
    V = plan.V[0] if plan.V.ndim == 2 else plan.V
    history = fit if hasattr(fit, "history") else None
    return reward, plan.policy, V, vis.total_state_action.sum(axis=1), history, note


def plot_gridworld_summary(
    world: Any,
    fit: Any,
    *,
    demos: Any = None,
    horizon: int | None = None,
    discount: float | None = None,
    true_reward: Any = None,
    n_paths: int = 10,
    title: str | None = None,
    figsize: tuple[float, float] = _SUMMARY_SIZE,
    path: str | os.PathLike | None = None,
    dpi: float = 100,
) -> Figure:
    """One figure of an IRL fit on a gridworld: rewards, visitation, policy, convergence.

    Six panels, found by ``ax.get_label()``:

    ``"true_reward"``
        the true reward heatmap (goals starred, walls grey);
    ``"learned_reward"``
        the learned reward heatmap;
    ``"reward_scatter"``
        learned against true reward with their correlation;
    ``"visitation"``
        the learned policy's expected number of visits to each cell
        (``sum_t gamma^t Pr(s_t = s)``, log colour scale) with ``n_paths``
        demonstrations drawn over it;
    ``"policy"``
        the learned policy at ``t = 0`` as arrows over its value ``V_0``;
    ``"convergence"``
        objective and gradient norm per iteration (:func:`plot_convergence`).

    Parameters
    ----------
    world : Problem with a grid
        E.g. ``gridworld(...)``: its ``mdp``, ``grid`` and (true) ``reward``.
    fit : result of an IRL method, or array_like
        :func:`~tabular_irl.maxent_irl` (its ``plan`` and ``visitation`` are
        used), :func:`~tabular_irl.max_margin_planning` or
        :func:`~tabular_irl.lp_irl` (the policy is the optimal one for the
        learned reward, by :func:`~tabular_irl.value_iteration`),
        :func:`~tabular_irl.apprenticeship_learning` (reward
        ``features @ theta``, the mixture's visitation, its likeliest policy),
        or a learned state reward ``(S,)`` itself.
    demos : Trajectories, optional
        Demonstrations to draw (and whose horizon to plan with).
    horizon, discount : optional
        The model for planning with the learned reward; by default the fit's
        (``fit.plan``) or the demonstrations' horizon.
    true_reward : array_like, shape (S,), optional
        Default ``world.reward``.
    n_paths : int, default 10
    title : str, optional
        The figure's title.
    figsize : (float, float), default (13, 8)
        Inches; the PNG is ``figsize * dpi`` pixels.
    path, dpi
        As in :func:`plot_grid_values`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import tabular_irl as tirl
    >>> world = tirl.gridworld(5, slip=0.1)
    >>> expert = tirl.soft_backward(world.mdp, 2 * world.reward, horizon=10)
    >>> demos = tirl.sample_trajectories(world.mdp, expert.policy, 200, horizon=10, seed=0)
    >>> fit = tirl.maxent_irl(world.mdp, world.features, demos, horizon=10, l2=1e-3)
    >>> fig = plot_gridworld_summary(world, fit, demos=demos, path="summary.png")  # doctest: +SKIP
    """
    geom = _geometry(world)
    if not hasattr(world, "mdp"):
        raise TypeError(f"world must be a grid problem such as gridworld(...) (with mdp and grid), "
                        f"got {_describe(world)}")
    truth = world.reward if true_reward is None else true_reward
    if truth is None:
        raise ValueError("true_reward is needed: this world has no reward (world.reward is None)")
    truth = _grid_values(truth, geom, "true_reward").ravel()
    dpi = _check_dpi(dpi)
    reward, policy, V, vis, history, note = _learned(world, fit, demos, horizon, discount)
    plt = _pyplot()
    fig, axes = plt.subplots(2, 3, figsize=figsize, layout="constrained")
    names = ["true_reward", "learned_reward", "reward_scatter", "visitation", "policy", "convergence"]
    for ax, name in zip(axes.flat, names):
        ax.set_label(name)
    plot_grid_values(geom, truth, ax=axes[0, 0], title="true reward", label="r(s)", dpi=dpi)
    plot_grid_values(geom, reward, ax=axes[0, 1], title="learned reward", label="learned r(s)", dpi=dpi)
    plot_reward_scatter(truth, reward, ax=axes[0, 2], dpi=dpi)
    axes[0, 2].set_title(f"learned vs true reward\n{axes[0, 2].get_title()}")
    positive = vis[vis > 0]
    floor = max(float(positive.min()), 1e-6 * float(positive.max())) if positive.size else 1.0
    plot_grid_values(geom, np.maximum(vis, floor), ax=axes[1, 0], norm="log", cmap="magma",
                     label="expected visits (log scale)",
                     title="expected visits" + (" + demonstrations" if demos is not None else ""),
                     dpi=dpi)
    if demos is not None:
        plot_trajectories(geom, demos, n=n_paths, ax=axes[1, 0], color="tab:cyan", alpha=0.8, dpi=dpi)
    plot_policy(geom, policy, values=V, ax=axes[1, 1], label="V_0(s)" if V is not None else None,
                title="learned policy at t=0" + note, dpi=dpi)
    if history is not None:
        plot_convergence(history, ax=axes[1, 2], title="convergence", dpi=dpi)
    else:
        axes[1, 2].set_axis_off()
        axes[1, 2].text(0.5, 0.5, "no per-iteration history", ha="center", va="center",
                        transform=axes[1, 2].transAxes)
    if title is not None:
        fig.suptitle(title)
    _save(fig, path, dpi)
    return fig


def save_figure(draw: Callable[[Any], Any], path: str | os.PathLike | None, *, dpi: int = 120) -> str | None:
    """Draw and save a figure when matplotlib is installed; otherwise say so and return None.

    For scripts whose figure is optional (the ``examples/`` gallery): ``draw``
    receives ``matplotlib.pyplot`` and returns a Figure, which is written to
    ``path`` (tight bounding box) and closed.

    Parameters
    ----------
    draw : callable
        ``draw(plt) -> Figure``.
    path : str, PathLike or None
        Where to write the figure; ``None`` draws nothing.
    dpi : int, default 120

    Returns
    -------
    str or None
        ``str(path)`` when a file was written, else None (and one line printed
        saying why when matplotlib is missing).

    Examples
    --------
    >>> import os, tempfile
    >>> from tabular_irl.plotting import save_figure
    >>> save_figure(lambda plt: plt.figure(), None) is None
    True
    >>> path = os.path.join(tempfile.mkdtemp(), "empty.png")
    >>> save_figure(lambda plt: plt.figure(figsize=(1, 1)), path) == path  # needs matplotlib
    figure written to ...
    True
    """
    if path is None:
        return None
    try:
        plt = _pyplot()
    except ImportError as exc:
        print(f"no figure: {exc}")
        return None
    fig = draw(plt)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    print(f"figure written to {path}")
    return str(path)
