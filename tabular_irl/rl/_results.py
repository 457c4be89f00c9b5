"""Results of the ``rl`` methods: small frozen dataclasses with named fields.

Arrays are stored read-only; ``history`` tables are dicts of equal-length
lists, one entry per iteration or checkpoint, so that
``pandas.DataFrame(result.history)`` is the learning curve.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

__all__ = ["BehaviorCloningResult", "ImitationGap", "ReinforceGradient", "PolicyOptimizationResult", "DaggerResult", "QLearningResult", "freeze"]


def freeze(result):
    """Make the array fields of a result read-only (returns the result)."""
    for f in fields(result):
        value = getattr(result, f.name)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return result


@dataclass(frozen=True, eq=False)
class BehaviorCloningResult:
    """Result of :func:`~tabular_irl.rl.behavior_cloning`.

    Attributes
    ----------
    policy : ndarray, shape (T, S, A) or (S, A)
        The maximum-likelihood policy (smoothed): time-indexed when ``time_indexed``.
    counts : ndarray, shape of ``policy``
        Demonstrated state-action counts ``n_t(s, a)`` (or ``n(s, a)``).
    visited : ndarray of bool, shape (T, S) or (S,)
        States the demonstrations visit (at that step); elsewhere the policy is uniform.
    log_likelihood : float
        ``sum_i sum_t log policy_t(a_t^i | s_t^i)`` over the demonstrated steps used.
    time_indexed : bool
    smoothing : float

    See Also
    --------
    behavior_cloning : makes it.
    imitation_gap : the exact cost of its mistakes.

    Examples
    --------
    >>> from tabular_irl import Trajectories, MDP
    >>> from tabular_irl.rl import behavior_cloning
    >>> import numpy as np
    >>> mdp = MDP.from_dense(np.ones((2, 2, 2)) / 2, initial=[1.0, 0.0])
    >>> fit = behavior_cloning(mdp, Trajectories([[0, 1, 0]], [[1, 0]]))
    >>> fit.policy.tolist(), fit.log_likelihood
    ([[0.0, 1.0], [1.0, 0.0]], 0.0)
    """

    policy: np.ndarray
    counts: np.ndarray
    visited: np.ndarray
    log_likelihood: float
    time_indexed: bool
    smoothing: float


@dataclass(frozen=True, eq=False)
class ImitationGap:
    r"""Result of :func:`~tabular_irl.rl.imitation_gap`: the exact gap and the bounds it is compared against.

    Attributes
    ----------
    gap : float
        ``J(expert) - J(policy)``, exact.
    epsilon : float
        Per-step error under the expert's own state distribution, averaged
        over time: ``(1/T) sum_t E_{s ~ D_t^E} delta_t(s)``, where
        ``delta_t(s) = 1 - sum_a min(pi_t^E(a|s), pi_t(a|s))`` is the
        probability that the two policies disagree when coupled as closely as
        possible (``1 - pi_t(a*|s)`` for a deterministic expert).
    bc_bound : float
        ``T^2 epsilon R`` (Ross & Bagnell 2010), ``R = max r - min r``.
    online_bound : float
        ``T epsilon_own u`` (Ross, Gordon & Bagnell 2011): the bound of a
        learner whose error ``epsilon_own`` is measured on its own state
        distribution, ``u`` the largest spread of the expert's action values.
    epsilon_own : float
        As ``epsilon``, under the policy's own state distribution.
    reward_range : float
        ``R``.
    advantage_range : float
        ``u = max_{t,s} (max_a Q_t^E(s, a) - min_a Q_t^E(s, a))``.
    expert_value, value : float
        ``J(expert)``, ``J(policy)``.
    step_error : ndarray, shape (T,)
        ``E_{s ~ D_t^E} delta_t(s)`` per step (``epsilon`` is its mean).
    horizon : int
    discount : float

    See Also
    --------
    imitation_gap : makes it.
    behavior_cloning, dagger : the policies it measures.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> from tabular_irl.rl import imitation_gap
    >>> P = np.zeros((2, 2, 2)); P[0, 0, 0] = P[0, 1, 1] = P[1, :, 1] = 1.0   # a tightrope
    >>> rope = MDP.from_dense(P, initial=[1.0, 0.0])
    >>> learner = np.array([[0.9, 0.1], [0.5, 0.5]])                      # slips with probability 0.1
    >>> out = imitation_gap(rope, [[1.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [0.5, 0.5]], learner, horizon=3)
    >>> round(out.gap, 6), round(out.epsilon, 6), round(out.bc_bound, 6)  # 0.1 + 0.19 + 0.271
    (0.561, 0.1, 0.9)
    """

    gap: float
    epsilon: float
    bc_bound: float
    online_bound: float
    epsilon_own: float
    reward_range: float
    advantage_range: float
    expert_value: float
    value: float
    step_error: np.ndarray = field(repr=False)
    horizon: int = 0
    discount: float = 1.0


@dataclass(frozen=True, eq=False)
class ReinforceGradient:
    """Result of :func:`~tabular_irl.rl.reinforce_gradient`.

    Attributes
    ----------
    estimate : ndarray, shape of ``logits``
        ``terms.mean(axis=0)``.
    terms : ndarray, shape (N,) + shape of ``logits``
        One row per sampled trajectory: its own estimate of the gradient.
    standard_error : ndarray, shape of ``logits``
        ``terms.std(axis=0, ddof=1) / sqrt(N)`` (``inf`` for one trajectory).
    ratios : ndarray, shape (N, T)
        The prefix importance ratios ``w_{0:t}`` (ones on-policy).
    future_ratios : bool
    on_policy : bool

    See Also
    --------
    reinforce_gradient : makes it.
    policy_gradient : the exact gradient it estimates.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP, Trajectories
    >>> from tabular_irl.rl import reinforce_gradient
    >>> coin = MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])   # one state, two actions
    >>> est = reinforce_gradient(coin, [[1.0, 0.0]], np.zeros((1, 2)), Trajectories([[0, 0], [0, 0]], [[0], [1]]))
    >>> est.terms[:, 0].tolist(), est.estimate.tolist()  # (e_a - pi) r(a): a=0 scores +-0.5, a=1 earns 0
    ([[0.5, -0.5], [0.0, 0.0]], [[0.25, -0.25]])
    """

    estimate: np.ndarray
    terms: np.ndarray = field(repr=False)
    standard_error: np.ndarray = field(repr=False)
    ratios: np.ndarray = field(repr=False)
    future_ratios: bool = True
    on_policy: bool = True


@dataclass(frozen=True, eq=False)
class PolicyOptimizationResult:
    """Result of the policy optimisers of :mod:`tabular_irl.rl`: the package's result protocol
    (:mod:`tabular_irl.irl._result`) with the learned policy's exact return.

    Attributes
    ----------
    theta : ndarray, shape (T, S, A) or (S, A)
        The final logits.
    reward : ndarray, shape (S, A)
        The reward the return is measured with.
    policy : ndarray, shape of ``theta``
        ``softmax(theta)``.
    value : float
        Its exact return ``J``.
    objective : float
        What was maximised, at ``theta`` (``J`` itself, or ``J + lam * log-likelihood``).
    converged : bool
    message : str
    n_iter : int
    method : str
    history : dict
        Per iteration, starting with the initial policy (iteration 0):
        ``"iteration"``, ``"value"`` (the exact return ``J``) and ``"objective"``,
        plus what the method adds (``"log_likelihood"``, ``"gap"``, ``"js"``...).

    See Also
    --------
    pretrain_finetune, hybrid_policy_optimization : make it.
    policy_gradient : the exact ascent direction.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.rl import pretrain_finetune
    >>> world = gridworld(3)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=4).policy
    >>> demos = sample_trajectories(world.mdp, expert, 20, horizon=4, seed=0)
    >>> fit = pretrain_finetune(world.mdp, world.reward, demos, horizon=4, n_iter=5, lr=1.0)
    >>> len(fit.history["value"]), fit.theta.shape, bool(fit.value == fit.history["value"][-1])
    (6, (4, 9, 5), True)
    """

    theta: np.ndarray
    reward: np.ndarray
    policy: np.ndarray
    value: float
    objective: float
    converged: bool
    message: str
    n_iter: int
    method: str
    history: dict = field(repr=False)


@dataclass(frozen=True, eq=False)
class DaggerResult:
    """Result of :func:`~tabular_irl.rl.dagger`.

    Attributes
    ----------
    policy : ndarray, shape (T, S, A)
        The policy fitted on all the labels (uniform on states never labelled).
    counts : ndarray, shape (T, S, A)
        The aggregated expert labels (expected labels with exact distributions).
    history : dict
        Per iteration: ``"iteration"``, ``"n_labels"``, ``"epsilon"``,
        ``"epsilon_own"``, and with a reward ``"value"`` and ``"gap"`` (exact).
    n_iter : int
    sampled : bool

    See Also
    --------
    dagger : makes it.
    imitation_gap : the gap per iteration.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> from tabular_irl.rl import dagger
    >>> P = np.zeros((2, 2, 2)); P[0, 0, 0] = P[0, 1, 1] = P[1, :, 1] = 1.0   # a tightrope
    >>> rope = MDP.from_dense(P, initial=[1.0, 0.0])
    >>> run = dagger(rope, [[1.0, 0.0], [1.0, 0.0]], horizon=3, n_iter=1, n_per_iter=None, reward=[1.0, 0.0])
    >>> run.policy[0].tolist(), run.history["gap"]   # state 1 is never reached: uniform there
    ([[1.0, 0.0], [0.5, 0.5]], [0.0])
    """

    policy: np.ndarray
    counts: np.ndarray
    history: dict = field(repr=False)
    n_iter: int = 0
    sampled: bool = True


@dataclass(frozen=True, eq=False)
class QLearningResult:
    """Result of :func:`~tabular_irl.rl.q_learning`.

    Attributes
    ----------
    Q : ndarray, shape (S, A)
        The learned action values.
    policy : ndarray, shape (S, A)
        Greedy (one-hot) in ``Q``.
    Q_star : ndarray, shape (S, A)
        The optimal action values (exact).
    optimal_value : float
        ``J*``, the optimal policy's exact return.
    history : dict
        Per checkpoint: ``"step"`` (environment steps), ``"q_error"``
        (``||Q - Q*||_inf``), ``"value"`` (exact return of the greedy policy),
        ``"updates"`` (minibatch updates so far).
    n_steps, n_updates : int

    See Also
    --------
    q_learning : makes it.
    tabular_irl.value_iteration : the exact Q* it is measured against.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> from tabular_irl.rl import q_learning
    >>> coin = MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])   # one state: action 0 pays 1
    >>> run = q_learning(coin, [[1.0, 0.0]], discount=0.5, n_steps=200, buffer_size=50, batch_size=4,
    ...                  target_update=10, lr=0.5, epsilon=1.0, seed=0)
    >>> run.Q_star.tolist(), run.policy.tolist(), bool(run.history["q_error"][-1] < 0.05)
    ([[2.0, 1.0]], [[1.0, 0.0]], True)
    """

    Q: np.ndarray
    policy: np.ndarray
    Q_star: np.ndarray
    optimal_value: float
    history: dict = field(repr=False)
    n_steps: int = 0
    n_updates: int = 0
