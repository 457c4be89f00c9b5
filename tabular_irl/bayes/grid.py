r"""The PolicyWalk grid and the exact posterior on it, by enumeration.

Ramachandran & Amir's PolicyWalk restricts every reward parameter to the grid
``lo, lo + step, ..., hi`` (``K = (hi - lo) / step + 1`` points per
coordinate). On a small problem the posterior restricted to that grid is a
finite table, ``p(x) ∝ exp(log_posterior(x))`` over the ``K^d`` points: the
exact answer a PolicyWalk chain must converge to, computed here by visiting
every point.

The walk itself (:func:`neighbours`, :func:`acceptance`) is defined here too,
so that the sampler and its transition matrix (:func:`transition_matrix`, what
the tests check detailed balance on) are one piece of code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._validation import check_bounds, check_grid_step
from ..mdp import MDP
from .likelihood import make_posterior

__all__ = ["exact_grid_posterior"]

# Enumerating more grid points than this is a mistake (each one is a planning pass):
# the error says so instead of running for hours.
MAX_GRID_POINTS = 2_000_000


@dataclass(frozen=True)
class Grid:
    """The box ``[lo, hi]^d`` cut into ``K`` points per coordinate; points are indexed in C order."""

    lo: float
    hi: float
    K: int
    d: int

    @property
    def step(self) -> float:
        return (self.hi - self.lo) / (self.K - 1)

    @property
    def size(self) -> int:
        return self.K ** self.d

    def point(self, index: np.ndarray) -> np.ndarray:
        """Coordinates ``(d,)`` of the grid index vector ``index (d,)``."""
        # lo + k * step, with hi exactly at the end (no rounding past the box)
        return np.where(index == self.K - 1, self.hi, self.lo + index * self.step)

    def points(self) -> np.ndarray:
        """All ``K^d`` points, ``(K^d, d)``, in C order of their index vectors."""
        index = np.indices((self.K,) * self.d).reshape(self.d, -1).T
        return self.point(index)

    def snap(self, theta: np.ndarray) -> np.ndarray:
        """The index vector of the grid point nearest ``theta`` (inside the box)."""
        return np.clip(np.rint((theta - self.lo) / self.step), 0, self.K - 1).astype(np.int64)

    def flat(self, index: np.ndarray) -> int:
        return int(np.ravel_multi_index(tuple(index), (self.K,) * self.d))


def make_grid(bounds: Any, step: Any, d: int) -> Grid:
    lo, hi = check_bounds(bounds)
    return Grid(lo, hi, check_grid_step(step, lo, hi), d)


def propose(index: np.ndarray, move: int, K: int) -> np.ndarray:
    """PolicyWalk's proposal number ``move`` (``0 .. 2d - 1``) from ``index``: coordinate ``move // 2``
    one step down (even ``move``) or up (odd); off the box it is ``index`` itself (the chain stays).

    Every point has exactly ``2 d`` equally likely proposals, so
    ``q(x -> y) = q(y -> x) = 1 / (2 d)`` for neighbours, at the boundary too:
    the proposal is symmetric and the Metropolis–Hastings ratio is ``p(y) / p(x)``.
    """
    i, up = divmod(move, 2)
    moved = index.copy()
    moved[i] += 1 if up else -1
    return moved if 0 <= moved[i] < K else index


def neighbours(index: np.ndarray, K: int) -> list[np.ndarray]:
    """The ``2 d`` proposals of :func:`propose` from ``index`` (``index`` itself for moves off the box)."""
    return [propose(index, move, K) for move in range(2 * index.size)]


def acceptance(log_p_from: float, log_p_to: float) -> float:
    """Metropolis–Hastings acceptance ``min(1, p(y) / p(x))`` for a symmetric proposal."""
    if log_p_to >= log_p_from:
        return 1.0
    return float(np.exp(log_p_to - log_p_from))


def transition_matrix(log_p: np.ndarray, grid: Grid) -> sp.csr_array:
    """PolicyWalk's transition matrix ``(K^d, K^d)`` on the grid, from the log posterior of every point.

    Built from :func:`neighbours` and :func:`acceptance`, the functions the
    sampler draws with: row ``x`` holds ``q(x -> y) a(x, y)`` and the rejected
    mass on the diagonal.
    """
    rows, cols, vals = [], [], []
    shape = (grid.K,) * grid.d
    q = 1.0 / (2 * grid.d)
    for x in range(grid.size):
        index = np.array(np.unravel_index(x, shape))
        stay = 1.0
        for moved in neighbours(index, grid.K):
            y = grid.flat(moved)
            if y == x:
                continue
            p = q * acceptance(log_p[x], log_p[y])
            rows.append(x), cols.append(y), vals.append(p)
            stay -= p
        rows.append(x), cols.append(x), vals.append(stay)
    return sp.csr_array((vals, (rows, cols)), shape=(grid.size, grid.size))


def normalise(log_p: np.ndarray) -> np.ndarray:
    """``exp(log_p) / sum exp(log_p)`` in log space."""
    w = np.exp(log_p - log_p.max())
    return w / w.sum()


def exact_grid_posterior(
    mdp: MDP,
    demos: Any,
    *,
    features: Any = None,
    reward_shape: Any = None,
    horizon: int | None = None,
    discount: float | None = None,
    bounds: Any,
    step: float,
    likelihood: str = "boltzmann",
    confidence: float = 1.0,
    prior: str = "uniform",
    prior_scale: float = 1.0,
    causal: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    r"""The posterior restricted to the PolicyWalk grid, exactly, by enumerating every grid point.

    .. math::

        \Pr(x \mid \text{demos}) = \frac{\exp \ell(x)}{\sum_{y \in G} \exp \ell(y)},
        \qquad G = \{lo, lo + \text{step}, \dots, hi\}^d,

    with ``ell`` the :func:`log_posterior` (every point a planning pass: for
    teaching and testing on small problems; at most ``2e6`` points).

    Parameters
    ----------
    mdp : MDP
    demos : Trajectories
    features, reward_shape, horizon, discount, likelihood, confidence, prior, prior_scale, causal
        As in :func:`log_posterior`.
    bounds : (lo, hi)
        The box, the same in every coordinate.
    step : float
        Grid spacing: must divide ``hi - lo`` and be at most ``hi - lo``.

    Returns
    -------
    points : ndarray, shape (m, d)
        The ``m = K^d`` grid points, in C order of their index vectors
        (the last coordinate varies fastest).
    probabilities : ndarray, shape (m,)
        Sums to 1.

    Raises
    ------
    ValueError
        A step that does not divide the box or is larger than it; more than
        ``2e6`` points.

    See Also
    --------
    bayesian_irl : ``method="policywalk"`` samples this table.

    References
    ----------
    .. [1] D. Ramachandran and E. Amir, "Bayesian inverse reinforcement
       learning", IJCAI 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP, Trajectories
    >>> from tabular_irl.bayes import exact_grid_posterior
    >>> stay = MDP.from_dense(np.eye(2)[:, None, :].repeat(2, axis=1), initial=[1.0, 0.0])  # a = any, s' = s
    >>> phi = np.array([[1.0], [0.0]])                          # r(s=0) = theta, r(s=1) = 0
    >>> demos = Trajectories(states=[[0, 0]], actions=[[0]])
    >>> points, probs = exact_grid_posterior(stay, demos, features=phi, discount=0.5, bounds=(-1, 1), step=1.0)
    >>> points.ravel().tolist(), probs.round(3).tolist()        # both actions tie: the data say nothing
    ([-1.0, 0.0, 1.0], [0.333, 0.333, 0.333])
    """
    post = make_posterior(mdp, demos, features=features, reward_shape=reward_shape, horizon=horizon,
                          discount=discount, likelihood=likelihood, confidence=confidence, prior=prior,
                          prior_scale=prior_scale, bounds=bounds, causal=causal)
    grid = make_grid(bounds, step, post.d)
    if grid.K ** grid.d > MAX_GRID_POINTS:  # Python ints: no overflow
        raise ValueError(f"the grid has {grid.K}^{grid.d} points, more than {MAX_GRID_POINTS} to enumerate; "
                         "use a coarser step, fewer features, or sample it with bayesian_irl")
    points = grid.points()
    log_p = np.array([post(x)[0] for x in points])
    return points, normalise(log_p)
