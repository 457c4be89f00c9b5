"""map_irl (the posterior's mode) and value_at_risk (the posterior distribution of a policy's loss)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tabular_irl import gridworld, maxent_irl, sample_trajectories, soft_backward, value_iteration
from tabular_irl.bayes import bayesian_irl, log_posterior, map_irl, value_at_risk
from tabular_irl.irl import FitResult
from tabular_irl.metrics import expected_value_difference


def _world(T=5, n=30):
    world = gridworld(3, slip=0.1)
    expert = soft_backward(world.mdp, 5 * world.reward, horizon=T)
    return world, sample_trajectories(world.mdp, expert.policy, n, horizon=T, seed=0)


def test_map_with_a_gaussian_prior_is_l2_regularised_maxent():
    # N L(theta) - |theta|^2 / (2 sigma^2) is maximal where L(theta) - l2/2 |theta|^2 is, l2 = 1 / (N sigma^2)
    world, demos = _world()
    phi = world.feature_sets["coordinates"]
    fit = map_irl(world.mdp, demos, features=phi, horizon=5, likelihood="maxent", prior_scale=0.5, tol=1e-9)
    ref = maxent_irl(world.mdp, phi, demos, horizon=5, l2=1 / (30 * 0.25))
    assert fit.converged and isinstance(fit, FitResult)
    np.testing.assert_allclose(fit.theta, ref.theta, atol=1e-6)
    assert np.abs(fit.gradient).max() < 1e-6
    assert fit.objective == pytest.approx(log_posterior(world.mdp, demos, fit.theta, features=phi, horizon=5,
                                                        likelihood="maxent", prior="gaussian", prior_scale=0.5)[0])
    np.testing.assert_allclose(fit.policy, soft_backward(world.mdp, fit.reward, horizon=5).policy, atol=1e-12)
    assert fit.history["objective"][-1] == pytest.approx(fit.objective)
    assert fit.history["objective"] == sorted(fit.history["objective"])  # ascent


def test_map_in_a_box_is_the_best_point_of_a_fine_grid():
    world, demos = _world()
    phi = world.feature_sets["coordinates"][:, :1]  # one parameter
    kw = dict(features=phi, horizon=5, likelihood="maxent", prior="uniform", bounds=(-0.5, 0.5))
    fit = map_irl(world.mdp, demos, **kw)
    grid = np.linspace(-0.5, 0.5, 2001)
    values = [log_posterior(world.mdp, demos, [x], **kw)[0] for x in grid]
    assert abs(fit.theta[0] - grid[int(np.argmax(values))]) <= 1e-3
    assert fit.objective >= max(values) - 1e-9


def test_map_with_the_boltzmann_likelihood_warns_or_converges_and_never_raises():
    world, demos = _world()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = map_irl(world.mdp, demos, discount=0.9, confidence=3.0, max_iter=50)
    assert fit.theta.shape == (9,) and fit.policy.shape == (9, 5)
    np.testing.assert_allclose(fit.policy.sum(axis=1), 1.0)


def test_map_bad_input():
    world, demos = _world()
    with pytest.raises(ValueError, match="start must lie in the box"):
        map_irl(world.mdp, demos, horizon=5, prior="uniform", bounds=(-1, 1), start=np.full(9, 2.0))
    with pytest.raises(ValueError, match="confidence must be a finite number > 0"):
        map_irl(world.mdp, demos, horizon=5, confidence=-1.0)


def test_value_at_risk_losses_are_expected_value_differences():
    world, demos = _world(n=10)
    phi = world.feature_sets["coordinates"]
    fit = bayesian_irl(world.mdp, demos, features=phi, discount=0.9, bounds=(-1, 1), step=0.25, n_samples=300,
                       seed=0)
    expert = value_iteration(world.mdp, world.reward, discount=0.9).policy
    uniform = np.full((9, 5), 0.2)
    risk = value_at_risk(fit, world.mdp, uniform, alpha=0.9)
    assert risk.losses.shape == (300,) and np.all(risk.losses >= 0)
    for i in range(0, 300, 37):
        r = phi @ fit.samples[i]
        best = value_iteration(world.mdp, r, discount=0.9).policy
        evd = expected_value_difference(world.mdp, r, best, uniform, discount=0.9)
        assert risk.losses[i] == pytest.approx(evd, abs=1e-9)
    assert risk.value_at_risk == np.sort(risk.losses)[int(np.ceil(0.9 * 300)) - 1]
    assert risk.mean == pytest.approx(risk.losses.mean())
    assert value_at_risk(fit, world.mdp, expert, alpha=0.9).value_at_risk < risk.value_at_risk


def test_value_at_risk_bad_input():
    world, demos = _world(n=5)
    fit = bayesian_irl(world.mdp, demos, discount=0.9, bounds=(-1, 1), step=0.5, n_samples=20, seed=0)
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\)"):
        value_at_risk(fit, world.mdp, np.full((9, 5), 0.2), alpha=1.0)
    with pytest.raises(ValueError, match="policy row"):
        value_at_risk(fit, world.mdp, np.full((9, 5), 0.3))
    with pytest.raises(TypeError, match="BayesianIRLResult"):
        value_at_risk(fit.samples, world.mdp, np.full((9, 5), 0.2))
