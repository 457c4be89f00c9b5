r"""Behavioural cloning, its compounding error measured exactly, and DAgger.

Behavioural cloning fits ``pi(a|s)`` by maximum likelihood on the demonstrated
state-action pairs. A learner that errs with probability ``epsilon`` per step
on the *expert's* state distribution can lose up to ``T^2 epsilon R`` over a
horizon of ``T`` (Ross & Bagnell 2010): each mistake can lead to states the
expert never showed, where the errors compound. A learner trained on its own
state distribution (DAgger, Ross, Gordon & Bagnell 2011) pays ``T epsilon u``.
:func:`imitation_gap` computes the exact gap and both bounds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _passes
from .._validation import check_horizon, check_policy, check_positive_real
from ..irl._common import check_demos
from ..mdp import MDP
from ..trajectories import Trajectories
from ._policies import evaluate, per_step, resolve
from ._results import BehaviorCloningResult, ImitationGap, freeze

__all__ = ["behavior_cloning", "imitation_gap"]


def _step_counts(demos: Trajectories, S: int, A: int, T: int | None) -> np.ndarray:
    """Demonstrated counts ``n_t(s, a)`` ``(T, S, A)`` of the first ``T`` steps, or ``n(s, a)`` ``(S, A)`` of all."""
    if T is None:
        flat = (demos.states[:, :-1] * A + demos.actions).ravel()
        return np.bincount(flat, minlength=S * A).reshape(S, A).astype(np.float64)
    t = np.broadcast_to(np.arange(T), (demos.n_trajectories, T))
    flat = ((t * S + demos.states[:, :T]) * A + demos.actions[:, :T]).ravel()
    return np.bincount(flat, minlength=T * S * A).reshape(T, S, A).astype(np.float64)


def maximum_likelihood(counts: np.ndarray, smoothing: float) -> np.ndarray:
    """``(n + alpha) / (sum_a n + A alpha)`` per row; uniform on rows without counts (and ``alpha = 0``)."""
    A = counts.shape[-1]
    num = counts + smoothing
    den = num.sum(axis=-1, keepdims=True)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0 / A)


def log_likelihood(policy: np.ndarray, counts: np.ndarray) -> float:
    """``sum n log pi`` (terms with ``n = 0`` contribute 0, also where ``pi = 0``)."""
    seen = counts > 0
    return float(np.sum(counts[seen] * np.log(policy[seen])))


def behavior_cloning(
    mdp: MDP,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    smoothing: float = 0.0,
) -> BehaviorCloningResult:
    r"""Behavioural cloning: the maximum-likelihood tabular policy of the demonstrations.

    .. math::

        \pi_t(a \mid s) = \frac{n_t(s, a) + \alpha}{\sum_b n_t(s, b) + A \alpha},

    with ``n_t(s, a)`` the number of demonstrations in ``s`` taking ``a`` at
    step ``t`` (time-indexed) or at any step (stationary). States the demos
    never visit (at that step) get the uniform policy, whatever ``alpha``.

    Parameters
    ----------
    mdp : MDP
    demos : Trajectories
        States and actions must be in range for ``mdp``.
    horizon : int, optional
        ``T``: fit a time-indexed ``(T, S, A)`` policy from the first ``T`` steps
        of every demonstration when the demos have at least ``T`` steps;
        otherwise (and without a horizon) a stationary ``(S, A)`` policy from
        all steps.
    smoothing : float, default 0
        ``alpha >= 0``, added to every count (Laplace smoothing for ``alpha = 1``).

    Returns
    -------
    BehaviorCloningResult
        ``policy``, ``counts``, ``visited``, ``log_likelihood`` (of the steps used).

    Raises
    ------
    ValueError
        A state or action out of range for ``mdp``; ``smoothing < 0``.

    See Also
    --------
    imitation_gap : how much a cloned policy loses, exactly.

    References
    ----------
    Pomerleau (1989). ALVINN: an autonomous land vehicle in a neural network. NeurIPS.

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward, sample_trajectories
    >>> world = gridworld(3)
    >>> expert = soft_backward(world.mdp, 5 * world.reward, horizon=4)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 50, horizon=4, seed=0)
    >>> fit = behavior_cloning(world.mdp, demos, horizon=4)
    >>> fit.policy.shape, fit.time_indexed, bool(fit.log_likelihood < 0)
    ((4, 9, 5), True, True)
    >>> behavior_cloning(world.mdp, demos, smoothing=1.0).policy.shape  # stationary
    (9, 5)
    """
    check_demos(demos, mdp, None)
    T = None if horizon is None else check_horizon(horizon)
    alpha = check_positive_real(smoothing, "smoothing", allow_zero=True)
    time_indexed = T is not None and T <= demos.horizon
    counts = _step_counts(demos, mdp.n_states, mdp.n_actions, T if time_indexed else None)
    policy = maximum_likelihood(counts, alpha)
    return freeze(BehaviorCloningResult(policy=policy, counts=counts, visited=counts.sum(axis=-1) > 0,
                                        log_likelihood=log_likelihood(policy, counts), time_indexed=time_indexed,
                                        smoothing=alpha))


def imitation_gap(
    mdp: MDP,
    reward: Any,
    expert_policy: Any,
    policy: Any,
    *,
    horizon: int,
    discount: float | None = None,
    initial: Any = None,
) -> ImitationGap:
    r"""The exact imitation gap ``J(pi_E) - J(pi)`` and the two textbook bounds it is compared against.

    With ``delta_t(s) = 1 - sum_a min(pi_t^E(a|s), pi_t(a|s))`` (the smallest
    probability that the two policies choose differently at ``s``) and
    ``D_t^E``, ``D_t^pi`` the exact state distributions of the two policies:

    * ``epsilon = (1/T) sum_t E_{D_t^E} delta_t``: the per-step error on the
      expert's own distribution (what behavioural cloning minimises);
    * ``bc_bound = T^2 epsilon R``, ``R = max r - min r``: coupling the two
      policies, a step ``t`` loses at most ``R`` times the probability that
      they have parted by then, at most ``sum_{i<=t} epsilon_i`` (Ross &
      Bagnell 2010, Theorem 2.1);
    * ``online_bound = T epsilon_own u``: by the performance difference lemma
      ``gap = sum_t E_{D_t^pi}[sum_a (pi^E_t - pi_t) Q^E_t] <= T epsilon_own u``,
      with the error ``epsilon_own`` on the learner's own distribution and
      ``u`` the largest spread ``max_a Q^E_t(s, a) - min_a Q^E_t(s, a)`` (Ross,
      Gordon & Bagnell 2011).

    Both bounds hold for every pair of policies (and any ``discount <= 1``).

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    expert_policy, policy : array_like, shape (S, A) or (T, S, A)
    horizon : int
        ``T``.
    discount : float, optional
        ``gamma`` in ``[0, 1]`` (1 by default).
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial`` by default).

    Returns
    -------
    ImitationGap
        ``gap``, ``epsilon``, ``bc_bound``, ``online_bound`` and the pieces.

    See Also
    --------
    behavior_cloning, dagger

    References
    ----------
    Ross & Bagnell (2010). Efficient reductions for imitation learning. AISTATS.
    Ross, Gordon & Bagnell (2011). A reduction of imitation learning and
    structured prediction to no-regret online learning. AISTATS.

    Examples
    --------
    A tightrope: staying on (action 0) earns 1 per step, a slip (action 1)
    falls into an absorbing state worth nothing. A learner that slips with
    probability ``T epsilon`` at the first step and never again has error
    ``epsilon`` and attains the quadratic bound exactly:

    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> P = np.zeros((2, 2, 2)); P[0, 0, 0] = P[0, 1, 1] = P[1, :, 1] = 1.0
    >>> rope, r = MDP.from_dense(P, initial=[1.0, 0.0]), [[1.0, 0.0], [0.0, 0.0]]
    >>> T, eps = 10, 0.01
    >>> expert = np.tile([[1.0, 0.0], [0.5, 0.5]], (T, 1, 1))
    >>> learner = expert.copy(); learner[0, 0] = [1 - T * eps, T * eps]
    >>> out = imitation_gap(rope, r, expert, learner, horizon=T)
    >>> round(out.gap, 10), round(out.epsilon, 10), round(out.bc_bound, 10)
    (1.0, 0.01, 1.0)
    """
    problem = resolve(mdp, reward, horizon, discount, initial)
    T = problem.T
    S, A = problem.shape
    pi_e = check_policy(expert_policy, S, A, T)
    pi = check_policy(policy, S, A, T)
    # 1 - sum_a min(p, q) is the total variation 1/2 sum_a |p - q|, which is exactly 0 for equal rows
    delta = 0.5 * np.abs(per_step(pi_e, T) - per_step(pi, T)).sum(axis=-1)  # (T, S)
    D_e, _, counts_e = _passes.rollout(problem.mdp, pi_e, T, problem.gamma, problem.initial)
    D_pi, _, counts_pi = _passes.rollout(problem.mdp, pi, T, problem.gamma, problem.initial)
    step_error = np.einsum("ts,ts->t", D_e[:-1], delta)
    epsilon = float(step_error.mean())
    epsilon_own = float(np.einsum("ts,ts->t", D_pi[:-1], delta).mean())
    _, Q_e = evaluate(problem, pi_e)
    u = float(np.max(Q_e.max(axis=-1) - Q_e.min(axis=-1)))
    R = float(problem.reward.max() - problem.reward.min())
    J_e, J = float(np.sum(counts_e * problem.reward)), float(np.sum(counts_pi * problem.reward))
    return freeze(ImitationGap(gap=J_e - J, epsilon=epsilon, bc_bound=T * T * epsilon * R,
                               online_bound=T * epsilon_own * u, epsilon_own=epsilon_own, reward_range=R,
                               advantage_range=u, expert_value=J_e, value=J, step_error=step_error, horizon=T,
                               discount=problem.gamma))
