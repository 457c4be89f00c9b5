"""Recovery: MCE IRL on demonstrations of a soft-optimal expert recovers a policy as good as the expert's.

The expert is soft-optimal for a multiple of the true (state) reward, so with
one-hot state features the model family contains it: with enough
demonstrations the fitted policy's expected value difference (EVD) under the
true reward shrinks to zero. The thresholds (2% of the expert's return) hold
for these sample sizes and penalties for every seed tried: 0-99 on the
gridworld (worst 1.9%), 0-29 on objectworld (worst 1.0%).
"""

import numpy as np
import pytest

from tabular_irl import gridworld, objectworld, sample_trajectories, soft_backward
from tabular_irl.irl import maxent_irl
from tabular_irl.metrics import expected_value_difference, policy_value, reward_correlation


def _recover(world, T, n_demos, seed, features, *, scale, l2=1e-3, causal=True):
    expert = soft_backward(world.mdp, scale * np.asarray(world.reward), horizon=T)
    demos = sample_trajectories(world.mdp, expert.policy, n_demos, horizon=T, seed=seed)
    fit = maxent_irl(world.mdp, features, demos, horizon=T, l2=l2, causal=causal)
    v_expert = policy_value(world.mdp, expert.policy, world.reward, horizon=T)
    evd = expected_value_difference(world.mdp, world.reward, expert.policy, fit.plan.policy, horizon=T)
    return fit, v_expert, evd


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gridworld_recovery_within_two_percent(seed):
    world = gridworld(8, slip=0.2, step_reward=-0.1)
    fit, v_expert, evd = _recover(world, 16, 5000, seed, world.features, scale=2.0)
    assert fit.converged
    assert abs(evd) <= 0.02 * abs(v_expert)
    assert reward_correlation(world.reward, fit.reward[:, 0]) > 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_objectworld_recovery_within_two_percent(seed):
    world = objectworld(10, seed=seed)
    fit, v_expert, evd = _recover(world, 15, 20_000, seed, np.eye(world.n_states), scale=5.0, l2=1e-4)
    assert fit.converged
    assert abs(evd) <= 0.02 * abs(v_expert)
    assert reward_correlation(world.reward, fit.reward[:, 0]) > 0.7


def test_more_demonstrations_recover_better():
    world = gridworld(6, slip=0.2, step_reward=-0.1)
    evds = []
    for n in (30, 3000):
        _, v_expert, evd = _recover(world, 12, n, 4, world.features, scale=2.0)
        evds.append(abs(evd) / abs(v_expert))
    assert evds[1] < evds[0]
