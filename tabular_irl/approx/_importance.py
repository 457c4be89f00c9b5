r"""Importance-sampled MaxEnt gradient and log partition (Finn, Levine & Abbeel 2016).

The target is the non-causal (trajectory-level) model of DESIGN.md,
``p(tau | s_0) = prod_t P(s_{t+1}|s_t, a_t) exp(R(tau)) / Z(s_0)``. A sampler
draws ``tau`` with density ``q(tau) = q_0(s_0) prod_t P prod_t q_t(a_t|s_t)``,
so the dynamics cancel from the importance weight

.. math::

    w(\tau) = \frac{\exp R(\tau)}{\prod_t q_t(a_t \mid s_t)}, \qquad
    E_q[w \mid s_0] = Z(s_0).

Per start state ``g`` (the demonstrations' own start states, as in the exact
objective), with samples ``tau_j`` and sample weights ``c_j`` (1 for draws),

.. math::

    \hat Z(g) = \frac{\sum_{j: s_0^j = g} c_j w_j}{\sum_{j: s_0^j = g} c_j}, \qquad
    \hat E_g[C] = \frac{\sum_{j: s_0^j = g} c_j w_j C(\tau_j)}{\sum_{j: s_0^j = g} c_j w_j},

and with ``rho`` the demonstrations' start distribution

.. math::

    \widehat{\log Z} = \sum_g \rho(g) \log \hat Z(g), \qquad
    \hat\nabla_\theta L = \bar C_{\text{demos}} - \sum_g \rho(g)\, \hat E_g[C].

``Z_hat`` is unbiased, its logarithm is biased low (Jensen); the
self-normalised expectation is a ratio estimator, biased at ``O(1/n)``. With
one start state this is exactly Finn et al.'s
``mean_i grad r(tau_i) - sum_j w_j grad r(tau_j) / sum_j w_j``. The weights
target the trajectory-level model, so in the infinite-sample limit (every
trajectory, ``c_j = q(tau_j)``) the estimates equal the exact non-causal
gradient and log partition, for any sampler that gives every trajectory
positive probability. All weights are handled in log space.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp

from .._features import as_linear_features
from .._validation import (
    check_distribution,
    check_finite_array,
    check_horizon,
    check_reward,
    check_trajectories,
    readonly,
)
from ..mdp import MDP, check_mdp
from ..trajectories import Trajectories
from ._sampled import _trajectory_feature_counts
from ._sampler import PolicyMixture, as_sampler, check_sample_weights

__all__ = [
    "ImportanceSampledGradient",
    "LogPartitionEstimate",
    "importance_sampled_gradient",
    "importance_sampled_log_partition",
    "importance_log_weights",
]


@dataclass(frozen=True, eq=False)
class LogPartitionEstimate:
    """Self-normalised importance-sampling estimate of the log partition.

    Attributes
    ----------
    log_partition : float
        ``sum_g rho(g) log Z_hat(g)``, estimating ``rho @ V_0`` of the non-causal model.
    start_states : ndarray of int, shape (K,)
        The start states ``g`` with ``rho(g) > 0``.
    start_weights : ndarray, shape (K,)
        ``rho(g)``.
    log_partition_per_start : ndarray, shape (K,)
        ``log Z_hat(g)``.
    log_weights : ndarray, shape (n,)
        ``log w_j = R(tau_j) - log q(tau_j)`` (policy part of the sampler's density).
    normalized_weights : ndarray, shape (n,)
        Weight of each sample in the self-normalised estimates,
        ``rho(g_j) c_j w_j / sum_{i: g_i = g_j} c_i w_i``; they sum to 1
        (0 for samples whose start state has ``rho = 0``).
    effective_sample_size : float
        ``n / sum_j omega_j^2 / cbar_j`` with ``omega`` the normalised weights
        and ``cbar_j = c_j / sum c``: Kish's ``(sum w)^2 / sum w^2`` for one
        start state and equal sample weights. With ``c_j = q(tau_j)`` over
        every trajectory, ``effective_sample_size / n_samples`` is the
        population efficiency ``1 / E_q[(p/q)^2]``.
    n_samples : int

    See Also
    --------
    importance_sampled_log_partition : returns it.

    References
    ----------
    Finn, Levine & Abbeel (2016), "Guided cost learning: deep inverse optimal control via policy optimization", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories
    >>> world = gridworld(3, slip=0.2, initial=(0, 0))
    >>> uniform = np.full((9, 5), 0.2)
    >>> samples = sample_trajectories(world.mdp, uniform, 100, horizon=4, seed=0)
    >>> est = importance_sampled_log_partition(world.mdp, world.reward, samples, uniform, horizon=4)
    >>> est.start_states.tolist(), est.n_samples, round(float(est.normalized_weights.sum()), 12)
    ([0], 100, 1.0)
    """

    log_partition: float
    start_states: np.ndarray
    start_weights: np.ndarray
    log_partition_per_start: np.ndarray
    log_weights: np.ndarray
    normalized_weights: np.ndarray
    effective_sample_size: float
    n_samples: int


@dataclass(frozen=True, eq=False)
class ImportanceSampledGradient:
    """Importance-sampled MaxEnt objective, gradient and log partition.

    Attributes
    ----------
    gradient : ndarray, shape (d,)
        ``empirical_features - expected_features``.
    expected_features : ndarray, shape (d,)
        ``sum_g rho(g) E_hat_g[C]``, self-normalised.
    empirical_features : ndarray, shape (d,)
        Mean feature count of the demonstrations.
    objective : float
        ``mean_i R(tau_i) - log_partition``: the non-causal log-likelihood
        (less the dynamics' terms), estimated.
    log_partition : LogPartitionEstimate
        The estimate of ``log Z`` and the weights behind both estimates.

    See Also
    --------
    importance_sampled_gradient : returns it.

    References
    ----------
    Finn, Levine & Abbeel (2016), "Guided cost learning: deep inverse optimal control via policy optimization", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories
    >>> world = gridworld(3, slip=0.2, initial=(0, 0))
    >>> uniform = np.full((9, 5), 0.2)
    >>> demos = sample_trajectories(world.mdp, uniform, 10, horizon=4, seed=0)
    >>> samples = sample_trajectories(world.mdp, uniform, 200, horizon=4, seed=1)
    >>> est = importance_sampled_gradient(world.mdp, world.features, world.reward, demos, samples, uniform,
    ...                                   horizon=4)
    >>> bool(np.allclose(est.gradient, est.empirical_features - est.expected_features))
    True
    """

    gradient: np.ndarray
    expected_features: np.ndarray
    empirical_features: np.ndarray
    objective: float
    log_partition: LogPartitionEstimate

    @property
    def effective_sample_size(self) -> float:
        return self.log_partition.effective_sample_size


def _returns(tr: Trajectories, reward: np.ndarray) -> np.ndarray:
    """``R(tau_j) = sum_t r(s_t, a_t)`` for validated trajectories, shape ``(N,)``."""
    return reward[tr.states[:, :-1], tr.actions].sum(axis=1)


def _log_weights(tr: Trajectories, reward: np.ndarray, sampler: PolicyMixture, c: np.ndarray) -> np.ndarray:
    log_q = sampler.log_prob(tr)
    bad = (c > 0) & ~np.isfinite(log_q)
    if np.any(bad):
        j = int(np.argmax(bad))
        raise ValueError(f"samples must be possible under sampler: trajectory {j} has probability 0 under it "
                         "(an action no sampler policy takes); were the samples drawn from this sampler?")
    with np.errstate(invalid="ignore"):
        log_w = _returns(tr, reward) - log_q
    return np.where(c > 0, log_w, -np.inf)


def snis(log_w: np.ndarray, c: np.ndarray, starts: np.ndarray, groups: np.ndarray, rho: np.ndarray,
         values: np.ndarray | None = None, *, target: str = "rho"
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, float]:
    """Per-start self-normalised estimates on trusted arrays.

    Returns ``(log Z_hat per group (K,), normalised weights (n,), sum_j omega_j values_j or None, ESS)``;
    ``ValueError`` when a group has no sample of positive weight.
    """
    with np.errstate(divide="ignore"):
        lw = log_w + np.log(c)
    log_z = np.empty(groups.shape[0])
    omega = np.zeros(log_w.shape[0])
    missing = []
    for k, g in enumerate(groups):
        mask = (starts == g) & (c > 0)
        if not np.any(mask):
            missing.append(int(g))
            continue
        lse = logsumexp(lw[mask])
        log_z[k] = lse - np.log(c[mask].sum())
        omega[mask] = rho[k] * np.exp(lw[mask] - lse)
    if missing:
        raise ValueError(f"samples must include a trajectory starting in every start state of {target}; none starts "
                         f"in state(s) {missing[:10]}{'...' if len(missing) > 10 else ''} (draw the samples with "
                         "initial = that start distribution, or more of them)")
    cbar = c / c.sum()
    used = c > 0
    ess = float(log_w.shape[0] / np.sum(omega[used] ** 2 / cbar[used]))
    expected = None if values is None else omega @ values
    return log_z, omega, expected, ess


def _start_groups(rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    groups = np.flatnonzero(rho > 0)
    return groups, rho[groups]


def _estimate(log_w, c, tr, rho, values, target, n):
    groups, weights = _start_groups(rho)
    log_z, omega, expected, ess = snis(log_w, c, tr.states[:, 0], groups, weights, values, target=target)
    est = LogPartitionEstimate(
        log_partition=float(weights @ log_z), start_states=groups, start_weights=weights,
        log_partition_per_start=log_z, log_weights=log_w, normalized_weights=omega,
        effective_sample_size=ess, n_samples=n)
    readonly(groups, weights, log_z, log_w, omega)
    return est, expected


def importance_log_weights(mdp: MDP, reward: Any, samples: Trajectories, sampler: Any, *,
                           horizon: int) -> np.ndarray:
    r"""``log w_j = R(tau_j) - log q(tau_j)``, shape ``(n,)`` (policy part of the sampler's density).

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    samples : Trajectories
        Drawn from ``sampler`` (each must have positive probability under it).
    sampler : array_like, shape (S, A) or (T, S, A), or PolicyMixture
    horizon : int

    Returns
    -------
    ndarray, shape (n,)
        ``log w_j`` of each sample, in the order of ``samples``.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``reward``, ``samples``, ``sampler`` or ``horizon`` out of range, of the
        wrong shape or not finite.

    See Also
    --------
    importance_sampled_gradient, importance_sampled_log_partition : the estimators built on them.

    References
    ----------
    Finn, Levine & Abbeel (2016), "Guided cost learning: deep inverse optimal control via policy optimization", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import Trajectories, gridworld
    >>> world = gridworld(2, slip=0.0)
    >>> stay = Trajectories([[0, 0, 0]], [[4, 4]])       # two "stay" actions in state 0
    >>> importance_log_weights(world.mdp, [1.0, 0, 0, 0], stay, np.full((4, 5), 0.2), horizon=2).round(6)
    array([5.218876])
    """
    mdp = check_mdp(mdp)
    T = check_horizon(horizon)
    tr = check_trajectories(samples, "samples", mdp, T)
    q = as_sampler(sampler, mdp, T)
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    return _log_weights(tr, r, q, np.ones(tr.n_trajectories))


def importance_sampled_log_partition(
    mdp: MDP,
    reward: Any,
    samples: Trajectories,
    sampler: Any,
    *,
    horizon: int,
    initial: Any = None,
    sample_weights: Any = None,
) -> LogPartitionEstimate:
    r"""Importance-sampled ``sum_{s0} initial(s0) log Z(s0)`` of the non-causal model.

    ``Z(s0) = sum_tau prod_t P exp(R(tau))`` over trajectories from ``s0``,
    estimated per start state by the mean of ``c_j w_j`` (see the module
    docstring); exact counterpart: ``posterior_marginals(mdp, reward,
    horizon=T, initial=initial).log_partition``.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    samples : Trajectories
        ``n`` trajectories of horizon ``T`` drawn from ``sampler``; every
        state with ``initial > 0`` must start at least one of them.
    sampler : array_like, shape (S, A) or (T, S, A), or PolicyMixture
        The policy (or mixture of policies) that drew ``samples``; its start
        distribution does not matter.
    horizon : int
    initial : array_like, shape (S,), optional
        Start distribution weighting ``log Z(s0)``; ``mdp.initial`` by default.
    sample_weights : array_like, shape (n,), optional
        Non-negative ``c_j`` (1 for draws; the sampler's probability of each
        trajectory for the exact infinite-sample limit).

    Returns
    -------
    LogPartitionEstimate

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``reward``, ``samples``, ``sampler``, ``horizon``, ``initial`` or
        ``sample_weights`` out of range, of the wrong shape or not finite.

    See Also
    --------
    tabular_irl.soft_backward : the exact log partition.
    importance_sampling_theory : its exact bias and variance.

    References
    ----------
    Finn, Levine & Abbeel (2016), "Guided cost learning: deep inverse optimal control via policy optimization", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, posterior_marginals, sample_trajectories
    >>> world = gridworld(3, slip=0.2, initial=(0, 0))
    >>> uniform = np.full((9, 5), 0.2)
    >>> samples = sample_trajectories(world.mdp, uniform, 20000, horizon=4, seed=0)
    >>> est = importance_sampled_log_partition(world.mdp, world.reward, samples, uniform, horizon=4)
    >>> exact = posterior_marginals(world.mdp, world.reward, horizon=4).log_partition
    >>> bool(abs(est.log_partition - exact) < 0.01)
    True
    """
    mdp = check_mdp(mdp)
    T = check_horizon(horizon)
    tr = check_trajectories(samples, "samples", mdp, T)
    q = as_sampler(sampler, mdp, T)
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    rho = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    c = check_sample_weights(sample_weights, tr.n_trajectories)
    log_w = _log_weights(tr, r, q, c)
    est, _ = _estimate(log_w, c, tr, rho, None, "initial", tr.n_trajectories)
    return est


def importance_sampled_gradient(
    mdp: MDP,
    features: Any,
    theta: Any,
    demos: Trajectories,
    samples: Trajectories,
    sampler: Any,
    *,
    horizon: int,
    sample_weights: Any = None,
) -> ImportanceSampledGradient:
    r"""Importance-sampled gradient of the non-causal MaxEnt objective (guided cost learning).

    .. math::

        \hat\nabla_\theta L = \frac1N \sum_i C(\tau^E_i)
            - \sum_g \rho(g) \frac{\sum_{j: s^j_0 = g} c_j w_j C(\tau_j)}{\sum_{j: s^j_0 = g} c_j w_j},
        \qquad w_j = \frac{\exp R_\theta(\tau_j)}{\prod_t q_t(a^j_t \mid s^j_t)},

    ``C(tau) = sum_t phi(s_t, a_t)``, ``rho`` the demonstrations' start
    distribution, ``R_theta = sum_t phi(s_t, a_t) @ theta``. Exact
    counterpart: ``maxent_objective(mdp, features, theta, demos, horizon=T,
    causal=False)``, which it equals in the infinite-sample limit.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
    theta : array_like, shape (d,)
    demos : Trajectories
        Demonstrations of horizon ``T``.
    samples : Trajectories
        ``n`` trajectories of horizon ``T`` drawn from ``sampler``; every
        start state of the demonstrations must start at least one of them
        (draw them with ``initial=demos.start_distribution(S)``).
    sampler : array_like, shape (S, A) or (T, S, A), or PolicyMixture
    horizon : int
    sample_weights : array_like, shape (n,), optional
        As in :func:`importance_sampled_log_partition`.

    Returns
    -------
    ImportanceSampledGradient

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type; the message names it.
    ValueError
        ``features``, ``theta``, ``demos``, ``samples``, ``sampler``,
        ``horizon`` or ``sample_weights`` out of range, of the wrong shape or
        not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    tabular_irl.maxent_objective : the exact gradient it estimates.
    importance_sampling_theory : its exact bias and variance.

    References
    ----------
    Finn, Levine & Abbeel (2016), "Guided cost learning: deep inverse optimal control via policy optimization", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward, sample_trajectories
    >>> world = gridworld(4, slip=0.2, initial=(0, 0))
    >>> expert = soft_backward(world.mdp, 5 * world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 50, horizon=6, seed=0)
    >>> uniform = np.full((16, 5), 0.2)
    >>> samples = sample_trajectories(world.mdp, uniform, 1000, horizon=6, seed=1)
    >>> est = importance_sampled_gradient(world.mdp, world.features, np.zeros(16), demos, samples,
    ...                                   uniform, horizon=6)
    >>> est.gradient.shape, round(est.effective_sample_size, 6)  # theta = 0: uniform is the exact sampler
    ((16,), 1000.0)
    """
    mdp = check_mdp(mdp)
    T = check_horizon(horizon)
    lf = as_linear_features(features, mdp.n_states, mdp.n_actions)
    th = check_finite_array(theta, "theta", (lf.d,))
    demos = check_trajectories(demos, "demos", mdp, T)
    tr = check_trajectories(samples, "samples", mdp, T)
    q = as_sampler(sampler, mdp, T)
    c = check_sample_weights(sample_weights, tr.n_trajectories)
    reward = lf.reward(th)
    log_w = _log_weights(tr, reward, q, c)
    rho = demos.start_distribution(mdp.n_states)
    est, expected = _estimate(log_w, c, tr, rho, _trajectory_feature_counts(tr, lf, 1.0),
                              "the demonstrations", tr.n_trajectories)
    empirical = _trajectory_feature_counts(demos, lf, 1.0).mean(axis=0)
    gradient = empirical - expected
    objective = float(_returns(demos, reward).mean() - est.log_partition)
    readonly(gradient, expected, empirical)
    return ImportanceSampledGradient(gradient=gradient, expected_features=expected, empirical_features=empirical,
                                     objective=objective, log_partition=est)
