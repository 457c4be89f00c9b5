"""Extreme but valid input: results stay finite and normalised (DESIGN.md, "Bad input").

Big rewards (|r| ~ 1e4), long horizons (T = 20,000), a discount of 0.999, a
temperature of 1e-8, unreachable and absorbing states, one state or one action,
a start distribution on a single state. Where a NumPy twin exists
(``tests/reference.py``, log space through ``scipy.special.logsumexp``) the
result is compared with it too.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import logsumexp

import reference as ref
from helpers import tiny_problem, trap_mdp
from tabular_irl import (
    MDP,
    posterior_marginals,
    sample_trajectories,
    soft_backward,
    value_iteration,
    visitation,
)

ROWS = 1e-12  # rows of probabilities sum to 1 up to a few ulps per step of the pass


def assert_distributions(arr, atol=ROWS):
    """Finite, non-negative, and every row over the last axis sums to 1."""
    assert np.all(np.isfinite(arr))
    assert arr.min() >= 0.0
    assert_allclose(arr.sum(axis=-1), 1.0, rtol=0, atol=atol)


def assert_finite(*arrays):
    for arr in arrays:
        assert np.all(np.isfinite(arr))


MODELS = {  # keyword arguments of soft_backward
    "causal-finite": dict(horizon=6),
    "noncausal-finite": dict(horizon=6, causal=False),
    "discounted": dict(discount=0.9),
    "finite-discounted": dict(horizon=6, discount=0.9),
}


def reference_plan(P, r, kwargs, tau=1.0):
    mode = "causal" if kwargs.get("causal", True) else "noncausal"
    if "horizon" in kwargs:
        return ref.backward(P, r, kwargs["horizon"], gamma=kwargs.get("discount", 1.0), tau=tau, mode=mode)
    return ref.discounted_backward(P, r, kwargs["discount"], tau=tau)


# --------------------------------------------------------------------------
# rewards of magnitude 1e4
# --------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1e4, -1e4])
@pytest.mark.parametrize("model", sorted(MODELS))
def test_huge_rewards_stay_finite_and_match_the_reference(model, scale):
    kwargs = MODELS[model]
    mdp, P, init, r = tiny_problem(7, 4, 3)
    R = scale * r
    plan = soft_backward(mdp, R, **kwargs)
    assert_finite(plan.V, plan.Q, plan.log_partition)
    assert_distributions(plan.policy)
    V, Q, pi = reference_plan(P, R, kwargs)
    # values are ~1e4 * T: compare relative to that scale, probabilities absolutely
    assert_allclose(plan.V, V, rtol=0, atol=1e-12 * np.abs(V).max())
    assert_allclose(plan.Q, Q, rtol=0, atol=1e-12 * np.abs(Q).max())
    assert_allclose(plan.policy, pi, rtol=0, atol=1e-12)
    # soft values are at least the hard ones; the causal ones exceed them by at most
    # the entropy bonus, log A per (discounted) step
    hard = value_iteration(mdp, R, horizon=kwargs.get("horizon"), discount=kwargs.get("discount"))
    steps = kwargs["horizon"] if "horizon" in kwargs else 1 / (1 - kwargs["discount"])
    gap = plan.V - hard.V
    assert gap.min() >= -1e-12 * np.abs(hard.V).max()
    if plan.causal:
        assert gap.max() <= steps * np.log(3) + 1e-12 * np.abs(hard.V).max()


@pytest.mark.parametrize("scale", [1e4, -1e4])
@pytest.mark.parametrize("kwargs", [dict(horizon=6), dict(horizon=6, discount=0.9), dict(discount=0.9)])
def test_visitation_of_a_near_deterministic_policy(kwargs, scale):
    mdp, P, init, r = tiny_problem(7, 4, 3)
    plan = soft_backward(mdp, scale * r, **kwargs)
    vis = visitation(mdp, plan.policy, **kwargs)
    assert_finite(vis.state, vis.state_action, vis.total_state_action)
    if "horizon" in kwargs:
        assert_distributions(vis.state)
        assert_allclose(vis.state_action.sum(axis=(1, 2)), 1.0, rtol=0, atol=ROWS)
        D, mu = ref.forward(P, init, plan.policy, kwargs["horizon"])
    else:
        assert vis.state.sum() == pytest.approx(10.0, rel=1e-12)
        D, mu = ref.occupancy(P, init, plan.policy, kwargs["discount"])
    assert_allclose(vis.state, D, rtol=0, atol=1e-12)
    assert_allclose(vis.state_action, mu, rtol=0, atol=1e-12)


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_posterior_marginals_with_huge_rewards_match_log_space_reference(scale):
    mdp, P, init, r = tiny_problem(7, 4, 3)
    post = posterior_marginals(mdp, scale * r, horizon=6)
    D, mu, log_partition = ref.posterior(P, scale * r, init, 6)
    assert_distributions(post.state, atol=1e-10)
    assert_allclose(post.state_action.sum(axis=(1, 2)), 1.0, rtol=0, atol=1e-10)
    # the forward recursion multiplies factors exp((a - b) / tau) with a, b ~ 1e5:
    # rounding of 1e5 * eps ~ 1e-11 per factor
    assert_allclose(post.state, D, rtol=0, atol=1e-10)
    assert_allclose(post.state_action, mu, rtol=0, atol=1e-10)
    assert post.log_partition == pytest.approx(log_partition, rel=1e-13)


def test_samples_of_a_near_deterministic_policy_follow_its_argmax():
    mdp, P, init, r = tiny_problem(7, 4, 3)
    T = 6
    plan = soft_backward(mdp, 1e4 * r, horizon=T)
    greedy = plan.policy.argmax(axis=2)  # (T, S)
    assert plan.policy.max(axis=2).min() > 1 - 1e-12  # the gaps are ~1e4: effectively deterministic
    demos = sample_trajectories(mdp, plan.policy, 500, horizon=T, seed=0)
    assert_array_equal(demos.actions, greedy[np.arange(T), demos.states[:, :-1]])
    assert np.all(P[demos.states[:, :-1], demos.actions, demos.states[:, 1:]] > 0)


# --------------------------------------------------------------------------
# a long horizon
# --------------------------------------------------------------------------


def test_horizon_20000_stays_finite_and_normalised():
    T = 20_000
    mdp, P, init, r = tiny_problem(3, 3, 2)
    log_A = np.log(2)
    plans = {causal: soft_backward(mdp, r, horizon=T, causal=causal) for causal in (True, False)}
    for plan in plans.values():
        assert_finite(plan.V, plan.Q)
        assert_distributions(plan.policy)
        assert np.all(plan.V[T] == 0)
        # any policy earns at least T min r; nothing earns more than T (max r + log A)
        assert plan.V[0].min() >= T * r.min()
        assert plan.V[0].max() <= T * (r.max() + log_A)
        # time-homogeneous: the last steps are the plan of a short horizon
        short = soft_backward(mdp, r, horizon=5, causal=plan.causal)
        assert_allclose(plan.V[-6:], short.V, rtol=0, atol=1e-12)
        assert_allclose(plan.policy[-5:], short.policy, rtol=0, atol=1e-12)
    # Jensen: the non-causal (optimistic) value is at least the causal one
    assert np.all(plans[False].V >= plans[True].V - 1e-12 * np.abs(plans[True].V).max())

    vis = visitation(mdp, plans[True].policy, horizon=T)
    assert_distributions(vis.state, atol=1e-9)
    assert vis.total_state_action.sum() == pytest.approx(T, rel=1e-9)

    post = posterior_marginals(mdp, r, horizon=T)
    assert_finite(post.state, post.state_action, post.log_partition)
    assert post.state.min() >= 0.0
    # each step's factors are normalised explicitly, so no drift accumulates
    assert_allclose(post.state.sum(axis=1), 1.0, rtol=0, atol=1e-9)
    assert post.log_partition == pytest.approx(plans[False].log_partition, rel=1e-14)

    hard = value_iteration(mdp, r, horizon=T)
    assert_finite(hard.V)
    assert np.all(hard.V <= plans[True].V + 1e-12 * np.abs(hard.V).max())


# --------------------------------------------------------------------------
# a discount close to 1
# --------------------------------------------------------------------------


@pytest.mark.parametrize("hard", [False, True])
def test_discount_0999_converges_to_the_fixed_point(hard):
    gamma = 0.999
    mdp, P, init, r = tiny_problem(5, 4, 3)
    plan = value_iteration(mdp, r, discount=gamma) if hard else soft_backward(mdp, r, discount=gamma)
    assert plan.converged
    assert_finite(plan.V, plan.Q)
    assert_distributions(plan.policy)
    # Bellman residual at the returned V (|V| ~ 1e3: tol 1e-10 plus rounding)
    Q = r + gamma * P @ plan.V
    V = Q.max(axis=1) if hard else logsumexp(Q, axis=1)
    assert_allclose(plan.Q, Q, rtol=0, atol=1e-9)
    assert_allclose(plan.V, V, rtol=0, atol=1e-9)

    vis = visitation(mdp, plan.policy, discount=gamma)
    assert vis.state.sum() == pytest.approx(1000.0, rel=1e-9, abs=0)
    assert vis.state_action.sum() == pytest.approx(1000.0, rel=1e-9, abs=0)
    d, mu = ref.occupancy(P, init, plan.policy, gamma)
    assert_allclose(vis.state, d, rtol=1e-9)
    assert_allclose(vis.state_action, mu, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------
# a tiny temperature
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [dict(horizon=6), dict(discount=0.9), dict(horizon=6, discount=0.9)])
def test_temperature_1e_8_is_close_to_value_iteration(kwargs):
    tau = 1e-8
    mdp, P, init, r = tiny_problem(11, 4, 3)
    soft = soft_backward(mdp, r, temperature=tau, **kwargs)
    hard = value_iteration(mdp, r, **kwargs)
    assert_finite(soft.V, soft.Q)
    assert_distributions(soft.policy)
    steps = kwargs.get("horizon", 1 / (1 - kwargs.get("discount", 0)))
    gap = soft.V - hard.V
    assert gap.min() >= -1e-12
    assert gap.max() <= tau * np.log(3) * steps + 1e-12
    # Gaussian rewards: no ties, every gap between actions is >> tau
    assert_allclose(soft.policy, hard.policy, rtol=0, atol=1e-12)


def test_temperature_1e_8_noncausal_matches_the_reference():
    tau = 1e-8
    mdp, P, init, r = tiny_problem(11, 4, 3)
    plan = soft_backward(mdp, r, horizon=6, causal=False, temperature=tau)
    assert_finite(plan.V, plan.Q)
    assert_distributions(plan.policy)
    V, Q, pi = ref.backward(P, r, 6, tau=tau, mode="noncausal")
    assert_allclose(plan.V, V, rtol=0, atol=1e-12)
    # exp((Q - V) / tau): a rounding of |V| * eps in Q - V moves it by ~1e-7 at tau = 1e-8
    assert_allclose(plan.policy, pi, rtol=0, atol=1e-6)
    # tau -> 0: the best trajectory the dynamics allow, max over successors
    # (support only), so at least the causal hard value
    assert np.all(plan.V >= value_iteration(mdp, r, horizon=6).V - 1e-12)


def test_temperature_1e_8_posterior_marginals_stay_normalised():
    mdp, P, init, r = tiny_problem(7, 4, 3)
    post = posterior_marginals(mdp, r, horizon=6, temperature=1e-8)
    assert_distributions(post.state, atol=1e-9)


# --------------------------------------------------------------------------
# unreachable and absorbing states
# --------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["causal", "noncausal", "posterior", "hard", "discounted"])
def test_unreachable_states_are_never_visited_and_absorbing_states_keep_their_mass(model):
    mdp, P, r = trap_mdp()
    T = 12
    if model == "posterior":
        vis = posterior_marginals(mdp, r, horizon=T)
    elif model == "discounted":
        plan = soft_backward(mdp, r, discount=0.95)
        vis = visitation(mdp, plan.policy, discount=0.95)
    else:
        plan = (value_iteration(mdp, r, horizon=T) if model == "hard"
                else soft_backward(mdp, r, horizon=T, causal=model == "causal"))
        vis = visitation(mdp, plan.policy, horizon=T)
    assert np.all(vis.state[..., 4] == 0.0)  # exactly: no path carries any mass there
    assert np.all(vis.state_action[..., 4, :] == 0.0)
    assert_finite(vis.state, vis.state_action)
    if model == "discounted":
        assert vis.state.sum() == pytest.approx(20.0, rel=1e-12)
        return
    assert_distributions(vis.state, atol=1e-12)
    assert np.all(np.diff(vis.state[:, 3]) >= -1e-15)  # what enters the absorbing state stays
    if model == "posterior":
        D, mu, _ = ref.posterior(P, r, mdp.initial, T)
    else:
        D, mu = ref.forward(P, mdp.initial, plan.policy, T)
    assert_allclose(vis.state, D, rtol=0, atol=1e-12)


def test_values_of_absorbing_and_unreachable_states():
    mdp, P, r = trap_mdp()
    T = 12
    steps_left = T - np.arange(T + 1)
    for causal in (True, False):
        plan = soft_backward(mdp, r, horizon=T, causal=causal)
        assert_finite(plan.V, plan.Q)
        assert_distributions(plan.policy)
        # zero reward, uniform choice between 2 identical actions: entropy log 2 per step
        assert_allclose(plan.V[:, 3], steps_left * np.log(2), rtol=0, atol=1e-12)
        assert_allclose(plan.policy[:, 3], 0.5, rtol=0, atol=1e-15)
        # the unreachable prize state sits on its self-loop (up to the last step, where
        # both actions pay the same) and its value is finite and exact
        assert np.all(plan.policy[:-1, 4, 1] > 1 - 1e-12)
        V, _, _ = ref.backward(P, r, T, mode="causal" if causal else "noncausal")
        assert_allclose(plan.V, V, rtol=0, atol=1e-12 * np.abs(V).max())
    hard = value_iteration(mdp, r, horizon=T)
    assert np.all(hard.V[:, 3] == 0.0)
    assert_allclose(hard.V[:, 4], steps_left * 1e4, rtol=1e-15)


def test_samples_never_reach_unreachable_states():
    mdp, P, r = trap_mdp()
    plan = soft_backward(mdp, r, horizon=12)
    demos = sample_trajectories(mdp, plan.policy, 300, horizon=12, seed=1)
    assert not np.any(demos.states == 4)
    assert np.all(P[demos.states[:, :-1], demos.actions, demos.states[:, 1:]] > 0)
    assert np.all(np.diff((demos.states == 3).astype(int), axis=1) >= 0)  # absorbed for good


# --------------------------------------------------------------------------
# one state, one action
# --------------------------------------------------------------------------


def test_single_state_single_action():
    mdp = MDP.from_dense(np.ones((1, 1, 1)), [1.0])
    T, r, gamma = 7, 2.5, 0.8
    steps_left = T - np.arange(T + 1)
    for causal in (True, False):
        plan = soft_backward(mdp, [r], horizon=T, causal=causal, temperature=0.3)
        assert_allclose(plan.V[:, 0], steps_left * r, rtol=1e-15)  # one choice: no entropy
        assert np.all(plan.policy == 1.0)
        assert plan.log_partition == pytest.approx(T * r, rel=1e-15)
    hard = value_iteration(mdp, [r], horizon=T)
    assert_allclose(hard.V[:, 0], steps_left * r, rtol=1e-15)
    disc = soft_backward(mdp, [r], discount=gamma)
    assert disc.V[0] == pytest.approx(r / (1 - gamma), rel=1e-10)

    vis = visitation(mdp, np.ones((1, 1)), horizon=T, discount=gamma)
    assert np.all(vis.state == 1.0) and np.all(vis.state_action == 1.0)
    assert vis.total_state_action[0, 0] == pytest.approx((1 - gamma**T) / (1 - gamma), rel=1e-14)
    occ = visitation(mdp, np.ones((1, 1)), discount=gamma)
    assert occ.state[0] == pytest.approx(1 / (1 - gamma), rel=1e-12)

    post = posterior_marginals(mdp, [r], horizon=T)
    assert np.all(post.state == 1.0) and np.all(post.state_action == 1.0)
    assert post.log_partition == pytest.approx(T * r, rel=1e-15)

    demos = sample_trajectories(mdp, np.ones((1, 1)), 4, horizon=T, seed=0)
    assert np.all(demos.states == 0) and np.all(demos.actions == 0)


def test_single_state_several_actions():
    mdp = MDP.from_dense(np.ones((1, 3, 1)), [1.0])
    T, tau = 5, 0.5
    r = np.array([[0.0, 1.0, 2.0]])
    plan = soft_backward(mdp, r, horizon=T, temperature=tau)
    per_step = tau * logsumexp(r[0] / tau)
    assert_allclose(plan.V[:, 0], (T - np.arange(T + 1)) * per_step, rtol=1e-14)
    assert_allclose(plan.policy, np.broadcast_to(np.exp((r - per_step) / tau), (T, 1, 3)), rtol=1e-14)
    # a state reward broadcasts over actions: uniform policy, log 3 of entropy per step
    flat = soft_backward(mdp, [1.5], horizon=T)
    assert_allclose(flat.V[0, 0], T * (1.5 + np.log(3)), rtol=1e-14)
    assert_allclose(flat.policy, 1 / 3, rtol=1e-14)
    assert_allclose(value_iteration(mdp, r, horizon=T).policy[:, 0], [[0, 0, 1]] * T)


def test_single_action_is_a_markov_chain():
    mdp, P, init, r = tiny_problem(2, 4, 1)
    T = 6
    for causal, mode in ((True, "causal"), (False, "noncausal")):
        plan = soft_backward(mdp, r, horizon=T, causal=causal)
        assert np.all(plan.policy == 1.0)
        V, _, _ = ref.backward(P, r, T, mode=mode)
        assert_allclose(plan.V, V, rtol=0, atol=1e-12)
    # causal value = expected reward-to-go of the chain
    chain = P[:, 0, :]
    reward_to_go = np.zeros(4)
    for _ in range(T):
        reward_to_go = r[:, 0] + chain @ reward_to_go
    assert_allclose(soft_backward(mdp, r, horizon=T).V[0], reward_to_go, rtol=1e-13)
    vis = visitation(mdp, np.ones((4, 1)), horizon=T)
    assert_allclose(vis.state[T], init @ np.linalg.matrix_power(chain, T), rtol=0, atol=1e-14)
    post = posterior_marginals(mdp, r, horizon=T)
    assert_distributions(post.state)


# --------------------------------------------------------------------------
# a start distribution on a single state
# --------------------------------------------------------------------------


@pytest.mark.parametrize("start", [0, 3])
def test_initial_concentrated_on_one_state(start):
    mdp, P, _, r = tiny_problem(4, 4, 3)
    init = np.eye(4)[start]
    mdp = mdp.with_initial(init)
    T = 5
    plan = soft_backward(mdp, r, horizon=T)
    assert plan.log_partition == plan.V[0, start]
    vis = visitation(mdp, plan.policy, horizon=T)
    assert_array_equal(vis.state[0], init)
    assert_distributions(vis.state)
    D, mu = ref.forward(P, init, plan.policy, T)
    assert_allclose(vis.state_action, mu, rtol=0, atol=1e-14)

    noncausal = soft_backward(mdp, r, horizon=T, causal=False)
    post = posterior_marginals(mdp, r, horizon=T)
    assert post.log_partition == noncausal.V[0, start]
    assert_array_equal(post.state[0], init)
    assert_distributions(post.state)
    D, mu, log_partition = ref.posterior(P, r, init, T)  # log(0) = -inf starts stay out
    assert_allclose(post.state, D, rtol=0, atol=1e-13)
    assert_allclose(post.state_action, mu, rtol=0, atol=1e-13)

    demos = sample_trajectories(mdp, plan.policy, 50, horizon=T, seed=3)
    assert np.all(demos.states[:, 0] == start)


# --------------------------------------------------------------------------
# beyond float64, and probabilities below its normal range
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [dict(horizon=3), dict(discount=0.999)])
@pytest.mark.parametrize("fn, reward", [(soft_backward, 1e306), (value_iteration, 1e308)])
def test_overflowing_values_raise_instead_of_nan(fn, reward, kwargs):
    mdp = MDP.from_dense(np.ones((2, 2, 2)) / 2, [1.0, 0.0])
    if fn is soft_backward and "horizon" in kwargs:
        reward = 1e308  # 1e306 * 3 is still finite
    with pytest.raises(ValueError, match="values overflow float64"):
        fn(mdp, np.full(2, reward), **kwargs)


def test_overflowing_temperature_raises():
    mdp = MDP.from_dense(np.ones((2, 2, 2)) / 2, [1.0, 0.0])
    with pytest.raises(ValueError, match="values overflow float64"):
        soft_backward(mdp, [0.0, 1.0], horizon=3, temperature=1e308)


def test_subnormal_transition_probability_keeps_posterior_finite():
    # the likeliest (posterior) successor has P = 1e-310: its normaliser is subnormal
    P = np.array([[[1 - 1e-310, 1e-310]], [[0.0, 1.0]]])
    mdp = MDP.from_dense(P, [1.0, 0.0])
    post = posterior_marginals(mdp, [0.0, 800.0], horizon=3)
    assert_finite(post.state, post.state_action)
    # exp(2 * 800) * 1e-310 >> 1: the posterior jumps to state 1 at once
    assert_allclose(post.state, [[1, 0], [0, 1], [0, 1], [0, 1]], rtol=0, atol=1e-12)


def test_huge_theta_without_l2_gives_finite_objective():
    from tabular_irl import Trajectories, maxent_objective

    mdp = MDP.from_dense(np.full((3, 1, 3), 1 / 3), np.ones(3) / 3)
    demos = Trajectories(np.array([[0, 1, 2, 0]]), np.zeros((1, 3), dtype=int))
    value, grad = maxent_objective(mdp, np.eye(3), [1e160, 0.0, -1e160], demos, horizon=3)
    assert np.isfinite(value) and np.all(np.isfinite(grad))


def test_min_norm_point_at_huge_scale():
    from tabular_irl.irl import min_norm_point

    weights, point = min_norm_point([[1e300, 0.0], [-1e300, 1.0]])
    assert_allclose(weights, [0.5, 0.5], rtol=0, atol=1e-12)
    assert_allclose(point, [0.0, 0.5], rtol=0, atol=1e-12)
