"""The MaxEnt objective as a function of the reward table, and its exact derivatives.

For demonstrations ``tau_i`` with start states ``s_0^i`` and a reward table
``r (S, A)``::

    L(r) = mean_i [ sum_t gamma^t r(s_t^i, a_t^i) ] - rho_0 @ V_0
         = <C_emp, r> - rho_0 @ V_0

with ``C_emp (S, A)`` the empirical discounted state-action counts, ``rho_0``
the empirical start distribution and ``V`` the soft backward pass of the
chosen model (causal or non-causal). Its gradient is ``C_emp - C(r)`` where
``C(r)`` is that model's expected counts from ``rho_0`` (policy rollout for the
causal model, posterior marginals for the non-causal one). Directional
derivatives of ``C(r)`` (the Hessian) are propagated in forward mode through
the backward and the forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .._blasfree import dot
from .._logspace import discount_weights, log_expectation, row_ids
from .._validation import check_horizon_discount, discount_argument
from .. import _passes
from ..inference import Visitation, noncausal_marginals, policy_visitation
from ..mdp import MDP, check_mdp
from ..planning import SoftPlan, policy_plan
from ..trajectories import Trajectories
from ._common import check_demos

__all__ = ["Demonstrations", "prepare_demonstrations", "evaluate", "value_and_gradient", "directional_counts",
           "log_likelihood"]


@dataclass(frozen=True, eq=False)
class Demonstrations:
    """Validated demonstrations reduced to what the objective needs."""

    trajectories: Trajectories
    counts: np.ndarray  # (S, A) empirical discounted counts C_emp
    start: np.ndarray  # (S,) empirical start distribution rho_0
    horizon: int | None  # T of the model (None: infinite, discounted)
    discount: float
    causal: bool


def prepare_demonstrations(mdp: MDP, demos, horizon, discount, causal) -> Demonstrations:
    check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount, causal)
    check_demos(demos, mdp, T)
    counts = demos.counts(mdp.n_states, mdp.n_actions, discount=gamma)
    start = demos.start_distribution(mdp.n_states)
    return Demonstrations(demos, counts, start, T, gamma, bool(causal))


def evaluate(mdp: MDP, reward: np.ndarray, demo: Demonstrations) -> tuple[float, np.ndarray, SoftPlan, Visitation]:
    """``(L, dL/dr (S, A), plan, expected visitation)`` for a validated ``(S, A)`` reward."""
    T, gamma = demo.horizon, demo.discount
    discount = discount_argument(T, gamma)
    # the causal rollout and the derivatives read the policy: keep it (one sweep, not two)
    plan = policy_plan(mdp, reward, horizon=T, discount=discount, causal=demo.causal)
    if demo.causal:
        vis = policy_visitation(mdp, plan.policy, T, gamma, demo.start)
    else:
        vis = noncausal_marginals(mdp, plan, demo.start)
    V0 = plan.V[0] if T is not None else plan.V
    value = float(np.sum(demo.counts * reward) - demo.start @ V0)
    return value, demo.counts - vis.total_state_action, plan, vis


def value_and_gradient(mdp: MDP, reward: np.ndarray, demo: Demonstrations,
                       scratch: dict | None = None) -> tuple[float, np.ndarray]:
    """``(L, dL/dr (S, A))`` as :func:`evaluate`, without the plan: memory-lean for finite horizons.

    No ``(T, S, A)`` array is formed (:func:`tabular_irl._passes.soft_counts`):
    peak memory ``O(T S + nnz)``, so a million-state gridworld's gradient fits
    in a few GB. Discounted problems have stationary ``(S, A)`` plans and take
    the plain path. ``scratch``: as in :func:`~tabular_irl._passes.soft_counts`
    (one dict per fit: its large arrays are reused across iterations).
    """
    T = demo.horizon
    if T is None:
        value, grad, _, _ = evaluate(mdp, reward, demo)
        return value, grad
    V, total = _passes.soft_counts(mdp, reward, T, demo.discount, demo.start, causal=demo.causal, scratch=scratch)
    _passes.check_finite_values(V, reward, T, demo.discount, 1.0)
    value = float(np.sum(demo.counts * reward) - dot(demo.start, V[0]))
    return value, demo.counts - total


def log_likelihood(mdp: MDP, reward: np.ndarray, plan: SoftPlan, demo: Demonstrations) -> float:
    """Mean over demonstrations of ``log p(a_0, s_1, ..., s_T | s_0)`` under the fitted model.

    Causal: ``sum_t log pi_t(a_t|s_t) + log P(s_{t+1}|s_t, a_t)``. Non-causal:
    ``sum_t log P(s_{t+1}|s_t, a_t) + R(tau) - V_0(s_0)`` (the trajectory
    distribution itself). ``-inf`` when a demonstration is impossible.
    """
    tr = demo.trajectories
    s, a = tr.states, tr.actions
    P = mdp.transitions
    rows = s[:, :-1] * mdp.n_actions + a
    p_next = np.asarray(P[rows.ravel(), s[:, 1:].ravel()]).reshape(rows.shape)
    with np.errstate(divide="ignore"):
        log_dyn = np.log(p_next).sum(axis=1)
        if demo.causal:
            steps = np.arange(tr.horizon)
            pol = plan.policy[steps, s[:, :-1], a] if plan.horizon is not None else plan.policy[s[:, :-1], a]
            log_pol = np.log(pol).sum(axis=1)
            return float(np.mean(log_dyn + log_pol))
        ret = reward[s[:, :-1], a].sum(axis=1)
        return float(np.mean(log_dyn + ret - plan.V[0][s[:, 0]]))


# --------------------------------------------------------------------------
# forward-mode derivatives of the expected counts
# --------------------------------------------------------------------------


def directional_counts(mdp: MDP, plan: SoftPlan, vis: Visitation, d_reward: np.ndarray) -> np.ndarray:
    """Directional derivative of the expected counts ``C(r)`` along ``d_reward (S, A)``.

    Exact forward-mode differentiation (temperature 1) of the backward pass
    (``dQ``, ``dV = E_pi[dQ]``, ``dpi = pi (dQ - dV)``) and of the forward pass
    that produced ``vis``. The Hessian of ``L`` along ``v`` is ``-dC(phi v)``.

    Parameters
    ----------
    mdp : MDP
    plan : SoftPlan
        The soft backward pass at ``r`` (temperature 1); its ``horizon``,
        ``discount`` and ``causal`` are the model differentiated.
    vis : Visitation
        ``C(r)``'s visitation from the start distribution: the causal policy's
        rollout, or the non-causal posterior marginals.
    d_reward : ndarray, shape (S, A)

    Returns
    -------
    ndarray, shape (S, A)
        ``dC = sum_t gamma^t d mu_t`` (the occupancy's derivative when discounted).
    """
    if plan.horizon is None:
        return _directional_discounted(mdp, plan, vis, d_reward)
    if plan.causal:
        return _directional_causal_finite(mdp, plan, vis, d_reward)
    return _directional_noncausal(mdp, plan, vis, d_reward)


def _directional_causal_finite(mdp, plan, vis, dr):
    P, PT = mdp.transitions, mdp.transitions_t
    S, A = mdp.n_states, mdp.n_actions
    T, gamma = plan.horizon, plan.discount
    pi = plan.policy
    dpi = np.empty_like(pi)
    dV = np.zeros(S)
    for t in range(T - 1, -1, -1):
        dQ = dr + gamma * (P @ dV).reshape(S, A)
        dV = np.einsum("sa,sa->s", pi[t], dQ)
        dpi[t] = pi[t] * (dQ - dV[:, None])
    weights = discount_weights(T, gamma)
    dD = np.zeros(S)
    total = np.zeros((S, A))
    for t in range(T):
        dmu = dD[:, None] * pi[t] + vis.state[t][:, None] * dpi[t]
        total += weights[t] * dmu
        dD = PT @ dmu.ravel()
    return total


def _directional_noncausal(mdp, plan, vis, dr):
    # The posterior is a Markov chain with actions pi_t and next-state law
    # rho_t(s'|s,a) = P exp(V_{t+1}(s') - L_t(s,a)), L_t = log sum_s' P exp V_{t+1};
    # dL_t = E_rho[dV_{t+1}] and d rho_t = rho_t (dV_{t+1}(s') - dL_t).
    P = mdp.transitions
    S, A = mdp.n_states, mdp.n_actions
    T = plan.horizon
    rows = row_ids(P)
    pi, V = plan.policy, plan.V
    rho = np.empty((T, P.nnz))
    dpi = np.empty_like(pi)
    dL = np.empty((T, S, A))
    dV = np.zeros((T + 1, S))
    for t in range(T - 1, -1, -1):
        rho[t] = log_expectation(P, rows, V[t + 1])[1]
        dL[t] = np.add.reduceat(rho[t] * dV[t + 1][P.indices], P.indptr[:-1]).reshape(S, A)
        dQ = dr + dL[t]
        dV[t] = np.einsum("sa,sa->s", pi[t], dQ)
        dpi[t] = pi[t] * (dQ - dV[t][:, None])
    # forward: D_{t+1}(s') = sum_k mu_t(k) rho_t(s'|k), differentiated
    dD = np.zeros(S)
    total = np.zeros((S, A))
    for t in range(T):
        mu = vis.state_action[t]
        dmu = dD[:, None] * pi[t] + vis.state[t][:, None] * dpi[t]
        total += dmu
        R_t = sp.csr_array((rho[t], P.indices, P.indptr), shape=P.shape)
        dD = R_t.T @ (dmu - mu * dL[t]).ravel() + dV[t + 1] * vis.state[t + 1]
    return total


def _directional_discounted(mdp, plan, vis, dr):
    P, PT = mdp.transitions, mdp.transitions_t
    S, A = mdp.n_states, mdp.n_actions
    gamma, pi, d = plan.discount, plan.policy, vis.state
    P_pi = _passes.policy_transitions(mdp, pi).tocsc()
    lu = spla.splu((sp.identity(S, format="csc") - gamma * P_pi).tocsc())
    # dV solves (I - gamma P_pi) dV = E_pi[dr]
    dV = lu.solve(np.einsum("sa,sa->s", pi, dr))
    dQ = dr + gamma * (P @ dV).reshape(S, A)
    dpi = pi * (dQ - dV[:, None])
    # dd solves (I - gamma P_pi^T) dd = gamma dP_pi^T d
    dd = lu.solve(gamma * (PT @ (d[:, None] * dpi).ravel()), trans="T")
    return dd[:, None] * pi + d[:, None] * dpi
