"""Evaluation metrics: closed forms on tiny MDPs, identities with the planners, and bad input."""

import numpy as np
import pytest

from helpers import tiny_problem
from tabular_irl import MDP, soft_backward, value_iteration, visitation
from tabular_irl.metrics import (
    PolicyDivergence,
    expected_value_difference,
    feature_expectation_distance,
    policy_divergence,
    policy_value,
    reward_correlation,
    reward_distance,
)

# log(0) or 0 * inf inside a metric would be a bug even where the result comes out right
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

EXACT = dict(rel=0, abs=1e-12)  # closed forms of a few exact products and sums
VI_TOL = dict(rel=0, abs=1e-8)  # discounted value iteration stops at error bound 1e-10

# Two states; action 0 stays, action 1 switches (deterministic). Start in state 0,
# reward 1 for being in state 1.
STAY_OR_SWITCH = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], dtype=float)
R_STATE = np.array([0.0, 1.0])
# Optimal: switch out of state 0, stay in state 1.
BEST = np.array([[0.0, 1.0], [1.0, 0.0]])
# Half: a coin flip in state 0, stay in state 1. Pr(s_t = 1) = 1 - 0.5^t.
HALF = np.array([[0.5, 0.5], [1.0, 0.0]])
UNIFORM = np.full((2, 2), 0.5)


@pytest.fixture
def two_states():
    return MDP.from_dense(STAY_OR_SWITCH, initial=[1.0, 0.0])


@pytest.fixture
def one_state():
    """One state, two actions: divergences are those of the two action distributions."""
    return MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])


# -- policy_value ------------------------------------------------------------------


def test_policy_value_hand_computed(two_states):
    # T = 3: sum_{t<3} (1 - 0.5^t) = 0 + 0.5 + 0.75
    assert policy_value(two_states, HALF, R_STATE, horizon=3) == pytest.approx(1.25, **EXACT)
    # discounted 0.5: sum_t 0.5^t (1 - 0.5^t) = 2 - 1 / (1 - 0.25) = 2/3
    assert policy_value(two_states, HALF, R_STATE, discount=0.5) == pytest.approx(2 / 3, **EXACT)
    # T = 3 with discount 0.5: 0 + 0.5 * 0.5 + 0.25 * 0.75
    assert policy_value(two_states, HALF, R_STATE, horizon=3, discount=0.5) == pytest.approx(0.4375, **EXACT)
    # a state-action reward (S, A) equal to the state reward gives the same value
    r_sa = np.repeat(R_STATE[:, None], 2, axis=1)
    assert policy_value(two_states, HALF, r_sa, horizon=3) == pytest.approx(1.25, **EXACT)
    # another start distribution: start in state 1 and stay there for 3 steps
    assert policy_value(two_states, HALF, R_STATE, horizon=3, initial=[0.0, 1.0]) == pytest.approx(3.0, **EXACT)


def test_policy_value_time_indexed(two_states):
    # t=0 switch, t=1 switch back, t=2 switch: states 0, 1, 0 -> return 1
    pol = np.array([BEST, [[1.0, 0.0], [0.0, 1.0]], BEST])
    assert policy_value(two_states, pol, R_STATE, horizon=3) == pytest.approx(1.0, **EXACT)


def test_policy_value_of_value_iteration_is_optimal_return(two_states):
    plan = value_iteration(two_states, R_STATE, horizon=3)
    assert plan.log_partition == pytest.approx(2.0, **EXACT)
    assert policy_value(two_states, plan.policy, R_STATE, horizon=3) == pytest.approx(2.0, **EXACT)
    plan = value_iteration(two_states, R_STATE, discount=0.5)
    assert policy_value(two_states, plan.policy, R_STATE, discount=0.5) == pytest.approx(1.0, **VI_TOL)


@pytest.mark.parametrize("mode", [dict(horizon=4), dict(discount=0.8), dict(horizon=3, discount=0.7)])
def test_policy_value_matches_planner_on_random_mdps(seed, mode):
    mdp, P, init, r = tiny_problem(seed, 4, 3)
    plan = value_iteration(mdp, r, **mode)
    assert policy_value(mdp, plan.policy, r, **mode) == pytest.approx(plan.log_partition, **VI_TOL)
    # and every other policy does no better
    rng = np.random.default_rng(seed)
    other = rng.dirichlet(np.ones(3), size=4)
    assert policy_value(mdp, other, r, **mode) <= plan.log_partition + 1e-8


# -- expected_value_difference ---------------------------------------------------------


