r"""Adversarial IRL in tabular form: AIRL, exact or from samples (GAIL's exact discriminator: :mod:`._gail`).

Occupancy measures here are *normalised*: ``rho(s, a) = (1 - gamma) d(s, a)``
for the discounted infinite horizon, ``sum_{t<T} gamma^t mu_t(s, a) / sum_{t<T} gamma^t``
for a finite one; each sums to 1.

GAIL (Ho & Ermon 2016). For a discriminator ``D(s, a)`` (probability of
"expert") the objective ``E_E[log D] + E_pi[log(1 - D)]`` is maximised by
``D* = rho_E / (rho_E + rho_pi)``, where it equals ``2 JS(rho_E, rho_pi) - log 4``:
the Jensen-Shannon divergence is what GAIL's policy minimises.

AIRL (Fu, Luo & Levine 2018). The discriminator is

.. math::

    D(s, a, s') = \frac{\exp f(s, a, s')}{\exp f(s, a, s') + \pi(a \mid s)}
                = \sigma\big(f(s, a, s') - \log \pi(a \mid s)\big),

``f(s, a)`` (a table) or, with ``shaping=True``,
``f = g(s, a) + gamma h(s') - h(s)`` (``g(s)`` with ``state_only=True``). It is
trained by logistic regression, expert (label 1) against policy (label 0)
transitions, each class weighted to total 1,

.. math::

    J(f) = \sum_{E} w \log \sigma(f - \log\pi) + \sum_{\pi} w \log \sigma(\log\pi - f)
           - \tfrac{l_2}{2} \|x\|^2,

maximised by Newton's method on its exact sparse Hessian; the transitions are either
samples (step ``t`` weighted ``gamma^t``) or the exact occupancies
``rho(s, a) P(s'|s, a)`` (the infinite-sample limit). Then the policy is
soft-optimal (soft value iteration) for the reward ``E_{s'} f(s, a, s')``,
which is what entropy-regularised RL on ``log D - log(1 - D) = f - log pi``
yields; shaping does not change that policy. Without shaping and with
exact occupancies the regression's optimum is GAIL's ``D*``, i.e.
``f = log pi + log rho_E - log rho_pi``, and the iteration's fixed point is the
expert's policy (where ``f`` is the expert's soft advantage ``log pi_E``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.special import expit

from .._deprecation import renamed_arguments
from .._logspace import discount_weights, row_ids
from .._validation import (
    check_bool,
    check_discount,
    check_finite_array,
    check_horizon,
    check_nonnegative_array,
    check_policy,
    check_positive_int,
    check_positive_real,
    check_real,
    check_seed,
    check_trajectories,
    readonly,
)
from ..irl._result import warn_not_converged
from ..mdp import MDP, check_mdp
from ..planning import soft_backward
from ..trajectories import Trajectories, sample_trajectories
from ._gail import (
    GAILDiscriminator,
    _check_occupancy,
    _js,
    _occupancy,
    gail_discriminator,
    js_divergence,
    occupancy_measure,
)

__all__ = [
    "GAILDiscriminator",
    "AIRLResult",
    "occupancy_measure",
    "js_divergence",
    "gail_discriminator",
    "airl_discriminator",
    "airl",
]


def airl_discriminator(f: Any, policy: Any) -> np.ndarray:
    r"""AIRL's discriminator ``D = exp(f) / (exp(f) + pi) = sigmoid(f - log pi)``, same shape as ``f``.

    Parameters
    ----------
    f : array_like, shape (S, A) (or any shape broadcasting with ``policy``)
    policy : array_like, shape (S, A)
        ``pi(a | s)``; where it is 0, ``D = 1``.

    Returns
    -------
    ndarray
        ``D``, in ``[0, 1]``, of the broadcast shape of ``f`` and ``policy``.

    Raises
    ------
    ValueError
        Arrays that are not finite, a policy outside ``[0, 1]``, or shapes that do not broadcast.

    See Also
    --------
    airl : fits ``f``.
    gail_discriminator : the unstructured optimum.

    References
    ----------
    Fu, Luo & Levine (2018), "Learning robust rewards with adversarial inverse reinforcement learning", ICLR.

    Examples
    --------
    >>> airl_discriminator([[0.0, np.log(3.0)]], [[0.5, 0.5]]).round(3)
    array([[0.667, 0.857]])
    """
    fa = check_finite_array(f, "f")
    pa = check_nonnegative_array(policy, "policy")
    try:
        np.broadcast_shapes(fa.shape, pa.shape)
    except ValueError:
        raise ValueError(f"f must broadcast with policy of shape {pa.shape}, got shape {fa.shape}") from None
    with np.errstate(divide="ignore"):
        return expit(fa - np.log(pa))


@dataclass(frozen=True, eq=False)
class AIRLResult:
    """Result of :func:`airl`.

    Attributes
    ----------
    theta : ndarray, shape (n,)
        The discriminator's parameters ``x = [g, h]``: ``g`` row-major
        (``S * A`` entries, ``S`` when ``state_only``), then ``h`` (``S``
        entries, with ``shaping`` only).
    reward : ndarray, shape (S, A)
        The recovered reward: ``f`` without shaping, ``g`` with it (broadcast
        over actions when ``state_only``).
    potential : ndarray, shape (S,) or None
        ``h`` of the shaping term (``None`` without shaping).
    f : ndarray, shape (S, A)
        ``E_{s'} f(s, a, s') = reward + gamma P h - h``: the reward the policy is soft-optimal for.
    policy : ndarray, shape (S, A)
        Final policy (soft-optimal for ``f``, equally for ``reward``).
    occupancy : ndarray, shape (S, A)
        Exact normalised occupancy of ``policy``.
    expert_occupancy : ndarray, shape (S, A)
        The expert occupancy the JS divergence is measured against: exact
        when given, else the demonstrations' empirical one.
    js_divergence : float
        ``JS(expert_occupancy, occupancy)``.
    discriminator_policy : ndarray, shape (S, A)
        The policy the last discriminator was trained against (its
        ``D = sigmoid(f - log discriminator_policy)``).
    objective : float
        The discriminator's objective ``J`` at ``theta`` (module docstring),
        as last fitted.
    n_iter : int
        Outer iterations (discriminator fit + policy step).
    converged : bool
        ``||occupancy_k - occupancy_{k-1}||_1 <= tol``.
    message : str
    method : str
        ``"airl"`` (the discriminator fitted by Newton's method, the policy by
        soft value iteration).
    discount : float
    horizon : int or None
        Occupancy horizon (``None``: infinite, discounted).
    sampled : bool
        Whether the policy side used samples.
    history : dict
        Per iteration: ``"js_divergence"`` (exact JS that GAIL minimises,
        before the first step included), ``"occupancy_change"``,
        ``"discriminator_objective"`` (``J`` at the fit),
        ``"discriminator_iterations"`` (Newton) and ``"discriminator_gradient"``
        (``max |dJ/dx|`` at the fit).

    See Also
    --------
    airl : returns it.
    tabular_irl.irl.FitResult : the protocol it follows.

    References
    ----------
    Fu, Luo & Levine (2018), "Learning robust rewards with adversarial inverse reinforcement learning", ICLR.

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward
    >>> world = gridworld(3, slip=0.1)
    >>> expert = soft_backward(world.mdp, 2 * world.reward, discount=0.8)
    >>> fit = airl(world.mdp, occupancy_measure(world.mdp, expert.policy, discount=0.8), discount=0.8)
    >>> fit.converged, fit.n_iter == len(fit.history["occupancy_change"]), fit.js_divergence < 1e-12
    (True, True, True)
    >>> fit.theta.shape, fit.reward.shape, fit.policy.shape  # 9 states, 5 actions; no shaping: x = f
    ((45,), (9, 5), (9, 5))
    """

    theta: np.ndarray
    reward: np.ndarray
    potential: np.ndarray | None
    f: np.ndarray
    policy: np.ndarray
    occupancy: np.ndarray
    expert_occupancy: np.ndarray
    js_divergence: float
    discriminator_policy: np.ndarray
    objective: float
    n_iter: int
    converged: bool
    message: str
    method: str
    discount: float
    horizon: int | None
    sampled: bool
    history: dict = field(repr=False)


@dataclass(frozen=True)
class _Transitions:
    """Weighted transitions of one class: row ``sa = s*A + a``, next state, weight (summing to 1)."""

    sa: np.ndarray
    nxt: np.ndarray
    w: np.ndarray


def _exact_transitions(mdp: MDP, rho: np.ndarray, shaping: bool) -> _Transitions:
    if not shaping:
        sa = np.arange(rho.size)
        return _Transitions(sa, np.zeros_like(sa), rho.ravel().copy())
    P = mdp.transitions
    rows = row_ids(P)
    return _Transitions(rows, P.indices.astype(np.int64), rho.ravel()[rows] * P.data)


def _sample_transitions(tr: Trajectories, S: int, A: int, gamma: float, shaping: bool) -> _Transitions:
    """Observed transitions, step ``t`` weighted ``gamma^t``, merged into distinct ``(s, a[, s'])`` keys."""
    N, T = tr.actions.shape
    w = np.broadcast_to(discount_weights(T, gamma), (N, T)).ravel()
    sa = (tr.states[:, :-1] * A + tr.actions).ravel()
    nxt = tr.states[:, 1:].ravel() if shaping else np.zeros_like(sa)
    keys, inverse = np.unique(sa * S + nxt, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=w)
    return _Transitions(keys // S, keys % S, weights / weights.sum())


def _merge(a: _Transitions, b: _Transitions) -> _Transitions:
    return _Transitions(np.concatenate([a.sa, b.sa]), np.concatenate([a.nxt, b.nxt]), np.concatenate([a.w, b.w]))


class _Discriminator:
    """Parameters ``x = [g, h]``, the logits ``z = B x - log pi`` and the exact logistic-regression objective.

    ``B`` is sparse with one ``g`` entry per transition and, with shaping,
    ``+gamma`` at ``h(s')`` and ``-1`` at ``h(s)``, so the Hessian
    ``-(B_E^T C_E B_E + B_pi^T C_pi B_pi) - l2 I`` (``C = w sigma(z) sigma(-z)``)
    is a sparse ``(S*A + S)``-square matrix and the fit is Newton's method.
    """

    def __init__(self, mdp: MDP, gamma: float, shaping: bool, state_only: bool, l2: float) -> None:
        self.S, self.A = mdp.n_states, mdp.n_actions
        self.mdp, self.gamma, self.shaping, self.state_only, self.l2 = mdp, gamma, shaping, state_only, l2
        self.n_g = self.S if state_only else self.S * self.A
        self.size = self.n_g + (self.S if shaping else 0)

    def split(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        g = x[: self.n_g]
        g = np.repeat(g[:, None], self.A, axis=1) if self.state_only else g.reshape(self.S, self.A)
        return g, (x[self.n_g:] if self.shaping else None)

    def expected_f(self, x: np.ndarray) -> np.ndarray:
        g, h = self.split(x)
        if h is None:
            return np.array(g)
        return g + self.gamma * (self.mdp.transitions @ h).reshape(self.S, self.A) - h[:, None]

    def design(self, tr: _Transitions) -> sp.csr_array:
        """``B`` of one class, shape ``(m, size)``."""
        m = tr.sa.shape[0]
        s = tr.sa // self.A
        rows = [np.arange(m)]
        cols = [s if self.state_only else tr.sa]
        vals = [np.ones(m)]
        if self.shaping:
            rows += [np.arange(m), np.arange(m)]
            cols += [self.n_g + tr.nxt, self.n_g + s]
            vals += [np.full(m, self.gamma), np.full(m, -1.0)]
        return sp.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                            shape=(m, self.size))

    def fit(self, x: np.ndarray, expert: _Transitions, policy: _Transitions, log_pi: np.ndarray,
            max_iter: int, gtol: float) -> tuple[np.ndarray, float, np.ndarray, int]:
        """Newton's method with backtracking from ``x``: ``(x, J, dJ/dx, iterations)``."""
        B_e, B_p = self.design(expert), self.design(policy)
        off_e, off_p = log_pi.ravel()[expert.sa], log_pi.ravel()[policy.sa]
        w_e, w_p = expert.w, policy.w
        # a ridge far below any curvature that matters: it only pins directions with none at all
        # (pairs neither class visits, the constant shift of g and h), where the gradient is 0 too
        ridge = self.l2 + 1e-12

        def evaluate(v):
            z_e, z_p = B_e @ v - off_e, B_p @ v - off_p
            value = -w_e @ np.logaddexp(0.0, -z_e) - w_p @ np.logaddexp(0.0, z_p) - 0.5 * self.l2 * v @ v
            grad = B_e.T @ (w_e * expit(-z_e)) - B_p.T @ (w_p * expit(z_p)) - self.l2 * v
            return float(value), grad, z_e, z_p

        value, grad, z_e, z_p = evaluate(x)
        it = 0
        while it < max_iter and np.abs(grad).max() > gtol:
            it += 1
            c_e = w_e * expit(z_e) * expit(-z_e)
            c_p = w_p * expit(z_p) * expit(-z_p)
            H = (B_e.T @ sp.diags_array(c_e) @ B_e + B_p.T @ sp.diags_array(c_p) @ B_p
                 + ridge * sp.identity(self.size, format="csr"))
            step = spla.spsolve(sp.csc_array(H), grad)
            t = 1.0
            slope = float(grad @ step)  # > 0: H is positive definite
            while True:
                cand = evaluate(x + t * step)
                if cand[0] >= value + 1e-4 * t * slope or t < 1e-10:
                    break
                t *= 0.5
            if cand[0] < value:  # no ascent left at rounding level
                break
            x = x + t * step
            value, grad, z_e, z_p = cand
        return x, value, grad, it


@renamed_arguments(expert="demos", n_policy_samples="n")
def airl(
    mdp: MDP,
    demos: Any,
    *,
    horizon: int | None = None,
    discount: float,
    shaping: bool = False,
    state_only: bool = False,
    n: int | None = None,
    l2: float = 0.0,
    smoothing: float = 0.0,
    max_iter: int = 200,
    tol: float = 1e-8,
    discriminator_max_iter: int = 100,
    discriminator_tol: float = 1e-10,
    policy_step: float = 1.0,
    policy0: Any = None,
    seed: int | np.random.Generator | None = None,
) -> AIRLResult:
    r"""Adversarial IRL (Fu et al. 2018) in tabular form, with exact or sampled occupancies.

    Each iteration fits the discriminator (module docstring) to convergence
    by Newton's method, warm-started, against the current policy, then replaces the
    policy by the soft-optimal policy (soft value iteration,
    :func:`~tabular_irl.soft_backward` with ``discount``) for the reward
    ``E_{s'} f``. It stops when the policy's exact occupancy changes by at
    most ``tol`` (L1) in one iteration, or after ``max_iter`` iterations.

    Parameters
    ----------
    mdp : MDP
    demos : Trajectories or array_like, shape (S, A)
        Demonstrations (samples, step ``t`` weighted ``gamma^t``), or the
        expert's exact normalised occupancy measure (see
        :func:`occupancy_measure`): the infinite-sample limit. Formerly
        ``expert`` (deprecated).
    horizon : int, optional
        Occupancies of the policy truncated to ``T`` steps (normalised), to
        match finite demonstrations exactly; infinite by default. Also the
        length of policy samples (default: the demonstrations' horizon).
    discount : float
        ``gamma`` in ``[0, 1)``: of the soft value iteration, the
        occupancies and the shaping term.
    shaping : bool, default False
        ``f = g + gamma h(s') - h(s)`` instead of ``f(s, a)``.
    state_only : bool, default False
        ``g(s)`` instead of ``g(s, a)`` (AIRL's disentangled reward; only with ``shaping``).
    n : int, optional
        Train against ``n`` fresh trajectories of the policy per iteration
        instead of its exact occupancy. Formerly ``n_policy_samples``
        (deprecated).
    l2 : float, default 0
        Penalty ``l2 / 2 ||x||^2`` on the discriminator's parameters. Without
        it, a pair the policy shows but the expert never does drives ``f``
        down until the fit's gradient is below ``discriminator_tol`` (finite,
        about -25): "never do this". With it, rarely seen pairs are pulled
        towards ``f = 0``, which for an advantage-like ``f`` means "as good as
        the best action": even ``l2 = 1e-6`` can then make the iteration
        cycle. Prefer 0, and ``smoothing`` with samples.
    smoothing : float, default 0
        ``epsilon``: both classes get pseudo-transitions of the uniform
        occupancy with total weight ``epsilon`` (``epsilon / (S A)`` per pair,
        spread over ``s' ~ P``), so the unshaped optimum becomes
        ``f = log pi + log(rho_E + epsilon u) - log(rho_pi + epsilon u)``:
        bounded where only one class has samples, unchanged (``D = 1/2``)
        where neither has. Fixed points (``rho_pi = rho_E``) are unchanged.
        With policy samples the unsmoothed iteration chases pairs one sample
        set happens to miss; ``epsilon ~ 0.01`` stabilises it.
    max_iter : int, default 200
    tol : float, default 1e-8
    discriminator_max_iter : int, default 100
        Newton iterations per fit.
    discriminator_tol : float, default 1e-10
        Fit until ``max |dJ/dx| <= discriminator_tol`` (each class's weights
        sum to 1, so the gradient is of order 1 at the start).
    policy_step : float in (0, 1], default 1
        ``eta``: the policy is soft-optimal for ``r_k = (1 - eta) r_{k-1} + eta E_{s'} f_k``
        (``r_0 = log policy0``). 1 is AIRL's best response; a smaller step
        damps the two-cycle that best responses can fall into when ``f``
        cannot express the expert's advantage (``state_only`` under
        stochastic dynamics). Fixed points are the same.
    policy0 : array_like, shape (S, A), optional
        Initial policy (uniform).
    seed : int, Generator or None
        For policy samples.

    Returns
    -------
    AIRLResult
        Not converging is reported (``converged=False``, ``message``) and
        warned about with :class:`~tabular_irl.ConvergenceWarning`; with
        ``n`` policy samples that is expected, as every iteration sees new noise.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type, ``seed`` neither an
        integer nor a Generator, ``shaping`` or ``state_only`` not True or
        False; the message names it.
    ValueError
        ``demos``, ``horizon``, ``discount``, ``n``, ``l2``, ``smoothing``,
        ``max_iter``, ``tol``, ``discriminator_max_iter``,
        ``discriminator_tol``, ``policy_step`` or ``policy0`` out of range, of
        the wrong shape or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    occupancy_measure : the exact expert occupancy it accepts.
    airl_discriminator : the discriminator's form.
    adversarial_study : AIRL against exact MaxEnt IRL.

    References
    ----------
    Fu, Luo & Levine (2018), "Learning robust rewards with adversarial inverse reinforcement learning", ICLR.

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward
    >>> world = gridworld(4, slip=0.2)
    >>> expert = soft_backward(world.mdp, 3 * world.reward, discount=0.9)
    >>> rho_E = occupancy_measure(world.mdp, expert.policy, discount=0.9)
    >>> fit = airl(world.mdp, rho_E, discount=0.9)
    >>> fit.converged, bool(np.abs(fit.occupancy - rho_E).sum() < 1e-6)
    (True, True)
    """
    mdp = check_mdp(mdp)
    gamma = check_discount(discount, allow_one=False)
    T = None if horizon is None else check_horizon(horizon)
    shaping, state_only = check_bool(shaping, "shaping"), check_bool(state_only, "state_only")
    if state_only and not shaping:
        raise ValueError("state_only=True needs shaping=True (a state-only f(s) cannot express log pi(a|s)); "
                         "got shaping=False")
    l2 = check_positive_real(l2, "l2", allow_zero=True)
    eps = check_positive_real(smoothing, "smoothing", allow_zero=True)
    max_iter = check_positive_int(max_iter, "max_iter")
    tol = check_positive_real(tol, "tol")
    d_max_iter = check_positive_int(discriminator_max_iter, "discriminator_max_iter")
    d_tol = check_positive_real(discriminator_tol, "discriminator_tol")
    eta = check_real(policy_step, "policy_step", 0.0, 1.0, open_low=True)
    S, A = mdp.n_states, mdp.n_actions

    if isinstance(demos, Trajectories):
        # with horizon=T the policy's occupancy runs T steps: the expert's must be measured over as many
        demos = check_trajectories(demos, "demos", mdp, T)
        expert_tr = _sample_transitions(demos, S, A, gamma, bool(shaping))
        expert_occ = np.bincount(expert_tr.sa, weights=expert_tr.w, minlength=S * A).reshape(S, A)
        default_len = demos.horizon
    else:
        expert_occ = _check_occupancy(demos, "demos", S, A)
        expert_tr = _exact_transitions(mdp, expert_occ, shaping)
        default_len = None
    if n is not None:
        n = check_positive_int(n, "n")
        sample_len = T if T is not None else default_len
        if sample_len is None:
            raise ValueError("n (policy samples) needs a sample length: give horizon=T (demos is an occupancy, "
                             "not trajectories)")
    rng = check_seed(seed)
    init = mdp.initial
    pi = np.full((S, A), 1.0 / A) if policy0 is None else check_policy(policy0, S, A, None)
    if np.any(pi <= 0):
        idx = tuple(int(i) for i in np.argwhere(pi <= 0)[0])
        raise ValueError(f"policy0 must be positive everywhere (the discriminator divides by it), got 0 at (s, a) = {idx}")
    log_pi = np.log(pi)
    occ = _occupancy(mdp, pi, T, gamma, init)
    policy_reward = np.array(log_pi)  # soft-optimal for log pi is pi itself (V = 0)

    if eps > 0:  # pseudo-transitions of the uniform occupancy, weight eps, in both classes
        prior = _exact_transitions(mdp, np.full((S, A), eps / (S * A)), bool(shaping))
        expert_tr = _merge(expert_tr, prior)
    disc = _Discriminator(mdp, gamma, bool(shaping), bool(state_only), l2)
    x = np.zeros(disc.size)
    history: dict[str, list] = {"js_divergence": [_js(expert_occ, occ)], "occupancy_change": [],
                                "discriminator_objective": [], "discriminator_iterations": [],
                                "discriminator_gradient": []}
    converged = False
    k = 0
    for k in range(1, max_iter + 1):
        if n is None:
            policy_tr = _exact_transitions(mdp, occ, shaping)
        else:
            policy_tr = _sample_transitions(
                sample_trajectories(mdp, pi, n, horizon=sample_len, seed=rng), S, A, gamma,
                bool(shaping))
        if eps > 0:
            policy_tr = _merge(policy_tr, prior)
        prev_pi = pi
        x, value, grad, n_newton = disc.fit(x, expert_tr, policy_tr, log_pi, d_max_iter, d_tol)
        history["discriminator_objective"].append(value)
        history["discriminator_iterations"].append(n_newton)
        history["discriminator_gradient"].append(float(np.abs(grad).max()))
        policy_reward = disc.expected_f(x) if eta == 1.0 else (1.0 - eta) * policy_reward + eta * disc.expected_f(x)
        plan = soft_backward(mdp, policy_reward, discount=gamma)
        pi = np.asarray(plan.policy)
        log_pi = plan.Q - plan.V[:, None]
        new_occ = _occupancy(mdp, pi, T, gamma, init)
        change = float(np.abs(new_occ - occ).sum())
        occ = new_occ
        history["occupancy_change"].append(change)
        history["js_divergence"].append(_js(expert_occ, occ))
        if change <= tol:
            converged = True
            break
    if converged:
        message = f"occupancy changed by {change:.3g} <= tol={tol:g} at iteration {k}"
    else:
        message = (f"not converged: occupancy still changed by {change:.3g} > tol={tol:g} after max_iter={max_iter} "
                   "iterations" + (" (expected with policy samples: each iteration sees new noise)"
                                   if n is not None else "; increase max_iter"))
        warn_not_converged(message)
    g, h = disc.split(x)
    out = AIRLResult(
        theta=np.array(x, dtype=np.float64), reward=np.array(g), potential=None if h is None else np.array(h),
        f=disc.expected_f(x), policy=np.array(pi),
        occupancy=occ, expert_occupancy=expert_occ, js_divergence=history["js_divergence"][-1],
        discriminator_policy=np.array(prev_pi), objective=history["discriminator_objective"][-1], n_iter=k,
        converged=converged, message=message, method="airl", discount=gamma, horizon=T,
        sampled=n is not None, history=history)
    readonly(out.theta, out.reward, out.potential, out.f, out.occupancy, out.expert_occupancy)
    return out
