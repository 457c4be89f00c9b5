"""Figures' arguments: counts, file names, grids and per-cell values, a policy at one step, paths, histories,
tables, learning curves and imitation gaps against the horizon."""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .scalars import _describe, check_finite_array, check_positive_int, check_real


# ==========================================================================
# Figures' arguments: counts, file names, loosely typed arrays of numbers,
# grid layouts and per-cell values, a policy at one time step, state paths,
# per-iteration histories and study tables. Used by tabular_irl.plotting;
# general enough for any consumer of grids, fits and tables.
# ==========================================================================

__all__ = [
    "check_count",
    "check_real_half_open",
    "check_path",
    "check_finite_numbers",
    "as_state_values",
    "check_grid",
    "check_grid_problem",
    "check_grid_values",
    "check_policy_at",
    "check_state_paths",
    "check_history",
    "check_table",
    "check_state_distributions",
    "check_cells",
    "check_iteration_curves",
    "check_partial_state_values",
    "check_curves",
    "check_gap_series",
]


def check_count(value: Any, name: str) -> int:
    """An integer >= 1 (a size or a number of items), Python or NumPy, not a bool or a float.

    :func:`check_positive_int` with messages that state the bound in both
    cases (``"n must be an integer >= 1, got 0"``).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 1, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {int(value)}")
    return check_positive_int(value, name)  # the upper bound every count shares


def check_real_half_open(value: Any, name: str, low: float, high: float) -> float:
    """A finite real number (not a bool) in ``[low, high)``, as a Python float."""
    out = check_real(value, name)
    if not low <= out < high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}), got {out!r}")
    return out


def check_path(value: Any, name: str = "path") -> str | os.PathLike:
    """A file name: ``str`` or ``os.PathLike`` (returned as given)."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file name (str or os.PathLike), got {_describe(value)}")
    return value