def test_evd_zero_for_identical_policies(two_states):
    assert expected_value_difference(two_states, R_STATE, HALF, HALF, horizon=3) == 0.0
    assert expected_value_difference(two_states, R_STATE, HALF, HALF.copy(), discount=0.9) == 0.0


def test_evd_hand_computed(two_states):
    # optimal return 2 (T=3) and 1 (discount 0.5) minus the HALF values above
    assert expected_value_difference(two_states, R_STATE, BEST, HALF, horizon=3) == pytest.approx(0.75, **EXACT)
    assert expected_value_difference(two_states, R_STATE, BEST, HALF, discount=0.5) == pytest.approx(1 / 3, **EXACT)
    rel = expected_value_difference(two_states, R_STATE, BEST, HALF, horizon=3, relative=True)
    assert rel == pytest.approx(0.75 / 2.0, **EXACT)
    # relative divides by |expert value|: a negative-valued expert keeps the sign of the difference
    rel_neg = expected_value_difference(two_states, -R_STATE, HALF, BEST, horizon=3, relative=True)
    assert rel_neg == pytest.approx(0.75 / 1.25, **EXACT)


def test_evd_positive_for_uniform_vs_optimal_and_negative_for_soft_expert(seed):
    mdp, P, init, r = tiny_problem(seed, 4, 3)
    r = r + 3.0 * (np.arange(3) == 1)  # a clear optimum: action 1 everywhere
    best = value_iteration(mdp, r, horizon=5).policy
    uniform = np.full((4, 3), 1 / 3)
    assert expected_value_difference(mdp, r, best, uniform, horizon=5) > 1.0
    # a soft (maximum entropy) expert is beaten by the optimal policy: EVD < 0
    soft = soft_backward(mdp, r, horizon=5).policy
    assert expected_value_difference(mdp, r, soft, best, horizon=5) < 0.0


def test_evd_relative_zero_expert_value_raises(two_states):
    # staying in state 0 collects nothing
    stay = np.array([[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="relative=True.*0"):
        expected_value_difference(two_states, R_STATE, stay, HALF, horizon=3, relative=True)
    with pytest.raises(TypeError, match="relative"):
        expected_value_difference(two_states, R_STATE, stay, HALF, horizon=3, relative="yes")


# -- policy_divergence -----------------------------------------------------------------


def test_divergence_zero_for_identical_policies(two_states):
    div = policy_divergence(two_states, HALF, HALF, horizon=4)
    assert isinstance(div, PolicyDivergence)
    assert div.kl == 0.0 and div.total_variation == 0.0
    div = policy_divergence(two_states, HALF, HALF, discount=0.9)
    assert div.kl == 0.0 and div.total_variation == 0.0


@pytest.mark.parametrize("mode", [dict(horizon=1), dict(horizon=3), dict(discount=0.9), dict(horizon=2, discount=0.5)])
def test_divergence_one_state_hand_computed(one_state, mode):
    div = policy_divergence(one_state, [[0.5, 0.5]], [[0.9, 0.1]], **mode)
    assert div.total_variation == pytest.approx(0.4, **EXACT)
    assert div.kl == pytest.approx(0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1), **EXACT)


def test_divergence_is_average_per_step(one_state):
    # identical at t=0, TV 0.4 at t=1: the average per step is 0.2
    expert = np.array([[[0.5, 0.5]], [[0.5, 0.5]]])
    learned = np.array([[[0.5, 0.5]], [[0.9, 0.1]]])
    div = policy_divergence(one_state, expert, learned, horizon=2)
    assert div.total_variation == pytest.approx(0.2, **EXACT)
    kl_step = 0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1)
    assert div.kl == pytest.approx(kl_step / 2, **EXACT)
    # discounted 0.5 within the horizon: weights 1/1.5 and 0.5/1.5
    div = policy_divergence(one_state, expert, learned, horizon=2, discount=0.5)
    assert div.total_variation == pytest.approx(0.4 / 3, **EXACT)


def test_divergence_weights_by_expert_visitation(two_states):
    # HALF visits state 0 with D_t(0) = 0.5^t; learned differs from HALF in state 0 only, by TV 0.5
    learned = np.array([[1.0, 0.0], [1.0, 0.0]])
    div = policy_divergence(two_states, HALF, learned, horizon=3)
    assert div.total_variation == pytest.approx(0.5 * (1 + 0.5 + 0.25) / 3, **EXACT)
    assert div.kl == np.inf  # learned never switches, the expert does
    # discounted: (1 - gamma) d(0) = (1 - gamma) / (1 - gamma / 2)
    div = policy_divergence(two_states, HALF, learned, discount=0.5)
    assert div.total_variation == pytest.approx(0.5 * 0.5 / 0.75, **EXACT)


