"""Forward passes: visitation of a policy, and exact posterior marginals of the non-causal model.

Shapes (time first): state visitation ``D[t, s]`` is ``(T+1, S)`` and includes
``s_T``; state-action visitation ``mu[t, s, a]`` is ``(T, S, A)``. Without a
horizon both are discounted occupancies ``d(s) = sum_t gamma^t Pr(s_t = s)``
``(S,)`` and ``d(s, a) = d(s) pi(a|s)`` ``(S, A)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _passes
from ._blasfree import dot
from ._features import as_linear_features
from ._lazy import LazyArrays
from ._logspace import discount_weights
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


@dataclass(frozen=True, eq=False, init=False)
class Visitation:
    """Expected visitation of a policy (or of the non-causal posterior).

    Attributes
    ----------
    state : ndarray, shape (T+1, S) or (S,)
        ``state[t, s] = Pr(s_t = s)``; each row sums to 1. Discounted:
        occupancy ``d(s)``, summing to ``1 / (1 - gamma)``.
    state_action : ndarray, shape (T, S, A) or (S, A)
        ``state_action[t, s, a] = Pr(s_t = s, a_t = a)``; discounted: ``d(s, a)``.
        When the visitation was rolled forward from a plan
        (``visitation(mdp, plan)``) it is formed on first access,
        ``state[t, s] * policy[t, s, a]`` with the plan's policy formed again
        from its values, and cached: the same bits as the eager pass.
    total_state_action : ndarray, shape (S, A)
        Expected discounted counts ``sum_{t<T} gamma^t state_action[t]``
        (the occupancy itself without a horizon): not normalised, it sums to
        ``sum_{t<T} gamma^t`` (``T`` undiscounted, ``1 / (1 - gamma)`` without
        a horizon); :func:`tabular_irl.approx.occupancy_measure` is the
        normalised one, summing to 1. Expected feature counts are
        ``einsum("sa,sak->k", total_state_action, features)``.
    horizon : int or None
    discount : float
    log_partition : float or None
        Set by :func:`posterior_marginals`: ``initial @ V[0]`` of the
        non-causal backward pass.

    See Also
    --------
    visitation : the visitation of a policy or plan.
    posterior_marginals : the non-causal posterior.
    tabular_irl.trajectories.empirical_visitation : the empirical one.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward, visitation
    >>> world = gridworld(4, slip=0.2)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=5)
    >>> vis = visitation(world.mdp, plan)
    >>> vis.state.shape, vis.state_action.shape, vis.total_state_action.shape
    ((6, 16), (5, 16, 5), (16, 5))
    >>> bool(np.allclose(vis.state_action.sum(axis=2), vis.state[:-1]))  # sum_a mu[t, s, a] = D[t, s]
    True
    >>> round(float(vis.total_state_action.sum()), 10)  # T steps, undiscounted
    5.0

    Without a horizon the occupancy sums to ``1 / (1 - gamma)``:

    >>> plan = soft_backward(world.mdp, world.reward, discount=0.9)
    >>> occupancy = visitation(world.mdp, plan)
    >>> occupancy.state.shape, round(float(occupancy.state.sum()), 10)
    ((16,), 10.0)
    """

    state: np.ndarray
    total_state_action: np.ndarray
    horizon: int | None
    discount: float
    log_partition: float | None = None
    _lazy: LazyArrays | None = field(default=None, repr=False, compare=False)

    def __init__(self, state: np.ndarray, state_action: np.ndarray | None = None,
                 total_state_action: np.ndarray | None = None, horizon: int | None = None, discount: float = 1.0,
                 log_partition: float | None = None, *, form_state_action=None,
                 _lazy: LazyArrays | None = None) -> None:
        """``state_action`` may be None when ``form_state_action("state_action")`` forms it (on first access)."""
        for name, value in dict(state=state, total_state_action=total_state_action, horizon=horizon,
                                discount=discount, log_partition=log_partition).items():
            object.__setattr__(self, name, value)
        if _lazy is None:
            _lazy = LazyArrays({"state": state, "state_action": state_action, "total_state_action": total_state_action},
                               form_state_action)
        object.__setattr__(self, "_lazy", _lazy)

    @property
    def state_action(self) -> np.ndarray:
        return self._lazy.get("state_action")


def visitation_of_counts(D: np.ndarray, mu: np.ndarray, T: int | None, gamma: float) -> Visitation:
    """The :class:`Visitation` of given ``D`` and ``mu`` (empirical visits, say), its totals summed here."""
    # no BLAS (see _blasfree)
    total = mu if T is None else np.einsum("t,tsa->sa", discount_weights(T, gamma), mu)
    return Visitation(D, mu, total, T, gamma)


def _start(mdp: MDP, initial: Any) -> np.ndarray:
    if initial is None:
        return np.ascontiguousarray(mdp.initial)
    return check_distribution(initial, "initial", mdp.n_states)


def visitation(
    mdp: MDP,
    plan_or_policy: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
) -> Visitation:
    r"""Expected state and state-action visitation of a plan or a policy under ``mdp``.

    Finite horizon: :math:`D_0 = \text{initial}`,
    :math:`\mu_t(s, a) = D_t(s)\,\pi_t(a \mid s)`,
    :math:`D_{t+1}(s') = \sum_{s,a} \mu_t(s, a) P(s' \mid s, a)`.
    Discounted (no horizon): the occupancy solving
    :math:`(I - \gamma P_\pi^\top) d = \text{initial}` exactly with a sparse
    LU factorisation, and :math:`d(s, a) = d(s) \pi(a \mid s)`.

    Given a finite-horizon :class:`~tabular_irl.SoftPlan` (the fast path),
    each step's policy is formed again from the plan's values inside the
    forward sweep: no ``(T, S, A)`` array exists unless ``state_action`` is
    read (memory ``O(T S + nnz)``), and every number is the same, bit for bit,
    as ``visitation(mdp, plan.policy, horizon=plan.horizon)``. For a
    non-causal plan this is the rollout of its policy under ``P`` (exact for
    deterministic dynamics only; :func:`posterior_marginals` is the model's own
    visitation).

    Parameters
    ----------
    mdp : MDP
    plan_or_policy : SoftPlan or array_like, shape (S, A) or (T, S, A)
        A plan of :func:`~tabular_irl.soft_backward` or
        :func:`~tabular_irl.value_iteration` for ``mdp``, or a policy
        ``policy[t, s, a] = pi_t(a | s)``; a stationary ``(S, A)`` policy (or
        a discounted plan) is accepted with a horizon too. Rows must sum to 1.
    horizon, discount
        As in :func:`soft_backward`; with both, ``total_state_action`` weights
        step ``t`` by ``gamma^t``. With a plan both default to the plan's own.
    initial : array_like, shape (S,), optional
        Start distribution; ``mdp.initial`` by default.

    Returns
    -------
    Visitation

    Raises
    ------
    ValueError
        If the policy is not a distribution over actions, the shapes do not
        match ``mdp``, or a plan's horizon or discount differs from the ones
        given.
    MemoryError
        If an output cannot fit in the memory available (the message says
        how many bytes it needs).

    See Also
    --------
    soft_backward : the plan rolled forward here.
    posterior_marginals : the non-causal model's exact marginals.

    References
    ----------
    .. [1] B. D. Ziebart, A. Maas, J. A. Bagnell, A. K. Dey. "Maximum Entropy
       Inverse Reinforcement Learning." AAAI 2008 (Algorithm 1, the forward pass).

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward, visitation
    >>> world = gridworld(4, 4)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=6)
    >>> vis = visitation(world.mdp, plan)
    >>> bool(abs(vis.state.sum(axis=1) - 1).max() < 1e-12)
    True
    >>> bool((visitation(world.mdp, plan.policy, horizon=6).state == vis.state).all())
    True
    """
    mdp = check_mdp(mdp)
    if isinstance(plan_or_policy, SoftPlan):
        T, gamma, policy = _plan_model(mdp, plan_or_policy, horizon, discount)
        if policy is None:
            return _plan_visitation(mdp, plan_or_policy, _start(mdp, initial))
    else:
        T, gamma = check_horizon_discount(horizon, discount)
        policy = check_policy(plan_or_policy, mdp.n_states, mdp.n_actions, T)
    return policy_visitation(mdp, policy, T, gamma, _start(mdp, initial))


def _plan_model(mdp: MDP, plan: SoftPlan, horizon: Any, discount: Any) -> tuple[int | None, float, np.ndarray | None]:
    """``(T, gamma, policy)`` of a plan given to :func:`visitation`; ``policy`` None for the lean path."""
    n_states = plan.V.shape[-1]
    if n_states != mdp.n_states:
        raise ValueError(f"plan_or_policy is a plan for {n_states} states, but mdp has {mdp.n_states}")
    if plan.stationary:
        if horizon is None and discount is None:
            return None, plan.discount, plan.policy
        T, gamma = check_horizon_discount(horizon, discount)
        return T, gamma, plan.policy
    if horizon is not None and check_horizon_discount(horizon, None)[0] != plan.horizon:
        raise ValueError(f"horizon={horizon!r} differs from the plan's horizon {plan.horizon}; "
                         "leave it out (the plan's own is used) or plan again")
    gamma = plan.discount
    if discount is not None:
        gamma = check_horizon_discount(plan.horizon, discount)[1]
        if gamma != plan.discount:
            raise ValueError(f"discount={discount!r} differs from the plan's discount {plan.discount}; "
                             "leave it out (the plan's own is used) or plan again")
    source = plan._source
    if source is None or source[0] is not mdp:  # planned on another MDP object: roll its policy under this one
        return plan.horizon, gamma, plan.policy
    return plan.horizon, gamma, None


def _plan_visitation(mdp: MDP, plan: SoftPlan, init: np.ndarray) -> Visitation:
    """The rollout of a finite plan from its values (no (T, S, A) array unless state_action is read)."""
    reward = plan._source[1]
    total, D, _ = _passes.plan_rollout(mdp, reward, plan.V, plan.discount, plan._tau, plan.mode, init,
                                       policy=plan._lazy.formed("policy"))
    return Visitation(D, None, total, plan.horizon, plan.discount, form_state_action=_PlanStateAction(mdp, plan, D))


class _PlanStateAction:
    """Forms a plan's state-action visitation ``D_t(s) pi_t(a|s)`` on first access (a class: visitations pickle).

    The plan's policy if it holds one, else formed for this array alone (not
    cached in the plan).
    """

    def __init__(self, mdp: MDP, plan: SoftPlan, D: np.ndarray):
        self.mdp, self.plan, self.D = mdp, plan, D

    def __call__(self, name: str = "state_action") -> np.ndarray:
        plan = self.plan
        return _passes.plan_state_action(self.mdp, plan._source[1], plan.V, plan.discount, plan._tau, plan.mode,
                                         self.D, policy=plan._lazy.formed("policy"))


def policy_visitation(mdp: MDP, policy: np.ndarray, T: int | None, gamma: float, init: np.ndarray) -> Visitation:
    """:func:`visitation` of a policy already validated (a plan's, a method's own): trusted, unchecked."""
    if T is None:
        d = _passes.occupancy(mdp, policy, gamma, init)
        mu = d[:, None] * policy
        return Visitation(d, mu, mu, None, gamma)
    D, mu, total = _passes.rollout(mdp, policy, T, gamma, init)
    return Visitation(D, mu, total, T, gamma)


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

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``reward``, ``horizon``, ``temperature`` or ``initial`` out of range, of
        the wrong shape or not finite.

    See Also
    --------
    visitation : the causal (forward) visitation.
    soft_backward : the backward pass it starts from.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

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
    return noncausal_marginals(mdp, soft_backward(mdp, r, horizon=T, causal=False, temperature=tau), init)


def noncausal_marginals(mdp: MDP, plan: SoftPlan, init: np.ndarray) -> Visitation:
    """:func:`posterior_marginals` of a non-causal finite ``plan`` of ``mdp`` and a validated start: trusted."""
    reward = plan._source[1]
    total, D, mu = _passes.plan_rollout(mdp, reward, plan.V, 1.0, plan.temperature, _passes.MODE_NONCAUSAL, init,
                                        policy=plan._lazy.formed("policy"), posterior=True, store_state_action=True)
    return Visitation(D, mu, total, plan.horizon, 1.0, log_partition=dot(init, plan.V[0]))


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

    Raises
    ------
    TypeError
        An argument of the wrong type; the message names it.
    ValueError
        ``vis`` or ``features`` out of range, of the wrong shape or not finite.

    See Also
    --------
    visitation : the visitation it contracts.
    empirical_feature_counts : the empirical counterpart.

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
