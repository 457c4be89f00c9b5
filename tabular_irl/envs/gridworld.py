"""Gridworld: a rectangular grid with slippery moves, walls and absorbing goals.

The transition builder :func:`grid_transitions` is shared with the objectworld.
It is vectorised over states (one NumPy pass per action), so a 1024 x 1024
grid (about a million states) builds in seconds.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._deprecation import renamed_arguments
from .._memory import check_fits
from .._validation import _describe, check_distribution, check_positive_int, check_real
from ..mdp import MDP
from ._problem import GridGeometry, LazyFeatures, Problem

__all__ = ["gridworld", "grid_transitions", "ACTION_NAMES", "ACTION_DELTAS"]

#: The five grid actions, in index order.
ACTION_NAMES: tuple[str, ...] = ("up", "right", "down", "left", "stay")
#: ``(drow, dcol)`` of each action; row 0 is the top row.
ACTION_DELTAS: tuple[tuple[int, int], ...] = ((-1, 0), (0, 1), (1, 0), (0, -1), (0, 0))


def grid_transitions(rows: int, cols: int, slip: float, blocked: np.ndarray, frozen: np.ndarray) -> sp.csr_array:
    """Sparse ``(S*A, S)`` transitions of a slippery grid with the five actions above.

    Taking action ``a`` moves the agent by ``ACTION_DELTAS[a]`` with probability
    ``1 - slip``; with probability ``slip`` the move is replaced by one of the
    ``A = 5`` actions drawn uniformly (``a`` itself included), so
    ``P(intended move) = 1 - slip + slip / 5`` and each other move gets
    ``slip / 5``. A move that would leave the grid or enter a ``blocked`` cell
    leaves the agent in place. Every action of a ``frozen`` cell is a self-loop
    (probability 1); use it for absorbing goals and for the wall cells themselves.

    Parameters
    ----------
    rows, cols : int
        Grid shape; states are cells in row-major order, ``s = row * cols + col``.
    slip : float in [0, 1]
    blocked : ndarray of bool, shape (rows, cols)
        Cells that cannot be entered.
    frozen : ndarray of bool, shape (rows, cols)
        Cells whose every action is a self-loop.

    Returns
    -------
    scipy.sparse.csr_array, shape (S*A, S)
        Row ``s*A + a`` is ``P(. | s, a)``, with ``A = 5`` stored entries
        (distinct columns, unsorted); zero entries (bumps, ``slip = 0``) are
        left for ``MDP`` to drop.

    Notes
    -----
    Trusted inputs (private to the package's builders); no validation here.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> open_grid = np.zeros((2, 2), dtype=bool)
    >>> P = grid_transitions(2, 2, 0.0, blocked=open_grid, frozen=open_grid)
    >>> P.shape                                      # (S*A, S) with S = 4, A = 5
    (20, 4)
    >>> MDP(P, initial=[1.0, 0.0, 0.0, 0.0]).to_dense()[0, 1].tolist()   # "right" from (0, 0)
    [0.0, 1.0, 0.0, 0.0]
    """
    S, A = rows * cols, len(ACTION_DELTAS)
    STAY = ACTION_NAMES.index("stay")
    state = np.arange(S, dtype=np.int64)
    r, c = np.divmod(state, cols)
    blocked_flat = blocked.ravel()
    itype = np.int32 if S * A * A < np.iinfo(np.int32).max else np.int64
    # dest[s, m]: the cell reached from s by the actual move m.
    dest = np.empty((S, A), dtype=itype)
    for m, (dr, dc) in enumerate(ACTION_DELTAS):
        nr, nc = r + dr, c + dc
        inside = (nr >= 0) & (nr < rows) & (nc >= 0) & (nc < cols)
        target = np.where(inside, nr * cols + nc, state)
        target = np.where(blocked_flat[target], state, target)
        dest[:, m] = target
    frozen_flat = frozen.ravel()
    dest[frozen_flat] = state[frozen_flat, None]
    # probs[a, m]: probability that intended action a results in move m.
    probs = (1.0 - slip) * np.eye(A) + slip / A
    # Row s*A + a holds A entries, one per actual move m: column dest[s, m],
    # value probs[a, m]. Moves that end where they started (stay, bumps, frozen
    # cells) are merged into the "stay" slot as 1 - (mass that leaves), so a
    # row has no duplicate columns and sums to 1 to rounding (exactly 1 for a
    # frozen cell). The clip guards the tiniest slips against a -1e-17.
    moved = dest != state[:, None]  # (S, A) per actual move; never the stay slot
    data = np.where(moved[:, None, :], probs[None], 0.0)  # (S, A, A)
    data[:, :, STAY] = np.maximum(1.0 - data.sum(axis=2), 0.0)
    indices = np.broadcast_to(dest[:, None, :], (S, A, A)).reshape(-1)
    data = data.reshape(-1)
    indptr = np.arange(0, S * A * A + 1, A, dtype=itype)
    return sp.csr_array((data, indices, indptr), shape=(S * A, S))


def _cells(value: Any, name: str, rows: int, cols: int) -> np.ndarray:
    """An iterable of (row, col) pairs (or one pair) as an ``(n, 2)`` int64 array, range-checked."""
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise TypeError(f"{name} must be an iterable of (row, col) integer pairs, got {_describe(value)}") from exc
    if arr.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be (row, col) integer pairs, got {_describe(value)}")
    if arr.shape == (2,):
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must be a sequence of (row, col) pairs (shape (n, 2)), got shape {arr.shape}")
    arr = arr.astype(np.int64)
    bad = (arr[:, 0] < 0) | (arr[:, 0] >= rows) | (arr[:, 1] < 0) | (arr[:, 1] >= cols)
    if np.any(bad):
        cell = tuple(int(x) for x in arr[np.argmax(bad)])
        raise ValueError(f"{name} must lie inside the {rows} x {cols} grid, got cell {cell}")
    return arr


def _wall_mask(walls: Any, rows: int, cols: int) -> np.ndarray:
    if walls is None:
        return np.zeros((rows, cols), dtype=bool)
    arr = np.asarray(walls) if not isinstance(walls, (set, frozenset)) else np.asarray(sorted(walls))
    if arr.dtype == np.bool_ and arr.ndim == 2:
        if arr.shape != (rows, cols):
            raise ValueError(
                f"walls given as a bool mask must have shape (rows, cols) = ({rows}, {cols}), got shape {arr.shape}"
            )
        return arr.copy()
    cells = _cells(arr, "walls", rows, cols)
    mask = np.zeros((rows, cols), dtype=bool)
    mask[cells[:, 0], cells[:, 1]] = True
    return mask


def gridworld_bytes(rows: int, cols: int) -> int:
    """Peak bytes of building a ``rows x cols`` gridworld: the ``(S*A, S)`` CSR with ``A`` entries per row
    (values, indices and the builder's ``(S, A, A)`` temporaries) and the MDP's compact index lists."""
    S, A = rows * cols, len(ACTION_DELTAS)
    return S * A * A * (8 + 8 + 8 + 1) + S * (A + 8) * 8


@renamed_arguments(start="initial")
def gridworld(
    rows: int = 8,
    cols: int | None = None,
    *,
    slip: float = 0.1,
    walls: Any = None,
    goals: Any = None,
    goal_reward: float = 1.0,
    step_reward: float = 0.0,
    initial: Any = "uniform",
) -> Problem:
    """A slippery gridworld with walls and absorbing goal cells.

    States are the ``S = rows * cols`` cells in row-major order
    (``s = row * cols + col``, row 0 at the top); wall cells remain states
    (self-looping, unreachable, never started in). Actions, in this order:
    ``0`` up (row - 1), ``1`` right (col + 1), ``2`` down (row + 1),
    ``3`` left (col - 1), ``4`` stay.

    Dynamics: with probability ``1 - slip`` the intended move happens; with
    probability ``slip`` it is replaced by one of the five moves drawn
    uniformly, so the intended move has probability ``1 - slip + slip / 5``
    and each other move ``slip / 5``. A move into the border or into a wall
    leaves the agent where it is. Goal cells are absorbing: every action
    self-loops.

    Parameters
    ----------
    rows : int, default 8
        Number of grid rows (>= 1).
    cols : int, optional
        Number of grid columns (>= 1); defaults to ``rows``.
    slip : float in [0, 1], default 0.1
        Probability that the move is replaced by a uniformly random one.
    walls : iterable of (row, col) or array_like of bool, shape (rows, cols), optional
        Wall cells, as a list of cells or a boolean mask (bool dtype).
    goals : iterable of (row, col), optional
        Goal cells (a single ``(row, col)`` pair is accepted too); default the
        bottom-right cell ``(rows - 1, cols - 1)``. An empty iterable means no
        goal. Goals must not be walls.
    goal_reward, step_reward : float
        Ground-truth state reward: ``goal_reward`` in goal cells,
        ``step_reward`` everywhere else (walls included). The reward is
        collected at every step spent in a goal, since goals are absorbing.
    initial : "uniform", (row, col) tuple, or array_like, shape (S,)
        Start distribution: uniform over free (non-wall), non-goal cells;
        a single non-wall cell (a ``tuple`` of two integers); or an explicit
        distribution over states with no mass on walls (any non-tuple array-like).
        Formerly ``start`` (deprecated).

    Returns
    -------
    Problem
        ``mdp`` with ``S = rows * cols`` states and 5 actions; ``reward (S,)``;
        ``feature_sets``: ``"onehot"`` (the default ``features``, the ``(S, S)``
        identity, built on first access) and ``"coordinates"`` (``(S, 2)``:
        ``row / (rows - 1)`` and ``col / (cols - 1)``, 0 for a single row or
        column); ``theta = reward`` (exact for one-hot features); ``grid``
        with the layout; ``info`` empty.

    Raises
    ------
    TypeError
        An argument of the wrong type; the message names it.
    ValueError
        ``rows``, ``cols``, ``slip``, ``walls``, ``goals``, ``goal_reward``,
        ``step_reward`` or ``initial`` out of range, of the wrong shape or not
        finite.

    See Also
    --------
    objectworld : a gridworld with coloured objects and features.
    random_mdp : unstructured problems.

    Examples
    --------
    >>> p = gridworld(3, slip=0.0)
    >>> p.mdp.n_states, p.mdp.n_actions
    (9, 5)
    >>> int(p.mdp.to_dense()[p.grid.state(0, 0), 1].argmax()) == p.grid.state(0, 1)  # "right"
    True
    >>> p.grid.as_grid(p.reward)
    array([[0., 0., 0.],
           [0., 0., 0.],
           [0., 0., 1.]])
    """
    rows = check_positive_int(rows, "rows")
    cols = rows if cols is None else check_positive_int(cols, "cols")
    slip = check_real(slip, "slip", 0.0, 1.0)
    goal_reward = check_real(goal_reward, "goal_reward")
    step_reward = check_real(step_reward, "step_reward")
    S = rows * cols
    check_fits(gridworld_bytes(rows, cols), f"gridworld({rows}, {cols}) ({S:,} states)",
               "build a smaller grid (rows x cols states)")

    wall = _wall_mask(walls, rows, cols)
    if goals is None:
        goal_cells = np.array([[rows - 1, cols - 1]], dtype=np.int64)
        goal_name = "goals (default: the bottom-right cell)"
    else:
        goal_cells = _cells(goals, "goals", rows, cols)
        goal_name = "goals"
    # Drop repeated goals, keeping the first occurrence's order.
    _, first = np.unique(goal_cells, axis=0, return_index=True)
    goal_cells = goal_cells[np.sort(first)]
    on_wall = wall[goal_cells[:, 0], goal_cells[:, 1]]
    if np.any(on_wall):
        cell = tuple(int(x) for x in goal_cells[np.argmax(on_wall)])
        raise ValueError(f"{goal_name} must not overlap walls, got goal cell {cell} which is a wall")
    goal = np.zeros((rows, cols), dtype=bool)
    goal[goal_cells[:, 0], goal_cells[:, 1]] = True

    initial = _start_distribution(initial, rows, cols, wall, goal)
    P = grid_transitions(rows, cols, slip, blocked=wall, frozen=wall | goal)
    mdp = MDP(P, initial, n_actions=len(ACTION_DELTAS))

    reward = np.where(goal.ravel(), goal_reward, step_reward)
    r, c = np.divmod(np.arange(S), cols)
    coordinates = np.column_stack([r / max(rows - 1, 1), c / max(cols - 1, 1)])
    grid = GridGeometry(
        shape=(rows, cols),
        walls=wall,
        goals=tuple((int(a), int(b)) for a, b in goal_cells),
        action_names=ACTION_NAMES,
        action_deltas=ACTION_DELTAS,
    )
    return Problem(
        mdp=mdp,
        feature_sets={
            "onehot": LazyFeatures((S, S), functools.partial(np.eye, S)),  # a partial, not a lambda: it pickles
            "coordinates": coordinates,
        },
        default_features="onehot",
        reward=reward,
        theta=reward,
        grid=grid,
        name=f"gridworld({rows}x{cols})",
    )


def _start_distribution(initial: Any, rows: int, cols: int, wall: np.ndarray, goal: np.ndarray) -> np.ndarray:
    S = rows * cols
    if isinstance(initial, str):
        if initial != "uniform":
            raise ValueError(f'initial must be "uniform", a (row, col) tuple or a length-{S} distribution, '
                             f'got {initial!r}')
        allowed = ~(wall | goal).ravel()
        n = int(allowed.sum())
        if n == 0:
            raise ValueError(
                'initial="uniform" needs at least one free, non-goal cell, '
                'got a grid whose cells are all walls or goals'
            )
        return np.where(allowed, 1.0 / n, 0.0)
    if isinstance(initial, tuple):
        cell = _cells(initial, "initial", rows, cols)
        if cell.shape != (1, 2):
            raise ValueError(f"initial given as a tuple must be one (row, col) cell, got {initial!r}")
        row, col = (int(x) for x in cell[0])
        if wall[row, col]:
            raise ValueError(f"initial must not be a wall cell, got {(row, col)}")
        initial = np.zeros(S)
        initial[row * cols + col] = 1.0
        return initial
    initial = check_distribution(initial, "initial", S)
    on_wall = wall.ravel() & (initial > 0)
    if np.any(on_wall):
        s = int(np.argmax(on_wall))
        raise ValueError(f"initial must put no mass on walls, got {initial[s]!r} on wall cell {divmod(s, cols)} "
                         f"(s={s})")
    return initial
