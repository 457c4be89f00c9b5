"""Forward passes: visitation of a policy, and exact posterior marginals of the non-causal model.

Shapes (time first): state visitation ``D[t, s]`` is ``(T+1, S)`` and includes
``s_T``; state-action visitation ``mu[t, s, a]`` is ``(T, S, A)``. Without a
horizon both are discounted occupancies ``d(s) = sum_t gamma^t Pr(s_t = s)``
``(S,)`` and ``d(s, a) = d(s) pi(a|s)`` ``(S, A)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from . import _kernels
from ._blasfree import dot
from ._config import threads_for
from ._features import as_linear_features
from ._validation import (
    check_distribution,
    check_finite_array,
    check_horizon_discount,
    check_policy,
    check_reward,
    check_temperature,
)
from .mdp import MDP, check_mdp
from .planning import SoftPlan, soft_backward

__all__ = ["Visitation", "visitation", "posterior_marginals", "expected_feature_counts"]


@dataclass(frozen=True, eq=False)
class Visitation:
    """Expected visitation of a policy (or of the non-causal posterior).

    Attributes
    ----------
    state : ndarray, shape (T+1, S) or (S,)
        ``state[t, s] = Pr(s_t = s)``; each row sums to 1. Discounted:
        occupancy ``d(s)``, summing to ``1 / (1 - gamma)``.
    state_action : ndarray, shape (T, S, A) or (S, A)
        ``state_action[t, s, a] = Pr(s_t = s, a_t = a)``; discounted: ``d(s, a)``.
    total_state_action : ndarray, shape (S, A)
        Expected discounted counts ``sum_{t<T} gamma^t state_action[t]``
        (the occupancy itself without a horizon). Expected feature counts are
        ``einsum("sa,sak->k", total_state_action, features)``.
    horizon : int or None
    discount : float
    log_partition : float or None
        Set by :func:`posterior_marginals`: ``initial @ V[0]`` of the
        non-causal backward pass.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward, visitation
    >>> world = gridworld(4, slip=0.2)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=5)
    >>> vis = visitation(world.mdp, plan.policy, horizon=5)
    >>> vis.state.shape, vis.state_action.shape, vis.total_state_action.shape
    ((6, 16), (5, 16, 5), (16, 5))
    >>> bool(np.allclose(vis.state_action.sum(axis=2), vis.state[:-1]))  # sum_a mu[t, s, a] = D[t, s]
    True
    >>> round(float(vis.total_state_action.sum()), 10)  # T steps, undiscounted
    5.0

    Without a horizon the occupancy sums to ``1 / (1 - gamma)``:

    >>> plan = soft_backward(world.mdp, world.reward, discount=0.9)
    >>> occupancy = visitation(world.mdp, plan.policy, discount=0.9)
    >>> occupancy.state.shape, round(float(occupancy.state.sum()), 10)
    ((16,), 10.0)
    """

    state: np.ndarray
    state_action: np.ndarray
    total_state_action: np.ndarray
    horizon: int | None
    discount: float
    log_partition: float | None = None


def _discount_weights(T: int, gamma: float) -> np.ndarray:
    return gamma ** np.arange(T, dtype=np.float64)


def _finish(D: np.ndarray, mu: np.ndarray, T: int | None, gamma: float, log_partition=None,
            total: np.ndarray | None = None) -> Visitation:
    """The Visitation of ``D``, ``mu``; ``total`` as a kernel summed it in its forward sweep, or formed here."""
    if total is None:  # no BLAS (see _blasfree)
        total = mu if T is None else np.einsum("t,tsa->sa", _discount_weights(T, gamma), mu)
    for a in (D, mu, total):
        a.flags.writeable = False
    return Visitation(state=D, state_action=mu, total_state_action=total, horizon=T, discount=gamma,
                      log_partition=log_partition)


def _start(mdp: MDP, initial: Any) -> np.ndarray:
    if initial is None:
        return np.ascontiguousarray(mdp.initial)
    return check_distribution(initial, "initial", mdp.n_states)


def visitation(
    mdp: MDP,
    policy: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
) -> Visitation:
    r"""Expected state and state-action visitation of ``policy`` under ``mdp``.

    Finite horizon: :math:`D_0 = \text{initial}`,
    :math:`\mu_t(s, a) = D_t(s)\,\pi_t(a \mid s)`,
    :math:`D_{t+1}(s') = \sum_{s,a} \mu_t(s, a) P(s' \mid s, a)`.
    Discounted (no horizon): the occupancy solving
    :math:`(I - \gamma P_\pi^\top) d = \text{initial}` exactly with a sparse
    LU factorisation, and :math:`d(s, a) = d(s) \pi(a \mid s)`.

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A)
        ``policy[t, s, a] = pi_t(a | s)``; a stationary ``(S, A)`` policy is
        accepted with a horizon too. Rows must sum to 1.
    horizon, discount
        As in :func:`soft_backward`; with both, ``total_state_action`` weights
        step ``t`` by ``gamma^t``.
    initial : array_like, shape (S,), optional
        Start distribution; ``mdp.initial`` by default.

    Returns
    -------
    Visitation

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward, visitation
    >>> world = gridworld(4, 4)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=6)
    >>> vis = visitation(world.mdp, plan.policy, horizon=6)
    >>> bool(abs(vis.state.sum(axis=1) - 1).max() < 1e-12)
    True
    """
    mdp = check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount)
    pi = check_policy(policy, mdp.n_states, mdp.n_actions, T)
    return _rollout(mdp, pi, T, gamma, _start(mdp, initial))


def _rollout(mdp: MDP, pi: np.ndarray, T: int | None, gamma: float, init: np.ndarray) -> Visitation:
    """:func:`visitation` on input already validated (a plan's policy): trusted, unchecked."""
    if T is None:
        d = _discounted_occupancy(mdp, pi, gamma, init)
        return _finish(d, d[:, None] * pi, None, gamma)
    t_indptr, t_indices, t_data = mdp._kernel_parts(transpose=True)
    pi3 = pi[None] if pi.ndim == 2 else pi
    D, mu, total = _kernels.forward_finite(t_indptr, t_indices, t_data, init, pi3, T, threads_for(mdp),
                                           pred=mdp._shared_parts(transpose=True), gamma=gamma)
    return _finish(D, mu, T, gamma, total=total)


def policy_transitions(mdp: MDP, pi: np.ndarray) -> sp.csr_array:
    """``P_pi[s, s'] = sum_a pi(a|s) P(s'|s, a)``, shape ``(S, S)``, for a stationary ``(S, A)`` policy."""
    S, A = mdp.n_states, mdp.n_actions
    # row s*A+a of P weighted by pi(a|s), then the A rows of each state summed
    weights = sp.csr_array((pi.ravel(), (np.repeat(np.arange(S), A), np.arange(S * A))), shape=(S, S * A))
    return sp.csr_array(weights @ mdp.transitions)


def _discounted_occupancy(mdp: MDP, pi: np.ndarray, gamma: float, init: np.ndarray) -> np.ndarray:
    """Solve ``(I - gamma P_pi^T) d = initial`` with ``P_pi[s, s'] = sum_a pi(a|s) P(s'|s, a)``."""
    S = mdp.n_states
    system = (sp.identity(S, format="csc") - gamma * policy_transitions(mdp, pi).T).tocsc()
    d = spla.spsolve(system, init)
    d = np.ascontiguousarray(np.atleast_1d(d), dtype=np.float64)
    # One step of iterative refinement: the system is an M-matrix with
    # condition number ~1/(1-gamma), so this brings the residual to rounding level.
    residual = init - system @ d
    d += np.atleast_1d(spla.spsolve(system, residual))
    np.maximum(d, 0.0, out=d)  # clip -1e-17-style rounding: occupancies are non-negative
    return d


def posterior_marginals(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int,
    temperature: float = 1.0,
    initial: Any = None,
) -> Visitation:
    r"""Exact marginals of the non-causal (trajectory-level MaxEnt) model.

    The model is :math:`p(\tau \mid s_0) \propto \prod_t P(s_{t+1} \mid s_t, a_t)
    \exp(R(\tau) / T_{\text{emp}})` with :math:`s_0 \sim` ``initial`` (the start
    distribution is *not* reweighted by the partition function). Its marginals
    are the gradient of ``log_partition = initial @ V[0]`` with respect to the
    reward (times the temperature), computed by forward-backward (alpha·beta)
    messages: the backward messages are the non-causal
    :func:`soft_backward` values and the forward recursion runs the posterior
    Markov chain in probability space, where no factor exceeds 1/P.

    Rolling the non-causal policy forward under the true ``P`` (what many
    implementations do) gives these marginals only for deterministic dynamics.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
        ``R(s)`` (broadcast over actions) or ``R(s, a)``; ``R(tau) =
        sum_{t<T} R(s_t, a_t)``.
    horizon : int
        ``T >= 1`` (undiscounted).
    temperature : float, default 1.0
        ``T_emp > 0`` in the model above.
    initial : array_like, shape (S,), optional
        Start distribution; ``mdp.initial`` by default.

    Returns
    -------
    Visitation
        With ``log_partition`` set.

    Examples
    --------
    >>> from tabular_irl import gridworld, posterior_marginals
    >>> world = gridworld(4, 4, slip=0.2)
    >>> post = posterior_marginals(world.mdp, world.reward, horizon=5)
    >>> post.state.shape, post.state_action.shape
    ((6, 16), (5, 16, 5))
    """
    mdp = check_mdp(mdp)
    if horizon is None:
        raise ValueError("horizon must be an integer >= 1 (the non-causal model needs a finite horizon), got None")
    T, gamma = check_horizon_discount(horizon, None, causal=False)
    tau = check_temperature(temperature)
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    init = _start(mdp, initial)
    return _posterior(mdp, r, soft_backward(mdp, r, horizon=T, causal=False, temperature=tau), init)


def _posterior(mdp: MDP, reward: np.ndarray, plan: SoftPlan, init: np.ndarray) -> Visitation:
    """:func:`posterior_marginals` from the non-causal ``plan`` of ``reward (S, A)`` and a validated start:
    trusted, unchecked."""
    total, D, mu = _kernels.soft_forward(*mdp._kernel_parts(), *mdp._kernel_parts(transpose=True), reward, init,
                                         plan.V, plan.policy, 1.0, plan.temperature, _kernels.MODE_NONCAUSAL,
                                         True, threads_for(mdp))
    return _finish(D, mu, plan.horizon, 1.0, log_partition=dot(init, plan.V[0]), total=total)


# A causal gradient keeps its (T, S, A) policy up to this size (saves recomputing it in the
# forward pass); beyond it, memory stays O(T S + nnz).
_POLICY_BYTES = 256 * 2**20


def _scratch_array(scratch: dict | None, name: str, shape: tuple[int, ...]) -> np.ndarray | None:
    """``scratch[name]`` if it has ``shape``, else a new array left there; None without ``scratch``."""
    if scratch is None:
        return None
    arr = scratch.get(name)
    if arr is None or arr.shape != shape:
        arr = scratch[name] = np.empty(shape)
    return arr


def soft_counts(mdp: MDP, reward: np.ndarray, horizon: int, discount: float, initial: np.ndarray, *,
                causal: bool = True, temperature: float = 1.0,
                scratch: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(V (T+1, S), total (S, A))``: a soft plan's values and its expected counts, memory-lean.

    The expected (discounted) state-action counts of the causal policy's
    rollout, or of the non-causal posterior marginals, from ``initial``,
    without any ``(T, S, A)`` array beyond ``_POLICY_BYTES``: a causal policy
    that fits is kept and rolled forward; otherwise (and for the non-causal
    model, whose forward pass needs each row's normaliser anyway) the forward
    pass recomputes each step's Q and policy from ``V`` (peak memory
    ``O(T S + nnz)``). Trusted, unchecked: ``reward`` is a validated
    C-contiguous ``(S, A)`` array.

    ``scratch``: a dict kept across the calls of one fit; the ``(T+1, S)`` V
    and ``(T, S, A)`` policy arrays live there and are reused (fresh arrays of
    that size cost page faults on every call). The returned V is then
    overwritten by the next call.
    """
    mode = _kernels.MODE_CAUSAL if causal else _kernels.MODE_NONCAUSAL
    parts, n_threads = mdp._kernel_parts(), threads_for(mdp)
    keep_policy = causal and horizon * mdp.n_states * mdp.n_actions * 8 <= _POLICY_BYTES
    S, A = mdp.n_states, mdp.n_actions
    V, _, policy = _kernels.backward_finite(
        *parts, reward, horizon, discount, temperature, mode, n_threads, keep_q=False, keep_policy=keep_policy,
        succ=mdp._shared_parts(), V_out=_scratch_array(scratch, "V", (horizon + 1, S)),
        policy_out=_scratch_array(scratch, "policy", (horizon, S, A)) if keep_policy else None)
    total, _, _ = _kernels.soft_forward(*parts, *mdp._kernel_parts(transpose=True), reward, initial, V, policy,
                                        discount, temperature, mode, False, n_threads,
                                        succ=mdp._shared_parts(), pred=mdp._shared_parts(transpose=True))
    return V, total


def expected_feature_counts(vis: Visitation, features: Any) -> np.ndarray:
    r"""Expected (discounted) feature counts :math:`\sum_{s,a} \text{total}(s, a)\,\phi(s, a)`.

    With ``total(s, a) = sum_{t<T} gamma^t Pr(s_t = s, a_t = a)``
    (``vis.total_state_action``), this is
    :math:`\mu = \mathbb{E}\big[\sum_{t<T} \gamma^t \phi(s_t, a_t)\big]`
    (the discounted occupancy ``d(s, a)`` in place of ``total`` without a horizon).

    Parameters
    ----------
    vis : Visitation
        From :func:`visitation` or :func:`posterior_marginals`.
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``phi(s)`` (broadcast over actions) or ``phi(s, a)``.

    Returns
    -------
    ndarray, shape (d,)

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import expected_feature_counts, gridworld, soft_backward, visitation
    >>> world = gridworld(4, slip=0.2)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=5)
    >>> vis = visitation(world.mdp, plan.policy, horizon=5)
    >>> mu = expected_feature_counts(vis, world.feature_sets["coordinates"])  # (S, 2)
    >>> mu.shape
    (2,)
    >>> steps = expected_feature_counts(vis, np.ones((16, 1)))  # a constant feature counts the T = 5 steps
    >>> round(float(steps[0]), 10)
    5.0
    >>> counts = expected_feature_counts(vis, np.eye(16))  # one-hot: expected visits of each state
    >>> bool(np.allclose(counts, vis.state[:-1].sum(axis=0)))
    True
    """
    if not isinstance(vis, Visitation):
        raise TypeError(f"vis must be a Visitation, got {type(vis).__name__}")
    total = check_finite_array(vis.total_state_action, "vis.total_state_action", (None, None))
    S, A = total.shape
    return as_linear_features(features, S, A).contract(total)
