"""``Problem``: an MDP bundled with its features, true reward and (for grids) geometry.

Every environment builder in :mod:`tabular_irl.envs` returns a :class:`Problem`.
It is a small frozen container; its arrays are read-only float64 copies.

Feature sets are held in a read-only mapping whose entries may be *lazy*: a
matrix whose size grows like ``S**2`` (the one-hot features of a grid, the
discretised objectworld features) is built on first access and then cached,
so that building a 1024 x 1024 gridworld costs only its dynamics.
"""

from __future__ import annotations

import dataclasses

import threading
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import (
    _describe,
    check_finite_array,
    check_index,
    check_option,
    check_positive_int,
    check_type,
    readonly,
)
from ..mdp import MDP, check_mdp

__all__ = ["Problem", "GridGeometry"]


def _frozen_float(value: Any, name: str, shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """A validated, private, read-only float64 copy of ``value``."""
    arr = check_finite_array(value, name, shape)
    return readonly(np.array(arr, dtype=np.float64, order="C", copy=True))


# --------------------------------------------------------------------------
# Feature sets
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class LazyFeatures:
    """A feature matrix of known ``shape`` built by ``build()`` on first access."""

    shape: tuple[int, int]
    build: Callable[[], np.ndarray]


class _FeatureSets(Mapping):
    """Read-only mapping ``name -> (S, d)`` float64 feature matrix.

    Entries given as :class:`LazyFeatures` are built on first access (once,
    under a lock) and cached; every value handed out is read-only.
    """

    __slots__ = ("_n_states", "_entries", "_lock")

    def __init__(self, entries: Mapping[str, Any], n_states: int) -> None:
        check_type(entries, "feature_sets", Mapping, "a mapping name -> (S, d) array")
        if len(entries) == 0:
            raise ValueError("feature_sets must hold at least one feature matrix, got an empty mapping")
        self._n_states = n_states
        self._lock = threading.Lock()
        self._entries: dict[str, np.ndarray | LazyFeatures] = {}
        src = entries._entries if isinstance(entries, _FeatureSets) else entries
        for key, value in src.items():
            check_type(key, "feature_sets keys", str, "str")
            name = f"feature_sets[{key!r}]"
            if isinstance(value, LazyFeatures):
                S, d = value.shape
                if S != n_states or d < 1:
                    raise ValueError(f"{name} must have shape (S, d) = ({n_states}, d >= 1), got shape {value.shape}")
                self._entries[key] = value
            elif isinstance(value, np.ndarray) and not value.flags.writeable and isinstance(entries, _FeatureSets):
                self._entries[key] = value  # already validated and frozen by us
            else:
                arr = _frozen_float(value, name, (n_states, None))
                if arr.shape[1] < 1:
                    raise ValueError(f"{name} must have at least one column (d >= 1), got shape {arr.shape}")
                self._entries[key] = arr

    def __getitem__(self, key: str) -> np.ndarray:
        value = self._entries[key]
        if isinstance(value, LazyFeatures):
            with self._lock:
                value = self._entries[key]
                if isinstance(value, LazyFeatures):
                    arr = np.ascontiguousarray(value.build(), dtype=np.float64)
                    if arr.shape != value.shape:  # a bug in a builder, not user input
                        raise RuntimeError(f"feature set {key!r} built with shape {arr.shape}, declared {value.shape}")
                    value = readonly(arr)
                    self._entries[key] = value
        return value

    def __reduce__(self):
        # the lock does not travel (a new one is made); unbuilt entries travel as their builders
        return _FeatureSets, (dict(self._entries), self._n_states)

    def __contains__(self, key: object) -> bool:  # without building (Mapping's would)
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def shape(self, key: str) -> tuple[int, int]:
        """Shape ``(S, d)`` of a feature set, without building it."""
        return tuple(self._entries[key].shape)

    def is_built(self, key: str) -> bool:
        """Whether a feature set is materialised (always true for eager entries)."""
        return not isinstance(self._entries[key], LazyFeatures)

    def __repr__(self) -> str:
        parts = [
            f"{k!r}: {self.shape(k)}" + ("" if self.is_built(k) else " (built on access)")
            for k in self._entries
        ]
        return "{" + ", ".join(parts) + "}"


# --------------------------------------------------------------------------
# Grid geometry
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GridGeometry:
    """Layout of a grid environment: cell <-> state indices, walls, goals, actions.

    States are the grid cells in row-major order, ``s = row * cols + col``;
    row 0 is the top row.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)``.
    walls : array_like of bool, shape (rows, cols)
        ``walls[row, col]`` is True for a wall cell. Stored as a read-only copy.
    goals : tuple of (row, col)
        Goal (absorbing) cells.
    action_names : tuple of str, length A
        ``action_names[a]`` names action ``a``.
    action_deltas : tuple of (drow, dcol), length A
        The intended move of each action.

    See Also
    --------
    gridworld : the problems that carry one.
    tabular_irl.plotting.plot_grid_values : draws on it.

    Examples
    --------
    >>> import numpy as np
    >>> g = GridGeometry((2, 3), np.zeros((2, 3), bool), ((1, 2),), ("stay",), ((0, 0),))
    >>> g.state(1, 0), g.coords(5)
    (3, (1, 2))
    >>> g.as_grid(np.arange(6.0))
    array([[0., 1., 2.],
           [3., 4., 5.]])
    """

    shape: tuple[int, int]
    walls: np.ndarray
    goals: tuple[tuple[int, int], ...]
    action_names: tuple[str, ...]
    action_deltas: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.shape, (tuple, list)) or len(self.shape) != 2:
            raise TypeError(f"shape must be a (rows, cols) tuple, got {_describe(self.shape)}")
        rows = check_positive_int(self.shape[0], "shape[0] (rows)")
        cols = check_positive_int(self.shape[1], "shape[1] (cols)")
        object.__setattr__(self, "shape", (rows, cols))
        walls = np.asarray(self.walls)
        if walls.dtype != np.bool_ or walls.shape != (rows, cols):
            raise ValueError(
                f"walls must be a bool array of shape (rows, cols) = ({rows}, {cols}), got {_describe(walls)}"
            )
        object.__setattr__(self, "walls", readonly(walls.copy()))
        goals = tuple(self._cell(g, f"goals[{i}]") for i, g in enumerate(self.goals))
        object.__setattr__(self, "goals", goals)
        names = tuple(self.action_names)
        deltas = tuple((int(dr), int(dc)) for dr, dc in self.action_deltas)
        if len(names) != len(deltas) or not all(isinstance(n, str) for n in names):
            raise ValueError(
                f"action_names must be str, one per action_deltas entry; got {len(names)} names "
                f"for {len(deltas)} deltas"
            )
        object.__setattr__(self, "action_names", names)
        object.__setattr__(self, "action_deltas", deltas)

    @property
    def rows(self) -> int:
        return self.shape[0]

    @property
    def cols(self) -> int:
        return self.shape[1]

    @property
    def n_states(self) -> int:
        """Number of cells ``rows * cols`` (wall cells included)."""
        return self.shape[0] * self.shape[1]

    def _cell(self, cell: Any, name: str) -> tuple[int, int]:
        if isinstance(cell, (str, bytes)) or not hasattr(cell, "__len__") or len(cell) != 2:
            raise TypeError(f"{name} must be a (row, col) pair of integers, got {_describe(cell)}")
        row = check_index(cell[0], f"{name} row", self.shape[0])
        col = check_index(cell[1], f"{name} col", self.shape[1])
        return row, col

    def state(self, row: int, col: int) -> int:
        """State index of cell ``(row, col)``: ``row * cols + col``.

        Examples
        --------
        >>> import numpy as np
        >>> GridGeometry((2, 3), np.zeros((2, 3), bool), (), ("stay",), ((0, 0),)).state(1, 2)
        5
        """
        row = check_index(row, "row", self.shape[0])
        col = check_index(col, "col", self.shape[1])
        return row * self.shape[1] + col

    def coords(self, s: int) -> tuple[int, int]:
        """Cell ``(row, col)`` of state ``s``: ``divmod(s, cols)``.

        Examples
        --------
        >>> import numpy as np
        >>> GridGeometry((2, 3), np.zeros((2, 3), bool), (), ("stay",), ((0, 0),)).coords(4)
        (1, 1)
        """
        s = check_index(s, "s", self.n_states)
        row, col = divmod(s, self.shape[1])
        return row, col

    def as_grid(self, values: Any, *, mask_walls: bool = False) -> np.ndarray:
        """Arrange per-state values on the grid.

        Parameters
        ----------
        values : array_like, shape (S,) or (S, k)
            One value (or ``k`` values) per state, in state order.
        mask_walls : bool, default False
            Replace the values of wall cells with NaN (handy for plotting).

        Returns
        -------
        ndarray, shape (rows, cols) or (rows, cols, k)
            A new float64 array with ``out[row, col] = values[row * cols + col]``.

        Examples
        --------
        >>> import numpy as np
        >>> g = GridGeometry((2, 2), np.array([[False, True], [False, False]]), (), ("stay",), ((0, 0),))
        >>> g.as_grid([1.0, 2.0, 3.0, 4.0], mask_walls=True).tolist()
        [[1.0, nan], [3.0, 4.0]]
        """
        arr = check_finite_array(values, "values")
        if arr.ndim not in (1, 2) or arr.shape[0] != self.n_states:
            raise ValueError(f"values must have shape (S,) or (S, k) with S = {self.n_states}, got shape {arr.shape}")
        out = arr.reshape(self.shape + arr.shape[1:]).copy()
        if mask_walls:
            out[self.walls] = np.nan
        return out


