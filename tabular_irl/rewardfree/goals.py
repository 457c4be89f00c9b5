r"""Goals: Skew-Fit's skewed goal proposals and the information ``I(S_T; G)`` of goal-conditioned policies.

Skew-Fit (Pong et al. 2020) proposes goals from the distribution of states
reached so far, reweighted by :math:`p(s)^\alpha` with
:math:`\alpha \in [-1, 0)`; the weighted maximum-likelihood refit is then
:math:`\propto p^{1+\alpha}`, whose entropy is never lower (strictly higher
unless ``p`` is uniform on its support) and which is the uniform distribution
on the support at :math:`\alpha = -1`. A goal-conditioned policy's use of
its goal is measured by :math:`I(S_T; G) = H(G) - H(G \mid S_T)` (the notes'
equation 6.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _passes
from .._validation import check_distribution, check_policy, check_positive_int, check_probabilities, check_real
from ..planning import value_iteration
from ._model import Model, resolve_model
from .info import conditional_entropy, entropy, mutual_information

__all__ = ["skew_fit_weights", "skew", "GoalInformation", "goal_mutual_information", "SkewFitResult", "skew_fit"]


def _check_alpha(alpha: Any) -> float:
    value = check_real(alpha, "alpha")
    if not -1.0 <= value < 0.0:
        raise ValueError(f"alpha must be in [-1, 0) (Skew-Fit's skew: -1 gives the uniform distribution on the "
                         f"support, 0 none), got {value!r}")
    return value


def _power(p: np.ndarray, exponent: float) -> np.ndarray:
    """``p^exponent`` normalised on the support of ``p`` (0 elsewhere), computed in log space."""
    support = p > 0
    log = np.full(p.shape, -np.inf)
    log[support] = exponent * np.log(p[support])
    out = np.exp(log - log[support].max())
    return out / out.sum()


def skew_fit_weights(p: Any, alpha: float) -> np.ndarray:
    r"""Skew-Fit's importance weights :math:`w_s \propto p_s^\alpha` on the support of ``p``.

    Parameters
    ----------
    p : array_like, shape (S,)
        A distribution over states (reached states).
    alpha : float in [-1, 0)

    Returns
    -------
    ndarray, shape (S,)
        Weights summing to 1, zero where ``p`` is zero.

    Raises
    ------
    ValueError
        If ``alpha`` is outside ``[-1, 0)`` or ``p`` is not a distribution.

    See Also
    --------
    skew : the weighted refit ``p * w``, normalised.

    References
    ----------
    .. [1] V. H. Pong, M. Dalal, S. Lin, A. Nair, S. Bahl, S. Levine.
       "Skew-Fit: State-Covering Self-Supervised Reinforcement Learning." ICML 2020.

    Examples
    --------
    >>> from tabular_irl.rewardfree import skew_fit_weights
    >>> skew_fit_weights([0.5, 0.25, 0.25, 0.0], -1.0).tolist()   # rare states weigh more
    [0.2, 0.4, 0.4, 0.0]
    """
    alpha = _check_alpha(alpha)
    return _power(check_probabilities(p, "p", -1, ndim=1), alpha)


def skew(p: Any, alpha: float) -> np.ndarray:
    r"""The Skew-Fit refit :math:`p_{\text{skewed}} \propto p^{1+\alpha}` (``p`` weighted by :func:`skew_fit_weights`).

    For :math:`\alpha \in [-1, 0)` its entropy is at least :math:`H(p)`,
    strictly more unless ``p`` is uniform on its support; :math:`\alpha = -1`
    gives the uniform distribution on the support.

    Parameters
    ----------
    p : array_like, shape (S,)
    alpha : float in [-1, 0)

    Returns
    -------
    ndarray, shape (S,)

    Raises
    ------
    ValueError
        If ``alpha`` is outside ``[-1, 0)`` or ``p`` is not a distribution.

    See Also
    --------
    skew_fit_weights : the weights it applies.
    skew_fit : the goal-proposal loop.

    References
    ----------
    .. [1] V. H. Pong, M. Dalal, S. Lin, A. Nair, S. Bahl, S. Levine.
       "Skew-Fit: State-Covering Self-Supervised Reinforcement Learning." ICML 2020.

    Examples
    --------
    >>> from tabular_irl.rewardfree import entropy, skew
    >>> p = [0.7, 0.2, 0.1, 0.0]
    >>> skew(p, -1.0).round(6).tolist()
    [0.333333, 0.333333, 0.333333, 0.0]
    >>> bool(entropy(skew(p, -0.5)) > entropy(p))
    True
    """
    alpha = _check_alpha(alpha)
    return _power(check_probabilities(p, "p", -1, ndim=1), 1.0 + alpha)


@dataclass(frozen=True, eq=False)
class GoalInformation:
    """``I(S_T; G)`` of goal-conditioned policies and its two terms.

    Attributes
    ----------
    value : float
        ``I(S_T; G) = goal_entropy - conditional_entropy``.
    goal_entropy : float
        ``H(G)``.
    conditional_entropy : float
        ``H(G | S_T)``.
    final_state : ndarray, shape (G, S)
        ``Pr(s_T = s | g)``.

    See Also
    --------
    goal_mutual_information : makes it.
    skew_fit : reports it per iteration.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import goal_mutual_information
    >>> world = gridworld(2, slip=0.0, goals=[], initial=(0, 0))
    >>> right, down = np.eye(5)[np.full(4, 1)], np.eye(5)[np.full(4, 2)]
    >>> info = goal_mutual_information(world.mdp, [right, down], [0.5, 0.5], horizon=1)
    >>> round(info.value, 6), round(info.goal_entropy, 6), info.conditional_entropy
    (0.693147, 0.693147, 0.0)
    """

    value: float
    goal_entropy: float
    conditional_entropy: float
    final_state: np.ndarray


def _final_states(model: Model, policies: list[np.ndarray]) -> np.ndarray:
    """``(G, S)``: the distribution of ``s_T`` under each policy."""
    return np.array([_passes.rollout(model.mdp, pi, model.horizon, 1.0, model.initial)[0][-1] for pi in policies])


def _information(final: np.ndarray, prior: np.ndarray) -> GoalInformation:
    joint = np.maximum(prior[:, None] * final, 0.0)  # p(g, s)
    joint /= joint.sum()
    return GoalInformation(value=mutual_information(joint), goal_entropy=entropy(prior),
                           conditional_entropy=conditional_entropy(joint.T), final_state=final)


def goal_mutual_information(mdp: Any, goal_policies: Any, goal_prior: Any, *, horizon: int,
                            initial: Any = None) -> GoalInformation:
    r"""``I(S_T; G) = H(G) - H(G | S_T)`` of goal-conditioned policies (the notes' equation 6.4.1).

    ``S_T`` is the state after the last decision (row ``T`` of
    ``visitation(...).state``); the joint is
    :math:`p(g, s) = p(g) \Pr(s_T = s \mid \pi_g)`.

    Parameters
    ----------
    mdp : MDP
    goal_policies : array_like, shape (G, T, S, A) or (G, S, A), or a sequence of policies
        ``goal_policies[g]`` pursues goal ``g``.
    goal_prior : array_like, shape (G,)
        ``p(g)``.
    horizon : int
    initial : array_like, shape (S,), optional

    Returns
    -------
    GoalInformation
        ``value``, ``goal_entropy``, ``conditional_entropy``, ``final_state``.

    Raises
    ------
    ValueError
        If a policy or the prior is not a distribution, or shapes disagree.

    See Also
    --------
    skew_fit : the loop that raises it.
    mutual_information : the same quantity for a joint table.

    References
    ----------
    .. [1] V. H. Pong, M. Dalal, S. Lin, A. Nair, S. Bahl, S. Levine.
       "Skew-Fit: State-Covering Self-Supervised Reinforcement Learning." ICML 2020.

    Examples
    --------
    Two goals pursued by the same policy carry no information:

    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import goal_mutual_information
    >>> world = gridworld(3, slip=0.2, goals=[])
    >>> same = np.full((2, 9, 5), 0.2)
    >>> round(goal_mutual_information(world.mdp, same, [0.5, 0.5], horizon=3).value, 12)
    0.0
    """
    model = resolve_model(mdp, horizon, None, initial)
    if model.horizon is None:
        raise ValueError("horizon must be an integer >= 1 (S_T is the state after the last decision), got None")
    policies = [check_policy(pi, model.mdp.n_states, model.mdp.n_actions, model.horizon) for pi in goal_policies]
    prior = check_distribution(goal_prior, "goal_prior", len(policies))
    return _information(_final_states(model, policies), prior)


@dataclass(frozen=True, eq=False)
class SkewFitResult:
    """The tabular Skew-Fit loop's goal and reached-state distributions, and ``I(S; G)`` per iteration.

    Attributes
    ----------
    goal_distribution : ndarray, shape (S,)
        The last goal proposal ``p(g)``.
    reached : ndarray, shape (S,)
        The distribution of reached states ``s_T`` after the last iteration.
    goal_entropy, conditional_entropy, mutual_information : ndarray, shape (n_iter,)
        ``H(G)``, ``H(G | S_T)`` and ``I(S_T; G)`` of each iteration's goals and policies.
    reached_entropy : ndarray, shape (n_iter + 1,)
        ``H`` of the reached-state distribution, before the first and after each iteration.
    goal_policies : ndarray, shape (S, T, S, A)
        The goal-reaching policy of each state as a goal (last iteration).

    See Also
    --------
    skew_fit : makes it.
    skew : one refit of the goal distribution.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import skew_fit
    >>> res = skew_fit(gridworld(3, slip=0.1, goals=[], initial=(0, 0)).mdp, horizon=4, n_iter=3)
    >>> res.mutual_information.shape, bool(res.reached_entropy[-1] > res.reached_entropy[0])
    ((3,), True)
    """

    goal_distribution: np.ndarray
    reached: np.ndarray
    goal_entropy: np.ndarray
    conditional_entropy: np.ndarray
    mutual_information: np.ndarray
    reached_entropy: np.ndarray
    goal_policies: np.ndarray


def skew_fit(mdp: Any, *, horizon: int, alpha: float = -1.0, n_iter: int = 10, initial: Any = None) -> SkewFitResult:
    r"""Tabular Skew-Fit: skewed goal proposals, exact goal-reaching policies, reached states updated.

    Start from the distribution ``p_0`` of ``s_T`` under the uniformly random
    policy. Iteration ``k``: propose goals :math:`G_k = \text{skew}(p_k, \alpha)`
    (only reached states are proposed); for every state ``g`` the goal-reaching
    policy is hard planning for the reward :math:`r(s, a) = P(g \mid s, a)` (the
    expected number of arrivals at the goal, ``s_T`` included); the reached-state
    distribution becomes :math:`p_{k+1} = \sum_g G_k(g) \Pr(s_T = \cdot \mid \pi_g)`;
    :math:`H(G_k)`, :math:`H(G_k \mid S_T)` and :math:`I(S_T; G_k)` are recorded.

    Parameters
    ----------
    mdp : MDP
    horizon : int
    alpha : float in [-1, 0), default -1.0
    n_iter : int, default 10
    initial : array_like, shape (S,), optional

    Returns
    -------
    SkewFitResult

    Raises
    ------
    ValueError
        If ``alpha`` is outside ``[-1, 0)``.

    See Also
    --------
    skew, goal_mutual_information

    References
    ----------
    .. [1] V. H. Pong, M. Dalal, S. Lin, A. Nair, S. Bahl, S. Levine.
       "Skew-Fit: State-Covering Self-Supervised Reinforcement Learning." ICML 2020.

    Examples
    --------
    On a grid without slip every reached cell can be reached on purpose:
    ``H(G | S_T) = 0`` and ``I(S_T; G) = H(G)``.

    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import skew_fit
    >>> res = skew_fit(gridworld(3, slip=0.0, goals=[], initial=(0, 0)).mdp, horizon=4, n_iter=2)
    >>> res.conditional_entropy.round(12).tolist(), bool(abs(res.mutual_information - res.goal_entropy).max() < 1e-12)
    ([0.0, 0.0], True)
    """
    model = resolve_model(mdp, horizon, None, initial)
    if model.horizon is None:
        raise ValueError("horizon must be an integer >= 1, got None")
    alpha = _check_alpha(alpha)
    n_iter = check_positive_int(n_iter, "n_iter")
    S = model.mdp.n_states
    # r(s, a) = P(g | s, a): the expected number of arrivals at g over s_1 .. s_T
    arrivals = model.mdp.transitions.tocsc()
    policies = [np.ascontiguousarray(value_iteration(
        model.mdp, arrivals[:, [g]].toarray().reshape(S, model.mdp.n_actions), horizon=model.horizon).policy)
        for g in range(S)]
    final = _final_states(model, policies)  # (S goals, S)
    reached = np.maximum(_final_states(model, [model.uniform_policy()])[0], 0.0)
    reached /= reached.sum()
    history = {"H(G)": [], "H(G|S)": [], "I": [], "H(reached)": [entropy(reached)]}
    goals = reached
    for _ in range(n_iter):
        goals = _power(reached, 1.0 + alpha)
        used = goals > 0
        info = _information(final[used], goals[used])
        history["H(G)"].append(info.goal_entropy)
        history["H(G|S)"].append(info.conditional_entropy)
        history["I"].append(info.value)
        reached = np.maximum(goals @ final, 0.0)
        reached /= reached.sum()
        history["H(reached)"].append(entropy(reached))
    return SkewFitResult(goal_distribution=goals, reached=reached, goal_entropy=np.array(history["H(G)"]),
                         conditional_entropy=np.array(history["H(G|S)"]), mutual_information=np.array(history["I"]),
                         reached_entropy=np.array(history["H(reached)"]), goal_policies=np.array(policies))
