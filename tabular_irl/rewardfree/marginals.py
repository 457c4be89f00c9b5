r"""State marginals of policies and of mixtures of policies, their entropy and its exact gradient.

The state marginal (see :mod:`tabular_irl.rewardfree._model`) of a policy is
``(1/T) sum_{t<T} D_t(s)`` over the ``T`` states at which decisions are made
(finite horizon; ``gamma^t``-weighted and normalised with a discount too) or
the normalised discounted occupancy ``(1 - gamma) d(s)``. Mixtures are
episode-level: draw policy ``i`` with probability ``w_i`` once, at the start,
and follow it; their marginal is ``sum_i w_i p_i``, and :func:`mixture_policy`
gives one Markov policy with the same visitation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import softmax

from .. import _passes
from .._validation import check_distribution, check_finite_array, check_policy
from ..inference import visitation
from ._model import Model, normalise_counts, normaliser, resolve_model
from .info import entropy

__all__ = ["state_marginal", "state_entropy", "state_entropy_gradient", "mixture_marginal", "mixture_policy"]


def state_marginal(mdp: Any, policy: Any, *, horizon: int | None = None, discount: float | None = None,
                   initial: Any = None) -> np.ndarray:
    r"""The state marginal :math:`p_\pi(s)` of a policy (or plan).

    .. math::

        p_\pi(s) = \frac{1}{T} \sum_{t=0}^{T-1} \Pr(s_t = s) \ \text{(horizon)}, \qquad
        p_\pi(s) = (1 - \gamma) \sum_{t \ge 0} \gamma^t \Pr(s_t = s) \ \text{(discount)},

    and with both, :math:`\sum_{t<T} \gamma^t \Pr(s_t = s) / \sum_{t<T} \gamma^t`.
    The state ``s_T`` after the last decision is not counted.

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A), or SoftPlan
        ``policy[t, s, a] = pi_t(a | s)``, or a plan of
        :func:`~tabular_irl.soft_backward` / :func:`~tabular_irl.value_iteration`.
    horizon, discount, initial
        As in :func:`~tabular_irl.visitation`.

    Returns
    -------
    ndarray, shape (S,)
        Non-negative, summing to 1.

    Raises
    ------
    ValueError
        If the policy is not a distribution over actions, shapes do not match
        ``mdp``, or neither ``horizon`` nor ``discount`` is given.

    See Also
    --------
    state_entropy, mixture_marginal, tabular_irl.visitation

    References
    ----------
    .. [1] E. Hazan, S. M. Kakade, K. Singh, A. Van Soest. "Provably Efficient
       Maximum Entropy Exploration." ICML 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import state_marginal
    >>> world = gridworld(3, slip=0.0, goals=[], initial=(0, 0))
    >>> uniform = np.full((9, 5), 0.2)
    >>> p = state_marginal(world.mdp, uniform, horizon=2)   # (D_0 + D_1) / 2
    >>> round(float(p.sum()), 12), round(float(p[0]), 12)   # start cell: 1/2 + (1/2)(3/5)
    (1.0, 0.8)
    >>> round(float(state_marginal(world.mdp, uniform, discount=0.9).sum()), 12)
    1.0
    """
    vis = visitation(mdp, policy, horizon=horizon, discount=discount, initial=initial)
    return normalise_counts(vis.total_state_action.sum(axis=1), normaliser(vis.horizon, vis.discount))


def state_entropy(mdp: Any, policy: Any, *, horizon: int | None = None, discount: float | None = None,
                  initial: Any = None, base: float | None = None) -> float:
    r"""The entropy :math:`H(p_\pi)` of a policy's state marginal (nats unless ``base``).

    Parameters
    ----------
    mdp, policy, horizon, discount, initial
        As in :func:`state_marginal`.
    base : float, optional
        Base of the logarithm.

    Returns
    -------
    float
        Between 0 and ``log S``.

    See Also
    --------
    state_marginal, state_entropy_gradient, max_state_entropy

    References
    ----------
    .. [1] E. Hazan, S. M. Kakade, K. Singh, A. Van Soest. "Provably Efficient
       Maximum Entropy Exploration." ICML 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import state_entropy
    >>> world = gridworld(3, slip=0.0, goals=[], initial=(0, 0))
    >>> stay = np.zeros((9, 5)); stay[:, 4] = 1.0           # never leave the start
    >>> state_entropy(world.mdp, stay, horizon=4)
    0.0
    >>> round(state_entropy(world.mdp, np.full((9, 5), 0.2), horizon=4), 4)
    1.2626
    """
    return entropy(state_marginal(mdp, policy, horizon=horizon, discount=discount, initial=initial), base=base)


def _evaluation_gradient(model: Model, policy: np.ndarray, reward: np.ndarray) -> np.ndarray:
    r"""Gradient of :math:`J = \frac{1}{Z} E[\sum_t \gamma^t r(s_t)]` with respect to softmax logits.

    The policy gradient theorem for a tabular softmax policy:
    :math:`\partial J / \partial \theta_t(s, a) = \frac{1}{Z} \gamma^t D_t(s)
    \pi_t(a|s) (Q_t(s, a) - V_t(s))`, with ``Q``, ``V`` from one backward pass of
    policy evaluation (``Q_t = r + gamma P V_{t+1}``, ``V_t = sum_a pi_t Q_t``;
    the linear system ``(I - gamma P_pi) V = r`` when discounted). A stationary
    policy with a horizon sums the time steps.
    """
    mdp, T, gamma = model.mdp, model.horizon, model.discount
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.transitions
    if T is None:
        V = _passes.policy_values(mdp, policy, gamma, reward)
        Q = reward[:, None] + gamma * (P @ V).reshape(S, A)
        d = _passes.occupancy(mdp, policy, gamma, model.initial)
        return d[:, None] * policy * (Q - V[:, None]) / model.normaliser
    D, _, _ = _passes.rollout(mdp, policy, T, gamma, model.initial)
    grad = np.zeros(policy.shape)
    V = np.zeros(S)
    for t in range(T - 1, -1, -1):
        pi = policy if policy.ndim == 2 else policy[t]
        Q = reward[:, None] + gamma * (P @ V).reshape(S, A)
        V = np.einsum("sa,sa->s", pi, Q)
        step = (gamma ** t) * D[t][:, None] * pi * (Q - V[:, None])
        if policy.ndim == 2:
            grad += step
        else:
            grad[t] = step
    return grad / model.normaliser


def entropy_reward(p: np.ndarray) -> np.ndarray:
    r"""The gradient :math:`\partial H / \partial p = -\log p - 1` (``-1`` where ``p = 0``, never visited)."""
    out = np.full(p.shape, -1.0)
    np.subtract(out, np.log(p, where=p > 0, out=np.zeros(p.shape)), out=out, where=p > 0)
    return out


def state_entropy_gradient(mdp: Any, logits: Any, *, horizon: int | None = None, discount: float | None = None,
                           initial: Any = None) -> np.ndarray:
    r"""Exact gradient of :math:`H(p_\pi)` with respect to the logits of a softmax tabular policy.

    With :math:`\pi_t(a|s) = \exp\theta_t(s, a) / \sum_b \exp\theta_t(s, b)`, the
    chain rule through the (linear) visitation gives the policy gradient of the
    state reward :math:`r(s) = \partial H / \partial p(s) = -\log p_\pi(s) - 1`
    held fixed:

    .. math::

        \frac{\partial H(p_\pi)}{\partial \theta_t(s, a)}
        = \frac{\gamma^t}{Z} D_t(s)\, \pi_t(a \mid s)\, \big(Q^r_t(s, a) - V^r_t(s)\big),

    with :math:`Q^r, V^r` the action and state values of :math:`\pi` for
    ``r`` (one backward pass of policy evaluation) and ``Z`` the marginal's
    normaliser. States never visited have :math:`p_\pi(s) = 0` and contribute
    nothing (their :math:`p` stays 0 under any change of the logits).

    Parameters
    ----------
    mdp : MDP
    logits : array_like, shape (S, A) or (T, S, A)
        Stationary or time-indexed (then ``horizon`` must be ``T``) logits.
    horizon, discount, initial
        As in :func:`state_marginal`.

    Returns
    -------
    ndarray, shape of ``logits``

    Raises
    ------
    ValueError
        If ``logits`` has a non-finite entry or a shape other than ``(S, A)``
        or ``(T, S, A)``.

    See Also
    --------
    state_entropy, maxent_exploration

    References
    ----------
    .. [1] E. Hazan, S. M. Kakade, K. Singh, A. Van Soest. "Provably Efficient
       Maximum Entropy Exploration." ICML 2019.
    .. [2] R. S. Sutton, D. McAllester, S. Singh, Y. Mansour. "Policy Gradient
       Methods for Reinforcement Learning with Function Approximation." NIPS 1999.

    Examples
    --------
    Against a central difference:

    >>> import numpy as np
    >>> from scipy.special import softmax
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import state_entropy, state_entropy_gradient
    >>> world = gridworld(3, slip=0.1)
    >>> logits = np.random.default_rng(0).normal(size=(4, 9, 5))
    >>> grad = state_entropy_gradient(world.mdp, logits, horizon=4)
    >>> h = np.zeros_like(logits); h[1, 0, 2] = 1e-6
    >>> H = lambda x: state_entropy(world.mdp, softmax(x, axis=-1), horizon=4)
    >>> bool(abs((H(logits + h) - H(logits - h)) / 2e-6 - grad[1, 0, 2]) < 1e-8)
    True
    """
    model = resolve_model(mdp, horizon, discount, initial)
    S, A = model.mdp.n_states, model.mdp.n_actions
    arr = check_finite_array(logits, "logits")
    if arr.shape != (S, A) and not (model.horizon is not None and arr.shape == (model.horizon, S, A)):
        want = f"(S, A) = ({S}, {A})" + ("" if model.horizon is None else
                                          f" or (T, S, A) = ({model.horizon}, {S}, {A})")
        raise ValueError(f"logits must have shape {want}, got shape {arr.shape}")
    policy = np.ascontiguousarray(softmax(arr, axis=-1))
    p = model.marginal(policy)
    return _evaluation_gradient(model, policy, entropy_reward(p))


def _policies(model: Model, policies: Any, weights: Any) -> tuple[list[np.ndarray], np.ndarray]:
    """Validated ``(policies, weights)``: each policy ``(S, A)`` or ``(T, S, A)``, weights a distribution."""
    S, A = model.mdp.n_states, model.mdp.n_actions
    if isinstance(policies, np.ndarray) and policies.ndim in (3, 4):
        policies = list(policies)
    if not isinstance(policies, (list, tuple)) or not policies:
        raise TypeError(f"policies must be a non-empty sequence of policies (or an array stacking them), "
                        f"got {type(policies).__name__}")
    checked = [check_policy(pi, S, A, model.horizon) for pi in policies]
    w = check_distribution(weights, "weights", len(checked))
    return checked, w


def mixture_marginal(mdp: Any, policies: Any, weights: Any, *, horizon: int | None = None,
                     discount: float | None = None, initial: Any = None) -> np.ndarray:
    r"""State marginal :math:`\sum_i w_i p_{\pi_i}` of a mixture of policies.

    The mixture draws policy ``i`` with probability ``w_i`` at the start of
    an episode and follows it throughout (Hazan et al.'s mixed policy).

    Parameters
    ----------
    mdp : MDP
    policies : sequence of array_like, each (S, A) or (T, S, A)
        The components (an array stacking them on its first axis works too).
    weights : array_like, shape (K,)
        Mixture weights, a distribution.
    horizon, discount, initial
        As in :func:`state_marginal`.

    Returns
    -------
    ndarray, shape (S,)

    Raises
    ------
    ValueError
        If a policy or ``weights`` is not a distribution, or their numbers differ.

    See Also
    --------
    mixture_policy : one Markov policy with the same visitation.

    References
    ----------
    .. [1] E. Hazan, S. M. Kakade, K. Singh, A. Van Soest. "Provably Efficient
       Maximum Entropy Exploration." ICML 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import mixture_marginal, state_marginal
    >>> world = gridworld(3, slip=0.0, goals=[], initial=(1, 1))
    >>> up, down = np.eye(5)[np.full(9, 0)], np.eye(5)[np.full(9, 2)]
    >>> p = mixture_marginal(world.mdp, [up, down], [0.5, 0.5], horizon=2)
    >>> p.reshape(3, 3).round(3).tolist()
    [[0.0, 0.25, 0.0], [0.0, 0.5, 0.0], [0.0, 0.25, 0.0]]
    """
    model = resolve_model(mdp, horizon, discount, initial)
    checked, w = _policies(model, policies, weights)
    return sum(wi * model.marginal(pi) for wi, pi in zip(w, checked) if wi > 0)


def mixture_policy(mdp: Any, policies: Any, weights: Any, *, horizon: int | None = None,
                   discount: float | None = None, initial: Any = None) -> np.ndarray:
    r"""One Markov policy whose state-action visitation is the mixture's.

    The mixture visits ``(s, a)`` at ``t`` with probability
    :math:`\sum_i w_i D^i_t(s) \pi^i_t(a \mid s)`; dividing by
    :math:`\sum_i w_i D^i_t(s)` gives a Markov policy with the same
    visitation at every step, hence the same state marginal (Puterman 1994,
    Theorem 5.5.1; discounted occupancies without a horizon). States no
    component reaches take :math:`\sum_i w_i \pi^i_t(\cdot \mid s)`.

    Parameters
    ----------
    mdp, policies, weights, horizon, discount, initial
        As in :func:`mixture_marginal`; the result depends on ``initial``.

    Returns
    -------
    ndarray, shape (T, S, A) with a horizon, else (S, A)

    See Also
    --------
    mixture_marginal : the marginal it reproduces.

    References
    ----------
    .. [1] M. L. Puterman. "Markov Decision Processes." Wiley 1994, section 5.5.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import mixture_marginal, mixture_policy, state_marginal
    >>> world = gridworld(3, slip=0.2, goals=[])
    >>> up, down = np.eye(5)[np.full(9, 0)], np.eye(5)[np.full(9, 2)]
    >>> pi = mixture_policy(world.mdp, [up, down], [0.3, 0.7], horizon=3)
    >>> pi.shape
    (3, 9, 5)
    >>> mix = mixture_marginal(world.mdp, [up, down], [0.3, 0.7], horizon=3)
    >>> bool(np.allclose(state_marginal(world.mdp, pi, horizon=3), mix, atol=1e-14))
    True
    """
    model = resolve_model(mdp, horizon, discount, initial)
    checked, w = _policies(model, policies, weights)
    return markov_mixture(model, checked, w)


def markov_mixture(model: Model, policies: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """:func:`mixture_policy` of validated components: trusted."""
    policy = _passes.markov_mixture(model.mdp, policies, weights, model.horizon, model.discount, model.initial)
    return policy / policy.sum(axis=-1, keepdims=True)  # rows to 1 within rounding, for check_policy
