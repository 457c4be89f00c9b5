"""MALA and HMC: sampled mean and covariance against numerical integration of the exact posterior on a fine grid."""

from __future__ import annotations

import numpy as np
import pytest

from tabular_irl import sample_trajectories
from tabular_irl.bayes import bayesian_irl, effective_sample_size
from tabular_irl.bayes.likelihood import make_posterior

from helpers import tiny_problem

BOX = (-3.0, 3.0)
# 81 x 81 trapezoid nodes over the box (spacing 0.075, posterior sd ~0.5): quadrature error ~1e-3,
# small beside the Monte Carlo tolerances below
N_NODES = 81
QUADRATURE_ATOL = 5e-3


def _problem(likelihood):
    mdp, _, _, _ = tiny_problem(0, 4, 3)
    rng = np.random.default_rng(0)
    phi = rng.normal(size=(4, 3, 2))
    demos = sample_trajectories(mdp, rng.dirichlet(np.ones(3), size=4), 4, horizon=3, seed=0)
    kw = dict(features=phi, horizon=3, likelihood=likelihood, prior="gaussian", prior_scale=1.0, bounds=BOX)
    return mdp, demos, kw


_MOMENTS: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def _integrated_moments(likelihood):
    """Mean (2,) and covariance (2, 2) of the posterior truncated to the box, by the trapezoid rule."""
    if likelihood not in _MOMENTS:
        mdp, demos, kw = _problem(likelihood)
        post = make_posterior(mdp, demos, **kw)
        nodes = np.linspace(*BOX, N_NODES)
        X, Y = np.meshgrid(nodes, nodes, indexing="ij")
        points = np.stack([X.ravel(), Y.ravel()], axis=1)
        log_p = np.array([post(x, gradient=False)[0] for x in points])
        edge = np.ones(N_NODES)
        edge[[0, -1]] = 0.5
        w = np.exp(log_p - log_p.max()) * np.outer(edge, edge).ravel()
        w /= w.sum()
        mean = w @ points
        centred = points - mean
        _MOMENTS[likelihood] = mean, centred.T @ (centred * w[:, None])
    return _MOMENTS[likelihood]


@pytest.mark.parametrize("likelihood", ["maxent", "boltzmann"])
@pytest.mark.parametrize("method, step, n_samples", [("mala", 0.8, 3000), ("hmc", 0.3, 1500)])
def test_mean_and_covariance_match_numerical_integration(likelihood, method, step, n_samples):
    mean, cov = _integrated_moments(likelihood)
    mdp, demos, kw = _problem(likelihood)
    fit = bayesian_irl(mdp, demos, method=method, step=step, n_samples=n_samples, burn_in=300, n_chains=2,
                       n_leapfrog=3, seed=1, **kw)
    assert np.all(fit.rhat < 1.05)
    assert 0.3 < fit.acceptance_rate < 1.0
    sd = np.sqrt(np.diag(cov))
    # Monte Carlo standard error of each statistic from its own effective sample size
    se_mean = sd / np.sqrt(fit.ess)
    assert np.all(np.abs(fit.mean - mean) < 4 * se_mean + QUADRATURE_ATOL), (fit.mean, mean, se_mean)
    centred = fit.chains - mean
    for i in range(2):
        for j in range(i, 2):
            z = centred[..., i] * centred[..., j]  # (n_chains, n_samples): E z = cov[i, j]
            se = z.std() / np.sqrt(effective_sample_size(z)[0])
            assert abs(z.mean() - cov[i, j]) < 4 * se + QUADRATURE_ATOL, (i, j, z.mean(), cov[i, j], se)


def test_chains_stay_in_the_box_and_reproduce():
    mdp, demos, kw = _problem("maxent")
    for method in ("mala", "hmc"):
        a = bayesian_irl(mdp, demos, method=method, step=1.5, n_samples=200, n_chains=2, seed=3, **kw)
        b = bayesian_irl(mdp, demos, method=method, step=1.5, n_samples=200, n_chains=2, seed=3, **kw)
        np.testing.assert_array_equal(a.samples, b.samples)
        assert np.all((a.samples >= BOX[0]) & (a.samples <= BOX[1]))
        assert a.method == method and a.step == 1.5 and a.seconds > 0
