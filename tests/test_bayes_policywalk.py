"""PolicyWalk is exact: detailed balance with the enumerated grid posterior, and sampled frequencies converge to it."""

from __future__ import annotations

import numpy as np
import pytest

from tabular_irl import Trajectories, gridworld, sample_trajectories, value_iteration
from tabular_irl.bayes import bayesian_irl, exact_grid_posterior
from tabular_irl.bayes.grid import Grid, transition_matrix

from helpers import tiny_problem


def _problem(seed):
    """A 4-state MDP, 2 reward features, Boltzmann demonstrations of a random reward."""
    mdp, _, _, _ = tiny_problem(seed, 4, 3)
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(4, 3, 2))
    expert = value_iteration(mdp, phi @ np.array([0.5, -0.5]), discount=0.8)
    demos = sample_trajectories(mdp, 0.7 * expert.policy + 0.1, 3, horizon=3, seed=seed)
    return mdp, phi, demos


KW = dict(discount=0.8, bounds=(-1, 1), step=0.5, confidence=2.0)


def _brute_force_matrix(p, K, d):
    """PolicyWalk's kernel written out: 2d proposals of probability 1/(2d); off the box, stay."""
    shape = (K,) * d
    M = np.zeros((K**d, K**d))
    for x in range(K**d):
        ix = np.array(np.unravel_index(x, shape))
        for i in range(d):
            for delta in (-1, 1):
                iy = ix.copy()
                iy[i] += delta
                if 0 <= iy[i] < K:
                    y = np.ravel_multi_index(tuple(iy), shape)
                    M[x, y] += min(1.0, p[y] / p[x]) / (2 * d)
        M[x, x] = 1.0 - M[x].sum()
    return M


def test_transition_matrix_satisfies_detailed_balance(seed):
    mdp, phi, demos = _problem(seed)
    points, probs = exact_grid_posterior(mdp, demos, features=phi, **KW)
    grid = Grid(-1.0, 1.0, 5, 2)
    np.testing.assert_array_equal(points, grid.points())
    M = transition_matrix(np.log(probs), grid).toarray()
    flow = probs[:, None] * M
    np.testing.assert_allclose(flow, flow.T, rtol=0, atol=1e-12)  # detailed balance
    np.testing.assert_allclose(M.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert M.min() >= 0.0
    np.testing.assert_allclose(probs @ M, probs, rtol=0, atol=1e-12)  # hence stationary
    np.testing.assert_allclose(M, _brute_force_matrix(probs, 5, 2), rtol=0, atol=1e-12)
    # irreducible on the grid: every point reaches every other (so the stationary law is unique)
    reach = np.linalg.matrix_power((M > 0).astype(float) + np.eye(25), 8) > 0
    assert reach.all()


def _tv_tolerance(probs, n_eff):
    """Three times the expected total variation of n_eff independent draws, 1/2 sum sqrt(2 p (1-p) / (pi n_eff)).

    n_eff is the smallest ESS of the coordinates; over seeds 0-99 the largest TV was 0.57 of this bound.
    """
    return 3 * 0.5 * np.sum(np.sqrt(2 * probs * (1 - probs) / (np.pi * n_eff)))


def _frequencies(fit, points):
    index = np.rint((fit.samples + 1) / 0.5).astype(int) @ np.array([5, 1])
    assert np.allclose(points[index], fit.samples)
    return np.bincount(index, minlength=len(points)) / len(index)


def test_sampled_frequencies_converge_to_the_exact_grid_posterior(seed):
    mdp, phi, demos = _problem(seed)
    points, probs = exact_grid_posterior(mdp, demos, features=phi, **KW)
    tvs, tols = [], []
    for n in (2_000, 32_000):
        fit = bayesian_irl(mdp, demos, features=phi, n_samples=n, burn_in=500, n_chains=2, seed=seed, **KW)
        assert np.all(fit.rhat < 1.01 + 3 / np.sqrt(n))
        n_eff = min(fit.ess.min(), n * 2)
        tv = 0.5 * np.abs(_frequencies(fit, points) - probs).sum()
        tvs.append(tv), tols.append(_tv_tolerance(probs, n_eff))
        assert tv < tols[-1], (n, tv, tols[-1], n_eff)
    # 16 times the draws: the error falls as 1/sqrt(n), by about 4 (by at least 1.39 over seeds 0-99)
    assert tvs[1] < tvs[0] / 1.25, tvs
    fit_mean = (points * probs[:, None]).sum(axis=0)
    assert np.abs(fit.mean - fit_mean).max() < 4 * np.sqrt((points**2 * probs[:, None]).sum(0) - fit_mean**2).max() \
        / np.sqrt(fit.ess.min())


def test_same_seed_same_chain_and_result_fields():
    mdp, phi, demos = _problem(0)
    a = bayesian_irl(mdp, demos, features=phi, n_samples=300, n_chains=3, burn_in=0, seed=7, **KW)
    b = bayesian_irl(mdp, demos, features=phi, n_samples=300, n_chains=3, burn_in=0, seed=np.random.default_rng(7),
                     **KW)
    # no burn-in: every chain's first draw is one PolicyWalk step (or none) from its start, the box's centre
    assert np.all(np.abs(a.chains[:, 0]).sum(axis=1) <= 0.5)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert a.samples.shape == (900, 2) and a.chains.shape == (3, 300, 2) and a.log_posterior.shape == (900,)
    np.testing.assert_array_equal(a.chains.reshape(-1, 2), a.samples)
    assert a.map.tolist() in a.samples.tolist()
    assert a.reward.shape == (4, 3) and np.allclose(a.reward, phi @ a.mean)
    # every sample lies on the grid
    assert np.allclose(np.rint((a.samples + 1) / 0.5) * 0.5 - 1, a.samples)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(start=[2.0, 0.0]), ValueError, "start must lie in the box"),
    (dict(start=[0.1, 0.0]), ValueError, "start must be a point of the grid"),
    (dict(step=4.0), ValueError, "step must be at most the box"),
    (dict(confidence=0.0), ValueError, "confidence must be a finite number > 0"),
    (dict(method="gibbs"), ValueError, "method must be one of 'policywalk', 'mala', 'hmc'"),
    (dict(bounds=None, prior="gaussian"), ValueError, "give bounds"),
    (dict(method="mala", step=3.0), ValueError, "step must be at most the box"),
    (dict(method="hmc", start=[[0.0, 0.0]] * 3, n_chains=2), ValueError, "start must have shape"),
    (dict(n_samples=0), ValueError, "n_samples"),
    (dict(burn_in=-1), ValueError, "burn_in must be >= 0"),
])
def test_bad_input_is_a_clear_error(kwargs, error, match):
    mdp, phi, demos = _problem(0)
    with pytest.raises(error, match=match):
        bayesian_irl(mdp, demos, features=phi, **(KW | dict(n_samples=10) | kwargs))


