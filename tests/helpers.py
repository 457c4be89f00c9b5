"""Random tiny MDPs for the property tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tabular_irl import MDP


def random_dense_P(rng: np.random.Generator, S: int, A: int, *, deterministic: bool = False,
                   density: float = 0.6) -> np.ndarray:
    """Dense P (S, A, S) with some zero entries (every row keeps at least one successor)."""
    if deterministic:
        return np.eye(S)[rng.integers(S, size=(S, A))]
    P = rng.random((S, A, S)) * (rng.random((S, A, S)) < density)
    keep = rng.integers(S, size=(S, A))
    P[np.arange(S)[:, None], np.arange(A)[None, :], keep] += rng.random((S, A)) + 0.1
    return P / P.sum(axis=2, keepdims=True)


def shared_support_P(rng: np.random.Generator, S: int, A: int, *, width: int = 3) -> np.ndarray:
    """Dense P (S, A, S) whose A rows of each state share one random support (as in a slippery gridworld)."""
    P = np.zeros((S, A, S))
    for s in range(S):
        support = rng.choice(S, size=min(width, S), replace=False)
        P[s][:, support] = rng.random((A, support.size)) + 0.05
    return P / P.sum(axis=2, keepdims=True)


def random_initial(rng: np.random.Generator, S: int, *, sparse: bool = False) -> np.ndarray:
    init = rng.random(S)
    if sparse and S > 1:
        init[rng.random(S) < 0.4] = 0.0
        init[rng.integers(S)] += 0.5
    return init / init.sum()


def tiny_problem(seed: int, S: int, A: int, *, deterministic: bool = False, reward_scale: float = 1.0,
                 sparse_initial: bool = False):
    """(mdp, P, initial, r (S, A)) from a seed."""
    rng = np.random.default_rng(seed)
    P = random_dense_P(rng, S, A, deterministic=deterministic)
    init = random_initial(rng, S, sparse=sparse_initial)
    r = reward_scale * rng.normal(size=(S, A))
    return MDP.from_dense(P, init), P, init, r


# sizes small enough to enumerate every trajectory
tiny_sizes = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))  # (S, A, T)
seeds = st.integers(0, 2**32 - 1)


def gamble_mdp() -> MDP:
    """From state 0, action 0 reaches the good state 1 or the bad state 2 with probability 1/2;
    action 1 stays in 0. States 1 and 2 are absorbing. Start: state 0.

    The smallest MDP on which the non-causal posterior and the rollout of the
    non-causal policy under P differ.
    """
    P = np.zeros((3, 2, 3))
    P[0, 0] = [0.0, 0.5, 0.5]
    P[0, 1] = [1.0, 0.0, 0.0]
    P[1, :, 1] = 1.0
    P[2, :, 2] = 1.0
    return MDP.from_dense(P, [1.0, 0.0, 0.0])


def trap_mdp():
    """(mdp, P, r): 5 states, 2 actions: 3 absorbing, 4 unreachable (reached only from itself), start in 0."""
    P = np.zeros((5, 2, 5))
    P[0, 0, 1] = 1.0
    P[0, 1, [0, 2]] = 0.5
    P[1, 0, 3] = 1.0
    P[1, 1, 0] = 1.0
    P[2, 0, 3] = 1.0
    P[2, 1, [2, 3]] = [0.9, 0.1]
    P[3, :, 3] = 1.0
    P[4, 0, 0] = 1.0
    P[4, 1, 4] = 1.0
    r = np.array([[0.3, -0.2], [1.0, 0.0], [0.0, 0.5], [0.0, 0.0], [1e4, 1e4]])  # a huge prize nobody can reach
    return MDP.from_dense(P, [1.0, 0, 0, 0, 0]), P, r