def check_finite_numbers(value: Any, name: str) -> np.ndarray:
    """``value`` as a finite float64 array of any shape, converting whatever NumPy converts to floats.

    Lenient where :func:`check_finite_array` is strict: for arguments that
    are only shown, never computed with, an object array of numbers (from a
    DataFrame, say) is as good as a float one.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}") from None
    return check_finite_array(arr, name)


def as_state_values(arr: np.ndarray, n_states: int) -> np.ndarray:
    """An ``(S, k)`` table whose columns are all equal (a state reward broadcast over actions) as ``(S,)``.

    Anything else is returned unchanged.
    """
    if arr.ndim == 2 and arr.shape[0] == n_states and arr.shape[1] >= 1 \
            and np.array_equal(arr, np.broadcast_to(arr[:, :1], arr.shape)):
        return arr[:, 0]
    return arr


def check_grid(grid: Any, name: str = "grid") -> Any:
    """The :class:`~tabular_irl.envs.GridGeometry` of ``grid``.

    ``grid`` is a geometry (``world.grid``), a problem that has one
    (``world``), or a ``(rows, cols)`` pair: the gridworld's five actions,
    no walls, no goals.
    """
    # imported here: envs itself imports this module
    from ..envs._problem import GridGeometry
    from ..envs.gridworld import ACTION_DELTAS, ACTION_NAMES

    if isinstance(grid, GridGeometry):
        return grid
    if hasattr(grid, "grid") and hasattr(grid, "mdp"):  # a Problem
        if not isinstance(grid.grid, GridGeometry):
            raise ValueError(f"{name} must have a grid layout; got the problem {getattr(grid, 'name', '?')!r}, "
                             "which has none (grid is None: not a grid environment)")
        return grid.grid
    if isinstance(grid, (tuple, list)) and len(grid) == 2:
        rows = check_count(grid[0], f"{name}[0] (rows)")
        cols = check_count(grid[1], f"{name}[1] (cols)")
        return GridGeometry((rows, cols), np.zeros((rows, cols), dtype=bool), (), ACTION_NAMES, ACTION_DELTAS)
    raise TypeError(f"{name} must be a GridGeometry (world.grid), a problem with a grid (world) or a (rows, cols) "
                    f"pair, got {_describe(grid)}")


def check_grid_problem(world: Any, name: str = "world") -> Any:
    """The :class:`~tabular_irl.envs.GridGeometry` of a problem that has a grid and an MDP (``gridworld(...)``)."""
    geom = check_grid(world, name)
    if not hasattr(world, "mdp"):
        raise TypeError(f"{name} must be a grid problem such as gridworld(...) (with mdp and grid), "
                        f"got {_describe(world)}")
    return geom


def check_grid_values(values: Any, geom: Any, name: str) -> np.ndarray:
    """``values`` (S,), state-only (S, A) or (rows, cols) on the grid ``geom``, as a new (rows, cols) float array."""
    S = geom.n_states
    arr = as_state_values(check_finite_numbers(values, name), S)
    if arr.shape == (S,):
        return arr.reshape(geom.shape).copy()
    if arr.shape == geom.shape:
        return arr.copy()
    if arr.ndim == 2 and arr.shape[0] == S:
        raise ValueError(f"{name} of shape (S, A) = {arr.shape} depends on the action, and a cell shows one "
                         f"number: pass a state array, e.g. {name}.max(axis=1)")
    hint = ""
    if arr.ndim == 2 and arr.shape[1] == S:
        hint = " (a time-indexed (T+1, S) array: pick a time, values[t], or sum over time, values.sum(axis=0))"
    raise ValueError(f"{name} must have shape (S,) = ({S},) or (rows, cols) = {geom.shape} for this "
                     f"{geom.rows} x {geom.cols} grid, got shape {arr.shape}{hint}")


# A policy that is only shown may come from a file or a computation rounded to
# single precision: rows within this of 1 are distributions enough to draw.
SHOWN_ROW_SUM_ATOL = 1e-5


def check_policy_at(policy: Any, n_states: int, n_actions: int, t: Any, where: str = "") -> np.ndarray:
    """The ``(S, A)`` policy to show at time ``t``.

    ``policy`` is ``(S, A)`` (stationary), ``(T, S, A)`` (its step ``t``,
    negative ``t`` counting from the end) or ``(S,)`` integer actions
    (one-hot). Rows must be distributions within :data:`SHOWN_ROW_SUM_ATOL`.
    ``where`` ends the shape message (e.g. ``" for this 4 x 5 grid"``).
    """
    S, A = n_states, n_actions
    raw = np.asarray(policy)
    if raw.ndim == 1 and raw.dtype.kind in "iu":
        if raw.shape != (S,) or raw.min(initial=0) < 0 or raw.max(initial=0) >= A:
            raise ValueError(f"policy given as actions must have shape (S,) = ({S},) with entries in [0, {A}), "
                             f"got shape {raw.shape}, range [{raw.min(initial=0)}, {raw.max(initial=0)}]")
        return np.eye(A)[raw]
    arr = check_finite_numbers(policy, "policy")
    if arr.ndim == 3:
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, numbers.Integral):
            raise TypeError(f"t must be an integer time index, got {_describe(t)}")
        if not -arr.shape[0] <= t < arr.shape[0]:
            raise ValueError(f"t must be in [0, T) = [0, {arr.shape[0]}) for a (T, S, A) policy, got {t}")
        arr = arr[t]
    if arr.shape != (S, A):
        raise ValueError(f"policy must have shape (S, A) = ({S}, {A}) or (T, S, A) = (T, {S}, {A}){where}, "
                         f"got shape {raw.shape}")
    if np.any(arr < 0) or not np.allclose(arr.sum(axis=1), 1.0, rtol=0.0, atol=SHOWN_ROW_SUM_ATOL):
        raise ValueError("policy rows must be probability distributions over actions (non-negative, summing to 1)")
    return arr


def check_state_paths(demos: Any, n_states: int, name: str = "demos") -> np.ndarray:
    """The state sequences of ``demos`` (Trajectories, ``(N, T+1)`` or ``(T+1,)`` ints) as ``(N, T+1)`` int64."""
    arr = np.asarray(getattr(demos, "states", demos))
    if arr.dtype.kind not in "iu" or arr.ndim not in (1, 2) or arr.size == 0:
        raise TypeError(f"{name} must be Trajectories or integer state sequences of shape (N, T+1) or (T+1,), "
                        f"got {_describe(demos)}")
    arr = np.atleast_2d(arr).astype(np.int64)
    if arr.min() < 0 or arr.max() >= n_states:
        raise ValueError(f"{name} must hold states in [0, {n_states}) for this grid, got states in "
                         f"[{arr.min()}, {arr.max()}]")
    return arr


def check_history(result: Any, keys: Any, name: str = "result") -> dict[str, np.ndarray]:
    """The per-iteration series of ``result`` named in ``keys``, as 1-d float arrays (in the order of ``keys``).

    ``result`` is a fit (its ``history``: the result protocol,
    :mod:`tabular_irl.irl._result`), a history mapping, or a sequence of
    objective values. A fit whose history is empty (one that records no
    iterates) is a ``TypeError``; a history with none of ``keys`` a
    ``ValueError``.
    """
    if isinstance(result, Mapping):
        history = result
    elif isinstance(getattr(result, "history", None), Mapping):
        history = result.history
    elif isinstance(result, (Sequence, np.ndarray)) and not isinstance(result, str):
        history = {"objective": result}
    else:
        raise TypeError(f"{name} must be a fit result with a history (maxent_irl, max_margin_planning, "
                        f"apprenticeship_learning), a history dict or a sequence of objective values, "
                        f"got {_describe(result)}")
    if not history:
        raise TypeError(f"{name} has an empty history: there are no iterates to show (lp_irl solves a single "
                        "linear programme and records none)")
    out = {key: check_finite_array(history[key], f"history[{key!r}]", (None,)) for key in keys if key in history}
    if not out:
        raise ValueError(f"{name}'s history has none of the series {list(keys)}; got keys {list(history)}")
    return out


def check_table(table: Any, columns: Any, made_by: str, name: str = "table") -> Any:
    """A :class:`~tabular_irl.approx.StudyTable` (anything with its ``columns``) that has ``columns``."""
    present = getattr(table, "columns", None)
    if not isinstance(present, tuple) or not all(c in present for c in columns):
        raise TypeError(f"{name} must be the StudyTable of {made_by}, got {_describe(table)}")
    return table


def _labelled(value: Any, name: str) -> tuple[tuple[str, ...], list[Any]]:
    """``{label: item}`` as (labels, items); a sequence or array as ``("0", "1", ...)`` and its items."""
    if isinstance(value, Mapping):
        if not value:
            raise ValueError(f"{name} must not be empty, got an empty mapping")
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{name} given as a mapping must have str labels as keys, got keys {list(value)!r}")
        return tuple(value), list(value.values())
    if isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, str):
        if len(value) == 0:
            raise ValueError(f"{name} must not be empty, got {_describe(value)}")
        return tuple(str(i) for i in range(len(value))), list(value)
    raise TypeError(f"{name} must be a mapping {{label: ...}}, a sequence or an array, got {_describe(value)}")


def check_state_distributions(marginals: Any, n_states: int, name: str = "marginals") -> tuple[tuple[str, ...],
                                                                                                 np.ndarray]:
    """Labelled state distributions: ``{label: (S,)}``, a sequence of ``(S,)`` or a ``(K, S)`` array.

    Returns the labels (``"0"``, ``"1"``, ... when none are given) and the
    ``(K, S)`` float array; each row must be a distribution within
    :data:`SHOWN_ROW_SUM_ATOL` (they are only shown).
    """
    if isinstance(marginals, np.ndarray) and marginals.ndim == 1:
        marginals = [marginals]  # one distribution
    labels, items = _labelled(marginals, name)
    rows = []
    for label, item in zip(labels, items):
        where = f"{name}[{label!r}]" if isinstance(marginals, Mapping) else f"{name}[{label}]"
        arr = check_finite_numbers(item, where)
        if arr.shape != (n_states,):
            raise ValueError(f"{where} must have shape (S,) = ({n_states},) for this grid, got shape {arr.shape}")
        if arr.min() < 0 or abs(arr.sum() - 1.0) > SHOWN_ROW_SUM_ATOL:
            raise ValueError(f"{where} must be a distribution over states (non-negative, summing to 1), got "
                             f"entries in [{arr.min():.3g}, {arr.max():.3g}] summing to {arr.sum():.6g}")
        rows.append(arr)
    return labels, np.stack(rows)


def check_cells(cells: Any, geom: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Cells of the grid ``geom``: one ``(row, col)`` pair or an iterable of them, as (rows, cols) int arrays."""
    arr = np.asarray(cells)
    if arr.dtype.kind not in "iu" or arr.size == 0 or arr.shape[-1:] != (2,) or arr.ndim > 2:
        raise TypeError(f"{name} must be a (row, col) pair of integers or a sequence of them, got {_describe(cells)}")
    arr = np.atleast_2d(arr).astype(np.int64)
    inside = (arr >= 0).all(axis=1) & (arr[:, 0] < geom.rows) & (arr[:, 1] < geom.cols)
    if not inside.all():
        raise ValueError(f"{name} must be cells of this {geom.rows} x {geom.cols} grid, got "
                         f"{tuple(int(v) for v in arr[np.argmin(inside)])}")
    return arr[:, 0], arr[:, 1]


