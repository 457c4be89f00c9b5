"""Backward passes: kernels == NumPy twins == brute force, and the identities of DESIGN.md."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import reference as ref
from helpers import seeds, tiny_problem, tiny_sizes
from tabular_irl import ConvergenceWarning, soft_backward, value_iteration

EXACT = dict(rtol=0, atol=1e-10)  # the kernels are exact up to rounding


@given(tiny_sizes, seeds, st.sampled_from([0.3, 1.0, 2.5]), st.sampled_from([1.0, 0.9]))
def test_causal_finite_matches_twin(sizes, seed, tau, gamma):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    plan = soft_backward(mdp, r, horizon=T, discount=gamma, temperature=tau)
    V, Q, pi = ref.backward(P, r, T, gamma=gamma, tau=tau)
    assert_allclose(plan.V, V, **EXACT)
    assert_allclose(plan.Q, Q, **EXACT)
    assert_allclose(plan.policy, pi, **EXACT)
    assert plan.log_partition == pytest.approx(init @ V[0], abs=1e-10)
    assert plan.V.shape == (T + 1, S) and plan.Q.shape == (T, S, A)
    assert np.all(plan.V[T] == 0)


@given(tiny_sizes, seeds, st.sampled_from([0.5, 1.0, 3.0]))
def test_noncausal_finite_matches_twin_and_enumeration(sizes, seed, tau):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    plan = soft_backward(mdp, r, horizon=T, causal=False, temperature=tau)
    V, Q, pi = ref.backward(P, r, T, tau=tau, mode="noncausal")
    assert_allclose(plan.V, V, **EXACT)
    assert_allclose(plan.Q, Q, **EXACT)
    assert_allclose(plan.policy, pi, **EXACT)
    logZ, _, _ = ref.enumerate_noncausal(P, r, init, T, tau=tau)
    assert plan.log_partition == pytest.approx(logZ, abs=1e-10)


@given(tiny_sizes, seeds, st.sampled_from([0.5, 1.0]), st.sampled_from([1.0, 0.8]))
def test_causal_value_is_expected_entropy_regularised_return(sizes, seed, tau, gamma):
    """Brute force: initial @ V_0 = E_pi[sum_t gamma^t (r - tau log pi_t)] over all trajectories."""
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    plan = soft_backward(mdp, r, horizon=T, discount=gamma, temperature=tau)
    _, _, value = ref.enumerate_policy(P, init, plan.policy, T, r, gamma=gamma, tau=tau)
    assert plan.log_partition == pytest.approx(value, abs=1e-10)


@given(st.tuples(st.integers(1, 3), st.integers(1, 2), st.integers(1, 3)), seeds)
def test_hard_finite_is_best_deterministic_policy(sizes, seed):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    plan = value_iteration(mdp, r, horizon=T)
    V, Q, pi = ref.backward(P, r, T, mode="hard")
    assert_allclose(plan.V, V, **EXACT)
    assert_allclose(plan.policy, pi, **EXACT)
    assert plan.temperature == 0.0
    assert plan.log_partition == pytest.approx(ref.best_deterministic_return(P, r, init, T), abs=1e-10)


@given(st.integers(1, 5), st.integers(1, 3), seeds, st.sampled_from([0.0, 0.5, 0.9, 0.99]),
       st.sampled_from(["causal", "hard"]))
def test_discounted_matches_twin_within_reported_bound(S, A, seed, gamma, mode):
    mdp, P, init, r = tiny_problem(seed, S, A)
    fn = soft_backward if mode == "causal" else value_iteration
    plan = fn(mdp, r, discount=gamma, tol=1e-11)
    V, Q, pi = ref.discounted_backward(P, r, gamma, mode=mode)
    assert plan.converged
    assert plan.error_bound <= 1e-11 or plan.error_bound <= 1e3 * np.finfo(float).eps * np.abs(V).max() / (1 - gamma)
    assert np.abs(plan.V - V).max() <= max(plan.error_bound, 1e-12) * (1 + 1e-6) + 1e-13
    assert_allclose(plan.V, V, rtol=0, atol=1e-10)
    if mode == "causal":
        assert_allclose(plan.policy, pi, **EXACT)
    # Q and V of the result are mutually consistent (V = softmax of Q)
    assert_allclose(plan.V, np.log(np.exp(plan.Q).sum(axis=1)) if mode == "causal" else plan.Q.max(axis=1), **EXACT)


def test_discounted_reports_iterations_and_stops_by_the_bound():
    mdp, P, init, r = tiny_problem(7, 4, 2)
    loose = soft_backward(mdp, r, discount=0.9, tol=1e-3)
    tight = soft_backward(mdp, r, discount=0.9, tol=1e-12)
    assert 1 < loose.n_iter < tight.n_iter
    V, _, _ = ref.discounted_backward(P, r, 0.9)
    assert np.abs(loose.V - V).max() <= loose.error_bound <= 1e-3


def test_discounted_max_iter_warns_and_reports():
    mdp, P, init, r = tiny_problem(1, 4, 2)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        plan = soft_backward(mdp, r, discount=0.99, max_iter=5)
    assert not plan.converged and plan.n_iter == 5 and plan.error_bound > 1e-10


@given(tiny_sizes, seeds)
def test_deterministic_dynamics_make_causal_and_noncausal_coincide(sizes, seed):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A, deterministic=True)
    causal = soft_backward(mdp, r, horizon=T)
    noncausal = soft_backward(mdp, r, horizon=T, causal=False)
    assert_allclose(causal.V, noncausal.V, **EXACT)
    assert_allclose(causal.policy, noncausal.policy, **EXACT)


def test_stochastic_dynamics_separate_causal_and_noncausal():
    # The non-causal model may "choose" the dynamics' outcomes (log E exp >= E, Jensen),
    # so on a random stochastic MDP its values dominate the causal ones strictly.
    mdp, P, init, r = tiny_problem(3, 3, 2)
    causal = soft_backward(mdp, r, horizon=3)
    noncausal = soft_backward(mdp, r, horizon=3, causal=False)
    assert np.all(noncausal.V >= causal.V - 1e-12)
    assert noncausal.log_partition > causal.log_partition + 1e-3


@given(tiny_sizes, seeds, st.floats(-50, 50), st.booleans())
def test_constant_reward_shift_leaves_policy_unchanged(sizes, seed, c, causal):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    a = soft_backward(mdp, r, horizon=T, causal=causal)
    b = soft_backward(mdp, r + c, horizon=T, causal=causal)
    assert_allclose(a.policy, b.policy, rtol=0, atol=1e-9)
    # values shift by c per remaining step
    assert_allclose(b.V - a.V, c * (T - np.arange(T + 1))[:, None] * np.ones(S), rtol=0, atol=1e-9)


def test_constant_shift_discounted():
    mdp, P, init, r = tiny_problem(5, 4, 3)
    a = soft_backward(mdp, r, discount=0.9, tol=1e-12)
    b = soft_backward(mdp, r + 3.0, discount=0.9, tol=1e-12)
    assert_allclose(a.policy, b.policy, rtol=0, atol=1e-9)
    assert_allclose(b.V - a.V, 30.0, rtol=0, atol=1e-8)


@pytest.mark.parametrize("horizon,discount", [(4, None), (None, 0.9)])
def test_temperature_to_zero_approaches_value_iteration(horizon, discount):
    mdp, P, init, r = tiny_problem(11, 4, 3)
    hard = value_iteration(mdp, r, horizon=horizon, discount=discount)
    steps = horizon if horizon else 1 / (1 - discount)
    errors = []
    for tau in [1.0, 0.1, 0.01, 1e-4]:
        soft = soft_backward(mdp, r, horizon=horizon, discount=discount, temperature=tau)
        err = np.abs(soft.V - hard.V).max()
        # soft max exceeds the max by at most tau log A per step
        assert 0 <= np.min(soft.V - hard.V) + 1e-12
        assert err <= tau * np.log(3) * steps + 1e-9
        errors.append(err)
    assert errors == sorted(errors, reverse=True) and errors[-1] < 1e-3


def test_plan_arrays_are_read_only():
    mdp, P, init, r = tiny_problem(0, 3, 2)
    plan = soft_backward(mdp, r, horizon=2)
    with pytest.raises(ValueError):
        plan.V[0, 0] = 1.0
    with pytest.raises(Exception):
        plan.V = None


def test_state_reward_broadcasts_over_actions():
    mdp, P, init, r = tiny_problem(2, 3, 2)
    rs = r[:, 0]
    a = soft_backward(mdp, rs, horizon=3)
    b = soft_backward(mdp, np.repeat(rs[:, None], 2, axis=1), horizon=3)
    assert_allclose(a.V, b.V, rtol=0, atol=0)


@given(tiny_sizes, seeds, st.booleans())
def test_sparse_twins_match_dense_twins(sizes, seed, causal):
    """The benchmarks' sparse baseline computes the same numbers as the dense twins."""
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A)
    mode = "causal" if causal else "noncausal"
    V, Q, pi = ref.sparse_backward(mdp.transitions, r, T, causal=causal)
    Vd, Qd, pid = ref.backward(P, r, T, mode=mode)
    assert_allclose(V, Vd, **EXACT)
    assert_allclose(pi, pid, **EXACT)
    D, mu = ref.sparse_forward(mdp.transitions.T.tocsr(), init, pi, T)
    Dd, mud = ref.forward(P, init, pi, T)
    assert_allclose(mu, mud, **EXACT)
