r"""Non-causal model: the Hessian of the log partition equals the covariance of the counts.

:func:`check_hessian_covariance` compares two exact computations projected on
a few random directions: forward-mode differentiation of the backward and
posterior passes (the code behind :func:`~tabular_irl.maxent_hessp`) and the
covariance of the projected counts given the start state, from the moments of
the counts under the posterior Markov chain (``_count_covariance``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._logspace import log_expectation, row_ids
from .._validation import (
    check_distribution,
    check_positive_int,
    check_positive_real,
    check_seed,
)
from ..approx._chain import chain_moments
from ..inference import Visitation, posterior_marginals
from ..irl._common import features_for
from ..irl._objective import directional_counts
from ..mdp import MDP
from ..planning import SoftPlan, soft_backward
from ._result import EXACT_TOL, CheckResult, make_result, resolve_model, scaled_directions

__all__ = ["check_hessian_covariance"]


def _count_covariance(mdp: MDP, plan: SoftPlan, init: np.ndarray, tables: np.ndarray) -> np.ndarray:
    r"""Exact ``E_{s0 ~ init}[Cov(G | s0)]`` of the counts ``G_j = sum_t tables[j, s_t, a_t]``, shape ``(k, k)``.

    Under the non-causal model the trajectories given ``s_0`` form the posterior
    Markov chain: actions ``pi_t`` (the plan's policy), next states

    .. math::

        \rho_t(s' \mid s, a) = P(s' \mid s, a)\, e^{V_{t+1}(s') - L_t(s, a)}, \quad
        L_t = \log \textstyle\sum_{s'} P\, e^{V_{t+1}}

    (:func:`~tabular_irl._logspace.log_expectation`). The exact moments of the
    counts under that chain (:func:`~tabular_irl.approx._chain.chain_moments`)
    give

    .. math::

        \mathbb{E}_{s_0}[\operatorname{Cov}(G \mid s_0)] = \mathbb{E}[G G^T]
        - \textstyle\sum_{s} \text{init}(s)\, \mathbb{E}[G \mid s_0 = s]\, \mathbb{E}[G \mid s_0 = s]^T,

    in ``O(T (nnz(P) + S A k) k)``. The subtraction loses about
    ``eps * max |G|^2``: the caller scales the tables so that ``|G| <= 1``.
    """
    P = mdp.transitions
    rows = row_ids(P)
    T, k = plan.horizon, tables.shape[0]
    kernel = np.array([log_expectation(P, rows, plan.V[t + 1])[1] for t in range(T)])  # (T, nnz)
    phi = np.moveaxis(tables, 0, -1).reshape(mdp.n_states * mdp.n_actions, k)
    _, second, start_mean = chain_moments(mdp, plan.policy, kernel, init, phi, np.ones(T))
    return second - np.einsum("s,sk,sl->kl", init, start_mean, start_mean)


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
    pass (the code behind ``maxent_hessp``), the right from the exact first and
    second moments of the counts under the posterior Markov chain
    (``_count_covariance``; the full covariance would need enumeration or
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

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``seed`` neither an integer nor a Generator; the
        message names it.
    ValueError
        ``reward``, ``features``, ``horizon``, ``n_directions``, ``initial`` or
        ``tol`` out of range, of the wrong shape or not finite.

    See Also
    --------
    tabular_irl.maxent_hessp : the Hessian-vector product built on the same derivatives.
    check_log_partition_gradient : the first derivative.

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
        _, tables = scaled_directions(rng, n, r.shape, T)
    else:
        phi = features_for(mdp, features)
        _, tables = scaled_directions(rng, n, (phi.d,), T, phi.reward)
    plan = soft_backward(mdp, r, horizon=T, causal=False)
    post = posterior_marginals(mdp, r, horizon=T, initial=init)
    hessian = _log_partition_hessian(mdp, plan, post, tables)
    covariance = _count_covariance(mdp, plan, init, tables)
    error = float(np.abs(hessian - covariance).max())
    return make_result("Hessian of log_partition = count covariance given s_0 (non-causal)", error, tol,
                       f"max |H - Cov| over {n}x{n} projections on random directions (counts in [-1, 1]); "
                       f"largest variance {float(np.diag(covariance).max()):.3e}")
