"""tabular_irl.rl.q_learning: reproducible per seed, converging to Q* (value_iteration), demos help early."""

import numpy as np
import pytest

from tabular_irl import Trajectories, gridworld, sample_trajectories, value_iteration
from tabular_irl.rl import q_learning

from helpers import tiny_problem

BASE = dict(discount=0.8, buffer_size=1000, batch_size=8, target_update=20, lr=0.5, epsilon=1.0)


def test_reproducible_for_a_seed():
    world = gridworld(3)
    a = q_learning(world.mdp, world.reward, n_steps=2000, seed=5, **BASE)
    b = q_learning(world.mdp, world.reward, n_steps=2000, seed=5, **BASE)
    c = q_learning(world.mdp, world.reward, n_steps=2000, seed=6, **BASE)
    np.testing.assert_array_equal(a.Q, b.Q)
    assert a.history == b.history
    assert not np.array_equal(a.Q, c.Q)


def test_deterministic_dynamics_converge_to_q_star_exactly(seed):
    """Deterministic transitions make every TD target exact: replayed updates are asynchronous value iteration."""
    mdp, _, _, r = tiny_problem(seed, 5, 3, deterministic=True)
    run = q_learning(mdp, r, n_steps=4000, seed=seed, **BASE)
    Q_star = value_iteration(mdp, r, discount=0.8, method="policy_iteration").Q
    np.testing.assert_array_equal(run.Q_star, Q_star)
    # every pair reachable from the start is learned; the uniform exploration reaches them all here
    assert run.history["q_error"][-1] < 1e-8
    assert run.history["value"][-1] == pytest.approx(run.optimal_value, abs=1e-12)
    assert run.history["step"][-1] == 4000 and run.history["updates"][-1] == run.n_updates


def test_stochastic_dynamics_approach_q_star():
    world = gridworld(3, slip=0.2)
    # a buffer holding every transition (a small one is a small empirical MDP: its own Q* differs)
    run = q_learning(world.mdp, world.reward, n_steps=20_000, **dict(BASE, lr=0.05, buffer_size=20_000), seed=0)
    errors = np.array(run.history["q_error"])
    # a constant step size leaves a noise floor ~ sqrt(lr / 2) * (spread of the targets ~ 1): about 0.15 here
    assert errors[0] == pytest.approx(np.abs(run.Q_star).max())
    assert errors[-5:].max() < 0.05 * errors[0]
    assert run.history["value"][-1] == pytest.approx(run.optimal_value, rel=1e-3)


def test_demonstrations_help_early():
    world = gridworld(8)
    optimal = value_iteration(world.mdp, world.reward, discount=0.95, method="policy_iteration").policy
    demos = sample_trajectories(world.mdp, optimal, 20, horizon=20, seed=0)
    kw = dict(discount=0.95, n_steps=4000, buffer_size=5000, batch_size=32, target_update=200, lr=0.5,
              epsilon=0.2, n_checkpoints=4)
    without = np.mean([q_learning(world.mdp, world.reward, seed=s, **kw).history["value"] for s in range(3)], axis=0)
    with_demos = np.mean([q_learning(world.mdp, world.reward, demos=demos, demo_margin=0.8, seed=s,
                                     **kw).history["value"] for s in range(3)], axis=0)
    # after 1000 steps the agent with demonstrations is well on its way, the one without has not started
    assert with_demos[1] > 0.5 * q_learning(world.mdp, world.reward, seed=0, **kw).optimal_value
    assert with_demos[1] > 5 * without[1]


def test_count_bonus_and_margin_run():
    world = gridworld(3)
    demos = Trajectories([[0, 1, 2]], [[1, 2]])
    run = q_learning(world.mdp, world.reward, n_steps=500, exploration_bonus="count", bonus_scale=0.5,
                     demos=demos, demo_margin=0.8, seed=0, **BASE)
    assert np.all(np.isfinite(run.Q)) and run.policy.sum() == 9


@pytest.mark.parametrize("change, match", [
    (dict(batch_size=2000), "batch_size must be <= buffer_size=1000"),
    (dict(epsilon=1.5), r"epsilon must be in \[0, 1\]"),
    (dict(epsilon=-0.1), r"epsilon must be in \[0, 1\]"),
    (dict(lr=0.0), "lr must be a finite number > 0"),
    (dict(exploration_bonus="ucb"), "exploration_bonus must be None or 'count'"),
    (dict(demo_margin=0.5), "demo_margin needs demos"),
    (dict(demos=Trajectories([[0, 99]], [[0]])), r"demos.states\[0, 1\] = 99 is not a state of this MDP"),
    (dict(discount=1.0), r"discount must be in \[0, 1\)"),
])
def test_bad_input_is_named_before_any_work(change, match):
    world = gridworld(3)
    with pytest.raises(ValueError, match=match):
        q_learning(world.mdp, world.reward, **dict(BASE, n_steps=10, **change))
