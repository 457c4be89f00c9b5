r"""Exact identities of the passes, recomputed by another route in plain NumPy/SciPy.

:func:`check_bellman` (the soft Bellman equations of the plan),
:func:`check_occupancy` (flow and sums of the visitation),
:func:`check_posterior` (the non-causal posterior marginals as the flow of the
posterior Markov chain) and :func:`check_causal_noncausal` (the two models
coincide on deterministic dynamics; Jensen's inequality otherwise): the
identities are tabulated in :mod:`tabular_irl.checks`. The recomputations use
the sparse matrix with SciPy and the log-space helpers of
:mod:`tabular_irl._logspace`, never the compiled kernels they check.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .._logspace import discount_weights, log_expectation, row_ids, soft_max
from .._validation import check_distribution, check_horizon_discount, check_positive_real, check_temperature
from ..inference import posterior_marginals, visitation
from ..mdp import MDP, check_mdp
from ..planning import soft_backward
from ._result import EXACT_TOL, CheckResult, effective_horizon, make_result, resolve_model, worst_key

__all__ = ["check_bellman", "check_occupancy", "check_posterior", "check_causal_noncausal"]


# --------------------------------------------------------------------------
# Bellman residuals
# --------------------------------------------------------------------------
def check_bellman(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    causal: bool = True,
    temperature: float = 1.0,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""Residuals of the soft Bellman equations of :func:`~tabular_irl.soft_backward`'s plan.

    Recomputes every backup from the plan's own ``V_{t+1}`` with SciPy's sparse
    product (not the kernel):

    .. math::

        \hat Q_t = r + \gamma P V_{t+1} \ \text{(causal)}, \quad
        \hat Q_t = r + \tau \log P \exp(V_{t+1} / \tau) \ \text{(non-causal)}, \\
        \hat V_t = \tau \log \textstyle\sum_a \exp(Q_t / \tau), \quad
        \hat\pi_t = \exp((Q_t - V_t) / \tau),

    and ``V_T = 0``. Discounted without a horizon the stationary ``V`` is a fixed
    point only up to value iteration's stopping rule: ``(1 + gamma) * error_bound``
    is added to the tolerance.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    horizon, discount, causal, temperature
        The model, as in :func:`~tabular_irl.soft_backward`.
    tol : float, default 1e-9

    Returns
    -------
    CheckResult
        ``error = max(max |Q - Q_hat|, max |V - V_hat|) / max(1, max |Q|)`` (relative to
        the value scale) or ``max |pi - pi_hat| / max(1, max |Q| / tau)`` (absolute for
        values of order 1: the policy's exponent carries rounding ``eps max |Q| / tau``),
        whichever is larger.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``causal`` not True or False; the message names it.
    ValueError
        ``reward``, ``horizon``, ``discount``, ``temperature`` or ``tol`` out of
        range, of the wrong shape or not finite.

    See Also
    --------
    tabular_irl.soft_backward : the pass checked.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> check_bellman(world.mdp, world.reward, horizon=6, causal=False).passed
    True
    """
    mdp, T, gamma, r = resolve_model(mdp, reward, horizon, discount, causal)
    tau = check_temperature(temperature)
    tol = check_positive_real(tol, "tol")
    plan = soft_backward(mdp, r, horizon=horizon, discount=discount, causal=causal, temperature=tau)
    P = mdp.transitions
    rows = row_ids(P)
    S, A = mdp.n_states, mdp.n_actions
    if T is None:
        V_next, Q, V, pi = plan.V[None], plan.Q[None], plan.V[None], plan.policy[None]
    else:
        V_next, Q, V, pi = plan.V[1:], plan.Q, plan.V[:-1], plan.policy
    value_error = 0.0 if T is None else float(np.abs(plan.V[T]).max())
    policy_error = 0.0
    for t in range(Q.shape[0]):
        if causal:
            cont = gamma * (P @ V_next[t])
        else:
            cont = tau * log_expectation(P, rows, V_next[t] / tau)[0]
        Q_hat = r + cont.reshape(S, A)
        V_hat, pi_hat = soft_max(Q[t], tau)
        value_error = float(np.max([value_error, np.abs(Q[t] - Q_hat).max(), np.abs(V[t] - V_hat).max()]))
        policy_error = float(np.max([policy_error, np.abs(pi[t] - pi_hat).max()]))
    scale = max(1.0, float(np.abs(plan.Q).max()))
    # the exponent (Q - V) / tau of the policy carries rounding ~ eps * max|Q| / tau, and so
    # does pi (relative): |pi - pi_hat| is measured in units of max(1, max |Q| / tau)
    policy_scale = max(1.0, scale / tau)
    error = float(np.max([value_error / scale, policy_error / policy_scale]))
    allowance = (1.0 + gamma) * plan.error_bound / scale
    model = "causal" if causal else "non-causal"
    return make_result(f"soft Bellman residuals ({model})", error, tol + allowance,
                       f"max |Q - Q_hat|, |V - V_hat| = {value_error:.3e} relative to max(1, max |Q|) = {scale:.3g}; "
                       f"max |pi - pi_hat| = {policy_error:.3e}"
                       + (f" relative to max(1, max |Q| / tau) = {policy_scale:.3g}" if policy_scale > 1 else "")
                       + (f"; allowance (1 + gamma) * error_bound = {allowance:.2e}" if allowance else ""))


