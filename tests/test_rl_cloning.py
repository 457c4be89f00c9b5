"""tabular_irl.rl: behavioural cloning and the exact imitation gap (compounding error on the tightrope)."""

import numpy as np
import pytest

from tabular_irl import MDP, Trajectories, gridworld, sample_trajectories, soft_backward
from tabular_irl.metrics import policy_value
from tabular_irl.rl import behavior_cloning, imitation_gap

from helpers import tiny_problem


def tightrope(recoverable: bool = False):
    """(mdp, reward): on the rope (state 0) action 0 earns 1 and stays, action 1 slips off into state 1.

    State 1 is absorbing and worth nothing, unless ``recoverable``: then every action there
    climbs back onto the rope (one step lost per slip).
    """
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = 1.0
    P[1, :, 0 if recoverable else 1] = 1.0
    return MDP.from_dense(P, initial=[1.0, 0.0]), np.array([[1.0, 0.0], [0.0, 0.0]])


EXPERT = np.array([[1.0, 0.0], [0.5, 0.5]])


def slipping(eps):
    return np.array([[1.0 - eps, eps], [0.5, 0.5]])


# -- behavioural cloning ------------------------------------------------------------


def test_cloning_is_the_count_ratio():
    mdp, _, _, _ = tiny_problem(0, 3, 3)
    demos = Trajectories(states=[[0, 1, 0], [0, 1, 1], [0, 0, 1]], actions=[[2, 1, ], [2, 0], [1, 1]])
    fit = behavior_cloning(mdp, demos)
    # state 0: actions 2, 2, 1 (and at step 1 of the third demo: 1); state 1: actions 1, 0
    np.testing.assert_array_equal(fit.counts, [[0, 2, 2], [1, 1, 0], [0, 0, 0]])
    np.testing.assert_allclose(fit.policy, [[0, 0.5, 0.5], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]], rtol=0, atol=1e-15)
    assert fit.visited.tolist() == [True, True, False]
    assert fit.log_likelihood == pytest.approx(6 * np.log(0.5), abs=1e-12)
    assert not fit.time_indexed
    smooth = behavior_cloning(mdp, demos, smoothing=1.0)
    np.testing.assert_allclose(smooth.policy[0], [1 / 7, 3 / 7, 3 / 7], rtol=0, atol=1e-15)
    np.testing.assert_allclose(smooth.policy[2], [1 / 3] * 3, rtol=0, atol=1e-15)


def test_time_indexed_when_the_demos_allow_it(seed):
    world = gridworld(3)
    expert = soft_backward(world.mdp, 3 * world.reward, horizon=5)
    demos = sample_trajectories(world.mdp, expert.policy, 40, horizon=5, seed=seed)
    fit = behavior_cloning(world.mdp, demos, horizon=3)
    assert fit.time_indexed and fit.policy.shape == (3, 9, 5)
    assert fit.counts.sum() == 40 * 3
    # the log-likelihood is the sum over the demonstrated steps used
    steps = [np.log(fit.policy[t, s, a]) for i in range(40) for t, (s, a) in
             enumerate(zip(demos.states[i, :3], demos.actions[i, :3]))]
    assert fit.log_likelihood == pytest.approx(sum(steps), abs=1e-9)
    longer = behavior_cloning(world.mdp, demos, horizon=8)  # the demos have only 5 steps
    assert not longer.time_indexed and longer.policy.shape == (9, 5)
    assert longer.counts.sum() == 40 * 5


def test_cloning_recovers_the_expert_with_many_demos():
    world = gridworld(3, slip=0.3)
    expert = soft_backward(world.mdp, world.reward, horizon=3)
    demos = sample_trajectories(world.mdp, expert.policy, 50_000, horizon=3, seed=1)
    fit = behavior_cloning(world.mdp, demos, horizon=3)
    # the start avoids the goal (state 8); from step 1 on slippery moves reach every state
    assert fit.visited.tolist() == [[True] * 8 + [False], [True] * 9, [True] * 9]
    np.testing.assert_array_equal(fit.policy[0, 8], np.full(5, 0.2))
    # thousands of visits per visited (t, s): sampling error ~ 0.01
    assert np.abs(fit.policy - expert.policy)[fit.visited].max() < 0.05


def test_bad_demonstrations_and_smoothing():
    world = gridworld(2)
    with pytest.raises(ValueError, match=r"demos.states\[0, 1\] = 9 is not a state of this MDP \(n_states=4\)"):
        behavior_cloning(world.mdp, Trajectories([[0, 9]], [[0]]))
    with pytest.raises(ValueError, match=r"demos.actions\[0, 0\] = 7 is not an action of this MDP \(n_actions=5\)"):
        behavior_cloning(world.mdp, Trajectories([[0, 1]], [[7]]))
    with pytest.raises(TypeError, match="demos must be"):
        behavior_cloning(world.mdp, [[0, 1]])
    with pytest.raises(ValueError, match="smoothing"):
        behavior_cloning(world.mdp, Trajectories([[0, 1]], [[0]]), smoothing=-1.0)


# -- the imitation gap --------------------------------------------------------------


def test_quadratic_bound_attained_on_the_tightrope():
    """Slip with probability T eps at the first step and never again: epsilon = eps, gap = T^2 eps exactly."""
    mdp, r = tightrope()
    for T in (5, 10, 20, 40):
        eps = 0.001
        learner = np.tile(EXPERT, (T, 1, 1))
        learner[0] = slipping(T * eps)
        out = imitation_gap(mdp, r, EXPERT, learner, horizon=T)
        assert out.epsilon == pytest.approx(eps, abs=1e-15)
        assert out.gap == pytest.approx(T * T * eps, abs=1e-12)
        assert out.gap == pytest.approx(out.bc_bound, abs=1e-12)


