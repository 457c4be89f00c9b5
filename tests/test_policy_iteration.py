"""Policy iteration (Newton's method) for discounted planning: == value iteration == dense twins == brute force.

``method="policy_iteration"`` of :func:`soft_backward` / :func:`value_iteration`
is checked against

* the value-iteration kernel run to a tight tolerance (the behaviour it sits next to),
* a dense NumPy Newton twin below (``np.linalg.solve`` instead of SuperLU),
* brute force: the hard optimum is the best of all ``A**S`` deterministic
  policies, evaluated exactly; the soft optimum beats every other stochastic
  policy on the entropy-regularised value, in every state,

and its result is checked for what a plan promises: ``V = tau logsumexp(Q / tau)``
exactly, a Bellman residual at rounding level, a valid ``error_bound``.
"""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import logsumexp

from helpers import seeds, tiny_problem, trap_mdp
from tabular_irl import MDP, ConvergenceWarning, gridworld, random_mdp, soft_backward, value_iteration
from tabular_irl._policy_iteration import choose_method, value_iteration_sweeps

pytestmark = pytest.mark.filterwarnings("error::tabular_irl.ConvergenceWarning")

EPS = np.finfo(np.float64).eps
DISCOUNTS = [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999]
# Values agree to this relative to max(1, max |V|). Both methods are exact up to
# rounding, but value iteration stops at a change of 8 ulps, so its own error is
# up to ~8 eps |V| / (1 - gamma): 2e-11 relative at a discount of 0.9999.
REL = 1e-10


def rel_err(a, b):
    return float(np.abs(a - b).max() / max(1.0, np.abs(b).max()))


def solve(mdp, r, gamma, tau, method, **kw):
    """``soft_backward`` (tau > 0) or ``value_iteration`` (tau None)."""
    if tau is None:
        return value_iteration(mdp, r, discount=gamma, method=method, **kw)
    return soft_backward(mdp, r, discount=gamma, temperature=tau, method=method, **kw)


# --------------------------------------------------------------------------
# dense oracles
# --------------------------------------------------------------------------


def evaluate_dense(P, r, pi, gamma, tau=None):
    """Exact value of a stationary policy: ``(I - gamma P_pi)^{-1} (r_pi + tau H(pi))``."""
    S = P.shape[0]
    c = np.einsum("sa,sa->s", pi, r)
    if tau is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            c -= tau * np.where(pi > 0, pi * np.log(pi), 0.0).sum(axis=1)
    return np.linalg.solve(np.eye(S) - gamma * np.einsum("sa,sat->st", pi, P), c)


def newton_twin(P, r, gamma, tau=None, n_iter=60):
    """Dense policy iteration (Howard's, or soft with temperature ``tau``), run well past convergence."""
    S, A, _ = P.shape
    Q = r.copy()
    for _ in range(n_iter):
        if tau is None:
            pi = np.eye(A)[Q.argmax(axis=1)]
        else:
            pi = np.exp((Q - tau * logsumexp(Q / tau, axis=1)[:, None]) / tau)
            # normalised explicitly: rows summing to 1 - 1e-13 (rounding of Q - V at |Q| ~ 1e3)
            # would shift 1 - gamma P_pi, hence V, by 1e-13 / (1 - gamma) relative
            pi /= pi.sum(axis=1, keepdims=True)
        V = evaluate_dense(P, r, pi, gamma, tau)
        Q = r + gamma * P @ V
    return V, Q


def best_deterministic_values(P, r, gamma):
    """Brute force: ``max`` over all ``A**S`` deterministic policies of their exact values, state by state."""
    S, A, _ = P.shape
    best = np.full(S, -np.inf)
    for actions in itertools.product(range(A), repeat=S):
        best = np.maximum(best, evaluate_dense(P, r, np.eye(A)[list(actions)], gamma))
    return best


def bellman(P, r, V, gamma, tau=None):
    Q = r + gamma * P @ V
    return Q, (Q.max(axis=1) if tau is None else tau * logsumexp(Q / tau, axis=1))


# --------------------------------------------------------------------------
# random MDPs
# --------------------------------------------------------------------------

sizes = st.tuples(st.integers(1, 6), st.integers(1, 3))
temperatures = st.sampled_from([None, 1e-8, 0.05, 1.0, 3.0])  # None: the hard maximum