# --------------------------------------------------------------------------
# occupancy flow and sums
# --------------------------------------------------------------------------
def check_occupancy(
    mdp: MDP,
    policy: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""Flow conservation and normalisation of :func:`~tabular_irl.visitation`.

    Finite horizon (``D (T+1, S)``, ``mu (T, S, A)``):

    .. math::

        D_0 = \rho_0, \quad \mu_t(s, a) = D_t(s) \pi_t(a|s), \quad
        D_{t+1}(s') = \sum_{s,a} P(s'|s,a) \mu_t(s, a), \quad \sum_s D_t(s) = 1,

    and ``total_state_action = sum_t gamma^t mu_t``. Discounted without a horizon
    (occupancies ``d (S,)``, ``d (S, A)``):
    :math:`d(s') = \rho_0(s') + \gamma \sum_{s,a} P(s'|s,a) d(s, a)`,
    ``d(s, a) = d(s) pi(a|s)`` and ``sum d = 1 / (1 - gamma)``. Every entry must
    also be non-negative.

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A)
    horizon, discount
        As in :func:`~tabular_irl.visitation`.
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial``).
    tol : float, default 1e-9

    Returns
    -------
    CheckResult
        ``error``: the largest violation, absolute in probability units (divided by
        ``1 / (1 - gamma)`` for discounted occupancies).

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``policy``, ``horizon``, ``discount``, ``initial`` or ``tol`` out of
        range, of the wrong shape or not finite.

    See Also
    --------
    tabular_irl.visitation : the pass checked.
    check_posterior : the flow of the non-causal posterior.

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward
    >>> world = gridworld(4, slip=0.2)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=6)
    >>> check_occupancy(world.mdp, plan.policy, horizon=6).passed
    True
    """
    mdp = check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount)
    tol = check_positive_real(tol, "tol")
    init = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    vis = visitation(mdp, policy, horizon=horizon, discount=discount, initial=init)
    pi = np.asarray(policy, dtype=np.float64)
    P = mdp.transitions
    S, A = mdp.n_states, mdp.n_actions
    if T is None:
        d, dsa = vis.state, vis.state_action
        mass = 1.0 / (1.0 - gamma)
        errors = {
            "flow d - initial - gamma P^T d(s,a)": np.abs(d - init - gamma * (P.T @ dsa.ravel())).max() / mass,
            "d(s,a) - d(s) pi(a|s)": np.abs(dsa - d[:, None] * pi).max() / mass,
            "sum d - 1/(1-gamma)": abs(d.sum() - mass) / mass,
            "negative mass": max(0.0, -float(d.min()), -float(dsa.min())) / mass,
            "total - d(s,a)": np.abs(vis.total_state_action - dsa).max() / mass,
        }
    else:
        D, mu = vis.state, vis.state_action
        pi_t = np.broadcast_to(pi, (T, S, A))
        flow = (P.T @ mu.reshape(T, S * A).T).T  # row t: sum_{s,a} P(.|s,a) mu_t(s, a)
        weights = discount_weights(T, gamma)
        errors = {
            "D_0 - initial": np.abs(D[0] - init).max(),
            "mu_t - D_t pi_t": np.abs(mu - D[:-1, :, None] * pi_t).max(),
            "flow D_{t+1} - P^T mu_t": np.abs(D[1:] - flow).max(),
            "row sums - 1": max(np.abs(D.sum(axis=1) - 1.0).max(), np.abs(mu.sum(axis=(1, 2)) - 1.0).max()),
            "negative mass": max(0.0, -float(D.min()), -float(mu.min())),
            "total - sum_t gamma^t mu_t": np.abs(vis.total_state_action - np.tensordot(weights, mu, axes=1)).max()
            / effective_horizon(T, gamma),
        }
    worst = worst_key(errors)
    error = float(errors[worst])
    what = "discounted occupancy" if T is None else "visitation"
    return make_result(f"{what} flow and sums", error, tol,
                       f"largest violation: {worst} = {error:.3e} (absolute, probability units"
                       + (", divided by 1/(1-gamma))" if T is None else ")"))


def check_posterior(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int,
    temperature: float = 1.0,
    initial: Any = None,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""The non-causal posterior marginals are the flow of the posterior Markov chain.

    Given the start state the trajectory distribution ``∝ prod_t P exp(r / tau)`` is
    a Markov chain with action law the non-causal policy ``pi_t`` and next-state law

    .. math::

        \rho_t(s' \mid s, a) = \frac{P(s' \mid s, a) \exp(V_{t+1}(s') / \tau)}
                                    {\sum_{s''} P(s'' \mid s, a) \exp(V_{t+1}(s'') / \tau)},

    so :func:`~tabular_irl.posterior_marginals` must satisfy ``D_0 = initial``,
    ``mu_t = D_t pi_t``, ``D_{t+1}(s') = sum_{s,a} rho_t(s'|s,a) mu_t(s, a)`` and
    rows summing to 1, with ``log_partition = initial @ V_0``. (Under ``P`` itself
    the flow holds only for deterministic dynamics: see
    :func:`check_causal_noncausal`.) ``rho_t`` is recomputed here in log space from
    the non-causal values, independently of the kernel's alpha-beta messages.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    horizon : int
        Undiscounted finite horizon (the non-causal model).
    temperature : float, default 1.0
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial``).
    tol : float, default 1e-9

    Returns
    -------
    CheckResult
        ``error``: the largest violation, absolute (probabilities; ``log_partition``
        relative to ``max(1, |log_partition|)``).

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``reward``, ``horizon``, ``temperature``, ``initial`` or ``tol`` out of
        range, of the wrong shape or not finite.

    See Also
    --------
    tabular_irl.posterior_marginals : the pass checked.
    check_occupancy : the same flow for a policy rolled forward under ``P``.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> check_posterior(world.mdp, world.reward, horizon=6).passed
    True
    """
    mdp, T, _, r = resolve_model(mdp, reward, horizon, None, causal=False)
    tau = check_temperature(temperature)
    tol = check_positive_real(tol, "tol")
    init = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    plan = soft_backward(mdp, r, horizon=T, causal=False, temperature=tau)
    post = posterior_marginals(mdp, r, horizon=T, temperature=tau, initial=init)
    P = mdp.transitions
    rows = row_ids(P)
    D, mu = post.state, post.state_action
    flow_error = 0.0
    for t in range(T):
        rho = log_expectation(P, rows, plan.V[t + 1] / tau)[1]
        chain = sp.csr_array((rho, P.indices, P.indptr), shape=P.shape)
        flow_error = max(flow_error, float(np.abs(D[t + 1] - chain.T @ mu[t].ravel()).max()))
    log_z = float(init @ plan.V[0])
    errors = {
        "D_0 - initial": np.abs(D[0] - init).max(),
        "mu_t - D_t pi_t": np.abs(mu - D[:-1, :, None] * plan.policy).max(),
        "flow D_{t+1} - rho_t^T mu_t": flow_error,
        "row sums - 1": max(np.abs(D.sum(axis=1) - 1.0).max(), np.abs(mu.sum(axis=(1, 2)) - 1.0).max()),
        "negative mass": max(0.0, -float(D.min()), -float(mu.min())),
        "log_partition - initial @ V_0": np.inf if post.log_partition is None
        else abs(post.log_partition - log_z) / max(1.0, abs(log_z)),
        "total - sum_t mu_t": np.abs(post.total_state_action - mu.sum(axis=0)).max() / T,
    }
    worst = worst_key(errors)
    error = float(errors[worst])
    return make_result("posterior marginals: flow of the posterior chain and sums", error, tol,
                       f"largest violation: {worst} = {error:.3e} (absolute, probability units)")