# --------------------------------------------------------------------------
# Problem
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class Problem:
    """An IRL benchmark: dynamics, named feature matrices and the true reward.

    All fields are keyword-only. Arrays are stored as read-only float64 copies.

    Parameters
    ----------
    mdp : MDP
        The dynamics and start distribution (``S`` states, ``A`` actions).
    feature_sets : mapping of str to array_like, shape (S, d)
        Every named state-feature matrix of the problem, the default one
        included. Stored as a read-only mapping; matrices that would be large
        (a grid's one-hot features) may be built on first access and cached.
        ``problem.feature_sets.shape(name)`` gives a matrix's shape and
        ``.is_built(name)`` whether it exists yet, without building it;
        ``name in feature_sets`` builds nothing either.
    default_features : str, optional
        Key of ``feature_sets`` that :attr:`features` returns. May be omitted
        when ``feature_sets`` has a single entry.
    reward : array_like, shape (S,) or (S, A), optional
        Ground-truth reward ``r(s)`` (or ``r(s, a)``), if known.
    theta : array_like, shape (d,), optional
        True weights when ``reward = features @ theta`` (``d`` the width of
        the default features); ``None`` when the reward is not linear in them.
    grid : GridGeometry, optional
        Cell layout, for grid environments (``rows * cols == S``).
    name : str
        A short human-readable description, e.g. ``"gridworld(8x8)"``.
    info : mapping, optional
        Builder-specific extras (read-only mapping), for example the object
        list of an objectworld; each builder documents its keys.

    Attributes
    ----------
    features : ndarray, shape (S, d)
        ``feature_sets[default_features]`` (read-only property).

    See Also
    --------
    gridworld, objectworld, random_mdp : build one.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> mdp = MDP.from_dense(np.full((2, 1, 2), 0.5), initial=[1.0, 0.0])
    >>> p = Problem(mdp=mdp, feature_sets={"onehot": np.eye(2)}, reward=[0.0, 1.0], theta=[0.0, 1.0])
    >>> p.features.shape, p.features.flags.writeable
    ((2, 2), False)
    """

    mdp: MDP
    feature_sets: Mapping[str, np.ndarray]
    default_features: str | None = None
    reward: np.ndarray | None = None
    theta: np.ndarray | None = None
    grid: GridGeometry | None = None
    name: str = "problem"
    info: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_mdp(self.mdp)
        S, A = self.mdp.n_states, self.mdp.n_actions
        sets = _FeatureSets(self.feature_sets, S)
        object.__setattr__(self, "feature_sets", sets)

        default = self.default_features
        if default is None:
            if len(sets) != 1:
                raise ValueError(
                    f"default_features must name one of the feature sets {list(sets)} when there are several, got None"
                )
            default = next(iter(sets))
        check_option(default, "default_features", list(sets))
        object.__setattr__(self, "default_features", default)
        d = sets.shape(default)[1]

        if self.reward is not None:
            reward = _frozen_float(self.reward, "reward")
            if reward.shape not in ((S,), (S, A)):
                raise ValueError(f"reward must have shape (S,) = ({S},) or (S, A) = ({S}, {A}), got shape {reward.shape}")
            object.__setattr__(self, "reward", reward)
        if self.theta is not None:
            theta = _frozen_float(self.theta, "theta", (d,))
            object.__setattr__(self, "theta", theta)
            if self.reward is not None and sets.is_built(default):
                implied = sets[default] @ theta
                # 1e-9 relative: reward and features @ theta are the same numbers
                # up to summation order.
                if self.reward.shape != (S,) or not np.allclose(self.reward, implied, rtol=1e-9, atol=1e-12):
                    raise ValueError(
                        f"theta must satisfy reward == features @ theta for the default features {default!r}, "
                        "got a theta that does not (pass theta=None for a reward that is not linear in them)"
                    )
        if self.grid is not None:
            check_type(self.grid, "grid", GridGeometry, "a GridGeometry or None")
            if self.grid.n_states != S:
                raise ValueError(f"grid must have rows * cols == S = {S}, got shape {self.grid.shape}")
        check_type(self.name, "name", str, "a str")
        check_type(self.info, "info", Mapping, "a mapping")
        object.__setattr__(self, "info", types.MappingProxyType(dict(self.info)))

    def __reduce__(self):
        # rebuilt through the constructor (its info is a read-only view, which does not pickle)
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fields["info"] = dict(self.info)
        return _problem_from_fields, (fields,)

    @property
    def features(self) -> np.ndarray:
        """The default feature matrix ``feature_sets[default_features]``, shape ``(S, d)``, read-only."""
        return self.feature_sets[self.default_features]

    @property
    def n_states(self) -> int:
        """``S``, the MDP's number of states."""
        return self.mdp.n_states

    @property
    def n_actions(self) -> int:
        """``A``, the MDP's number of actions."""
        return self.mdp.n_actions

    def __repr__(self) -> str:
        sets = self.feature_sets
        return (
            f"Problem(name={self.name!r}, mdp={self.mdp!r}, default_features={self.default_features!r}, "
            f"feature_sets={sets!r}, reward={'None' if self.reward is None else self.reward.shape}, "
            f"theta={'None' if self.theta is None else self.theta.shape}, "
            f"grid={'None' if self.grid is None else self.grid.shape}, info={sorted(self.info)})"
        )


def _problem_from_fields(fields: dict) -> Problem:
    """Unpickling a :class:`Problem`: its constructor with the fields it was pickled with."""
    return Problem(**fields)
