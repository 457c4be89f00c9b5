"""tabular_irl.rl.gail: the GAIL policy loop with exact JS divergences."""

import warnings

import numpy as np
import pytest

from tabular_irl import ConvergenceWarning, gridworld, sample_trajectories, soft_backward
from tabular_irl.approx import gail_discriminator, js_divergence, occupancy_measure
from tabular_irl.metrics import policy_value
from tabular_irl.rl import gail


@pytest.fixture(scope="module")
def problem():
    world = gridworld(3, slip=0.1)
    expert = soft_backward(world.mdp, 2 * world.reward, discount=0.8).policy
    return world, expert, occupancy_measure(world.mdp, expert, discount=0.8)


def test_exact_occupancies_recover_the_experts(problem):
    world, expert, rho = problem
    run = gail(world.mdp, rho, discount=0.8, tol=1e-15, reward=world.reward)
    assert run.converged
    occ = occupancy_measure(world.mdp, run.policy, discount=0.8)
    assert np.abs(occ - rho).sum() < 1e-6  # JS ~ L1^2 / 8: 1e-15 nats is an L1 distance ~ 1e-7
    # the last js is the returned policy's, computed exactly
    assert run.history["js"][-1] == pytest.approx(js_divergence(rho, occ), abs=1e-15)
    assert run.history["value"][-1] == pytest.approx(policy_value(world.mdp, expert, world.reward, discount=0.8),
                                                     abs=1e-6)
    assert run.history["iteration"] == list(range(run.n_iter + 1))
    js = np.array(run.history["js"])
    assert js[0] > 0.01 and np.all(np.diff(js) < 0)  # every step lowers the divergence here
    np.testing.assert_allclose(run.history["objective"], 2 * js - np.log(4), rtol=0, atol=1e-15)


def test_finite_horizon_occupancies(problem):
    world, expert, _ = problem
    rho = occupancy_measure(world.mdp, expert, discount=0.8, horizon=6)
    run = gail(world.mdp, rho, discount=0.8, horizon=6, tol=1e-12)
    assert run.converged
    assert np.abs(occupancy_measure(world.mdp, run.policy, discount=0.8, horizon=6) - rho).sum() < 1e-5


def test_the_policy_step_follows_minus_log_one_minus_d(problem):
    """One policy-gradient step on r = -log(1 - D*) is a descent direction of JS (the envelope theorem)."""
    world, _, rho = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one = gail(world.mdp, rho, discount=0.8, n_iter=1, policy_step="policy_gradient", step_size=0.5)
    assert one.history["js"][1] < one.history["js"][0]
    uniform = occupancy_measure(world.mdp, np.full((9, 5), 0.2), discount=0.8)
    assert one.history["js"][0] == pytest.approx(gail_discriminator(rho, uniform).js_divergence, abs=1e-15)


def test_policy_gradient_step_also_converges(problem):
    world, _, rho = problem
    run = gail(world.mdp, rho, discount=0.8, tol=1e-8, policy_step="policy_gradient", step_size=5.0, n_iter=1000)
    assert run.converged and run.history["js"][-1] <= 1e-8
    assert run.method == "gail (policy_gradient)"


def test_from_demonstrations_and_policy_samples(problem):
    world, expert, rho = problem
    demos = sample_trajectories(world.mdp, expert, 2000, horizon=10, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # sampled: the JS stalls at the sampling error
        exact_policy = gail(world.mdp, demos, discount=0.8, horizon=10, n_iter=30)
        sampled = gail(world.mdp, demos, discount=0.8, horizon=10, n_iter=30, n_policy_samples=2000, seed=1)
        again = gail(world.mdp, demos, discount=0.8, horizon=10, n_iter=30, n_policy_samples=2000, seed=1)
    np.testing.assert_array_equal(sampled.policy, again.policy)
    for run in (exact_policy, sampled):
        assert run.history["js"][-1] < 0.1 * run.history["js"][0]
    # the demonstrations' empirical occupancy is what the divergence is measured against
    assert exact_policy.history["js"][-1] < 1e-3


def test_bad_input(problem):
    world, _, rho = problem
    with pytest.raises(ValueError, match="policy_step must be one of"):
        gail(world.mdp, rho, discount=0.8, policy_step="trpo")
    with pytest.raises(ValueError, match="demos must be a normalised occupancy"):
        gail(world.mdp, 2 * rho, discount=0.8)
    with pytest.raises(ValueError, match="step_size"):
        gail(world.mdp, rho, discount=0.8, step_size=0.0)
    with pytest.raises(ValueError, match="n_policy_samples needs a sample length"):
        gail(world.mdp, rho, discount=0.8, n_policy_samples=10)
