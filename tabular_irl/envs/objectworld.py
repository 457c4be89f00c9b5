"""Objectworld (Levine, Popović & Koltun 2011, "Nonlinear inverse reinforcement
learning with Gaussian processes"): a grid scattered with coloured objects whose
true reward is a nonlinear function of the distances to them.
"""

from __future__ import annotations

import functools

from typing import Any

import numpy as np
from scipy import ndimage

from .._memory import check_fits
from .._validation import check_positive_int, check_real, check_seed, readonly
from ..mdp import MDP
from ._problem import GridGeometry, LazyFeatures, Problem
from .gridworld import ACTION_DELTAS, ACTION_NAMES, grid_transitions, gridworld_bytes

__all__ = ["objectworld"]


def _nearest_sq_distance(size: int, cells: np.ndarray) -> np.ndarray | None:
    """Exact squared Euclidean distance ``(S,)`` (int64) from every cell to the nearest of ``cells``.

    ``None`` when ``cells`` is empty. Uses the exact Euclidean distance
    transform for the nearest object, then integer arithmetic for the distance.
    """
    if len(cells) == 0:
        return None
    free = np.ones((size, size), dtype=bool)
    free[cells[:, 0], cells[:, 1]] = False
    nearest = ndimage.distance_transform_edt(free, return_distances=False, return_indices=True)
    rr, cc = np.indices((size, size))
    return ((nearest[0] - rr) ** 2 + (nearest[1] - cc) ** 2).astype(np.int64).ravel()


def _discrete_features(sq: np.ndarray, size: int) -> np.ndarray:
    """The binary features ``distance to colour k < d`` for d = 1 .. size (a module function: problems pickle)."""
    # distance < d  <=>  squared distance < d**2 (exact in integers)
    thresholds = np.arange(1, size + 1, dtype=np.int64) ** 2
    return (sq[:, :, None] < thresholds).reshape(sq.shape[0], sq.shape[1] * size).astype(np.float64)


