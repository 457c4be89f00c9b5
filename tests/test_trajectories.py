"""Sampling and empirical counts."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from helpers import tiny_problem
from tabular_irl import Trajectories, empirical_feature_counts, sample_trajectories, soft_backward, visitation
from tabular_irl.trajectories import empirical_visitation


def _setup(seed=3, S=4, A=3, T=4):
    mdp, P, init, r = tiny_problem(seed, S, A, sparse_initial=True)
    plan = soft_backward(mdp, r, horizon=T)
    return mdp, P, init, plan, T


def test_same_seed_same_trajectories_and_generator_accepted():
    mdp, P, init, plan, T = _setup()
    a = sample_trajectories(mdp, plan.policy, 50, horizon=T, seed=7)
    b = sample_trajectories(mdp, plan.policy, 50, horizon=T, seed=7)
    c = sample_trajectories(mdp, plan.policy, 50, horizon=T, seed=8)
    g = sample_trajectories(mdp, plan.policy, 50, horizon=T, seed=np.random.default_rng(7))
    assert_array_equal(a.states, b.states)
    assert_array_equal(a.actions, b.actions)
    assert_array_equal(a.states, g.states)
    assert not np.array_equal(a.states, c.states)


def test_samples_follow_support_of_policy_and_dynamics():
    mdp, P, init, plan, T = _setup(seed=5)
    pol = np.array(plan.policy)
    pol[:, :, 0] = 0.0  # forbid action 0 everywhere
    pol /= pol.sum(axis=-1, keepdims=True)
    demos = sample_trajectories(mdp, pol, 2000, horizon=T, seed=1)
    s, a = demos.states, demos.actions
    assert np.all(a != 0)
    assert np.all(init[s[:, 0]] > 0)
    assert np.all(P[s[:, :-1], a, s[:, 1:]] > 0)


def test_empirical_visitation_converges_to_exact(seed):
    mdp, P, init, plan, T = _setup(seed=seed)
    N = 40_000
    demos = sample_trajectories(mdp, plan.policy, N, horizon=T, seed=seed)
    emp_vis = empirical_visitation(demos, mdp.n_states, mdp.n_actions)
    D_emp, mu_emp = emp_vis.state, emp_vis.state_action
    vis = visitation(mdp, plan.policy, horizon=T)
    # binomial standard error; 5 sigma keeps the test reliable for any seed
    for emp, exact in [(D_emp, vis.state), (mu_emp, vis.state_action)]:
        se = np.sqrt(exact * (1 - exact) / N)
        assert np.all(np.abs(emp - exact) <= 5 * se + 1e-12)


def test_empirical_feature_counts_by_hand():
    states = np.array([[0, 1, 2], [2, 2, 0]])
    actions = np.array([[1, 0], [0, 1]])
    demos = Trajectories(states, actions)
    phi = np.arange(6, dtype=float).reshape(3, 2)  # (S, d)
    expected = (phi[0] + phi[1] + phi[2] + phi[2]) / 2
    assert_allclose(empirical_feature_counts(demos, phi), expected, rtol=0, atol=1e-15)
    disc = (phi[0] + 0.5 * phi[1] + phi[2] + 0.5 * phi[2]) / 2
    assert_allclose(empirical_feature_counts(demos, phi, discount=0.5), disc, rtol=0, atol=1e-15)
    phi_sa = np.arange(12, dtype=float).reshape(3, 2, 2)  # (S, A, d)
    expected_sa = (phi_sa[0, 1] + phi_sa[1, 0] + phi_sa[2, 0] + phi_sa[2, 1]) / 2
    assert_allclose(empirical_feature_counts(demos, phi_sa), expected_sa, rtol=0, atol=1e-15)


def test_trajectories_are_read_only_copies():
    states = np.array([[0, 1]])
    demos = Trajectories(states, np.array([[0]]))
    states[0, 0] = 5
    assert demos.states[0, 0] == 0
    with pytest.raises(ValueError):
        demos.states[0, 0] = 1
    assert demos.horizon == 1 and len(demos) == 1


def test_row_local_inverse_cdf_matches_per_row_search():
    from tabular_irl.trajectories import _row_cumsums, _sample_rows

    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 7, size=50)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    data = rng.random(indptr[-1])
    local = _row_cumsums(indptr, data)
    rows = rng.integers(0, 50, size=2000)
    u = rng.random(2000)
    got = _sample_rows(local, indptr[rows], indptr[rows + 1], u)
    for k, r, ui in zip(got, rows, u):
        cum = np.cumsum(data[indptr[r]:indptr[r + 1]])
        assert k - indptr[r] == np.searchsorted(cum, ui * cum[-1], side="right")