def check_iteration_curves(curves: Any, field: str = "history", name: str = "curves") -> dict[str, np.ndarray]:
    """Per-iteration curves ``{label: 1-d array}`` from results (their ``field``), arrays or a mapping of either.

    ``curves`` is one result with the array attribute ``field`` (``history``
    or ``gap_history`` of :class:`~tabular_irl.rewardfree.ExplorationResult`,
    ``history`` of :class:`~tabular_irl.rewardfree.SkillResult`), one 1-d
    array, or a mapping ``{label: result or array}`` (a single curve gets the
    label ``""``). Values must not be NaN; ``+inf`` (a gap before every
    reachable state is visited) is kept, and drawn as nothing.
    """
    def one(item: Any, where: str) -> np.ndarray:
        series = getattr(item, field, item)
        if isinstance(series, Mapping) or not isinstance(series, (Sequence, np.ndarray)) or isinstance(series, str):
            raise TypeError(f"{where} must be a result with a {field} array (maxent_exploration, "
                            f"state_marginal_matching, skill_discovery) or a 1-d array, got {_describe(item)}")
        try:
            arr = np.asarray(series, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{where} must be an array of numbers, got {_describe(series)}") from None
        if arr.ndim != 1:
            raise ValueError(f"{where} must be one value per iteration (1-d), got shape {arr.shape}")
        if np.isnan(arr).any() or np.isneginf(arr).any():
            raise ValueError(f"{where} must hold numbers or +inf, got NaN or -inf in its {field}")
        return arr

    if isinstance(curves, Mapping):
        labels, items = _labelled(curves, name)
        return {label: one(item, f"{name}[{label!r}]") for label, item in zip(labels, items)}
    return {"": one(curves, name)}


def check_partial_state_values(values: Any, geom: Any, name: str, states: Any = None) -> np.ndarray:
    """Values known on some states only, as a ``(rows, cols)`` float array with NaN where unknown.

    ``values`` holds one number per entry of ``states`` (the state indices;
    all states, in order, when None), or lies on the grid already.
    """
    if states is None:
        return check_grid_values(values, geom, name)
    idx = np.asarray(states)
    if idx.dtype.kind not in "iu" or idx.ndim != 1 or idx.size == 0:
        raise TypeError(f"{name}.states must be a 1-d array of state indices, got {_describe(states)}")
    arr = check_finite_numbers(values, name)
    if arr.shape != idx.shape:
        raise ValueError(f"{name} must hold one value per state of states ({idx.size}), got shape {arr.shape}")
    if idx.min() < 0 or idx.max() >= geom.n_states:
        raise ValueError(f"{name}.states must be states of this {geom.rows} x {geom.cols} grid, in "
                         f"[0, {geom.n_states}), got states in [{idx.min()}, {idx.max()}]")
    full = np.full(geom.n_states, np.nan)
    full[idx] = arr
    return full.reshape(geom.shape)


# the history keys a learning curve's x-axis is read from when not named: q_learning's
# environment steps, then every other rl method's iterations
CURVE_X_KEYS = ("step", "iteration")


def _curve(entry: Any, key: str, x: str | None, name: str) -> tuple[np.ndarray | None, np.ndarray]:
    """``(x-data or None, y-data)`` of one learning curve; a real number is ``(None, [value])``."""
    if isinstance(entry, numbers.Real) and not isinstance(entry, (bool, np.bool_)):
        return None, check_finite_array(np.array([float(entry)]), name, (1,))
    history = entry if isinstance(entry, Mapping) else getattr(entry, "history", None)
    if history is None:
        if not isinstance(entry, (Sequence, np.ndarray)) or isinstance(entry, str):
            raise TypeError(f"{name} must be a result with a history (dagger, pretrain_finetune, q_learning, "
                            f"gail...), a history dict, a sequence of values or a number, got {_describe(entry)}")
        y = check_finite_numbers(entry, name)
        if y.ndim != 1 or y.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-d sequence of values, got shape {y.shape}")
        return np.arange(y.size, dtype=np.float64), y
    if not isinstance(history, Mapping):
        raise TypeError(f"{name}.history must be a dict of per-iteration lists, got {_describe(history)}")
    if key not in history:
        raise ValueError(f"{name}'s history has no series {key!r}; got keys {list(history)}")
    y = check_finite_array(check_finite_numbers(history[key], f"{name}[{key!r}]"), f"{name}[{key!r}]", (None,))
    if y.size == 0:
        raise ValueError(f"{name}[{key!r}] is empty: there are no iterates to show")
    x_key = x if x is not None else next((k for k in CURVE_X_KEYS if k in history), None)
    if x_key is None:
        return np.arange(y.size, dtype=np.float64), y
    if x_key not in history:
        raise ValueError(f"x must name a series of every curve's history; {name}'s has no {x_key!r}, "
                         f"got keys {list(history)}")
    xs = check_finite_numbers(history[x_key], f"{name}[{x_key!r}]")
    if xs.shape != y.shape:
        raise ValueError(f"{name}[{x_key!r}] must have one entry per value, shape {y.shape}, got shape {xs.shape}")
    return xs, y


def check_curves(curves: Any, key: str, x: Any = None,
                 name: str = "curves") -> list[tuple[str, np.ndarray | None, np.ndarray]]:
    """Learning curves as ``[(label, x-data or None, y-data)]``, ``x`` None for a flat reference level.

    ``curves`` maps labels to entries, or is one entry (labelled by ``key``).
    An entry is a result with a ``history`` (the ``rl`` results), a history
    dict, a 1-d sequence of values (x-data ``0, 1, ...``) or a real number
    (a level drawn flat, such as behavioural cloning's return). From a
    history the y-data is ``history[key]`` and the x-data ``history[x]``
    (by default ``"step"`` or ``"iteration"``, whichever it has, else
    ``0, 1, ...``).
    """
    if not isinstance(key, str):
        raise TypeError(f"key must be the name of a history series (a str), got {_describe(key)}")
    if x is not None and not isinstance(x, str):
        raise TypeError(f"x must be None or the name of a history series (a str), got {_describe(x)}")
    is_labelled = isinstance(curves, Mapping) and not (key in curves or hasattr(curves, "history"))
    entries = dict(curves) if is_labelled else {key: curves}
    if not entries:
        raise ValueError(f"{name} must hold at least one curve, got an empty mapping")
    out = []
    for label, entry in entries.items():
        if not isinstance(label, str):
            raise TypeError(f"{name} labels must be strings, got {_describe(label)}")
        out.append((label, *_curve(entry, key, x, f"{name}[{label!r}]" if is_labelled else name)))
    return out


# the columns of a table of imitation gaps against the horizon (the linear bound is optional)
GAP_COLUMNS = ("horizon", "gap", "bc_bound")


def _gap_table(series: Any, name: str) -> dict[str, np.ndarray]:
    """One series of gaps as sorted columns ``horizon``, ``gap``, ``bc_bound``, ``linear_bound``."""
    if isinstance(series, Mapping) or (isinstance(getattr(series, "columns", None), tuple)
                                       and hasattr(series, "column")):
        present = list(series) if isinstance(series, Mapping) else list(series.columns)
        get = series.__getitem__ if isinstance(series, Mapping) else series.column
        missing = [c for c in GAP_COLUMNS if c not in present]
        if missing:
            raise ValueError(f"{name} must have the columns {list(GAP_COLUMNS)} (and optionally 'linear_bound'), "
                             f"missing {missing}; got {present}")
        cols = {c: check_finite_numbers(get(c), f"{name}[{c!r}]") for c in GAP_COLUMNS}
        cols["linear_bound"] = (check_finite_numbers(get("linear_bound"), f"{name}['linear_bound']")
                                if "linear_bound" in present else None)
    elif isinstance(series, (Sequence, np.ndarray)) and not isinstance(series, str) and len(series) > 0:
        fields = ("horizon", "gap", "bc_bound", "epsilon", "reward_range")
        for i, item in enumerate(series):
            if not all(hasattr(item, f) for f in fields):
                raise TypeError(f"{name}[{i}] must be an imitation_gap result, got {_describe(item)}")
        cols = {c: check_finite_numbers([getattr(g, c) for g in series], f"{name}: {c}") for c in GAP_COLUMNS}
        # T eps R exactly, not T^2 eps R / T rounded
        cols["linear_bound"] = check_finite_numbers([g.horizon * g.epsilon * g.reward_range for g in series],
                                                    f"{name}: linear bound")
    else:
        raise TypeError(f"{name} must be a non-empty list of imitation_gap results or a table with the columns "
                        f"{list(GAP_COLUMNS)}, got {_describe(series)}")
    shapes = {c: v.shape for c, v in cols.items() if v is not None}
    n = shapes["horizon"]
    if len(n) != 1 or n[0] == 0 or any(s != n for s in shapes.values()):
        raise ValueError(f"{name}'s columns must be 1-d, non-empty and of one length, got shapes {shapes}")
    if np.any(cols["horizon"] < 1):
        raise ValueError(f"{name}'s horizons must be >= 1, got {cols['horizon'].tolist()}")
    if cols["linear_bound"] is None:
        cols["linear_bound"] = cols["bc_bound"] / cols["horizon"]  # T eps R = (T^2 eps R) / T
    order = np.argsort(cols["horizon"], kind="stable")
    return {c: v[order] for c, v in cols.items()}


def check_gap_series(gaps: Any, name: str = "gaps") -> dict[str, dict[str, np.ndarray]]:
    """Imitation gaps against the horizon as ``{label: columns}``, each sorted by horizon.

    ``gaps`` is one series -- a list of :func:`~tabular_irl.rl.imitation_gap`
    results, or a table (a dict or a ``StudyTable``) with the columns
    ``horizon``, ``gap``, ``bc_bound`` (``T^2 eps R``) and optionally
    ``linear_bound`` (``T eps R``; else ``bc_bound / horizon``) -- labelled
    ``"exact gap"``, or a mapping from labels to series.
    """
    is_table = isinstance(gaps, Mapping) and "horizon" in gaps  # else a mapping of labels
    if isinstance(gaps, Mapping) and not is_table:
        if not gaps:
            raise ValueError(f"{name} must hold at least one series, got an empty mapping")
        for label in gaps:
            if not isinstance(label, str):
                raise TypeError(f"{name} labels must be strings, got {_describe(label)}")
        return {label: _gap_table(series, f"{name}[{label!r}]") for label, series in gaps.items()}
    return {"exact gap": _gap_table(gaps, name)}
