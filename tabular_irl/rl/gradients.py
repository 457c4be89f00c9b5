r"""Policy gradients of softmax tabular policies: exact, and the sampled (REINFORCE) estimator.

The exact gradient of the return with respect to the logits is one backward
evaluation and one forward visitation (the policy gradient theorem, Sutton et
al. 2000, for softmax logits):

.. math::

    \frac{\partial J}{\partial \theta_t(s, a)}
        = \gamma^t D_t(s)\, \pi_t(a \mid s)\, A_t(s, a), \qquad
    A_t(s, a) = Q_t(s, a) - V_t(s),

summed over ``t`` for stationary ``(S, A)`` logits (the occupancy
``d(s) pi(a|s) A(s, a)`` when discounted without a horizon).

The sampled estimator (REINFORCE, Williams 1992) of the same gradient from
trajectories drawn by a behaviour policy ``q`` (``q = pi_theta`` on-policy):

.. math::

    \hat g = \frac1N \sum_i \sum_t \nabla_\theta \log \pi_\theta(a_t^i \mid s_t^i)
        \Big[\sum_{t' \ge t} w_{0:t'}^i \gamma^{t'} r(s_{t'}^i, a_{t'}^i)
              - w_{0:t}^i \gamma^t b_t(s_t^i)\Big],
    \qquad w_{0:t} = \frac{\prod_{k \le t} \pi_\theta(a_k \mid s_k)}{q(a_0, \dots, a_t \mid s_0, \dots, s_t)},

unbiased for any baseline ``b``: each reward is weighted by the ratio of the
prefix up to its own step. Keeping only the ratios up to ``t``
(``w_{0:t}`` in front of the whole reward-to-go, ``future_ratios=False``)
lowers the variance and biases the estimate. For the *fusion* distribution of
several behaviour policies, ``q = (1/M) sum_m q_m`` at the trajectory level,
the prefix density is ``(1/M) sum_m prod_{k<=t} q_m(a_k|s_k)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import logsumexp

from .. import _passes
from .._logspace import discount_weights
from .._validation import _describe, check_finite_array
from ..approx._sampler import PolicyMixture, as_sampler, check_trajectories
from ..mdp import MDP
from ..trajectories import Trajectories
from ._policies import Problem, evaluate, log_softmax, resolve, softmax, step_counts
from ._results import ReinforceGradient, freeze

__all__ = ["policy_gradient", "reinforce_gradient"]


def exact_gradient(problem: Problem, logits: np.ndarray) -> tuple[float, np.ndarray]:
    """``(J, dJ/dlogits)`` of validated logits (module docstring)."""
    if problem.T is None:
        pi = softmax(logits)
        V, Q = evaluate(problem, pi)
        counts = step_counts(problem, pi)
        return float(problem.initial @ V), counts * (Q - V[:, None])  # J as policy_return forms it
    # finite horizon: one compiled backward and forward pass forming the policy from the logits step by step
    V, grad = _passes.policy_gradient(problem.mdp, problem.reward, logits, problem.T, problem.gamma,
                                      problem.initial)
    return float(problem.initial @ V[0]), grad.sum(axis=0) if logits.ndim == 2 else grad


def policy_gradient(
    mdp: MDP,
    reward: Any,
    logits: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
) -> tuple[float, np.ndarray]:
    r"""Exact return ``J(theta)`` of a softmax policy and its exact gradient with respect to the logits.

    ``pi_t(a|s) = softmax_a theta_t(s, a)``; ``J = sum_t gamma^t E[r(s_t, a_t)]``
    from ``initial``; the gradient is the policy gradient theorem for softmax
    logits, ``dJ/dtheta_t(s, a) = gamma^t D_t(s) pi_t(a|s) (Q_t(s, a) - V_t(s))``:
    one backward evaluation of ``pi`` and one forward visitation.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    logits : array_like, shape (T, S, A) or (S, A)
        ``logits[t, s, a] = theta_t(s, a)``; time-indexed logits need ``horizon=T``.
        Stationary logits with a horizon share one policy over all steps
        (their gradient is the sum over ``t``).
    horizon : int, optional
        Number of decisions ``T``.
    discount : float, optional
        ``gamma``, in ``[0, 1)`` without a horizon, ``[0, 1]`` with one.
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial`` by default).

    Returns
    -------
    value : float
        ``J(theta)``.
    grad : ndarray, shape of ``logits``
        ``dJ/dtheta``, exact.

    Raises
    ------
    ValueError
        Logits of the wrong shape, or neither ``horizon`` nor ``discount``.

    See Also
    --------
    reinforce_gradient : the sampled estimator of the same gradient.
    tabular_irl.value_iteration : ``J*``, where the gradient vanishes.

    References
    ----------
    Sutton, McAllester, Singh & Mansour (2000). Policy gradient methods for
    reinforcement learning with function approximation. NeurIPS.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3)
    >>> J, grad = policy_gradient(world.mdp, world.reward, np.zeros((4, 9, 5)), horizon=4)
    >>> grad.shape, round(J, 6) < 4.0
    ((4, 9, 5), True)
    >>> bool(np.allclose(grad.sum(axis=2), 0.0))  # softmax: shifting a row's logits changes nothing
    True
    """
    problem = resolve(mdp, reward, horizon, discount, initial)
    return exact_gradient(problem, problem.logits(logits, copy=False))  # read only: no copy


def _behavior(behavior: Any, problem: Problem) -> PolicyMixture | None:
    """``None`` (on-policy), or the behaviour as a mixture: one policy, a list (the fusion distribution), a mixture."""
    if behavior is None:
        return None
    if isinstance(behavior, (list, tuple)):
        if len(behavior) == 0:
            raise ValueError("behavior must hold at least one policy, got an empty list")
        behavior = PolicyMixture(tuple(behavior))
    return as_sampler(behavior, problem.mdp, problem.T, "behavior")


def _prefix_log_q(mixture: PolicyMixture, s: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``log q(a_0..a_t | s_0..s_t)`` of a mixture at every prefix, ``(N, T)``: ``log sum_m w_m prod_{k<=t} q_m``."""
    steps = np.arange(s.shape[1])
    per = np.empty((len(mixture.policies),) + s.shape)
    with np.errstate(divide="ignore"):
        for m, q in enumerate(mixture.policies):
            per[m] = np.cumsum(np.log(q[steps, s, a] if q.ndim == 3 else q[s, a]), axis=1)
            per[m] += np.log(mixture.weights[m])
    return logsumexp(per, axis=0)