def test_divergence_kl_inf_when_learned_drops_expert_action(one_state):
    div = policy_divergence(one_state, [[0.5, 0.5]], [[1.0, 0.0]], horizon=2)
    assert div.kl == np.inf
    assert div.total_variation == pytest.approx(0.5, **EXACT)
    # the other way round is finite: 0 log 0 = 0
    div = policy_divergence(one_state, [[1.0, 0.0]], [[0.5, 0.5]], horizon=2)
    assert div.kl == pytest.approx(np.log(2.0), **EXACT)


def test_divergence_ignores_states_the_expert_never_reaches(two_states):
    # the expert stays in state 0 forever; the learned policy differs only in state 1
    expert = np.array([[1.0, 0.0], [0.5, 0.5]])
    learned = np.array([[1.0, 0.0], [0.0, 1.0]])
    for mode in (dict(horizon=3), dict(discount=0.9)):
        div = policy_divergence(two_states, expert, learned, **mode)
        assert div.kl == 0.0 and div.total_variation == 0.0


def test_divergence_matches_direct_sum_on_random_mdps(seed):
    mdp, P, init, r = tiny_problem(seed, 3, 2)
    T = 4
    expert = soft_backward(mdp, r, horizon=T).policy
    learned = soft_backward(mdp, -r, horizon=T).policy
    D = visitation(mdp, expert, horizon=T).state[:T]
    kl = np.sum(D * np.sum(expert * np.log(expert / learned), axis=-1)) / T
    tv = np.sum(D * 0.5 * np.abs(expert - learned).sum(axis=-1)) / T
    div = policy_divergence(mdp, expert, learned, horizon=T)
    assert div.kl == pytest.approx(kl, rel=1e-12)
    assert div.total_variation == pytest.approx(tv, rel=1e-12)
    assert 0.0 < div.total_variation <= 1.0


# -- feature_expectation_distance ----------------------------------------------------------


def test_feature_distance_zero_for_identical_policies(two_states):
    assert feature_expectation_distance(two_states, np.eye(2), HALF, HALF, horizon=3) == 0.0
    assert feature_expectation_distance(two_states, np.eye(2), HALF, HALF, discount=0.9) == 0.0


def test_feature_distance_one_hot_hand_computed(two_states):
    # one-hot state features: expected state counts over t < 3
    # BEST: [1, 2]; HALF: [1 + 0.5 + 0.25, 0.5 + 0.75] = [1.75, 1.25]; difference [-0.75, 0.75]
    phi = np.eye(2)
    assert feature_expectation_distance(two_states, phi, BEST, HALF, horizon=3) == pytest.approx(
        0.75 * np.sqrt(2), **EXACT)
    assert feature_expectation_distance(two_states, phi, BEST, HALF, horizon=3, ord=1) == pytest.approx(1.5, **EXACT)
    assert feature_expectation_distance(two_states, phi, BEST, HALF, horizon=3, ord=np.inf) == pytest.approx(
        0.75, **EXACT)
    # state-action one-hot features (S, A, S*A): counts of (s, a) pairs
    # BEST: (0,1) once, (1,0) twice; HALF: (0,0) 0.875, (0,1) 0.875, (1,0) 1.25
    phi_sa = np.eye(4).reshape(2, 2, 4)
    expected = np.abs(np.array([0.0, 1.0, 2.0, 0.0]) - np.array([0.875, 0.875, 1.25, 0.0])).sum()
    assert feature_expectation_distance(two_states, phi_sa, BEST, HALF, horizon=3, ord=1) == pytest.approx(
        expected, **EXACT)


# -- reward_correlation / reward_distance ------------------------------------------------------


def test_reward_correlation_invariances(rng):
    r = rng.normal(size=(5, 3))
    assert reward_correlation(r, 3 * r + 5) == pytest.approx(1.0, **EXACT)
    assert reward_correlation(r, -r) == pytest.approx(-1.0, **EXACT)
    assert reward_correlation(r[:, 0], 0.5 * r[:, 0] - 2) == pytest.approx(1.0, **EXACT)
    assert reward_correlation(r, rng.normal(size=(5, 3))) < 1.0 - 1e-6
    assert reward_correlation(1e300 * r, r) == pytest.approx(1.0, **EXACT)  # no overflow


def test_reward_correlation_known_values(rng):
    # centred: [-1, 0, 1] and [-1, 1, 0]: dot 1, norms sqrt(2) each
    assert reward_correlation([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]) == pytest.approx(0.5, **EXACT)
    x, y = rng.normal(size=7), rng.normal(size=7)
    assert reward_correlation(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)
    # a state reward (S,) against a state-action one (S, A) is broadcast over actions
    r_sa = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    assert reward_correlation([1.0, 2.0, 3.0], r_sa) == pytest.approx(1.0, **EXACT)