@given(sizes, seeds, st.sampled_from(DISCOUNTS), temperatures, st.sampled_from([1.0, 1e4]))
def test_agrees_with_value_iteration_and_the_dense_twin(sizes, seed, gamma, tau, scale):
    S, A = sizes
    mdp, P, init, r = tiny_problem(seed, S, A, reward_scale=scale)
    newton = solve(mdp, r, gamma, tau, "policy_iteration", tol=1e-12)
    sweeps = solve(mdp, r, gamma, tau, "value_iteration", tol=1e-12)
    V_twin, Q_twin = newton_twin(P, r, gamma, tau)
    assert newton.converged and newton.method == "policy_iteration" and sweeps.method == "value_iteration"
    assert rel_err(newton.V, sweeps.V) <= REL
    assert rel_err(newton.V, V_twin) <= REL
    assert rel_err(newton.Q, Q_twin) <= REL
    assert newton.log_partition == pytest.approx(init @ newton.V, rel=1e-15, abs=1e-300)
    if tau is not None and tau >= 0.05:
        # probabilities exp((Q - V) / tau): Q - V is known to REL * |V|, so compare at that scale / tau
        atol = REL * max(1.0, np.abs(V_twin).max()) / tau
        assert_allclose(newton.policy, sweeps.policy, rtol=0, atol=atol)
    else:
        # hard (or nearly): the same action wherever the best one is clear of the runner-up
        ordered = np.sort(Q_twin, axis=1)
        clear = ordered[:, -1] - (ordered[:, -2] if A > 1 else -np.inf) > 1e-8 * max(1.0, np.abs(Q_twin).max())
        assert_array_equal(newton.policy.argmax(axis=1)[clear], Q_twin.argmax(axis=1)[clear])
        assert_array_equal(newton.policy.argmax(axis=1)[clear], sweeps.policy.argmax(axis=1)[clear])


@given(sizes, seeds, st.sampled_from(DISCOUNTS), temperatures)
def test_result_is_one_exact_backup_with_a_valid_error_bound(sizes, seed, gamma, tau):
    S, A = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    plan = solve(mdp, r, gamma, tau, "policy_iteration")
    scale = max(1.0, np.abs(plan.V).max())
    # V is the soft (hard) maximum of the returned Q, exactly as a sweep computes it
    m = plan.Q.max(axis=1)
    if tau is None:
        assert_array_equal(plan.V, m)
        assert_array_equal(plan.policy, np.eye(A)[plan.Q.argmax(axis=1)])  # ties: lowest index
    else:
        assert_allclose(plan.V, m + tau * np.log(np.exp((plan.Q - m[:, None]) / tau).sum(axis=1)),
                        rtol=0, atol=4 * EPS * scale)
        assert_allclose(plan.policy.sum(axis=1), 1.0, rtol=0, atol=1e-14)
    # Bellman residual of the returned V: gamma times the last change, at rounding level
    Q, TV = bellman(P, r, plan.V, gamma, tau)
    assert np.abs(TV - plan.V).max() <= (1 - gamma) * plan.error_bound + 64 * EPS * scale
    assert np.abs(Q - plan.Q).max() <= (1 - gamma) * plan.error_bound + 64 * EPS * scale
    # the bound holds against the dense twin (up to the twin's own rounding, cond * eps)
    V_twin, _ = newton_twin(P, r, gamma, tau)
    assert np.abs(plan.V - V_twin).max() <= plan.error_bound + 64 * EPS * scale / (1 - gamma)
    assert plan.error_bound <= 1e-10 or plan.error_bound <= 8 * EPS * np.abs(plan.V).max() * gamma / (1 - gamma)


@given(st.tuples(st.integers(1, 4), st.integers(1, 3)), seeds, st.sampled_from(DISCOUNTS))
def test_hard_is_the_best_deterministic_policy(sizes, seed, gamma):
    """Brute force over all A**S deterministic stationary policies."""
    S, A = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    plan = value_iteration(mdp, r, discount=gamma, method="policy_iteration")
    best = best_deterministic_values(P, r, gamma)
    assert rel_err(plan.V, best) <= REL
    assert plan.temperature == 0.0
    # the returned (greedy) policy attains it
    assert rel_err(evaluate_dense(P, r, plan.policy, gamma), best) <= REL


