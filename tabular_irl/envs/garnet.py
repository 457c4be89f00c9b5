"""Random ("Garnet") MDPs (Archibald, McKinnon & Thomas 1995; Bhatnagar et al. 2009)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .._memory import check_fits
from .._validation import check_positive_int, check_seed
from ..mdp import MDP
from ._problem import Problem

__all__ = ["random_mdp"]

# Row blocks for the random-key sampler: keeps its (rows, S) buffer near 64 MiB.
_KEY_BLOCK_ELEMENTS = 8_000_000


def _distinct_successors(rng: np.random.Generator, n_rows: int, n_states: int, branching: int) -> np.ndarray:
    """``(n_rows, branching)`` int64: per row, a uniform random subset of ``range(n_states)``, sorted."""
    if branching == n_states:
        return np.broadcast_to(np.arange(n_states, dtype=np.int64), (n_rows, n_states)).copy()
    if branching * branching <= n_states:
        # Floyd's algorithm, vectorised over rows: O(n_rows * branching**2).
        chosen = np.empty((n_rows, branching), dtype=np.int64)
        for k, j in enumerate(range(n_states - branching, n_states)):
            t = rng.integers(0, j + 1, size=n_rows, dtype=np.int64)
            taken = (chosen[:, :k] == t[:, None]).any(axis=1)
            chosen[:, k] = np.where(taken, j, t)
    else:
        # The `branching` smallest of n_states i.i.d. keys: O(n_rows * n_states).
        chosen = np.empty((n_rows, branching), dtype=np.int64)
        block = max(1, _KEY_BLOCK_ELEMENTS // n_states)
        for lo in range(0, n_rows, block):
            keys = rng.random((min(block, n_rows - lo), n_states))
            chosen[lo:lo + block] = np.argpartition(keys, branching - 1, axis=1)[:, :branching]
    chosen.sort(axis=1)
    return chosen


def _cut_point_probabilities(rng: np.random.Generator, n_rows: int, branching: int) -> np.ndarray:
    """``(n_rows, branching)`` probabilities: gaps between sorted uniform cut points of [0, 1].

    Rows with an empty gap (two equal cut points, or a cut at 0) are redrawn,
    so every probability is > 0; rows are renormalised to sum to 1 within 1e-12.
    """
    probs = np.empty((n_rows, branching))
    todo = np.arange(n_rows)
    while todo.size:
        cuts = np.sort(rng.random((todo.size, branching - 1)), axis=1)
        gaps = np.diff(cuts, axis=1, prepend=0.0, append=1.0)
        ok = np.all(gaps > 0.0, axis=1)
        probs[todo[ok]] = gaps[ok]
        todo = todo[~ok]
    probs /= probs.sum(axis=1, keepdims=True)
    return probs


def random_mdp(
    n_states: int,
    n_actions: int,
    branching: int,
    *,
    n_features: int = 4,
    seed: Any = None,
) -> Problem:
    """A Garnet random MDP with a random linear reward.

    Each state-action pair ``(s, a)`` gets ``branching`` distinct successor
    states drawn uniformly without replacement; their probabilities are the
    gaps between ``branching - 1`` sorted uniform cut points of ``[0, 1]``
    (a uniform draw from the probability simplex), redrawn until every gap is
    > 0, so each row has exactly ``branching`` non-zero entries summing to 1
    (within 1e-12). The start distribution is uniform. Features are i.i.d.
    standard normal, ``theta`` standard normal and ``reward = features @ theta``.

    Parameters
    ----------
    n_states : int
        ``S >= 1``.
    n_actions : int
        ``A >= 1``.
    branching : int
        Successors per state-action pair, ``1 <= branching <= n_states``.
    n_features : int, default 4
        Width ``d >= 1`` of the feature matrix.
    seed : None, int or numpy.random.Generator
        Same seed, same MDP. Draws, in order: successors, probabilities,
        features, theta.

    Returns
    -------
    Problem
        ``mdp`` with ``S * A * branching`` stored transitions; ``feature_sets``
        ``{"gaussian": (S, d)}`` (the default ``features``); ``theta (d,)``;
        ``reward (S,)``; ``grid`` None; ``info`` ``{"branching": branching}``.

    Raises
    ------
    TypeError
        ``seed`` neither an integer nor a Generator; the message names it.
    ValueError
        ``n_states``, ``n_actions``, ``branching`` or ``n_features`` out of
        range, of the wrong shape or not finite.

    See Also
    --------
    gridworld, objectworld : structured problems.

    References
    ----------
    Archibald, McKinnon & Thomas (1995), "On the generation of Markov decision processes", Journal of the
    Operational Research Society 46(3).

    Examples
    --------
    >>> p = random_mdp(5, 2, 3, seed=0)
    >>> p.mdp.nnz, p.features.shape
    (30, (5, 4))
    """
    S = check_positive_int(n_states, "n_states")
    A = check_positive_int(n_actions, "n_actions")
    b = check_positive_int(branching, "branching", maximum=S, maximum_label=f"n_states = {S} (successors are distinct)")
    d = check_positive_int(n_features, "n_features")
    rng = check_seed(seed)
    # successors and probabilities (int64 and float64 per entry, with the sampler's temporaries), features
    check_fits(S * A * b * 8 * 5 + S * d * 8, f"random_mdp({S:,} states, {A} actions, branching {b})",
               "use fewer states, actions or successors")

    n_rows = S * A
    successors = _distinct_successors(rng, n_rows, S, b)
    probs = _cut_point_probabilities(rng, n_rows, b)
    itype = np.int32 if max(n_rows * b, S) < np.iinfo(np.int32).max else np.int64
    P = sp.csr_array(
        (probs.ravel(), successors.ravel().astype(itype), np.arange(0, n_rows * b + 1, b, dtype=itype)),
        shape=(n_rows, S),
    )
    mdp = MDP(P, np.full(S, 1.0 / S), n_actions=A)
    features = rng.standard_normal((S, d))
    theta = rng.standard_normal(d)
    return Problem(
        mdp=mdp,
        feature_sets={"gaussian": features},
        default_features="gaussian",
        reward=features @ theta,
        theta=theta,
        grid=None,
        name=f"garnet(S={S}, A={A}, branching={b})",
        info={"branching": b},
    )
