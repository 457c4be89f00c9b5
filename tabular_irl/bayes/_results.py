"""The results of :mod:`tabular_irl.bayes`: small frozen dataclasses with named fields."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BayesianIRLResult"]


@dataclass(frozen=True, eq=False)
class BayesianIRLResult:
    """Posterior samples of the reward parameters from :func:`~tabular_irl.bayes.bayesian_irl`.

    Attributes
    ----------
    samples : ndarray, shape (n, d)
        The draws after burn-in of every chain, chain after chain
        (``n = n_chains * n_samples``).
    chains : ndarray, shape (n_chains, n_samples, d)
        The same draws, chain by chain (what :attr:`ess` and :attr:`rhat` read).
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