@given(sizes, seeds, st.sampled_from([0.5, 0.9, 0.999]), st.sampled_from([0.1, 1.0]))
def test_soft_policy_beats_every_other_policy_on_the_regularised_value(sizes, seed, gamma, tau):
    """The soft optimum maximises E[sum_t gamma^t (r + tau H)] in every state at once."""
    S, A = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    plan = soft_backward(mdp, r, discount=gamma, temperature=tau, method="policy_iteration")
    own = evaluate_dense(P, r, plan.policy, gamma, tau)
    assert rel_err(own, plan.V) <= REL  # its value is V: the fixed point of its own evaluation
    rng = np.random.default_rng(seed % 2**32)
    for mix in (1.0, 0.1, 1e-3):
        other = (1 - mix) * plan.policy + mix * rng.dirichlet(np.ones(A), size=S)
        assert np.all(evaluate_dense(P, r, other, gamma, tau) <= own + REL * max(1.0, np.abs(own).max()))


# --------------------------------------------------------------------------
# gridworlds
# --------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99, 0.999, 0.9999])
@pytest.mark.parametrize("tau", [None, 0.1, 1.0])
def test_gridworld_agrees_with_value_iteration(gamma, tau):
    world = gridworld(7, slip=0.2, step_reward=-0.1)
    mdp, r = world.mdp, world.reward
    newton = solve(mdp, r, gamma, tau, "policy_iteration")
    sweeps = solve(mdp, r, gamma, tau, "value_iteration", tol=1e-12)
    assert newton.converged and sweeps.converged
    assert rel_err(newton.V, sweeps.V) <= REL
    assert rel_err(newton.Q, sweeps.Q) <= REL
    if tau is not None:
        assert_allclose(newton.policy, sweeps.policy, rtol=0, atol=REL * max(1.0, np.abs(sweeps.V).max()) / tau)
    else:
        # symmetric routes tie exactly in exact arithmetic: compare where one action is clearly best
        ordered = np.sort(sweeps.Q, axis=1)
        clear = ordered[:, -1] - ordered[:, -2] > 1e-8 * max(1.0, np.abs(sweeps.Q).max())
        assert clear.sum() > 10
        assert_array_equal(newton.policy[clear], sweeps.policy[clear])


@pytest.mark.parametrize("tau", [None, 1.0])
def test_few_evaluations_where_value_iteration_needs_tens_of_thousands_of_sweeps(tau):
    world = gridworld(10, slip=0.2)
    newton = solve(world.mdp, world.reward, 0.999, tau, "policy_iteration")
    sweeps = solve(world.mdp, world.reward, 0.999, tau, "value_iteration")
    assert newton.n_iter <= 25 and sweeps.n_iter > 10_000
    assert rel_err(newton.V, sweeps.V) <= REL


def test_gridworld_ties_go_to_the_lowest_action_like_value_iteration():
    # goal cells self-loop under every action: all five tie exactly, action 0 is chosen
    world = gridworld(5, slip=0.1)
    plan = value_iteration(world.mdp, world.reward, discount=0.95, method="policy_iteration")
    sweeps = value_iteration(world.mdp, world.reward, discount=0.95)
    goals = np.flatnonzero(np.ptp(plan.Q, axis=1) == 0)
    assert goals.size >= 1
    assert np.all(plan.policy[goals, 0] == 1.0) and np.all(sweeps.policy[goals, 0] == 1.0)


# --------------------------------------------------------------------------
# edge cases: one state / one action, absorbing and unreachable states, huge rewards
# --------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", DISCOUNTS)
def test_single_state_single_action(gamma):
    mdp = MDP.from_dense(np.ones((1, 1, 1)), [1.0])
    for tau in (None, 0.3):
        plan = solve(mdp, [2.5], gamma, tau, "policy_iteration")
        assert plan.V[0] == pytest.approx(2.5 / (1 - gamma), rel=1e-13)
        assert plan.n_iter == 1 and plan.converged and np.all(plan.policy == 1.0)