# --------------------------------------------------------------------------
# causal vs non-causal
# --------------------------------------------------------------------------
def check_causal_noncausal(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int,
    temperature: float = 1.0,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""Deterministic dynamics: the causal and non-causal models coincide; stochastic: Jensen.

    With deterministic ``P`` the non-causal backup
    ``r + tau log sum_s' P exp(V/tau)`` equals the causal ``r + P V`` (one
    successor), so values, policies and the visitations (causal rollout,
    non-causal rollout, posterior marginals) are equal. With stochastic ``P``,
    ``log E exp >= E log exp`` gives ``V_noncausal >= V_causal``; the detail then
    reports how far rolling the non-causal policy forward under ``P`` is from
    the posterior (total variation of the state distribution, max over ``t``):
    the bias of the classic implementation.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    horizon : int
        Undiscounted finite horizon (the non-causal model is defined there only).
    temperature : float, default 1.0
    tol : float, default 1e-9

    Returns
    -------
    CheckResult
        Deterministic: ``max(max |V_nc - V_c| / max(1, max |V|), max |visitation differences|)``;
        stochastic: ``max(0, max (V_c - V_nc)) / max(1, max |V|)`` (the violation of Jensen).

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``reward``, ``horizon``, ``temperature`` or ``tol`` out of range, of the
        wrong shape or not finite.

    See Also
    --------
    tabular_irl.soft_backward : both models' backward passes.
    tabular_irl.posterior_marginals : the non-causal model's visitation.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.0)
    >>> check_causal_noncausal(world.mdp, world.reward, horizon=6).passed
    True
    """
    mdp, T, _, r = resolve_model(mdp, reward, horizon, None, causal=False)
    tau = check_temperature(temperature)
    tol = check_positive_real(tol, "tol")
    causal = soft_backward(mdp, r, horizon=T, temperature=tau)
    noncausal = soft_backward(mdp, r, horizon=T, causal=False, temperature=tau)
    scale = max(1.0, float(np.abs(causal.V).max()), float(np.abs(noncausal.V).max()))
    gap = noncausal.V - causal.V
    post = posterior_marginals(mdp, r, horizon=T, temperature=tau)
    rollout = visitation(mdp, noncausal.policy, horizon=T)
    bias = float(0.5 * np.abs(rollout.state - post.state).sum(axis=1).max())
    if mdp.is_deterministic():
        causal_vis = visitation(mdp, causal.policy, horizon=T)
        vis_error = max(float(np.abs(post.state_action - causal_vis.state_action).max()),
                        float(np.abs(rollout.state_action - post.state_action).max()))
        value_error = float(np.abs(gap).max()) / scale
        return make_result("deterministic dynamics: causal = non-causal (values and visitation)",
                           max(value_error, vis_error), tol,
                           f"max |V_nc - V_c| / max(1, max |V|) = {value_error:.3e}; max |visitation differences| "
                           f"(causal rollout, non-causal rollout, posterior) = {vis_error:.3e}")
    violation = max(0.0, -float(gap.min())) / scale
    return make_result("stochastic dynamics: V_noncausal >= V_causal (Jensen)", violation, tol,
                       f"max (V_c - V_nc)^+ / max(1, max |V|); gap max_t,s (V_nc - V_c) = {float(gap.max()):.3e}; "
                       f"rolling the non-causal policy forward under P is off the posterior by total variation "
                       f"{bias:.3e} (the classic shortcut's bias)")
