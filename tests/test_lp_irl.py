"""LP IRL (Ng & Russell 2000): optimality of the recovered reward, the paper's LP as an oracle, L1 path."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from scipy.optimize import linprog

from helpers import tiny_problem
from tabular_irl import MDP, ConvergenceWarning, gridworld, value_iteration
from tabular_irl.irl.lp import LPIRLResult, lp_irl

GAMMA = 0.9


# --------------------------------------------------------------------------
# Oracles: dense NumPy, the paper's own formulation
# --------------------------------------------------------------------------
def dense_terms(P, pi, gamma, reward):
    """``(S, A)``: ``(P_pi(s) - P_a(s)) (I - gamma P_pi)^{-1} R`` by a dense solve; ``+inf`` at ``a = pi(s)``."""
    S, A, _ = P.shape
    P_pi = P[np.arange(S), pi]
    V = np.linalg.solve(np.eye(S) - gamma * P_pi, reward)
    terms = (P_pi @ V)[:, None] - P @ V
    terms[np.arange(S), pi] = np.inf
    return terms


def paper_lp(P, pi, gamma, *, l1=0.0, r_max=1.0, features=None, states=None):
    """Optimal value of the paper's LP in its own dense form (R free, |R| <= u rows), solved independently."""
    S, A, _ = P.shape
    S0 = np.arange(S) if states is None else np.asarray(states)
    P_pi = P[np.arange(S), pi]
    M = np.linalg.inv(np.eye(S) - gamma * P_pi)
    G = {(s, a): (P_pi[s] - P[s, a]) @ M for s in range(S) for a in range(A) if a != pi[s]}
    n = S if features is None else features.shape[1]
    rows = [(s, a, g if features is None else g @ features) for (s, a), g in G.items()]
    n0 = len(S0)
    # x = [w (n), t (n0), u (n)]; maximise sum t - l1 sum u
    c = np.concatenate([np.zeros(n), -np.ones(n0), l1 * np.ones(n)])
    A_ub, b_ub = [], []
    pos = {int(s): j for j, s in enumerate(S0)}
    for s, a, g in rows:
        if features is None:
            A_ub.append(np.concatenate([-g, np.zeros(n0 + n)]))  # G R >= 0
            b_ub.append(0.0)
        if s in pos:
            e = np.zeros(n0)
            e[pos[s]] = 1.0
            for k in ((1.0,) if features is None else (1.0, 2.0)):  # t <= G R; features: t <= p(H alpha)
                A_ub.append(np.concatenate([-k * g, e, np.zeros(n)]))
                b_ub.append(0.0)
    eye = np.eye(n)
    A_ub += list(np.hstack([eye, np.zeros((n, n0)), -eye])) + list(np.hstack([-eye, np.zeros((n, n0)), -eye]))
    b_ub += [0.0] * (2 * n)
    bounds = [(-r_max, r_max)] * n + [(None, None)] * n0 + [(0, None)] * n
    res = linprog(c, A_ub=np.array(A_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return -res.fun


def check_result(mdp, pi, fit, gamma, *, r_max=1.0, features=None):
    """Everything the result claims, recomputed densely."""
    P = mdp.to_dense()
    assert isinstance(fit, LPIRLResult) and fit.converged is True  # was: fit.success and fit.status == 0
    R = fit.state_reward  # was fit.reward, now (S, A): the state reward broadcast over actions
    np.testing.assert_array_equal(fit.reward, np.repeat(R[:, None], mdp.n_actions, axis=1))
    if features is None:
        np.testing.assert_array_equal(fit.theta, R)  # the finite-state LP's variables are R (alpha was None)
        assert np.abs(R).max() <= r_max
    else:
        assert np.abs(fit.theta).max() <= r_max
        assert_allclose(R, features @ fit.theta, rtol=0, atol=1e-12)
    terms = dense_terms(P, pi, gamma, R)
    if features is None:
        # the LP's constraints: pi is optimal under R
        assert terms.min() >= -1e-8
    # margins: the exact Q(s, pi(s)) - max_{a != pi(s)} Q(s, a), gamma times the paper's term
    assert_allclose(fit.margins, gamma * terms.min(axis=1), rtol=0, atol=1e-10)
    greedy = value_iteration(mdp, R, discount=gamma).policy.argmax(axis=1)
    strict = fit.margins > 1e-9
    np.testing.assert_array_equal(greedy[strict], pi[strict])
    return terms


def expert(mdp, reward, gamma=GAMMA):
    return value_iteration(mdp, reward, discount=gamma).policy.argmax(axis=1)


@pytest.fixture(scope="module")
def grid5():
    world = gridworld(5, slip=0.3)
    return world, expert(world.mdp, world.reward)


# --------------------------------------------------------------------------
# Finite-state LP
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("l1,r_max", [(0.0, 1.0), (0.3, 2.5)])
def test_reward_makes_policy_optimal_and_matches_paper_lp(seed, l1, r_max):
    mdp, P, _, _ = tiny_problem(seed, 5, 3)
    rng = np.random.default_rng(seed)
    for pi in (expert(mdp, rng.normal(size=5)), rng.integers(3, size=5)):  # an optimal one and an arbitrary one
        fit = lp_irl(mdp, pi, discount=GAMMA, l1=l1, r_max=r_max)
        terms = check_result(mdp, pi, fit, GAMMA, r_max=r_max)
        # the objective is the paper's, evaluated at the reward, and it is the optimum of the paper's LP
        assert_allclose(fit.objective, terms.min(axis=1).sum() - l1 * np.abs(fit.state_reward).sum(), rtol=0,
                        atol=1e-10)
        assert_allclose(fit.objective, paper_lp(P, pi, GAMMA, l1=l1, r_max=r_max), rtol=0, atol=1e-7)


@pytest.mark.parametrize("walls", [None, [(1, 1), (2, 1), (3, 3)]])
def test_gridworld_expert_is_optimal_under_recovered_reward(walls):
    world = gridworld(5, slip=0.2, walls=walls, step_reward=-0.1)
    pi = expert(world.mdp, world.reward)
    for l1 in (0.0, 1.0):
        fit = lp_irl(world.mdp, value_iteration(world.mdp, world.reward, discount=GAMMA).policy,
                     discount=GAMMA, l1=l1)  # one-hot (S, A) policy
        check_result(world.mdp, pi, fit, GAMMA)
        assert fit.min_margin >= -1e-10
        assert (fit.margins > 1e-9).sum() >= 15  # most states are explained strictly, not by ties


def test_goal_gets_the_highest_reward(grid5):
    world, pi = grid5
    goal = world.grid.state(4, 4)
    for l1 in (0.5, 1.05, 3.0):  # 1.05: the paper's gridworld value
        R = lp_irl(world.mdp, pi, discount=GAMMA, l1=l1).state_reward
        assert R[goal] == 1.0 and np.delete(R, goal).max() < R[goal], l1


def test_l1_penalty_trades_off_reward_size(grid5):
    world, pi = grid5
    S = world.mdp.n_states
    zero_above = 2 * S / (1 - GAMMA)  # documented: any larger l1 gives R = 0
    grid = [0.0, 0.1, 0.3, 0.6, 1.0, 1.5, 2.5, 4.0, 6.0, 8.0, 20.0, zero_above * 1.001]
    fits = [lp_irl(world.mdp, pi, discount=GAMMA, l1=l1) for l1 in grid]
    size = np.array([np.abs(f.state_reward).sum() for f in fits])
    objective = np.array([f.objective for f in fits])
    # for optima R1 at l1 < l2 (any optima, ties included): ||R1||_1 >= ||R2||_1; the optimum falls with l1
    assert np.all(np.diff(size) <= 1e-7), size
    assert np.all(np.diff(objective) <= 1e-7), objective
    assert size[0] > 1.0 and size[grid.index(6.0)] > 0  # not trivially zero (R = 0 from l1 ~ 6.9 here)
    assert np.all(fits[-1].state_reward == 0.0) and np.all(fits[-1].margins == 0.0) and fits[-1].objective == 0.0
    for f in fits:
        check_result(world.mdp, pi, f, GAMMA)


def test_states_subset_sums_only_those_states(grid5):
    world, pi = grid5
    P = world.mdp.to_dense()
    subset = np.array([0, 7, 12, 19])
    mask = np.zeros(world.mdp.n_states, dtype=bool)
    mask[subset] = True
    fit = lp_irl(world.mdp, pi, discount=GAMMA, l1=0.2, states=subset)
    fit_mask = lp_irl(world.mdp, pi, discount=GAMMA, l1=0.2, states=mask)
    terms = check_result(world.mdp, pi, fit, GAMMA)  # constraints still hold at every state
    np.testing.assert_array_equal(fit.states, subset)
    assert_allclose(fit.objective, terms.min(axis=1)[subset].sum() - 0.2 * np.abs(fit.state_reward).sum(),
                    atol=1e-10)
    assert_allclose(fit.objective, paper_lp(P, pi, GAMMA, l1=0.2, states=subset), atol=1e-7)
    assert_allclose(fit_mask.objective, fit.objective, atol=1e-9)


def test_zero_discount_ties_every_action():
    mdp, P, _, _ = tiny_problem(3, 4, 3)
    pi = np.array([0, 2, 1, 1])
    fit = lp_irl(mdp, pi, discount=0.0, l1=0.1)
    assert np.all(fit.margins == 0.0)  # Q(s, a) = R(s): nothing to distinguish actions
    assert_allclose(fit.objective, paper_lp(P, pi, 0.0, l1=0.1), atol=1e-8)


def test_result_is_read_only(grid5):
    world, pi = grid5
    fit = lp_irl(world.mdp, pi, discount=GAMMA)
    for arr in (fit.theta, fit.reward, fit.policy, fit.state_reward, fit.margins, fit.states):
        with pytest.raises(ValueError):
            arr[0] = 1.0


# --------------------------------------------------------------------------
# Features variant (section 4)
# --------------------------------------------------------------------------
def _p_objective(terms, alpha, l1):
    m = terms.min(axis=1)
    return np.where(m >= 0, m, 2 * m).sum() - l1 * np.abs(alpha).sum()


@pytest.mark.parametrize("seed", range(4))
def test_features_variant_matches_paper_lp(seed):
    mdp, P, _, _ = tiny_problem(seed, 6, 3)
    rng = np.random.default_rng(seed)
    phi = rng.normal(size=(6, 2))  # two features cannot make every policy optimal: the p penalty matters
    pi = rng.integers(3, size=6)
    for l1 in (0.0, 0.4):
        fit = lp_irl(mdp, pi, discount=GAMMA, features=phi, l1=l1, r_max=1.0)
        terms = check_result(mdp, pi, fit, GAMMA, features=phi)
        assert_allclose(fit.objective, _p_objective(terms, fit.theta, l1), atol=1e-10)
        assert_allclose(fit.objective, paper_lp(P, pi, GAMMA, l1=l1, features=phi), atol=1e-7)


@pytest.mark.parametrize("sparse", [False, True])
def test_one_hot_features_reach_the_finite_state_solution(grid5, sparse):
    world, pi = grid5
    S = world.mdp.n_states
    phi = sp.identity(S, format="csr") if sparse else np.eye(S)
    fit = lp_irl(world.mdp, pi, discount=GAMMA, features=phi)
    finite = lp_irl(world.mdp, pi, discount=GAMMA)
    check_result(world.mdp, pi, fit, GAMMA, features=np.eye(S))
    # the finite-state optimum is feasible for the features LP with the same objective (p(x) = x for x >= 0)
    assert fit.objective >= finite.objective - 1e-8
    assert_allclose(fit.objective, paper_lp(world.mdp.to_dense(), pi, GAMMA, features=np.eye(S)), atol=1e-7)
    # on this instance the optimum also makes pi optimal, as the finite-state LP shows is achievable
    assert fit.min_margin >= -1e-10


def test_features_containing_the_true_reward(grid5):
    world, pi = grid5
    goal = world.reward == 1.0
    phi = np.column_stack([goal, world.feature_sets["coordinates"]])
    P = world.mdp.to_dense()
    fit = lp_irl(world.mdp, pi, discount=GAMMA, features=phi, states=np.arange(0, 25, 2))
    terms = check_result(world.mdp, pi, fit, GAMMA, features=phi)
    # alpha = (1, 0, 0) is the true reward: feasible, so the optimum is at least its objective
    true_terms = dense_terms(P, pi, GAMMA, phi @ np.array([1.0, 0.0, 0.0]))
    assert true_terms.min() >= -1e-12  # the expert is optimal under it
    assert fit.objective >= true_terms.min(axis=1)[::2].sum() - 1e-9
    assert_allclose(fit.objective, _p_objective(terms[::2], fit.theta, 0.0), atol=1e-10)
    assert_allclose(fit.objective, paper_lp(P, pi, GAMMA, features=phi, states=np.arange(0, 25, 2)), atol=1e-7)
    assert fit.theta[0] > 0  # the goal feature is rewarded


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small():
    mdp, _, _, _ = tiny_problem(0, 3, 2)
    return mdp


@pytest.mark.parametrize("policy,exc,match", [
    (np.array([[0.5, 0.5], [1, 0], [0, 1]]), ValueError, r"deterministic policy.*s=0"),
    (np.array([0, 2, 1]), ValueError, r"policy\[1\] = 2 is not an action"),
    (np.array([0, -1, 1]), ValueError, r"policy\[1\] = -1"),
    (np.array([0, 1]), ValueError, r"policy must be \(S,\) = \(3,\) actions"),
    (np.eye(3), ValueError, r"policy must be .*one-hot policy, got shape \(3, 3\)"),
    (np.array([0.0, 1.0, 1.0]), TypeError, r"policy given as \(S,\) actions must hold integers"),
    (np.array([[1.0, 0.0], [0.0, 1.0], [0.7, 0.7]]), ValueError, r"policy row for \(s=2\) sums to"),
])
def test_bad_policy(small, policy, exc, match):
    with pytest.raises(exc, match=match):
        lp_irl(small, policy, discount=GAMMA)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(discount=1.0), ValueError, r"discount must be in \[0, 1\)"),
    (dict(discount=-0.1), ValueError, r"discount must be in"),
    (dict(discount=GAMMA, horizon=5), ValueError, r"horizon is not supported"),
    (dict(discount=GAMMA, l1=-1.0), ValueError, r"l1 must be in \[0, inf\]"),
    (dict(discount=GAMMA, r_max=0.0), ValueError, r"r_max must be > 0"),
    (dict(discount=GAMMA, r_max=np.inf), ValueError, r"r_max must be finite"),
    (dict(discount=GAMMA, features=np.ones((4, 2))), ValueError, r"features must have shape"),
    (dict(discount=GAMMA, features=np.ones((3, 2, 2))), ValueError, r"features must be state features"),
    (dict(discount=GAMMA, features=np.ones((3, 0))), ValueError, r"features must have at least one feature"),
    (dict(discount=GAMMA, states=[0, 3]), ValueError, r"states\[1\] = 3 is not a state of this MDP \(n_states=3\)"),
    (dict(discount=GAMMA, states=[0, 0]), ValueError, r"states must not repeat"),
    (dict(discount=GAMMA, states=np.zeros(3, dtype=bool)), ValueError, r"states must select at least one"),
    (dict(discount=GAMMA, method="simplex"), ValueError, r"method must be one of"),
    (dict(discount=GAMMA, options=[1]), TypeError, r"options must be a mapping"),
])
def test_bad_arguments(small, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        lp_irl(small, np.array([0, 1, 1]), **kwargs)


def test_discount_is_required_and_mdp_checked(small):
    with pytest.raises(TypeError, match="discount"):
        lp_irl(small, np.array([0, 1, 1]))
    with pytest.raises(TypeError, match="mdp must be a tabular_irl.MDP"):
        lp_irl(small.to_dense(), np.array([0, 1, 1]), discount=GAMMA)
    one_action = MDP.from_dense(np.ones((2, 1, 2)) / 2, [0.5, 0.5])
    with pytest.raises(ValueError, match="n_actions=1"):
        lp_irl(one_action, np.array([0, 0]), discount=GAMMA)


def test_solver_stopping_short_warns_with_advice(grid5):
    # Issue 15 changed this from a ValueError to the protocol's warning: non-convergence warns and
    # returns converged=False with the feasible point R = 0, as every other fit does.
    world, pi = grid5
    with pytest.warns(ConvergenceWarning, match=r"status 1.*raise options\['time_limit'\]"):
        fit = lp_irl(world.mdp, pi, discount=GAMMA, options={"time_limit": 0.0})
    assert fit.converged is False and "status 1" in fit.message
    assert np.all(fit.theta == 0.0) and np.all(fit.reward == 0.0) and np.all(fit.margins == 0.0)
    assert fit.objective == 0.0