@pytest.mark.parametrize("gamma", [0.5, 0.999, 0.9999])
def test_single_state_several_actions(gamma):
    mdp = MDP.from_dense(np.ones((1, 3, 1)), [1.0])
    r = np.array([[0.0, 1.0, 2.0]])
    tau = 0.5
    soft = soft_backward(mdp, r, discount=gamma, temperature=tau, method="policy_iteration")
    per_step = tau * logsumexp(r[0] / tau)
    assert soft.V[0] == pytest.approx(per_step / (1 - gamma), rel=1e-12)
    assert_allclose(soft.policy[0], np.exp((r[0] - per_step) / tau), rtol=1e-10)
    hard = value_iteration(mdp, r, discount=gamma, method="policy_iteration")
    assert hard.V[0] == pytest.approx(2.0 / (1 - gamma), rel=1e-13)
    assert_array_equal(hard.policy, [[0.0, 0.0, 1.0]])


@pytest.mark.parametrize("gamma", [0.9, 0.999, 0.9999])
def test_absorbing_and_unreachable_states(gamma):
    mdp, P, r = trap_mdp()
    hard = value_iteration(mdp, r, discount=gamma, method="policy_iteration")
    assert hard.V[3] == 0.0  # zero reward forever
    assert hard.V[4] == pytest.approx(1e4 / (1 - gamma), rel=1e-12)  # the prize, on its self-loop
    assert hard.policy[4, 1] == 1.0
    assert rel_err(hard.V, best_deterministic_values(P, r, gamma)) <= REL
    soft = soft_backward(mdp, r, discount=gamma, method="policy_iteration")
    assert soft.V[3] == pytest.approx(np.log(2) / (1 - gamma), rel=1e-12)  # entropy only
    assert_allclose(soft.policy[3], 0.5, rtol=0, atol=1e-15)
    sweeps = soft_backward(mdp, r, discount=gamma, tol=1e-12)
    assert rel_err(soft.V, sweeps.V) <= REL


@pytest.mark.parametrize("scale", [1e4, -1e4])
@pytest.mark.parametrize("gamma", [0.9, 0.999, 0.9999])
@pytest.mark.parametrize("tau", [None, 1.0])
def test_huge_rewards_stay_finite_and_agree(scale, gamma, tau):
    mdp, P, init, r = tiny_problem(7, 4, 3, reward_scale=scale)
    newton = solve(mdp, r, gamma, tau, "policy_iteration")
    sweeps = solve(mdp, r, gamma, tau, "value_iteration")
    assert np.all(np.isfinite(newton.V)) and np.all(np.isfinite(newton.policy))
    assert rel_err(newton.V, sweeps.V) <= REL
    assert_allclose(newton.policy.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert_array_equal(newton.policy.argmax(axis=1), sweeps.policy.argmax(axis=1))  # gaps ~1e4


def test_slow_start_at_a_small_temperature_is_not_taken_for_a_stall():
    # found by hypothesis: at tau = 0.1, gamma = 0.999 the residual shrinks by less than
    # half for several evaluations before Newton's quadratic phase; that must not stop it
    mdp, P, init, r = tiny_problem(3036870255, 2, 3)
    plan = soft_backward(mdp, r, discount=0.999, temperature=0.1, method="policy_iteration")
    assert plan.converged and 5 < plan.n_iter <= 20
    V_twin, _ = newton_twin(P, r, 0.999, 0.1)
    assert rel_err(plan.V, V_twin) <= REL


def test_tiny_temperature_approaches_howard():
    mdp, P, init, r = tiny_problem(11, 4, 3)
    soft = soft_backward(mdp, r, discount=0.99, temperature=1e-8, method="policy_iteration")
    hard = value_iteration(mdp, r, discount=0.99, method="policy_iteration")
    gap = soft.V - hard.V
    assert gap.min() >= -1e-12 and gap.max() <= 1e-8 * np.log(3) * 100 + 1e-12
    assert_allclose(soft.policy, hard.policy, rtol=0, atol=1e-12)


@pytest.mark.parametrize("fn, reward", [(soft_backward, 1e306), (value_iteration, 1e308)])
def test_overflowing_values_raise_instead_of_nan(fn, reward):
    mdp = MDP.from_dense(np.ones((2, 2, 2)) / 2, [1.0, 0.0])
    with pytest.raises(ValueError, match="values overflow float64"):
        fn(mdp, np.full(2, reward), discount=0.999, method="policy_iteration")


# --------------------------------------------------------------------------
# the keyword: validation, reporting, "auto"
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [soft_backward, value_iteration])
def test_policy_iteration_with_a_horizon_is_an_error(fn):
    mdp, P, init, r = tiny_problem(0, 3, 2)
    for kwargs in (dict(horizon=4), dict(horizon=4, discount=0.9)):
        with pytest.raises(ValueError, match="method='policy_iteration' solves discounted, infinite-horizon"):
            fn(mdp, r, method="policy_iteration", **kwargs)
        # "auto" and the default are the exact finite backward pass
        a, b = fn(mdp, r, method="auto", **kwargs), fn(mdp, r, **kwargs)
        assert_array_equal(a.V, b.V)
        assert a.method is None and b.method is None


