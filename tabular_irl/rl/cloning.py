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
from .._validation import check_horizon, check_policy, check_positive_int, check_positive_real, check_real, check_seed
from ..irl._common import check_demos
from ..mdp import MDP, check_mdp
from ..trajectories import Trajectories, action_frequencies, sample_trajectories, step_action_counts
from ._policies import Problem, evaluate, per_step, resolve
from ._results import BehaviorCloningResult, DaggerResult, ImitationGap, freeze

__all__ = ["behavior_cloning", "imitation_gap", "dagger"]


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
    counts = step_action_counts(demos, mdp.n_states, mdp.n_actions, T if time_indexed else None)
    policy = action_frequencies(counts, alpha)
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

    Raises
    ------
    ValueError
        On policies or a reward that do not match ``mdp`` (shapes, rows not
        summing to 1) or a bad horizon.

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
    S, A = problem.shape
    return _gap(problem, check_policy(expert_policy, S, A, problem.T, "expert_policy"),
                check_policy(policy, S, A, problem.T))


def _gap(problem: Problem, pi_e: np.ndarray, pi: np.ndarray) -> ImitationGap:
    """:func:`imitation_gap` of validated policies."""
    T = problem.T
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


def _betas(beta: Any, n_iter: int) -> np.ndarray:
    """``beta_i`` for iterations ``i = 1..n_iter``: ``1[i = 1]`` by default, ``p^(i-1)`` for a float ``p``."""
    if beta is None:
        return np.r_[1.0, np.zeros(n_iter - 1)]
    p = check_real(beta, "beta", 0.0, 1.0)
    return p ** np.arange(n_iter, dtype=np.float64)


def _expert_labels(rng: np.random.Generator, pi_e: np.ndarray, steps: np.ndarray, states: np.ndarray) -> np.ndarray:
    """One action drawn from ``pi_e[t, s]`` for every visited ``(t, s)`` (the expert queried once per visit)."""
    rows = np.cumsum(pi_e[steps, states], axis=-1)
    a = (rows < rng.random(steps.shape)[..., None] * rows[..., -1:]).sum(axis=-1)
    return np.minimum(a, pi_e.shape[-1] - 1)


def dagger(
    mdp: MDP,
    expert_policy: Any,
    *,
    horizon: int,
    n_iter: int,
    n_per_iter: int | None,
    beta: float | None = None,
    reward: Any = None,
    discount: float | None = None,
    initial: Any = None,
    seed: int | np.random.Generator | None = None,
) -> DaggerResult:
    r"""DAgger (Ross, Gordon & Bagnell 2011): imitation on the learner's own state distribution.

    Iteration ``i = 1..n_iter``: run ``pi_mix = beta_i pi^E + (1 - beta_i) pi_i``
    for ``n_per_iter`` trajectories, label every visited ``(t, s)`` with an
    action the expert draws there, add the labels to the data set, and fit
    ``pi_{i+1}`` by behavioural cloning on all the data (time-indexed;
    uniform on states never labelled). With ``n_per_iter=None`` the
    infinite-sample version aggregates the exact expected labels
    ``D_t^{mix}(s) pi^E_t(a|s)`` instead.

    Parameters
    ----------
    mdp : MDP
    expert_policy : array_like, shape (S, A) or (T, S, A)
        The expert queried for labels.
    horizon : int
    n_iter : int
    n_per_iter : int or None
        Trajectories per iteration; None: exact state distributions.
    beta : float in [0, 1], optional
        ``beta_i = beta^(i-1)``; by default ``beta_1 = 1`` (the first data are
        the expert's own demonstrations) and ``beta_i = 0`` after.
    reward : array_like, shape (S,) or (S, A), optional
        With it the history holds the exact return ``value`` and ``gap`` of every iterate.
    discount : float, optional
        Of the returns.
    initial : array_like, shape (S,), optional
    seed : int, Generator or None

    Returns
    -------
    DaggerResult
        ``policy`` (the last fit), ``counts`` (the aggregated labels) and
        ``history`` per iteration: ``"iteration"``, ``"n_labels"``,
        ``"epsilon"`` and ``"epsilon_own"`` (the exact errors on the expert's and
        on the learner's distributions, as :func:`imitation_gap`), and with a
        reward ``"value"`` and ``"gap"``.

    Raises
    ------
    ValueError
        On an expert policy or a reward that does not match ``mdp`` (shapes,
        rows not summing to 1) or a bad horizon or discount; ``n_iter`` or
        ``n_per_iter`` below 1, ``beta`` outside ``[0, 1]``.
    TypeError
        On arguments of the wrong type (a float horizon, a non-integer count).

    See Also
    --------
    imitation_gap, behavior_cloning

    References
    ----------
    Ross, Gordon & Bagnell (2011). A reduction of imitation learning and
    structured prediction to no-regret online learning. AISTATS.

    Examples
    --------
    >>> from tabular_irl import gridworld, value_iteration
    >>> world = gridworld(3, slip=0.2)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=5).policy
    >>> run = dagger(world.mdp, expert, horizon=5, n_iter=4, n_per_iter=3, reward=world.reward, seed=0)
    >>> run.policy.shape, len(run.history["gap"]), run.history["n_labels"]
    ((5, 9, 5), 4, [15, 30, 45, 60])
    >>> exact = dagger(world.mdp, expert, horizon=5, n_iter=2, n_per_iter=None, reward=world.reward)
    >>> [round(g, 12) for g in exact.history["gap"]]  # the expert's own support, labelled exactly
    [0.0, 0.0]
    """
    S, A = check_mdp(mdp).n_states, mdp.n_actions
    problem = resolve(mdp, np.zeros((S, A)) if reward is None else reward, horizon, discount, initial)
    T = problem.T
    pi_e = np.ascontiguousarray(per_step(check_policy(expert_policy, S, A, T, "expert_policy"), T))
    n_iter = check_positive_int(n_iter, "n_iter")
    if n_per_iter is not None:
        n_per_iter = check_positive_int(n_per_iter, "n_per_iter")
    betas = _betas(beta, n_iter)
    rng = check_seed(seed)
    counts = np.zeros((T, S, A))
    pi = np.full((T, S, A), 1.0 / A)
    history: dict = {}
    n_labels = 0
    for i, b in enumerate(betas, start=1):
        mix = b * pi_e + (1.0 - b) * pi
        if n_per_iter is None:
            D, _, _ = _passes.rollout(problem.mdp, mix, T, 1.0, problem.initial)
            counts += D[:-1, :, None] * pi_e
            n_labels += T
        else:
            visits = sample_trajectories(problem.mdp, mix, n_per_iter, horizon=T, seed=rng, initial=problem.initial)
            steps = np.broadcast_to(np.arange(T), (n_per_iter, T))
            states = visits.states[:, :-1]
            labels = _expert_labels(rng, pi_e, steps, states)
            np.add.at(counts, (steps, states, labels), 1.0)
            n_labels += n_per_iter * T
        pi = action_frequencies(counts, 0.0)
        out = _gap(problem, pi_e, pi)
        record = dict(iteration=i, n_labels=n_labels, epsilon=out.epsilon, epsilon_own=out.epsilon_own)
        if reward is not None:
            record.update(value=out.value, gap=out.gap)
        for key, value in record.items():
            history.setdefault(key, []).append(value)
    return freeze(DaggerResult(policy=pi, counts=counts, history=history, n_iter=n_iter,
                               sampled=n_per_iter is not None))