def objectworld(
    size: int = 10,
    *,
    n_objects: int = 15,
    n_colours: int = 2,
    slip: float = 0.3,
    seed: Any = None,
) -> Problem:
    """Levine et al.'s (2011) objectworld on a ``size x size`` grid.

    The dynamics are those of :func:`~tabular_irl.envs.gridworld` without walls
    or goals: five actions (up, right, down, left, stay); with probability
    ``slip`` the move is replaced by one of the five drawn uniformly; moves
    into the border leave the agent in place. The start distribution is
    uniform over all cells.

    ``n_objects`` objects are placed on distinct cells drawn uniformly; each
    gets an outer and an inner colour, each drawn uniformly from
    ``0 .. n_colours - 1``.

    **Distance and threshold convention.** All distances are Euclidean
    distances between cell coordinates, ``sqrt(drow**2 + dcol**2)``; an object
    is at distance 0 from its own cell. "Within distance ``k``" always means
    *strictly less than* ``k``. When no object has a given colour, the
    distance to that colour is the grid diagonal ``sqrt(2) * size``, larger
    than any distance on the grid (so every indicator below is 0 for it).

    Features (all ``(S, .)`` with ``S = size**2``, states row-major):

    ``"continuous"`` (the default ``features``), ``(S, 2 * n_colours)``
        Column ``c`` is the distance to the nearest object of *outer* colour
        ``c``; column ``n_colours + c`` the distance to the nearest object of
        *inner* colour ``c``.
    ``"discrete"``, ``(S, 2 * n_colours * size)``, binary, built on first access
        Column ``k * size + (d - 1)`` is ``1`` when continuous column ``k`` is
        ``< d``, for thresholds ``d = 1 .. size``.

    True reward (the paper's, with its colours 1 and 2 being our 0 and 1):
    ``+1`` where the distance to outer colour 0 is ``< 3`` and the distance to
    outer colour 1 is ``< 2``; ``-1`` where the distance to outer colour 0 is
    ``< 3`` but that to outer colour 1 is not ``< 2``; ``0`` elsewhere. It is
    thus a function of two columns of the discrete features
    (``d = 3`` of outer colour 0, ``d = 2`` of outer colour 1), and not linear
    in either feature set: ``theta`` is ``None``.

    Parameters
    ----------
    size : int, default 10
        Grid side (>= 1).
    n_objects : int, default 15
        Number of objects, ``0 <= n_objects <= size**2``.
    n_colours : int, default 2
        Number of colours (>= 2: the reward uses colours 0 and 1).
    slip : float in [0, 1], default 0.3
    seed : None, int or numpy.random.Generator
        Same seed, same world. Draws, in order: the object cells, the outer
        colours, the inner colours.

    Returns
    -------
    Problem
        With ``grid`` (no walls, no goals) and ``info``:
        ``"object_cells"`` ``(n_objects, 2)`` int64 ``(row, col)``,
        ``"outer_colours"`` and ``"inner_colours"`` ``(n_objects,)`` int64
        (read-only arrays; object ``i`` sits at ``object_cells[i]``).

    Raises
    ------
    TypeError
        ``seed`` neither an integer nor a Generator; the message names it.
    ValueError
        ``size``, ``n_objects``, ``n_colours`` or ``slip`` out of range, of the
        wrong shape or not finite.

    See Also
    --------
    gridworld : the grid it is built on.

    References
    ----------
    Levine, Popovic & Koltun (2011), "Nonlinear inverse reinforcement learning with Gaussian processes", NeurIPS.

    Examples
    --------
    >>> p = objectworld(10, seed=0)
    >>> p.features.shape, p.feature_sets["discrete"].shape
    ((100, 4), (100, 40))
    >>> p.info["object_cells"].shape
    (15, 2)
    >>> sorted(set(p.reward.tolist()))
    [-1.0, 0.0, 1.0]
    """
    size = check_positive_int(size, "size")
    n_colours = check_positive_int(n_colours, "n_colours", minimum=2)
    S = size * size
    n_objects = check_positive_int(n_objects, "n_objects", minimum=0, maximum=S,
                                   maximum_label=f"size**2 = {S} (one object per cell)")
    slip = check_real(slip, "slip", 0.0, 1.0)
    rng = check_seed(seed)
    check_fits(gridworld_bytes(size, size) + S * (2 * n_colours + 4) * 8 * 3,
               f"objectworld(size={size}) ({S:,} states)", "build a smaller world (size**2 states)")

    cells_flat = np.sort(rng.choice(S, size=n_objects, replace=False)).astype(np.int64)
    outer = rng.integers(0, n_colours, size=n_objects, dtype=np.int64)
    inner = rng.integers(0, n_colours, size=n_objects, dtype=np.int64)
    cells = np.column_stack(np.divmod(cells_flat, size)).astype(np.int64).reshape(-1, 2)

    # Squared distances (exact integers) per column: outer colours, then inner.
    absent = 2 * size * size  # (sqrt(2) * size)**2: farther than any cell
    sq = np.empty((S, 2 * n_colours), dtype=np.int64)
    for k in range(2 * n_colours):
        colours = outer if k < n_colours else inner
        d2 = _nearest_sq_distance(size, cells[colours == k % n_colours])
        sq[:, k] = absent if d2 is None else d2
    continuous = np.sqrt(sq.astype(np.float64))

    near0 = sq[:, 0] < 3**2
    near1 = sq[:, 1] < 2**2
    reward = np.where(near0 & near1, 1.0, np.where(near0, -1.0, 0.0))

    no_walls = np.zeros((size, size), dtype=bool)
    P = grid_transitions(size, size, slip, blocked=no_walls, frozen=no_walls)
    mdp = MDP(P, np.full(S, 1.0 / S), n_actions=len(ACTION_DELTAS))
    grid = GridGeometry(shape=(size, size), walls=no_walls, goals=(), action_names=ACTION_NAMES,
                        action_deltas=ACTION_DELTAS)
    readonly(cells, outer, inner)
    return Problem(
        mdp=mdp,
        feature_sets={
            "continuous": continuous,
            "discrete": LazyFeatures((S, 2 * n_colours * size), functools.partial(_discrete_features, sq, size)),
        },
        default_features="continuous",
        reward=reward,
        theta=None,
        grid=grid,
        name=f"objectworld({size}x{size}, {n_objects} objects, {n_colours} colours)",
        info={"object_cells": cells, "outer_colours": outer, "inner_colours": inner},
    )
