"""The results of :mod:`tabular_irl.bayes`: small frozen dataclasses with named fields."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BayesianIRLResult", "MAPResult", "ValueAtRisk"]


@dataclass(frozen=True, eq=False)
class BayesianIRLResult:
    """Posterior samples of the reward parameters from :func:`~tabular_irl.bayes.bayesian_irl`.

    Attributes
    ----------
    samples : ndarray, shape (n, d)
        The draws after burn-in of every chain, chain after chain
        (``n = n_chains * n_samples``).
    chains : ndarray, shape (n_chains, n_samples, d)
        The same draws, chain by chain (what ``ess`` and ``rhat`` read).
    log_posterior : ndarray, shape (n,)
        The unnormalised log posterior of every draw.
    acceptance_rate : float
        Accepted proposals over all proposals of every chain, burn-in
        included (PolicyWalk: a proposal off the box is the current point,
        always accepted).
    mean : ndarray, shape (d,)
        Posterior mean of the draws.
    map : ndarray, shape (d,)
        The draw of highest log posterior (for the optimum itself, :func:`map_irl`).
    ess : ndarray, shape (d,)
        Effective sample size of each coordinate (:func:`effective_sample_size`).
    rhat : ndarray, shape (d,)
        Split-R̂ of each coordinate (:func:`split_rhat`); below 1.01 is the usual bar.
    reward : ndarray, shape (S, A)
        The reward of the posterior mean, ``features @ mean`` (to compare with a
        known truth, e.g. by :func:`~tabular_irl.metrics.epic_distance`).
    method : str
        ``"policywalk"``, ``"mala"`` or ``"hmc"``.
    step : float
    seconds : float
        Wall time of the sampling (ESS per second = ``ess / seconds``).

    See Also
    --------
    bayesian_irl : makes it.
    value_at_risk : a performance bound from its samples.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.bayes import bayesian_irl
    >>> world = gridworld(2, slip=0.1)
    >>> demos = sample_trajectories(world.mdp, value_iteration(world.mdp, world.reward, discount=0.9).policy,
    ...                             4, horizon=3, seed=0)
    >>> fit = bayesian_irl(world.mdp, demos, discount=0.9, bounds=(-1, 1), step=0.5, n_samples=200, seed=0)
    >>> fit.samples.shape, fit.chains.shape, fit.mean.shape, fit.reward.shape, fit.method
    ((200, 4), (1, 200, 4), (4,), (4, 5), 'policywalk')
    """

    samples: np.ndarray
    chains: np.ndarray
    log_posterior: np.ndarray
    acceptance_rate: float
    mean: np.ndarray
    map: np.ndarray
    ess: np.ndarray
    rhat: np.ndarray
    reward: np.ndarray
    method: str
    step: float
    seconds: float
@dataclass(frozen=True, eq=False)
class MAPResult:
    """The maximum a posteriori reward of :func:`~tabular_irl.bayes.map_irl` (the fit result protocol).

    Attributes
    ----------
    theta : ndarray, shape (d,)
    reward : ndarray, shape (S, A)
    policy : ndarray, shape (T, S, A) or (S, A)
        The likelihood's policy at the MAP reward: Boltzmann on ``Q*`` (with
        the confidence), or the MCE policy.
    objective : float
        The log posterior at ``theta`` (unnormalised).
    gradient : ndarray, shape (d,)
    converged : bool
    message : str
    n_iter : int
    method : str
        The optimiser (``"L-BFGS-B"``).
    history : dict
        ``"objective"``: the log posterior at every iteration.

    See Also
    --------
    map_irl : makes it.
    bayesian_irl : the whole posterior.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.bayes import map_irl
    >>> world = gridworld(3, slip=0.1)
    >>> demos = sample_trajectories(world.mdp, soft_backward(world.mdp, 5 * world.reward, horizon=5).policy,
    ...                             30, horizon=5, seed=0)
    >>> fit = map_irl(world.mdp, demos, horizon=5, likelihood="maxent", prior="gaussian")
    >>> fit.converged, fit.theta.shape, fit.reward.shape, fit.policy.shape
    (True, (9,), (9, 5), (5, 9, 5))
    """

    theta: np.ndarray
    reward: np.ndarray
    policy: np.ndarray
    objective: float
    gradient: np.ndarray
    converged: bool
    message: str
    n_iter: int
    method: str
    history: dict


@dataclass(frozen=True, eq=False)
class ValueAtRisk:
    """A policy's posterior loss distribution and its α-value at risk (:func:`~tabular_irl.bayes.value_at_risk`).

    Attributes
    ----------
    value_at_risk : float
        The ``alpha`` quantile of ``losses``: with posterior probability
        ``alpha`` the policy loses at most this much expected return against
        the optimal policy of the true reward.
    losses : ndarray, shape (n,)
        ``V*_r - V^pi_r`` (expected value difference from ``initial``) for the
        reward ``r`` of every posterior sample; non-negative.
    mean : float
        Posterior expected loss.
    alpha : float

    See Also
    --------
    value_at_risk : makes it.
    tabular_irl.metrics.expected_value_difference : each sample's loss.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl.bayes import ValueAtRisk
    >>> risk = ValueAtRisk(value_at_risk=0.5, losses=np.array([0.0, 0.5, 1.0]), mean=0.5, alpha=0.5)
    >>> risk.value_at_risk, risk.losses.shape
    (0.5, (3,))
    """

    value_at_risk: float
    losses: np.ndarray
    mean: float
    alpha: float