def _baseline(baseline: Any, problem: Problem, pi: np.ndarray) -> np.ndarray | None:
    """``b (T, S)``: the exact ``V^pi_t`` for ``"value"``, a given ``(S,)`` / ``(T, S)`` array, or None."""
    if baseline is None:
        return None
    S, T = problem.mdp.n_states, problem.T
    if isinstance(baseline, str):
        if baseline != "value":
            raise ValueError(f"baseline must be None, 'value' or an array of shape (S,) or (T, S), got {baseline!r}")
        return evaluate(problem, pi)[0][:-1]
    b = check_finite_array(baseline, "baseline")
    if b.shape == (S,):
        return np.broadcast_to(b, (T, S))
    if b.shape == (T, S):
        return b
    raise ValueError(f"baseline must have shape (S,) = ({S},) or (T, S) = ({T}, {S}), got shape {b.shape}")


def reinforce_gradient(
    mdp: MDP,
    reward: Any,
    logits: Any,
    samples: Trajectories,
    *,
    discount: float | None = None,
    behavior: Any = None,
    future_ratios: bool = True,
    baseline: Any = None,
) -> ReinforceGradient:
    r"""The sampled policy gradient (REINFORCE), on-policy or off-policy, with its per-trajectory terms.

    The estimator of the module docstring: every sampled step's score
    ``grad log pi_theta(a_t|s_t) = e_{a_t} - pi_theta(.|s_t)`` (in the logits
    of ``s_t``, at step ``t`` for time-indexed logits) times the
    importance-weighted reward-to-go, less the baseline. The horizon is the
    samples' ``T``.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    logits : array_like, shape (T, S, A) or (S, A)
        The policy ``pi_theta = softmax(logits)`` whose gradient is estimated.
    samples : Trajectories
        ``N`` trajectories of horizon ``T``, drawn from ``behavior`` (from
        ``pi_theta`` when it is None).
    discount : float, optional
        ``gamma`` in ``[0, 1]`` (1 by default): step ``t`` weighs ``gamma^t``.
    behavior : array_like or list of array_like or PolicyMixture, optional
        The sampling policy ``q`` (``(S, A)`` or ``(T, S, A)``); a list of
        policies is the fusion distribution ``(1/M) sum_m q_m`` (trajectories
        drawn by picking ``m`` uniformly, then following ``q_m``);
        a :class:`~tabular_irl.approx.PolicyMixture` gives other weights.
        ``None``: on-policy, every ratio is 1.
    future_ratios : bool, default True
        Weight each reward by the ratios up to its own step (unbiased); False
        keeps only the ratios up to the scored step ``t`` (lower variance,
        biased off-policy; identical on-policy).
    baseline : None, "value" or array_like, shape (S,) or (T, S), optional
        ``b_t(s)`` subtracted from the reward-to-go (``gamma^t b_t``); any
        baseline leaves the estimate unbiased. ``"value"``: the exact
        ``V^pi_t`` of ``pi_theta``.

    Returns
    -------
    ReinforceGradient
        ``estimate == terms.mean(axis=0)``, ``terms`` one row per trajectory.

    Raises
    ------
    ValueError
        Logits, behaviour or baseline of the wrong shape; samples out of range.

    See Also
    --------
    policy_gradient : the exact gradient the estimate is measured against.
    tabular_irl.approx.PolicyMixture

    References
    ----------
    Williams (1992). Simple statistical gradient-following algorithms for
    connectionist reinforcement learning. Machine Learning 8.
    Precup, Sutton & Singh (2000). Eligibility traces for off-policy policy
    evaluation. ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories
    >>> from tabular_irl.rl import policy_gradient
    >>> world = gridworld(3)
    >>> logits = np.zeros((9, 5))
    >>> samples = sample_trajectories(world.mdp, np.full((9, 5), 0.2), 500, horizon=4, seed=0)
    >>> est = reinforce_gradient(world.mdp, world.reward, logits, samples, baseline="value")
    >>> est.terms.shape, bool(np.allclose(est.estimate, est.terms.mean(axis=0)))
    ((500, 9, 5), True)
    >>> _, exact = policy_gradient(world.mdp, world.reward, logits, horizon=4)
    >>> error, noise = np.linalg.norm(est.estimate - exact), np.sqrt(np.sum(est.standard_error**2))
    >>> bool(error < 3 * noise < np.linalg.norm(exact))  # within the noise, which is below the signal
    True
    """
    if not isinstance(samples, Trajectories):
        raise TypeError(f"samples must be tabular_irl.Trajectories, got {_describe(samples)}")
    problem = resolve(mdp, reward, samples.horizon, discount)
    check_trajectories(samples, "samples", problem.mdp, None)
    theta = problem.logits(logits)
    if not isinstance(future_ratios, (bool, np.bool_)):
        raise TypeError(f"future_ratios must be True or False, got {_describe(future_ratios)}")
    mixture = _behavior(behavior, problem)
    pi = softmax(theta)
    b = _baseline(baseline, problem, pi)

    N, T = samples.actions.shape
    S, A = problem.shape
    s, a = samples.states[:, :-1], samples.actions
    steps = np.broadcast_to(np.arange(T), (N, T))
    log_pi = log_softmax(theta)
    log_pi_sa = log_pi[steps, s, a] if theta.ndim == 3 else log_pi[s, a]
    if mixture is None:
        w = np.ones((N, T))
    else:
        log_q = _prefix_log_q(mixture, s, a)
        if np.isneginf(log_q).any():  # a prefix q cannot produce never appears among its samples
            i, t = (int(k) for k in np.argwhere(np.isneginf(log_q))[0])
            raise ValueError(f"samples hold a step that behavior gives probability 0 (trajectory {i}, step {t}): "
                             "they were not drawn from it")
        with np.errstate(over="ignore"):
            w = np.exp(np.cumsum(log_pi_sa, axis=1) - log_q)
        if not np.all(np.isfinite(w)):
            raise ValueError("importance ratios overflow (above 1e308): behavior is too far from the policy "
                             "over this horizon")
    r = problem.reward[s, a] * discount_weights(T, problem.gamma)
    if future_ratios:
        coeff = np.cumsum((w * r)[:, ::-1], axis=1)[:, ::-1]
    else:
        coeff = w * np.cumsum(r[:, ::-1], axis=1)[:, ::-1]
    if b is not None:
        coeff = coeff - w * discount_weights(T, problem.gamma) * b[steps, s]
    # the score of step t: e_{a_t} - pi_t(.|s_t), scattered into the logits of (t, s_t)
    pi_rows = pi[steps, s] if theta.ndim == 3 else pi[s]  # (N, T, A)
    score = -pi_rows
    np.put_along_axis(score, a[..., None], np.take_along_axis(score, a[..., None], axis=2) + 1.0, axis=2)
    contrib = coeff[..., None] * score
    _passes.check_fits(N * theta.size * 8, f"the per-trajectory terms (N,) + logits.shape = {(N,) + theta.shape}",
                       "pass fewer samples per call (the estimate is the mean of the terms of every call)")
    terms = np.zeros((N,) + theta.shape)
    rows = np.broadcast_to(np.arange(N)[:, None], (N, T))
    if theta.ndim == 3:
        np.add.at(terms, (rows, steps, s), contrib)
    else:
        np.add.at(terms, (rows, s), contrib)
    estimate = terms.mean(axis=0)
    se = terms.std(axis=0, ddof=1) / np.sqrt(N) if N > 1 else np.full(theta.shape, np.inf)
    return freeze(ReinforceGradient(estimate=estimate, terms=terms, standard_error=se, ratios=w,
                                    future_ratios=bool(future_ratios), on_policy=mixture is None))
