r"""Non-causal model: the Hessian of the log partition equals the covariance of the counts.

:func:`check_hessian_covariance` compares two exact computations projected on
a few random directions: forward-mode differentiation of the backward and
posterior passes (the code behind :func:`~tabular_irl.maxent_hessp`) and the
covariance of the projected counts given the start state, from the moments of
the counts under the posterior Markov chain (:func:`_count_covariance`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .._logspace import log_expectation, row_ids
from .._validation import check_distribution, check_positive_int, check_positive_real, check_seed
from ..inference import Visitation, posterior_marginals
from ..irl._common import features_for
from ..irl._objective import directional_counts
from ..mdp import MDP
from ..planning import SoftPlan, soft_backward
from ._result import EXACT_TOL, CheckResult, make_result, random_directions, resolve_model, unit_scale

__all__ = ["check_hessian_covariance"]


def _count_covariance(mdp: MDP, plan: SoftPlan, init: np.ndarray, tables: np.ndarray) -> np.ndarray:
    r"""Exact ``E_{s0 ~ init}[Cov(G | s0)]`` of the counts ``G_j = sum_t tables[j, s_t, a_t]``, shape ``(k, k)``.

    Backward over the posterior chain (actions ``pi_t``, next states ``rho_t``, a sparse
    ``(S*A, S)`` matrix with ``P``'s pattern) with the conditional moments of the
    remaining count, ``m_t(s) = E[G_{>=t} | s_t = s]`` and
    ``M_t(s) = E[G_{>=t} G_{>=t}^T | s_t = s]``:

    .. math::

        n = \rho_t m_{t+1}, \quad m_t = \mathbb{E}_{\pi_t}[\psi + n], \quad
        M_t = \mathbb{E}_{\pi_t}[\psi \psi^T + \psi n^T + n \psi^T + \rho_t M_{t+1}],

    then ``sum_s0 init(s0) (M_0 - m_0 m_0^T)``: one sparse product with ``k + k^2``
    columns per step, ``O(T nnz(P) k^2)``. The final subtraction loses about
    ``eps * max |G|^2``: the caller scales the tables so that ``|G| <= 1``.
    """
    P = mdp.transitions
    rows = row_ids(P)
    S, A = mdp.n_states, mdp.n_actions
    k = tables.shape[0]
    psi = np.moveaxis(tables, 0, -1)  # (S, A, k)
    psi_outer = psi[..., :, None] * psi[..., None, :]  # (S, A, k, k)
    m = np.zeros((S, k))
    M = np.zeros((S, k, k))
    for t in range(plan.horizon - 1, -1, -1):
        rho = sp.csr_array((log_expectation(P, rows, plan.V[t + 1])[1], P.indices, P.indptr), shape=P.shape)
        moments = rho @ np.concatenate([m, M.reshape(S, k * k)], axis=1)  # (S*A, k + k^2)
        n = moments[:, :k].reshape(S, A, k)
        second = moments[:, k:].reshape(S, A, k, k)
        cross = psi[..., :, None] * n[..., None, :]
        pi = plan.policy[t]
        m = np.einsum("sa,sak->sk", pi, psi + n)
        M = np.einsum("sa,sakl->skl", pi, psi_outer + cross + np.swapaxes(cross, -1, -2) + second)
    return np.einsum("s,skl->kl", init, M - m[:, :, None] * m[:, None, :])


def _log_partition_hessian(mdp: MDP, plan: SoftPlan, post: Visitation, tables: np.ndarray) -> np.ndarray:
    """``u_i^T (d^2 log_partition) u_j`` by forward-mode differentiation (the code behind ``maxent_hessp``).

    ``post`` is the non-causal posterior visitation from the start distribution, ``tables`` ``(k, S, A)``.
    """
    dC = np.array([directional_counts(mdp, plan, post, v) for v in tables])  # (k, S, A)
    return np.einsum("isa,jsa->ij", tables, dC)


def check_hessian_covariance(
    mdp: MDP,
    reward: Any,
    features: Any = None,
    *,
    horizon: int,
    n_directions: int = 3,
    seed: int | np.random.Generator | None = None,
    initial: Any = None,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""Non-causal model: the Hessian of the log partition is the covariance of the counts.

    For the trajectory distribution :math:`p(\tau \mid s_0) \propto \prod_t P\, e^{R(\tau)}`,
    an exponential family in the reward,

    .. math::

        \nabla^2_r\, \text{log\_partition} = \mathbb{E}_{s_0}\big[\operatorname{Cov}(C \mid s_0)\big],

    ``C`` the state-action counts of a trajectory; so the MaxEnt Hessian
    (:func:`~tabular_irl.maxent_hessp`) is minus the feature covariance given the
    start states. Both sides are exact and computed by different routes: the left
    by forward-mode differentiation of the backward pass and the posterior forward
    pass (the code behind ``maxent_hessp``), the right by a backward recursion of
    conditional means and covariances over the posterior Markov chain
    (:func:`_count_covariance`; the full covariance would need enumeration or
    ``(S A)^2`` memory). Both are projected onto ``k = n_directions`` random
    directions (``features @ u_j``, or reward tables without features), scaled so
    that each projected count lies in ``[-1, 1]``.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    features : array_like or sparse matrix, shape (S, d) or (S, A, d), optional
    horizon : int
        Undiscounted finite horizon (the non-causal model), temperature 1.
    n_directions : int, default 3
    seed : int or Generator, optional
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial``): for the MaxEnt objective, the
        demonstrations' empirical start distribution.
    tol : float, default 1e-9

    Returns
    -------
    CheckResult
        ``error = max_ij |H_ij - Cov_ij|`` (absolute; entries at most 1 in these units).

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> check_hessian_covariance(world.mdp, world.reward, horizon=6, seed=0).passed
    True
    """
    mdp, T, _, r = resolve_model(mdp, reward, horizon, None, causal=False)
    n = check_positive_int(n_directions, "n_directions")
    tol = check_positive_real(tol, "tol")
    rng = check_seed(seed)
    init = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    if features is None:
        tables = random_directions(rng, n, r.shape)
    else:
        phi = features_for(mdp, features)
        tables = np.array([phi.reward(u) for u in random_directions(rng, n, (phi.d,))])
    tables *= np.array([unit_scale(v, T) for v in tables])[:, None, None]
    plan = soft_backward(mdp, r, horizon=T, causal=False)
    post = posterior_marginals(mdp, r, horizon=T, initial=init)
    hessian = _log_partition_hessian(mdp, plan, post, tables)
    covariance = _count_covariance(mdp, plan, init, tables)
    error = float(np.abs(hessian - covariance).max())
    return make_result("Hessian of log_partition = count covariance given s_0 (non-causal)", error, tol,
                       f"max |H - Cov| over {n}x{n} projections on random directions (counts in [-1, 1]); "
                       f"largest variance {float(np.diag(covariance).max()):.3e}")
