"""Exact first and second moments of trajectory feature counts under a time-varying Markov chain.

A chain over a horizon ``T`` has a start distribution ``D_0 (S,)``, policies
``pi_t (S, A)`` and next-state laws ``K_t(s' | s, a)`` stored on the sparsity
pattern of ``P`` (row ``s*A + a``). Two kinds appear here:

* a policy rolled forward under the true dynamics (``K_t = P``);
* the posterior of a non-causal model ``p(tau | s_0) ∝ prod_t P exp(r_t(s_t, a_t))``
  with a possibly time-varying reward ``r_t``: its policy is
  ``exp(Q_t - V_t)`` and its next-state law
  ``K_t(s'|s, a) = P(s'|s, a) exp(V_{t+1}(s') - L_t(s, a))`` with
  ``L_t = log sum_s' P exp(V_{t+1})`` (forward-backward as a Markov chain).

For the feature count ``C = sum_t w_t phi(s_t, a_t)`` the second moment is

    E[C C^T] = sum_t sum_x mu_t(x) [w_t^2 phi phi^T + w_t (phi G_t^T + G_t phi^T)](x),

with ``G_t(x) = E[sum_{t' > t} w_t' phi(x_t') | x_t = x]`` from the backward
recursion ``G_t = K_t (pi_{t+1} . (w_{t+1} phi + G_{t+1}))``. Everything is
plain NumPy/SciPy over the sparse ``P``: these are reference quantities for
the studies and for the Hessian check of :mod:`tabular_irl.checks`
(``O(T (nnz + S A d) d)``), not hot loops.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._logspace import log_expectation, row_ids, soft_max
from ..mdp import MDP

__all__ = ["chain_moments", "noncausal_chain", "dense_features"]


def dense_features(features, n_states: int, n_actions: int) -> np.ndarray:
    """``(S*A, d)`` dense feature rows from validated :class:`LinearFeatures`."""
    phi = features.phi
    if features.per_action:
        return np.ascontiguousarray(phi.reshape(n_states * n_actions, -1))
    dense = phi.toarray() if sp.issparse(phi) else np.asarray(phi)
    return np.repeat(dense, n_actions, axis=0)


def noncausal_chain(mdp: MDP, reward_t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior chain of ``p(tau | s_0) ∝ prod_t P exp(reward_t[t, s_t, a_t])``.

    Parameters
    ----------
    reward_t : ndarray, shape (T, S, A)
        Finite.

    Returns
    -------
    V : ndarray, shape (T+1, S)
        ``V[0, s] = log Z(s)``.
    policy : ndarray, shape (T, S, A)
    kernel : ndarray, shape (T, nnz)
        ``K_t`` on the non-zeros of ``mdp.transitions``.
    """
    P = mdp.transitions
    S, A = mdp.n_states, mdp.n_actions
    T = reward_t.shape[0]
    rows = row_ids(P)
    V = np.zeros((T + 1, S))
    policy = np.empty((T, S, A))
    kernel = np.empty((T, P.nnz))
    for t in range(T - 1, -1, -1):
        L, kernel[t] = log_expectation(P, rows, V[t + 1])
        V[t], policy[t] = soft_max(reward_t[t] + L.reshape(S, A))
    return V, policy, kernel


def chain_moments(mdp: MDP, policy: np.ndarray, kernel: np.ndarray | None, init: np.ndarray,
                  phi: np.ndarray, step_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(E[C] (d,), E[C C^T] (d, d), E[C | s_0] (S, d))`` of ``C = sum_t w_t phi(s_t, a_t)`` under the chain.

    ``policy`` is ``(T, S, A)`` (or stationary ``(S, A)``), ``kernel`` ``(T, nnz)``
    or ``None`` for the true dynamics, ``init`` ``(S,)`` the law of ``s_0``,
    ``phi`` ``(S*A, d)``, ``step_weights`` ``(T,)``. The conditional mean given
    the start state, ``E[C | s_0 = s] = sum_a pi_0(a|s) (w_0 phi + G_0)(s, a)``,
    does not depend on ``init``; with it the expected covariance given the start
    state is ``E[C C^T] - sum_s init(s) E[C | s] E[C | s]^T``.
    """
    P = mdp.transitions
    S, A = mdp.n_states, mdp.n_actions
    T = step_weights.shape[0]

    def K(t: int) -> sp.csr_array:
        data = P.data if kernel is None else kernel[t]
        return sp.csr_array((data, P.indices, P.indptr), shape=P.shape)

    def pi(t: int) -> np.ndarray:
        return policy if policy.ndim == 2 else policy[t]

    mu = np.empty((T, S * A))
    D = np.asarray(init, dtype=np.float64)
    for t in range(T):
        mu[t] = (D[:, None] * pi(t)).ravel()
        D = K(t).T @ mu[t]
    d = phi.shape[1]
    mean = np.zeros(d)
    second = np.zeros((d, d))
    G = np.zeros((S * A, d))  # G_{T-1} = 0
    H = np.zeros((S, d))  # T = 0: no count
    for t in range(T - 1, -1, -1):
        w = step_weights[t]
        weighted = mu[t][:, None] * phi  # (S*A, d)
        mean += w * weighted.sum(axis=0)
        cross = weighted.T @ G
        second += w * w * (weighted.T @ phi) + w * (cross + cross.T)
        # H_t(s) = E[sum_{t' >= t} w_t' phi(x_t') | s_t = s] = sum_a pi_t(a|s) (w_t phi(s, a) + G_t(s, a)),
        # and G_{t-1} = K_{t-1} H_t
        H = np.einsum("sa,sak->sk", pi(t), (w * phi + G).reshape(S, A, d))
        if t > 0:
            G = np.asarray(K(t - 1) @ H)
    return mean, second, H