@pytest.mark.parametrize("fn", [soft_backward, value_iteration])
def test_bad_method(fn):
    mdp, P, init, r = tiny_problem(0, 3, 2)
    with pytest.raises(ValueError, match=r"method must be one of 'value_iteration', 'policy_iteration', "
                                         r"'auto', got 'newton'"):
        fn(mdp, r, discount=0.9, method="newton")
    with pytest.raises(ValueError, match="method must be one of"):  # issue 15: a non-str method is a ValueError
        fn(mdp, r, discount=0.9, method=None)


def test_max_iter_warns_and_reports():
    world = gridworld(8, slip=0.2)
    with pytest.warns(ConvergenceWarning, match="policy iteration stopped after max_iter=1 policy evaluations"):
        plan = soft_backward(world.mdp, world.reward, discount=0.999, method="policy_iteration", max_iter=1)
    assert not plan.converged and plan.n_iter == 1 and plan.error_bound > 1e-10
    # the result is still an exact backup of the evaluated policy's values
    assert np.all(np.isfinite(plan.V)) and rel_err(plan.V, soft_backward(world.mdp, world.reward,
                                                                          discount=0.999).V) < 1.0


def test_plan_arrays_are_read_only_and_iterations_reported():
    mdp, P, init, r = tiny_problem(3, 4, 2)
    plan = soft_backward(mdp, r, discount=0.99, method="policy_iteration")
    with pytest.raises(ValueError):
        plan.V[0] = 1.0
    assert plan.stationary and plan.discount == 0.99 and 1 <= plan.n_iter <= 10


def test_auto_prefers_policy_iteration_on_local_dynamics_and_value_iteration_on_random_ones():
    world = gridworld(16, slip=0.2)
    mdp, r = world.mdp, np.repeat(np.asarray(world.reward)[:, None], 5, axis=1)
    pick = lambda m, rr, gamma, hard=False: choose_method(m, m.transitions, rr, gamma, 1.0, hard, 1e-10, 10**6)  # noqa: E731
    assert pick(mdp, r, 0.999) == "policy_iteration"
    assert pick(mdp, r, 0.0) == "value_iteration"
    garnet = random_mdp(3000, 4, 4, seed=0)  # an expander: dense LU factors
    rg = np.repeat(np.asarray(garnet.reward)[:, None], 4, axis=1)
    assert pick(garnet.mdp, rg, 0.999) == "value_iteration"
    assert pick(garnet.mdp, rg, 0.999, hard=True) == "value_iteration"
    # the resolved method is recorded and deterministic
    plans = [soft_backward(mdp, world.reward, discount=0.999, method="auto") for _ in range(2)]
    assert plans[0].method == plans[1].method == "policy_iteration"
    assert_array_equal(plans[0].V, plans[1].V)
    assert value_iteration(mdp, world.reward, discount=0.5, method="auto").method == "value_iteration"


def test_value_iteration_sweep_estimate_matches_the_kernel():
    world = gridworld(6, slip=0.2)
    for gamma in (0.9, 0.99, 0.999):
        plan = soft_backward(world.mdp, world.reward, discount=gamma)
        first = np.abs(soft_backward(world.mdp, world.reward, horizon=1).V[0]).max()
        estimate = value_iteration_sweeps(gamma, 1e-10, first)
        assert 0.5 * plan.n_iter <= estimate <= 1.5 * plan.n_iter


def test_default_is_unchanged_value_iteration():
    mdp, P, init, r = tiny_problem(5, 4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = soft_backward(mdp, r, discount=0.9)
        b = soft_backward(mdp, r, discount=0.9, method="value_iteration")
    assert a.method == "value_iteration" and a.n_iter == b.n_iter > 100
    assert_array_equal(a.V, b.V)
