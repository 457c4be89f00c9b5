"""Forward passes and the gradient identities: kernels == twins == enumeration == finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import reference as ref
from helpers import gamble_mdp, seeds, tiny_problem, tiny_sizes
from tabular_irl import expected_feature_counts, posterior_marginals, soft_backward, visitation

EXACT = dict(rtol=0, atol=1e-10)


@given(tiny_sizes, seeds, st.booleans())
def test_visitation_matches_twin_and_enumeration(sizes, seed, stationary):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A, sparse_initial=True)
    rng = np.random.default_rng(seed)
    pol = rng.random((S, A) if stationary else (T, S, A)) + 1e-3
    pol /= pol.sum(axis=-1, keepdims=True)
    vis = visitation(mdp, pol, horizon=T)
    D, mu = ref.forward(P, init, pol, T)
    Db, mub, _ = ref.enumerate_policy(P, init, pol, T)
    for got, twin, brute in [(vis.state, D, Db), (vis.state_action, mu, mub)]:
        assert_allclose(got, twin, **EXACT)
        assert_allclose(got, brute, **EXACT)
    assert_allclose(vis.state.sum(axis=1), 1.0, **EXACT)
    assert_allclose(vis.state_action.sum(axis=(1, 2)), 1.0, **EXACT)
    assert_allclose(vis.total_state_action, mu.sum(axis=0), **EXACT)


@given(tiny_sizes, seeds, st.sampled_from([0.5, 1.0, 2.0]))
def test_posterior_marginals_match_twin_and_enumeration(sizes, seed, tau):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A, sparse_initial=True)
    post = posterior_marginals(mdp, r, horizon=T, temperature=tau)
    D, mu, logZ = ref.posterior(P, r, init, T, tau=tau)
    logZb, Db, mub = ref.enumerate_noncausal(P, r, init, T, tau=tau)
    for got, twin, brute in [(post.state, D, Db), (post.state_action, mu, mub)]:
        assert_allclose(got, twin, **EXACT)
        assert_allclose(got, brute, **EXACT)
    assert post.log_partition == pytest.approx(logZb, abs=1e-10)
    assert_allclose(post.state.sum(axis=1), 1.0, **EXACT)


def _fd_gradient(f, r, h=1e-5):
    """Central differences of a scalar function of a (S, A) table."""
    g = np.zeros_like(r)
    for idx in np.ndindex(r.shape):
        e = np.zeros_like(r)
        e[idx] = h
        g[idx] = (f(r + e) - f(r - e)) / (2 * h)
    return g


@given(tiny_sizes, seeds, st.sampled_from([1.0, 0.9]))
def test_causal_log_partition_gradient_is_policy_visitation(sizes, seed, gamma):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    plan = soft_backward(mdp, r, horizon=T, discount=gamma)
    vis = visitation(mdp, plan.policy, horizon=T, discount=gamma)
    fd = _fd_gradient(lambda x: soft_backward(mdp, x, horizon=T, discount=gamma).log_partition, r)
    assert_allclose(vis.total_state_action, fd, rtol=0, atol=1e-8)


@given(tiny_sizes, seeds, st.sampled_from([0.5, 1.0]))
def test_noncausal_log_partition_gradient_is_posterior(sizes, seed, tau):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    post = posterior_marginals(mdp, r, horizon=T, temperature=tau)
    fd = _fd_gradient(lambda x: soft_backward(mdp, x, horizon=T, causal=False, temperature=tau).log_partition, r)
    # d(tau log Z)/dr = marginals (the 1/tau inside exp(R/tau) cancels the tau outside)
    assert_allclose(post.total_state_action, fd, rtol=0, atol=1e-8)


@given(st.integers(1, 6), st.integers(1, 3), seeds, st.sampled_from([0.0, 0.5, 0.9, 0.999]))
def test_discounted_occupancy_sums_and_flow(S, A, seed, gamma):
    mdp, P, init, r = tiny_problem(seed, S, A, sparse_initial=True)
    plan = soft_backward(mdp, r, discount=min(gamma, 0.9))
    vis = visitation(mdp, plan.policy, discount=gamma)
    d, dsa = ref.occupancy(P, init, plan.policy, gamma)
    assert_allclose(vis.state, d, rtol=1e-12, atol=1e-10)
    assert_allclose(vis.state_action, dsa, rtol=1e-12, atol=1e-10)
    assert vis.state.sum() == pytest.approx(1 / (1 - gamma), rel=1e-12)
    # flow: d(s') = initial(s') + gamma sum_{s,a} d(s, a) P(s'|s, a)
    assert_allclose(vis.state, init + gamma * np.einsum("sa,sap->p", vis.state_action, P), rtol=1e-12, atol=1e-10)
    assert np.all(vis.state >= 0)


def test_discounted_causal_gradient_is_occupancy():
    mdp, P, init, r = tiny_problem(4, 4, 3)
    plan = soft_backward(mdp, r, discount=0.8, tol=1e-14)
    vis = visitation(mdp, plan.policy, discount=0.8)
    fd = _fd_gradient(lambda x: soft_backward(mdp, x, discount=0.8, tol=1e-14).log_partition, r)
    assert_allclose(vis.total_state_action, fd, rtol=0, atol=1e-7)


@given(tiny_sizes, seeds)
def test_noncausal_rollout_equals_posterior_for_deterministic_dynamics(sizes, seed):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A, deterministic=True)
    plan = soft_backward(mdp, r, horizon=T, causal=False)
    rollout = visitation(mdp, plan.policy, horizon=T)
    post = posterior_marginals(mdp, r, horizon=T)
    assert_allclose(rollout.state_action, post.state_action, **EXACT)


def test_noncausal_rollout_differs_from_posterior_for_stochastic_dynamics():
    """The lesson: rolling the non-causal policy forward under P is not the MaxEnt gradient.

    From s0 one action reaches a rewarding state with probability 1/2 and a
    bad one otherwise. The posterior "knows" the coin came up well more often
    than P says; the rollout uses P's 1/2.
    """
    mdp = gamble_mdp()  # reward +3 in the good outcome
    r = np.array([0.0, 3.0, 0.0])
    plan = soft_backward(mdp, r, horizon=2, causal=False)
    rollout = visitation(mdp, plan.policy, horizon=2)
    post = posterior_marginals(mdp, r, horizon=2)
    # after the gamble, P says good:bad = 1:1, the posterior says 1:e^3
    gamble = post.state_action[0, 0, 0]
    assert post.state[1, 1] / post.state[1, 2] == pytest.approx(np.exp(3.0), rel=1e-12)
    assert rollout.state[1, 1] / rollout.state[1, 2] == pytest.approx(1.0, rel=1e-12)
    assert rollout.state_action[0, 0, 0] == pytest.approx(gamble, rel=1e-12)  # same first step
    assert np.abs(rollout.total_state_action - post.total_state_action).max() > 0.1


def test_expected_feature_counts_state_and_state_action_features():
    mdp, P, init, r = tiny_problem(8, 4, 2)
    plan = soft_backward(mdp, r, horizon=3)
    vis = visitation(mdp, plan.policy, horizon=3)
    rng = np.random.default_rng(0)
    phi_s = rng.normal(size=(4, 3))
    phi_sa = np.repeat(phi_s[:, None, :], 2, axis=1)
    a = expected_feature_counts(vis, phi_s)
    b = expected_feature_counts(vis, phi_sa)
    assert_allclose(a, b, **EXACT)
    # one-hot state features give the expected number of visits to each state (t < T)
    assert_allclose(expected_feature_counts(vis, np.eye(4)), vis.state[:-1].sum(axis=0), **EXACT)


def test_posterior_with_discounted_horizon_is_rejected():
    mdp, P, init, r = tiny_problem(0, 3, 2)
    with pytest.raises(ValueError, match="causal=False"):
        soft_backward(mdp, r, horizon=3, discount=0.9, causal=False)


def test_sparse_state_features_equal_dense():
    import scipy.sparse as sp

    from tabular_irl import empirical_feature_counts, sample_trajectories

    mdp, P, init, r = tiny_problem(2, 5, 3)
    plan = soft_backward(mdp, r, horizon=4)
    vis = visitation(mdp, plan.policy, horizon=4)
    demos = sample_trajectories(mdp, plan.policy, 20, horizon=4, seed=0)
    dense = np.random.default_rng(0).normal(size=(5, 3)) * (np.random.default_rng(1).random((5, 3)) < 0.5)
    for fn, arg in [(expected_feature_counts, vis), (empirical_feature_counts, demos)]:
        assert_allclose(fn(arg, sp.csr_array(dense)), fn(arg, dense), rtol=0, atol=1e-14)
