"""log_posterior: values against a NumPy twin, gradients against finite differences; exact_grid_posterior."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp

from tabular_irl import MDP, Trajectories, maxent_objective, sample_trajectories
from tabular_irl.bayes import exact_grid_posterior, log_posterior

from helpers import tiny_problem
from reference import backward, discounted_backward

# central differences of a smooth function at h = 1e-6: truncation ~h^2, rounding ~1e-16 / h
FD_STEP = 1e-6
FD_ATOL = 1e-6


def _demos(mdp, r, T, seed, n=6):
    rng = np.random.default_rng(seed)
    policy = rng.dirichlet(np.ones(mdp.n_actions), size=mdp.n_states)
    return sample_trajectories(mdp, policy, n, horizon=T, seed=seed)


def _fd(f, theta):
    grad = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = FD_STEP
        grad[i] = (f(theta + e) - f(theta - e)) / (2 * FD_STEP)
    return grad


def _boltzmann_reference(P, r, demos, c, T, gamma):
    """sum_{i,t} c Q*(s,a) - logsumexp_b c Q*(s, b), Q* by NumPy value iteration."""
    if T is None:
        Q = discounted_backward(P, r, gamma, mode="hard")[1]
        Qs = Q[demos.states[:, :-1]]  # (N, T', A)
    else:
        Q = backward(P, r, T, gamma=gamma, mode="hard")[1]
        Qs = Q[np.arange(T), demos.states[:, :-1]]
    Qa = np.take_along_axis(Qs, demos.actions[..., None], axis=-1)[..., 0]
    return float(np.sum(c * Qa - logsumexp(c * Qs, axis=-1)))


MODELS = [dict(discount=0.9), dict(horizon=4), dict(horizon=4, discount=0.8)]


@pytest.mark.parametrize("model", MODELS)
def test_boltzmann_value_matches_numpy_value_iteration(seed, model):
    mdp, P, _, _ = tiny_problem(seed, 4, 3)
    T = model.get("horizon")
    demos = _demos(mdp, None, T or 5, seed)
    theta = np.random.default_rng(seed).normal(size=4)
    value, _ = log_posterior(mdp, demos, theta, confidence=2.0, prior="gaussian", prior_scale=3.0, **model)
    r = np.repeat(theta[:, None], 3, axis=1)
    prior = -0.5 * theta @ theta / 9.0 - 4 * np.log(3.0 * np.sqrt(2 * np.pi))
    expected = _boltzmann_reference(P, r, demos, 2.0, T, model.get("discount", 1.0)) + prior
    assert value == pytest.approx(expected, rel=1e-10, abs=1e-9)


@pytest.mark.parametrize("likelihood", ["boltzmann", "maxent"])
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("param", ["state", "state_action", "features"])
def test_gradient_matches_finite_differences(seed, likelihood, model, param):
    mdp, _, _, _ = tiny_problem(seed, 4, 3)
    T = model.get("horizon")
    demos = _demos(mdp, None, T or 5, seed)
    rng = np.random.default_rng(seed + 1)
    kw = dict(likelihood=likelihood, confidence=1.5, prior="gaussian", prior_scale=2.0, **model)
    if param == "state":
        d = 4
    elif param == "state_action":
        d, kw["reward_shape"] = 12, (4, 3)
    else:
        d, kw["features"] = 2, rng.normal(size=(4, 3, 2))
    theta = rng.normal(size=d)
    value, grad = log_posterior(mdp, demos, theta, **kw)
    fd = _fd(lambda x: log_posterior(mdp, demos, x, **kw)[0], theta)
    np.testing.assert_allclose(grad, fd, atol=FD_ATOL, rtol=1e-6)


def test_laplace_and_uniform_priors(seed):
    mdp, _, _, _ = tiny_problem(seed, 3, 2)
    demos = _demos(mdp, None, 4, seed)
    theta = np.array([0.3, -0.7, 0.5])
    base, g0 = log_posterior(mdp, demos, theta, discount=0.9, bounds=(-1, 1))
    lap, g1 = log_posterior(mdp, demos, theta, discount=0.9, prior="laplace", prior_scale=0.5)
    assert lap - base == pytest.approx(-np.abs(theta).sum() / 0.5 - 3 * np.log(1.0) + 3 * np.log(2.0), rel=1e-12)
    np.testing.assert_allclose(g1 - g0, -np.sign(theta) / 0.5, atol=1e-12)
    out, g = log_posterior(mdp, demos, np.array([0.3, -1.2, 0.5]), discount=0.9, bounds=(-1, 1))
    assert out == -np.inf and not g.any()


def test_maxent_likelihood_is_n_times_the_objective(seed):
    mdp, _, _, _ = tiny_problem(seed, 4, 3)
    demos = _demos(mdp, None, 3, seed, n=7)
    phi = np.random.default_rng(seed).normal(size=(4, 2))
    theta = np.array([0.4, -0.2])
    value, grad = log_posterior(mdp, demos, theta, features=phi, horizon=3, likelihood="maxent", confidence=2.0,
                                prior="gaussian", prior_scale=1e3)
    L, g = maxent_objective(mdp, phi, 2.0 * theta, demos, horizon=3)
    prior = -0.5 * theta @ theta / 1e6 - 2 * np.log(1e3 * np.sqrt(2 * np.pi))
    assert value == pytest.approx(7 * L + prior, rel=1e-12)
    np.testing.assert_allclose(grad, 14 * g - theta / 1e6, rtol=1e-12)


def test_exact_grid_posterior_enumerates_log_posterior(seed):
    mdp, _, _, _ = tiny_problem(seed, 3, 2)
    demos = _demos(mdp, None, 4, seed)
    phi = np.random.default_rng(seed).normal(size=(3, 2))
    points, probs = exact_grid_posterior(mdp, demos, features=phi, discount=0.8, bounds=(-1, 1), step=0.5,
                                         confidence=3.0)
    assert points.shape == (25, 2) and probs.shape == (25,)
    assert probs.sum() == pytest.approx(1.0, abs=1e-14)
    assert points[:5, 1].tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0] and points[:5, 0].tolist() == [-1.0] * 5
    logs = np.array([log_posterior(mdp, demos, x, features=phi, discount=0.8, bounds=(-1, 1), confidence=3.0)[0]
                     for x in points])
    np.testing.assert_allclose(probs, np.exp(logs - logsumexp(logs)), rtol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(step=3.0), "step must be at most the box"),
    (dict(step=0.3), "step must divide the box"),
    (dict(step=-0.5), "step must be a finite number > 0"),
    (dict(step=0.5, bounds=(1, -1)), "bounds must satisfy lo < hi"),
    (dict(step=0.5, confidence=0.0), "confidence must be a finite number > 0"),
    (dict(step=0.5, confidence=-1.0), "confidence must be a finite number > 0"),
    (dict(step=0.5, likelihood="gauss"), "likelihood must be one of 'boltzmann', 'maxent'"),
    (dict(step=0.5, prior="flat"), "prior must be one of 'uniform', 'gaussian', 'laplace'"),
])
def test_bad_input_is_a_clear_error(kwargs, match):
    mdp, _, _, _ = tiny_problem(0, 2, 2)
    demos = Trajectories(states=[[0, 1]], actions=[[0]])
    args = dict(discount=0.9, bounds=(-1, 1)) | kwargs
    with pytest.raises(ValueError, match=match):
        exact_grid_posterior(mdp, demos, **args)


def test_uniform_prior_needs_bounds_and_grids_have_a_size_limit():
    mdp, _, _, _ = tiny_problem(0, 2, 2)
    demos = Trajectories(states=[[0, 1]], actions=[[0]])
    with pytest.raises(ValueError, match="needs bounds"):
        log_posterior(mdp, demos, np.zeros(2), discount=0.9)
    with pytest.raises(ValueError, match="give features or reward_shape"):
        log_posterior(mdp, demos, np.zeros(2), discount=0.9, bounds=(-1, 1), features=np.eye(2), reward_shape=(2,))
    with pytest.raises(ValueError, match="reward_shape must be"):
        log_posterior(mdp, demos, np.zeros(2), discount=0.9, bounds=(-1, 1), reward_shape=(3,))
    with pytest.raises(ValueError, match="theta must have shape"):
        log_posterior(mdp, demos, np.zeros(3), discount=0.9, bounds=(-1, 1))
    big = MDP.from_dense(np.full((30, 1, 30), 1 / 30), initial=np.full(30, 1 / 30))
    with pytest.raises(ValueError, match="more than 2000000 to enumerate"):
        exact_grid_posterior(big, Trajectories(states=[[0, 1]], actions=[[0]]), discount=0.5, bounds=(0, 1),
                             step=0.5)