def compounding_table(eps=0.01, recoverable=False):
    """Stationary learner slipping with probability eps at every step: rows (T, gap, T^2 eps R, T eps R, online)."""
    mdp, r = tightrope(recoverable)
    rows = []
    for T in (5, 10, 20, 40):
        out = imitation_gap(mdp, r, EXPERT, slipping(eps), horizon=T)
        rows.append((T, out.gap, out.bc_bound, T * out.epsilon * out.reward_range, out.online_bound))
    return rows


def test_compounding_error_is_quadratic_on_the_tightrope():
    eps = 0.01
    for T, gap, quadratic, linear, online in compounding_table(eps):
        # closed form: step t is lost when a slip happened at one of the steps 0..t
        exact = sum(1 - (1 - eps) ** (t + 1) for t in range(T))
        assert gap == pytest.approx(exact, abs=1e-12)
        assert gap <= quadratic + 1e-12 and gap <= online + 1e-12
        # nearly attained: gap / (T^2 eps) = (T + 1) / (2T) up to O(T eps)
        assert gap / quadratic > 0.5 * (1 - T * eps)
        if T >= 10:
            assert gap > 4 * linear  # far beyond the linear rate
    for T, gap, quadratic, linear, online in compounding_table(eps, recoverable=True):
        # a slip costs one step: the gap is linear, about T eps
        assert gap <= 2 * linear + 1e-12


def test_bounds_hold_and_gap_is_exact_on_random_problems(seed):
    mdp, _, _, r = tiny_problem(seed, 4, 3)
    rng = np.random.default_rng(seed)
    T = 6
    expert = rng.dirichlet(np.ones(3) * 0.3, size=(T, 4))
    learner = rng.dirichlet(np.ones(3), size=(4,))
    out = imitation_gap(mdp, r, expert, learner, horizon=T, discount=0.9)
    truth = (policy_value(mdp, expert, r, horizon=T, discount=0.9)
             - policy_value(mdp, learner, r, horizon=T, discount=0.9))
    assert out.gap == pytest.approx(truth, abs=1e-12)
    assert abs(out.gap) <= out.bc_bound + 1e-12
    assert out.gap <= out.online_bound + 1e-12
    assert out.step_error.shape == (T,) and out.epsilon == pytest.approx(out.step_error.mean(), abs=1e-15)
    same = imitation_gap(mdp, r, expert, expert, horizon=T)
    assert same.gap == 0.0 and same.epsilon == 0.0 and same.bc_bound == 0.0


def test_imitation_gap_needs_a_horizon_and_valid_policies():
    mdp, r = tightrope()
    with pytest.raises(TypeError, match="horizon"):
        imitation_gap(mdp, r, EXPERT, EXPERT)
    with pytest.raises(ValueError, match="policy row"):
        imitation_gap(mdp, r, EXPERT, [[0.5, 0.6], [0.5, 0.5]], horizon=3)


# -- DAgger ------------------------------------------------------------------------

from tabular_irl import value_iteration  # noqa: E402
from tabular_irl.rl import dagger  # noqa: E402


def test_dagger_exact_recovers_the_expert_on_its_support():
    world = gridworld(3, slip=0.2)
    expert = value_iteration(world.mdp, world.reward, horizon=5).policy
    run = dagger(world.mdp, expert, horizon=5, n_iter=3, n_per_iter=None, reward=world.reward)
    assert run.history["gap"] == [0.0, 0.0, 0.0] and run.history["epsilon"] == [0.0, 0.0, 0.0]
    assert not run.sampled and run.history["iteration"] == [1, 2, 3]
    labelled = run.counts.sum(axis=-1) > 0
    np.testing.assert_array_equal(run.policy[labelled], expert[labelled])


def test_dagger_closes_the_gap_that_cloning_leaves():
    """Few expert demonstrations miss states; the learner's own visits get labelled and the gap shrinks."""
    world = gridworld(4, slip=0.3)
    T = 8
    expert = value_iteration(world.mdp, world.reward, horizon=T).policy
    run = dagger(world.mdp, expert, horizon=T, n_iter=10, n_per_iter=2, reward=world.reward, seed=0)
    gaps = run.history["gap"]
    # iteration 1 is behavioural cloning of 2 expert demonstrations
    bc = behavior_cloning(world.mdp, sample_trajectories(world.mdp, expert, 2, horizon=T, seed=1), horizon=T)
    assert gaps[0] > 0.1 and gaps[-1] < 0.5 * gaps[0]
    assert imitation_gap(world.mdp, world.reward, expert, run.policy, horizon=T).gap == pytest.approx(gaps[-1],
                                                                                                     abs=1e-12)
    assert run.history["n_labels"] == [2 * T * (i + 1) for i in range(10)]
    assert bc.policy.shape == run.policy.shape
    again = dagger(world.mdp, expert, horizon=T, n_iter=10, n_per_iter=2, reward=world.reward, seed=0)
    np.testing.assert_array_equal(again.policy, run.policy)  # same seed, same run


def test_dagger_beta_and_bad_input():
    mdp, r = tightrope()
    run = dagger(mdp, EXPERT, horizon=4, n_iter=3, n_per_iter=5, beta=0.5, seed=0)
    assert "gap" not in run.history and len(run.history["epsilon"]) == 3
    with pytest.raises(ValueError, match="beta must be in"):
        dagger(mdp, EXPERT, horizon=4, n_iter=3, n_per_iter=5, beta=1.5)
    with pytest.raises(ValueError, match="n_per_iter must be >= 1"):
        dagger(mdp, EXPERT, horizon=4, n_iter=3, n_per_iter=0)
    with pytest.raises(ValueError, match="policy"):
        dagger(mdp, np.ones((3, 2)), horizon=4, n_iter=3, n_per_iter=5)