def test_reward_correlation_constant_raises():
    with pytest.raises(ValueError, match="true_reward is constant"):
        reward_correlation([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="learned_reward is constant"):
        reward_correlation([1.0, 2.0, 3.0], np.zeros(3))
    # constant up to rounding ([0.1, 0.1, 0.09999999999999998]): its "correlation" would be noise
    nearly_constant = np.array([0.1, 0.2, 0.3]) - np.array([0.0, 0.1, 0.2])
    assert np.ptp(nearly_constant) > 0
    with pytest.raises(ValueError, match="learned_reward is constant"):
        reward_distance([1.0, 2.0, 3.0], nearly_constant)
    with pytest.raises(ValueError, match="true_reward is constant"):
        reward_distance([1.0], [7.0])


def test_reward_distance(rng):
    r = rng.normal(size=(4, 2))
    assert reward_distance(r, 3 * r + 5) == pytest.approx(0.0, abs=1e-12)
    # 0.01 r - 100 itself carries a rounding of eps * 100 / 0.01 ~ 2e-12 relative to its spread
    assert reward_distance(r, 0.01 * r - 100) == pytest.approx(0.0, abs=1e-10)
    assert reward_distance(r, -r) == pytest.approx(2.0, **EXACT)
    assert reward_distance([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]) == pytest.approx(1.0, **EXACT)
    other = rng.normal(size=(4, 2))
    assert reward_distance(r, other) == pytest.approx(np.sqrt(2 * (1 - reward_correlation(r, other))), abs=1e-12)


def test_reward_metrics_bad_input():
    with pytest.raises(ValueError, match="learned_reward must have the shape"):
        reward_correlation([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="true_reward must be finite"):
        reward_correlation([1.0, np.nan, 3.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="true_reward must have shape"):
        reward_correlation(np.ones((2, 2, 2)), np.ones((2, 2, 2)))
    with pytest.raises(TypeError, match="learned_reward must hold real numbers"):
        reward_distance([1.0, 2.0], ["a", "b"])


# -- bad input to the policy metrics ------------------------------------------------------------


def test_policy_metrics_bad_input(two_states):
    bad_rows = np.array([[0.5, 0.4], [1.0, 0.0]])
    with pytest.raises(ValueError, match=r"learned_policy row for \(s=0\) sums to 0.9"):
        expected_value_difference(two_states, R_STATE, HALF, bad_rows, horizon=3)
    with pytest.raises(ValueError, match=r"expert_policy row for \(s=0\)"):
        policy_divergence(two_states, bad_rows, HALF, horizon=3)
    with pytest.raises(ValueError, match=r"expert_policy must have shape \(S, A\) = \(2, 2\), got shape \(3, 2, 2\)"):
        policy_divergence(two_states, np.stack([HALF] * 3), HALF, discount=0.9)
    with pytest.raises(ValueError, match=r"learned_policy must have shape"):
        feature_expectation_distance(two_states, np.eye(2), HALF, np.stack([HALF] * 2), horizon=3)
    with pytest.raises(ValueError, match="true_reward must have shape"):
        expected_value_difference(two_states, [1.0, 2.0, 3.0], HALF, HALF, horizon=3)
    with pytest.raises(ValueError, match="reward must be finite"):
        policy_value(two_states, HALF, [0.0, np.inf], horizon=3)
    with pytest.raises(ValueError, match="features must have shape"):
        feature_expectation_distance(two_states, np.eye(3), HALF, HALF, horizon=3)
    with pytest.raises(ValueError, match="ord must be >= 1"):
        feature_expectation_distance(two_states, np.eye(2), HALF, HALF, horizon=3, ord=0.5)
    with pytest.raises(TypeError, match="ord must be a real number"):
        feature_expectation_distance(two_states, np.eye(2), HALF, HALF, horizon=3, ord="fro")
    with pytest.raises(ValueError, match="give horizon"):
        policy_value(two_states, HALF, R_STATE)
    with pytest.raises(TypeError, match="horizon must be an integer"):
        policy_value(two_states, HALF, R_STATE, horizon=3.0)
    with pytest.raises(ValueError, match="initial must sum to 1"):
        policy_value(two_states, HALF, R_STATE, horizon=3, initial=[0.5, 0.4])
    with pytest.raises(TypeError, match="mdp must be a tabular_irl.MDP"):
        policy_divergence(STAY_OR_SWITCH, HALF, HALF, horizon=3)