def test_policywalk_finds_the_goal_on_a_gridworld():
    world = gridworld(3, slip=0.1)
    expert = value_iteration(world.mdp, world.reward, discount=0.9)
    demos = sample_trajectories(world.mdp, expert.policy, 20, horizon=6, seed=0)
    fit = bayesian_irl(world.mdp, demos, discount=0.9, bounds=(0, 1), step=0.25, confidence=5.0, n_samples=3000,
                       seed=0)
    assert int(np.argmax(fit.mean)) == 8  # the goal state carries the largest posterior mean reward


def test_the_sampler_moves_with_the_transition_matrix():
    # the chain's observed one-step moves x -> y have frequencies M[x, y] (binomial, 5 standard errors)
    mdp, phi, demos = _problem(0)
    points, probs = exact_grid_posterior(mdp, demos, features=phi, **KW)
    M = transition_matrix(np.log(probs), Grid(-1.0, 1.0, 5, 2)).toarray()
    fit = bayesian_irl(mdp, demos, features=phi, n_samples=60_000, burn_in=0, seed=0, **KW)
    index = np.rint((fit.samples + 1) / 0.5).astype(int) @ np.array([5, 1])
    counts = np.zeros((25, 25))
    np.add.at(counts, (index[:-1], index[1:]), 1.0)
    visits = counts.sum(axis=1)
    seen = visits >= 200
    assert seen.sum() >= 5
    freq = counts[seen] / visits[seen, None]
    se = np.sqrt(M[seen] * (1 - M[seen]) / visits[seen, None])
    assert np.all(np.abs(freq - M[seen]) <= 5 * se + 1e-12)
    assert np.all(counts[M == 0] == 0)  # never a move the kernel forbids (two coordinates, two steps)
