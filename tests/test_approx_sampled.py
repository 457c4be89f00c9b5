"""Monte-Carlo feature expectations: exact in the infinite-sample limit, 1/sqrt(n) with samples."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import reference as ref
from helpers import seeds, tiny_problem, tiny_sizes
from tabular_irl import Trajectories, expected_feature_counts, gridworld, soft_backward, visitation
from tabular_irl.approx import (
    feature_count_moments,
    feature_expectation_study,
    sampled_feature_expectations,
    weighted_feature_expectations,
)


def enumerate_with_probabilities(P, initial, policy, T):
    """Every trajectory of positive probability under ``(initial, policy, P)``, and that probability."""
    S, A, _ = P.shape
    pairs = list(ref.all_trajectories(S, A, T))
    states = np.array([s for s, _ in pairs])
    actions = np.array([a for _, a in pairs])
    pol = policy[states[:, :-1], actions] if policy.ndim == 2 else policy[np.arange(T), states[:, :-1], actions]
    p = initial[states[:, 0]] * np.prod(pol, axis=1) * np.prod(P[states[:, :-1], actions, states[:, 1:]], axis=1)
    keep = p > 0
    return Trajectories(states[keep], actions[keep]), p[keep]


def _random_policy(rng, S, A, T, time_indexed):
    pol = rng.random((T, S, A) if time_indexed else (S, A)) ** 2  # some near-zero entries
    return pol / pol.sum(axis=-1, keepdims=True)


@given(seed=seeds, sizes=tiny_sizes, time_indexed=st.booleans(), state_action=st.booleans(),
       discount=st.sampled_from([None, 0.7]))
def test_weighted_estimator_is_exact_in_the_infinite_sample_limit(seed, sizes, time_indexed, state_action, discount):
    """Every trajectory weighted by its probability: the estimator *is* the expectation (1e-10)."""
    S, A, T = sizes
    mdp, P, init, _ = tiny_problem(seed % 10_000, S, A)
    rng = np.random.default_rng(seed % 10_000 + 7)
    pi = _random_policy(rng, S, A, T, time_indexed)
    phi = rng.normal(size=(S, A, 2) if state_action else (S, 2))
    tr, prob = enumerate_with_probabilities(P, init, pi, T)
    est = weighted_feature_expectations(mdp, tr, features=phi, discount=discount, sample_weights=prob)
    exact = visitation(mdp, pi, horizon=T, discount=discount)
    # sums of at most S^(T+1) A^T = 1728 products of probabilities: rounding ~1e-15
    assert_allclose(est.visitation.state, exact.state, atol=1e-10, rtol=0)
    assert_allclose(est.visitation.state_action, exact.state_action, atol=1e-10, rtol=0)
    assert_allclose(est.visitation.total_state_action, exact.total_state_action, atol=1e-10, rtol=0)
    assert_allclose(est.feature_counts, expected_feature_counts(exact, phi), atol=1e-10, rtol=0)


@given(seed=seeds, sizes=tiny_sizes, time_indexed=st.booleans(), discount=st.sampled_from([None, 0.6]))
def test_feature_count_moments_match_enumeration(seed, sizes, time_indexed, discount):
    S, A, T = sizes
    mdp, P, init, _ = tiny_problem(seed % 10_000, S, A)
    rng = np.random.default_rng(seed % 10_000 + 3)
    pi = _random_policy(rng, S, A, T, time_indexed)
    phi = rng.normal(size=(S, A, 3))
    tr, prob = enumerate_with_probabilities(P, init, pi, T)
    gamma = 1.0 if discount is None else discount
    C = np.array([sum(gamma**t * phi[s[t], a[t]] for t in range(T)) for s, a in zip(tr.states, tr.actions)])
    mean = prob @ C
    cov = (prob[:, None] * (C - mean)).T @ (C - mean)
    m = feature_count_moments(mdp, pi, phi, horizon=T, discount=discount)
    assert_allclose(m.mean, mean, atol=1e-10, rtol=0)
    assert_allclose(m.covariance, cov, atol=1e-10, rtol=0)
    assert m.total_variance == pytest.approx(np.trace(cov), abs=1e-10)


@pytest.fixture(scope="module")
def world():
    w = gridworld(4, slip=0.2)
    plan = soft_backward(w.mdp, 3.0 * w.reward, horizon=6)
    return w, plan.policy


def test_sampled_error_matches_the_exact_variance_at_the_1_over_sqrt_n_rate(world):
    """Mean squared error over R replicates = trace(Cov) / n, within the spread of an R-replicate mean.

    For a near-Gaussian error e (a mean of n i.i.d. counts), ||e||^2 has variance
    2 trace(Sigma_n^2), so the R-replicate MSE has relative standard deviation
    sqrt(2 trace(Sigma^2) / R) / trace(Sigma): the tolerance is 5 of those.
    """
    w, policy = world
    ns, R = (25, 400), 200
    table = feature_expectation_study(w.mdp, policy, w.features, horizon=6, n=ns, n_repeats=R, seed=0)
    cov = feature_count_moments(w.mdp, policy, w.features, horizon=6).covariance
    rel_sd = np.sqrt(2 * np.trace(cov @ cov) / R) / np.trace(cov)
    ratio = table.column("ratio") ** 2  # measured MSE / exact MSE
    assert np.all(np.abs(ratio - 1) < 5 * rel_sd), (ratio, rel_sd)
    rmse = table.column("rmse")
    assert rmse[1] < rmse[0]
    # the slope between two sizes 16x apart: each log RMSE has sd ~ rel_sd / 2
    assert table.meta["slope"] == pytest.approx(-0.5, abs=5 * rel_sd / np.log(16))
    assert_allclose(table.column("rmse_pred"), np.sqrt(np.trace(cov) / np.array(ns)), rtol=1e-12)


def test_sampled_feature_expectations_standard_error_and_reproducibility(world):
    w, policy = world
    n = 4000
    a = sampled_feature_expectations(w.mdp, policy, n, horizon=6, features=w.features, seed=11)
    b = sampled_feature_expectations(w.mdp, policy, n, horizon=6, features=w.features, seed=11)
    assert_allclose(a.feature_counts, b.feature_counts, rtol=0, atol=0)
    assert a.effective_sample_size == pytest.approx(n)
    m = feature_count_moments(w.mdp, policy, w.features, horizon=6)
    sd = np.sqrt(np.diag(m.covariance) / n)
    seen = sd > 1e-3  # cells the policy visits; elsewhere both are ~0
    # the standard error estimates sd from n = 4000 samples: relative error ~ 1/sqrt(2n) ~ 1%
    assert_allclose(a.standard_error[seen], sd[seen], rtol=0.1)
    z = (a.feature_counts - m.mean)[seen] / sd[seen]
    assert np.abs(z).max() < 5  # 16 roughly normal scores
    assert_allclose(a.visitation.state.sum(axis=1), 1.0, atol=1e-12)


def test_single_trajectory_has_infinite_standard_error(world):
    w, policy = world
    est = sampled_feature_expectations(w.mdp, policy, 1, horizon=6, features=w.features, seed=0)
    assert np.all(np.isinf(est.standard_error))
    assert est.effective_sample_size == 1.0


def test_bad_input_is_named(world):
    w, policy = world
    tr = sampled_feature_expectations(w.mdp, policy, 3, horizon=6, seed=0)
    demos = Trajectories([[0, 1, 2]], [[1, 1]])
    with pytest.raises(TypeError, match="demos must be tabular_irl.Trajectories"):
        weighted_feature_expectations(w.mdp, tr)
    with pytest.raises(ValueError, match=r"sample_weights must have shape \(1,\)"):
        weighted_feature_expectations(w.mdp, demos, sample_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="sample_weights must be non-negative"):
        weighted_feature_expectations(w.mdp, demos, sample_weights=[-1.0])
    with pytest.raises(ValueError, match="sample_weights must have a positive sum"):
        weighted_feature_expectations(w.mdp, demos, sample_weights=[0.0])
    with pytest.raises(ValueError, match="discount must be in"):
        weighted_feature_expectations(w.mdp, demos, discount=1.5)
    with pytest.raises(ValueError, match=r"demos\.states\[0, 1\] = 99 is not a state of this MDP"):
        weighted_feature_expectations(w.mdp, Trajectories([[0, 99]], [[0]]))
    with pytest.raises(ValueError, match="features must have shape"):
        weighted_feature_expectations(w.mdp, demos, features=np.ones((3, 2)))
    with pytest.raises(TypeError, match="n must be an integer"):
        sampled_feature_expectations(w.mdp, policy, 2.0, horizon=6)
    with pytest.raises(ValueError, match="policy must have shape"):
        feature_count_moments(w.mdp, policy[:3], w.features, horizon=6)
    with pytest.raises(ValueError, match=r"n must be strictly increasing"):
        feature_expectation_study(w.mdp, policy, w.features, horizon=6, n=(10, 10))
    with pytest.raises(ValueError, match="n_repeats must be >= 2"):
        feature_expectation_study(w.mdp, policy, w.features, horizon=6, n_repeats=1)
