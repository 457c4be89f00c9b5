"""Evaluation metrics for learned rewards and policies.

Two families:

* **Policy metrics** compare an expert policy with a learned one on an MDP,
  exactly, through the forward pass of :func:`~tabular_irl.visitation`:
  :func:`policy_value`, :func:`expected_value_difference` (Levine et al. 2011),
  :func:`policy_divergence` and :func:`feature_expectation_distance`.
  Policies are ``(S, A)`` stationary or ``(T, S, A)`` time-indexed (with a
  horizon); ``horizon`` / ``discount`` / ``initial`` mean what they mean for
  :func:`~tabular_irl.visitation`.
* **Reward metrics** compare two reward arrays directly, ignoring the
  transformations that do not change preferences between outcomes (constant
  shifts, positive scaling): :func:`reward_correlation`, :func:`reward_distance`.

Nothing here returns NaN: undefined quantities raise ``ValueError`` and the
only non-finite value is ``kl = inf`` when the learned policy excludes an
action the expert takes.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._features import as_linear_features
from ._logspace import discount_weights
from ._validation import (
    check_bool,
    check_finite_array,
    check_policy,
    check_reward,
    resolve_model,
)
from . import _passes
from .inference import _start, policy_visitation
from .mdp import MDP, check_mdp

__all__ = [
    "PolicyDivergence",
    "policy_value",
    "expected_value_difference",
    "policy_divergence",
    "feature_expectation_distance",
    "reward_correlation",
    "reward_distance",
]

# A reward whose range is at most this fraction of its largest magnitude is
# treated as constant: its centred values are rounding noise (e.g. features @
# theta with theta along a constant feature), and a correlation computed from
# them would be meaningless rather than undefined.
CONSTANT_RTOL = 1e-12


@dataclass(frozen=True)
class PolicyDivergence:
    """Visitation-weighted divergence of a learned policy from an expert's.

    Attributes
    ----------
    kl : float
        ``E_w[KL(expert(.|s) || learned(.|s))]`` in nats, ``>= 0``; ``inf`` when
        the learned policy gives probability 0 to an action the expert takes in
        a state the expert reaches.
    total_variation : float
        ``E_w[0.5 * sum_a |expert(a|s) - learned(a|s)|]``, in ``[0, 1]``.

    The weights ``w`` are the expert's visitation; see :func:`policy_divergence`,
    which returns this.

    See Also
    --------
    policy_divergence : returns it.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> one_state = MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])
    >>> div = policy_divergence(one_state, [[1.0, 0.0]], [[0.5, 0.5]], discount=0.9)
    >>> round(div.kl, 9), div.total_variation       # KL = log 2
    (0.693147181, 0.5)
    """

    kl: float
    total_variation: float


# -- validation helpers ----------------------------------------------------------


def _setup(mdp: Any, horizon: Any, discount: Any) -> tuple[MDP, int | None, float]:
    mdp = check_mdp(mdp)
    model = resolve_model(horizon, discount)
    return mdp, model.horizon, model.discount


def _visits(mdp: MDP, pi: np.ndarray, T: int | None, gamma: float, initial: Any):
    """Visitation of a policy already validated here (no second validation pass)."""
    return policy_visitation(mdp, pi, T, gamma, _start(mdp, initial))


def _value(mdp: MDP, pi: np.ndarray, r: np.ndarray, T: int | None, gamma: float, initial: Any) -> float:
    return float(np.sum(_visits(mdp, pi, T, gamma, initial).total_state_action * r))


# -- policy metrics ----------------------------------------------------------------


def policy_value(
    mdp: MDP,
    policy: Any,
    reward: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
) -> float:
    r"""Exact expected return of ``policy`` under ``reward``.

    .. math::

        J(\pi) = \sum_{t} \gamma^t\, \mathbb{E}_\pi[r(s_t, a_t)]
               = \sum_{s,a} \mu(s, a)\, r(s, a)

    with :math:`\mu` = ``visitation(...).total_state_action`` (the sum runs over
    ``t < T`` with a horizon, over all ``t`` when discounted; ``gamma = 1``
    without a discount).

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A)
        ``policy[t, s, a] = pi_t(a | s)``.
    reward : array_like, shape (S,) or (S, A)
        ``r(s)`` (broadcast over actions) or ``r(s, a)``.
    horizon : int, optional
        Number of decisions ``T >= 1``.
    discount : float, optional
        ``gamma`` in ``[0, 1)`` without a horizon, ``[0, 1]`` with one.
    initial : array_like, shape (S,), optional
        Start distribution; ``mdp.initial`` by default.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``policy``, ``reward``, ``horizon``, ``discount`` or ``initial`` out of
        range, of the wrong shape or not finite.

    See Also
    --------
    expected_value_difference : values of two policies compared.
    tabular_irl.visitation : the visitation it weights the reward by.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> stay_or_switch = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], dtype=float)
    >>> mdp = MDP.from_dense(stay_or_switch, initial=[1.0, 0.0])
    >>> policy_value(mdp, np.full((2, 2), 0.5), reward=[0.0, 1.0], horizon=2)
    0.5
    """
    mdp, T, gamma = _setup(mdp, horizon, discount)
    pi = check_policy(policy, mdp.n_states, mdp.n_actions, T, name="policy")
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    return _value(mdp, pi, r, T, gamma, initial)


def expected_value_difference(
    mdp: MDP,
    true_reward: Any,
    expert_policy: Any,
    learned_policy: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
    relative: bool = False,
) -> float:
    r"""Expected value difference (EVD, Levine et al. 2011) under the true reward.

    .. math::

        \mathrm{EVD} = J_{r}(\pi_E) - J_{r}(\pi_L)

    where :math:`J_r` is :func:`policy_value` under ``true_reward``; typically
    :math:`\pi_L` is the policy that is optimal (or soft-optimal) for the
    learned reward. With ``relative=True`` the result is divided by
    :math:`|J_r(\pi_E)|`.

    EVD is ``>= 0`` whenever the expert policy is optimal for ``true_reward``
    (from ``initial``): no policy does better. For a soft, non-optimal expert
    (for example a maximum-entropy policy) it can be negative, when the
    learned policy is closer to optimal than the expert.

    Parameters
    ----------
    mdp : MDP
    true_reward : array_like, shape (S,) or (S, A)
    expert_policy, learned_policy : array_like, shape (S, A) or (T, S, A)
    horizon, discount, initial
        As in :func:`policy_value`.
    relative : bool, default False
        Divide by ``|J(expert)|``; a ``ValueError`` when that value is 0.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``relative`` not True or False; the message names
        it.
    ValueError
        ``true_reward``, ``expert_policy``, ``learned_policy``, ``horizon``,
        ``discount`` or ``initial`` out of range, of the wrong shape or not
        finite.

    See Also
    --------
    policy_value : the values it compares.
    policy_divergence : how far the policies are.

    References
    ----------
    Levine, Popovic & Koltun (2011), "Nonlinear inverse reinforcement learning with Gaussian processes", NeurIPS.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> stay_or_switch = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], dtype=float)
    >>> mdp = MDP.from_dense(stay_or_switch, initial=[1.0, 0.0])
    >>> best = np.array([[0.0, 1.0], [1.0, 0.0]])  # switch to state 1, then stay
    >>> expected_value_difference(mdp, [0.0, 1.0], best, np.full((2, 2), 0.5), horizon=2)
    0.5
    """
    relative = check_bool(relative, "relative")
    mdp, T, gamma = _setup(mdp, horizon, discount)
    pi_e = check_policy(expert_policy, mdp.n_states, mdp.n_actions, T, name="expert_policy")
    pi_l = check_policy(learned_policy, mdp.n_states, mdp.n_actions, T, name="learned_policy")
    r = check_reward(true_reward, mdp.n_states, mdp.n_actions, name="true_reward")
    v_expert = _value(mdp, pi_e, r, T, gamma, initial)
    v_learned = _value(mdp, pi_l, r, T, gamma, initial)
    diff = v_expert - v_learned
    if not relative:
        return float(diff)
    if v_expert == 0.0:
        raise ValueError("relative=True divides by |value of expert_policy| under true_reward, "
                         "which is 0; use relative=False")
    return float(diff / abs(v_expert))


def policy_divergence(
    mdp: MDP,
    expert_policy: Any,
    learned_policy: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
) -> PolicyDivergence:
    r"""KL divergence and total variation from the expert's policy, on the expert's states.

    Per state (and time step) :math:`s`, with :math:`p = \pi_E(\cdot \mid s)`
    and :math:`q = \pi_L(\cdot \mid s)`:

    .. math::

        \mathrm{KL}_s = \sum_a p_a \log \frac{p_a}{q_a}, \qquad
        \mathrm{TV}_s = \tfrac12 \sum_a |p_a - q_a|,

    with :math:`0 \log(0/q) = 0` and :math:`p \log(p/0) = +\infty` for
    :math:`p > 0`. Both are averaged with weights :math:`w` that sum to 1:

    * finite horizon: :math:`w_t(s) = \gamma^t D_t(s) / \sum_{t<T} \gamma^t`
      for :math:`t < T`, with :math:`D_t` the expert's state distribution;
      undiscounted this is :math:`D_t(s) / T`, the average over steps;
    * discounted: :math:`w(s) = (1 - \gamma)\, d(s)`, with :math:`d` the
      expert's occupancy.

    States the expert never reaches (weight 0) do not count, whatever the
    learned policy does there.

    Parameters
    ----------
    mdp : MDP
    expert_policy, learned_policy : array_like, shape (S, A) or (T, S, A)
    horizon, discount, initial
        As in :func:`policy_value`.

    Returns
    -------
    PolicyDivergence
        ``kl`` (``+inf`` when the learned policy excludes an action the
        expert takes in a reached state; never NaN) and ``total_variation``.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``expert_policy``, ``learned_policy``, ``horizon``, ``discount`` or
        ``initial`` out of range, of the wrong shape or not finite.

    See Also
    --------
    expected_value_difference : the difference in value.
    PolicyDivergence : the result.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> one_state = MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])
    >>> div = policy_divergence(one_state, [[0.5, 0.5]], [[0.9, 0.1]], horizon=3)
    >>> round(div.total_variation, 12)
    0.4
    """
    mdp, T, gamma = _setup(mdp, horizon, discount)
    pi_e = check_policy(expert_policy, mdp.n_states, mdp.n_actions, T, name="expert_policy")
    pi_l = check_policy(learned_policy, mdp.n_states, mdp.n_actions, T, name="learned_policy")
    vis = _visits(mdp, pi_e, T, gamma, initial)
    S, A = mdp.n_states, mdp.n_actions
    if T is None:
        weights = (1.0 - gamma) * vis.state  # (S,)
    else:
        steps = discount_weights(T, gamma)
        weights = (steps / steps.sum())[:, None] * vis.state[:T]  # (T, S)
        pi_e = np.broadcast_to(pi_e, (T, S, A))
        pi_l = np.broadcast_to(pi_l, (T, S, A))
    reached = weights > 0.0
    p, q, w = pi_e[reached], pi_l[reached], weights[reached]  # (n, A), (n, A), (n,)

    tv = 0.5 * np.abs(p - q).sum(axis=-1)
    total_variation = float(min(1.0, max(0.0, w @ tv)))

    support = p > 0.0
    if np.any(support & (q == 0.0)):
        kl = float("inf")
    else:
        # only terms with p > 0 (0 log 0 = 0), where q > 0 too: all finite
        terms = np.zeros_like(p)
        terms[support] = p[support] * (np.log(p[support]) - np.log(q[support]))
        kl_per_state = np.maximum(terms.sum(axis=-1), 0.0)  # >= 0 exactly; clip rounding
        kl = float(w @ kl_per_state)
    return PolicyDivergence(kl=kl, total_variation=total_variation)


def _check_ord(ord: Any) -> float:
    if isinstance(ord, (bool, np.bool_)) or not isinstance(ord, numbers.Real):
        raise TypeError(f"ord must be a real number >= 1 or inf, got {type(ord).__name__} {ord!r}")
    value = float(ord)
    if not value >= 1.0:  # also rejects NaN
        raise ValueError(f"ord must be >= 1 (a norm) or inf, got {ord!r}")
    return value


def feature_expectation_distance(
    mdp: MDP,
    features: Any,
    expert_policy: Any,
    learned_policy: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
    ord: float = 2,
) -> float:
    r"""Distance between the exact feature expectations of two policies.

    .. math::

        \Big\| \sum_{s,a} \big(\mu_E(s, a) - \mu_L(s, a)\big)\, \phi(s, a) \Big\|_{\text{ord}}

    with :math:`\mu` = ``visitation(...).total_state_action`` of each policy
    (expected discounted counts), i.e. the difference of
    :func:`~tabular_irl.expected_feature_counts`. This is the quantity
    apprenticeship learning (Abbeel & Ng 2004) drives to 0; with linear
    rewards ``r = phi @ theta`` it bounds the value difference by
    ``||theta||_dual * distance``.

    Parameters
    ----------
    mdp : MDP
    features : array_like, shape (S, d) or (S, A, d)
        ``phi(s)`` (broadcast over actions) or ``phi(s, a)``.
    expert_policy, learned_policy : array_like, shape (S, A) or (T, S, A)
    horizon, discount, initial
        As in :func:`policy_value`.
    ord : float, default 2
        Vector norm order, ``>= 1`` or ``numpy.inf``.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``features``, ``expert_policy``, ``learned_policy``, ``horizon``,
        ``discount``, ``initial`` or ``ord`` out of range, of the wrong shape or
        not finite.

    See Also
    --------
    tabular_irl.expected_feature_counts : the feature expectations compared.

    References
    ----------
    Abbeel & Ng (2004), "Apprenticeship learning via inverse reinforcement learning", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> stay_or_switch = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], dtype=float)
    >>> mdp = MDP.from_dense(stay_or_switch, initial=[1.0, 0.0])
    >>> stay, switch = np.array([[1.0, 0.0]] * 2), np.array([[0.0, 1.0]] * 2)
    >>> feature_expectation_distance(mdp, np.eye(2), stay, switch, horizon=2, ord=1)
    2.0
    """
    mdp, T, gamma = _setup(mdp, horizon, discount)
    pi_e = check_policy(expert_policy, mdp.n_states, mdp.n_actions, T, name="expert_policy")
    pi_l = check_policy(learned_policy, mdp.n_states, mdp.n_actions, T, name="learned_policy")
    phi = as_linear_features(features, mdp.n_states, mdp.n_actions)
    p = _check_ord(ord)
    init = _start(mdp, initial)
    mu_e = _passes.expected_counts(mdp, pi_e, T, gamma, init)
    mu_l = _passes.expected_counts(mdp, pi_l, T, gamma, init)
    diff = phi.contract(mu_e - mu_l)
    return float(np.linalg.norm(diff, ord=p))


# -- reward metrics ----------------------------------------------------------------


def _check_reward_pair(true_reward: Any, learned_reward: Any) -> tuple[np.ndarray, np.ndarray]:
    """Two finite rewards ``(S,)`` or ``(S, A)``, flattened; a state reward broadcasts over actions."""
    x = check_finite_array(true_reward, "true_reward")
    y = check_finite_array(learned_reward, "learned_reward")
    for arr, name in ((x, "true_reward"), (y, "learned_reward")):
        if arr.ndim not in (1, 2) or arr.size == 0:
            raise ValueError(f"{name} must have shape (S,) or (S, A) with S, A >= 1, got shape {arr.shape}")
    if x.shape != y.shape:
        if x.ndim == 1 and y.ndim == 2 and x.shape[0] == y.shape[0]:
            x = np.broadcast_to(x[:, None], y.shape)
        elif x.ndim == 2 and y.ndim == 1 and x.shape[0] == y.shape[0]:
            y = np.broadcast_to(y[:, None], x.shape)
        else:
            raise ValueError(f"learned_reward must have the shape of true_reward {x.shape} (or be its (S,) "
                             f"state version / (S, A) state-action version), got shape {y.shape}")
    return x.ravel(), y.ravel()


def _centred(v: np.ndarray, name: str) -> np.ndarray:
    """``v - mean(v)`` after an exact power-of-two rescaling to ``max |v| < 1``.

    The rescaling keeps sums of squares of huge rewards from overflowing without
    adding rounding. ``ValueError`` for a constant ``v``, naming it.
    """
    peak = float(np.abs(v).max())
    if float(v.max() - v.min()) <= CONSTANT_RTOL * peak:
        raise ValueError(f"{name} is constant (all entries {float(v[0])!r} within rounding): it ranks every "
                         "outcome equally, so its correlation with another reward is undefined")
    u = np.ldexp(v, -int(np.frexp(peak)[1]))
    return u - u.mean()


def _standardise(v: np.ndarray, name: str) -> np.ndarray:
    """``(v - mean) / std`` (population std); ``ValueError`` for a constant ``v``."""
    u = _centred(v, name)
    return u / np.sqrt(np.mean(u * u))


def reward_correlation(true_reward: Any, learned_reward: Any) -> float:
    r"""Pearson correlation of two rewards over all their entries.

    .. math::

        \rho = \frac{\sum_i (x_i - \bar x)(y_i - \bar y)}
                    {\sqrt{\sum_i (x_i - \bar x)^2}\,\sqrt{\sum_i (y_i - \bar y)^2}}

    over the entries of ``true_reward`` (``x``) and ``learned_reward`` (``y``).
    It is invariant to constant shifts and positive scaling of either reward
    (and changes sign under negative scaling), which IRL cannot identify. It
    does not see the richer invariance of potential-based shaping.

    Parameters
    ----------
    true_reward, learned_reward : array_like, shape (S,) or (S, A)
        Finite rewards of the same shape; a state reward ``(S,)`` paired with a
        state-action reward ``(S, A)`` is broadcast over actions.

    Returns
    -------
    float
        In ``[-1, 1]``.

    Raises
    ------
    ValueError
        If either reward is constant (the correlation is undefined), naming it.

    See Also
    --------
    reward_distance : a distance between rewards.
    tabular_irl.approx.reward_correlation_modulo_shaping : correlation up to shaping.

    Examples
    --------
    >>> reward_correlation([1.0, 2.0, 3.0], [1.0, 3.0, 2.0])
    0.5
    """
    x, y = _check_reward_pair(true_reward, learned_reward)
    u = _centred(x, "true_reward")
    v = _centred(y, "learned_reward")
    rho = (u @ v) / np.sqrt((u @ u) * (v @ v))
    return float(np.clip(rho, -1.0, 1.0))


def reward_distance(true_reward: Any, learned_reward: Any) -> float:
    r"""RMS distance between two rewards after standardising each, minimised over shifts.

    With :math:`z(v) = (v - \bar v) / \sigma(v)` (population standard
    deviation, over all entries),

    .. math::

        d = \min_c \sqrt{\tfrac1n \sum_i \big(z(x)_i - z(y)_i - c\big)^2}
          = \sqrt{\tfrac1n \sum_i \big(z(x)_i - z(y)_i\big)^2}
          = \sqrt{2\,(1 - \rho)},

    the minimum being at :math:`c = 0` because both standardised rewards have
    mean 0, and :math:`\rho` being :func:`reward_correlation`. It lies in
    ``[0, 2]``: 0 exactly when ``learned_reward = a * true_reward + b`` with
    ``a > 0``, ``sqrt(2)`` for uncorrelated rewards, 2 for ``a < 0``.

    Parameters
    ----------
    true_reward, learned_reward : array_like, shape (S,) or (S, A)
        As in :func:`reward_correlation`.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If either reward is constant (it cannot be standardised), naming it.

    See Also
    --------
    reward_correlation : the correlation of rewards.

    Examples
    --------
    >>> round(reward_distance([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]), 12)  # sqrt(2 * (1 - 0.5))
    1.0
    """
    x, y = _check_reward_pair(true_reward, learned_reward)
    diff = _standardise(x, "true_reward") - _standardise(y, "learned_reward")
    diff -= diff.mean()  # the optimal shift c (0 up to rounding)
    return float(np.sqrt(np.mean(diff * diff)))


# --------------------------------------------------------------------------
# EPIC (Gleave et al. 2021): computed in tabular_irl/_epic.py, part of this module's API
# --------------------------------------------------------------------------

from ._epic import canonicalize_reward, epic_distance, lift_reward  # noqa: E402

__all__ += ["epic_distance", "canonicalize_reward", "lift_reward"]

from ._epic_regret import EPICRegretBound, epic_regret_bound  # noqa: E402

__all__ += ["epic_regret_bound", "EPICRegretBound"]
