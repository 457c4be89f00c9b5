"""MaxEnt / MCE IRL: objective, exact gradient and Hessian, solver, invariances."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import logsumexp

import reference as ref
from helpers import gamble_mdp, seeds, tiny_problem
from tabular_irl import Trajectories, sample_trajectories, soft_backward
from tabular_irl.irl import (
    classic_maxent_gradient,
    maxent_hessian,
    maxent_hessp,
    maxent_irl,
    maxent_objective,
    reward_gradient,
)

# (horizon, discount, causal): every model the objective supports
MODELS = [(3, None, True), (3, 0.8, True), (None, 0.8, True), (3, None, False)]


def _setup(seed, S=3, A=2, d=2, T=3, *, deterministic=False, state_action=False, n=6):
    mdp, P, init, r = tiny_problem(seed, S, A, deterministic=deterministic)
    rng = np.random.default_rng(seed + 1)
    phi = rng.normal(size=(S, A, d) if state_action else (S, d))
    plan = soft_backward(mdp, r, horizon=T)
    demos = sample_trajectories(mdp, plan.policy, n, horizon=T, seed=seed)
    theta = rng.normal(size=d)
    return mdp, P, init, phi, demos, theta


def _fd(f, x, h=1e-6):
    out = []
    for e in np.eye(len(x)):
        out.append((f(x + h * e) - f(x - h * e)) / (2 * h))
    return np.array(out)


@pytest.mark.parametrize("horizon,discount,causal", MODELS)
@given(seed=seeds, state_action=st.booleans(), l2=st.sampled_from([0.0, 0.3]))
def test_gradient_matches_finite_differences(horizon, discount, causal, seed, state_action, l2):
    mdp, P, init, phi, demos, theta = _setup(seed % 10_000, state_action=state_action)
    kw = dict(horizon=horizon, discount=discount, causal=causal, l2=l2)
    value, grad = maxent_objective(mdp, phi, theta, demos, **kw)
    fd = _fd(lambda th: maxent_objective(mdp, phi, th, demos, **kw)[0], theta)
    assert_allclose(grad, fd, rtol=0, atol=1e-7)


@given(seed=seeds)
def test_noncausal_objective_is_loglikelihood_by_enumeration(seed):
    """L = mean_i [R(tau_i) - log Z(s0_i)] with Z summed over every trajectory."""
    mdp, P, init, phi, demos, theta = _setup(seed % 10_000, S=3, A=2, T=2)
    value, _ = maxent_objective(mdp, phi, theta, demos, horizon=2, causal=False)
    r = np.repeat((phi @ theta)[:, None], 2, axis=1)
    expected = []
    for s, a in zip(demos.states, demos.actions):
        logZ, _, _ = ref.enumerate_noncausal(P, r, np.eye(3)[s[0]], 2)
        expected.append(r[s[:-1], a].sum() - logZ)
    assert value == pytest.approx(np.mean(expected), abs=1e-10)


@given(seed=seeds)
def test_causal_objective_is_causal_loglikelihood_for_deterministic_dynamics(seed):
    mdp, P, init, phi, demos, theta = _setup(seed % 10_000, deterministic=True)
    value, _ = maxent_objective(mdp, phi, theta, demos, horizon=3)
    plan = soft_backward(mdp, phi @ theta, horizon=3)
    ll = np.mean([np.log(plan.policy[np.arange(3), s[:-1], a]).sum() for s, a in zip(demos.states, demos.actions)])
    assert value == pytest.approx(ll, abs=1e-10)
    fit = maxent_irl(mdp, phi, demos, horizon=3, l2=1.0)
    # the reported log-likelihood is the unpenalised objective here (dynamics have probability 1)
    assert fit.log_likelihood == pytest.approx(fit.objective + 0.5 * fit.theta @ fit.theta, abs=1e-10)


def test_non_convergence_is_reported_and_warned():
    from tabular_irl import ConvergenceWarning

    mdp, P, init, phi, demos, theta = _setup(3, S=4, A=3, d=2, T=3, n=20)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        fit = maxent_irl(mdp, phi, demos, horizon=3, max_iter=1)
    assert not fit.converged and "not converged" in fit.message and fit.n_iter == 1


@pytest.mark.parametrize("horizon,discount,causal", MODELS)
@given(seed=seeds, state_action=st.booleans())
def test_hessian_vector_products_match_finite_differences(horizon, discount, causal, seed, state_action):
    mdp, P, init, phi, demos, theta = _setup(seed % 10_000, d=3, state_action=state_action)
    kw = dict(horizon=horizon, discount=discount, causal=causal)
    v = np.random.default_rng(seed % 10_000).normal(size=3)
    hv = maxent_hessp(theta, v, mdp, phi, demos, **kw)
    h = 1e-5
    fd = (maxent_objective(mdp, phi, theta + h * v, demos, **kw)[1]
          - maxent_objective(mdp, phi, theta - h * v, demos, **kw)[1]) / (2 * h)
    assert_allclose(hv, fd, rtol=0, atol=1e-7)
    H = maxent_hessian(mdp, phi, theta, demos, **kw)
    assert_allclose(H, H.T, rtol=0, atol=0)
    assert_allclose(H @ v, hv, rtol=0, atol=1e-10)
    # concave: negative semidefinite
    assert np.linalg.eigvalsh(H).max() <= 1e-10


@given(seed=seeds)
def test_noncausal_hessian_is_minus_feature_covariance_by_enumeration(seed):
    S, A, T, d = 3, 2, 2, 2
    mdp, P, init, phi, demos, theta = _setup(seed % 10_000, S=S, A=A, T=T, d=d, state_action=True)
    H = maxent_hessian(mdp, phi, theta, demos, horizon=T, causal=False)
    r = phi @ theta
    cov = np.zeros((d, d))
    for s0 in demos.states[:, 0]:
        trajs = [(s, a) for s, a in ref.all_trajectories(S, A, T) if s[0] == s0]
        logw = np.array([ref._dynamics_logprob(P, s, a) + r[s[:-1], a].sum() for s, a in trajs])
        w = np.exp(logw - logsumexp(logw))
        F = np.array([phi[s[:-1], a].sum(axis=0) for s, a in trajs])
        mean = w @ F
        cov += ((F - mean).T * w) @ (F - mean)
    assert_allclose(H, -cov / demos.n_trajectories, rtol=0, atol=1e-10)


def test_reward_gradient_is_empirical_minus_expected_counts():
    mdp, P, init, phi, demos, theta = _setup(4, S=4, A=3, T=3, n=10)
    r = np.random.default_rng(0).normal(size=(4, 3))
    value, g = reward_gradient(mdp, r, demos, horizon=3)
    fd = np.zeros_like(r)
    for idx in np.ndindex(r.shape):
        e = np.zeros_like(r)
        e[idx] = 1e-6
        fd[idx] = (reward_gradient(mdp, r + e, demos, horizon=3)[0] - reward_gradient(mdp, r - e, demos, horizon=3)[0]) / 2e-6
    assert_allclose(g, fd, rtol=0, atol=1e-7)
    # chain rule to theta agrees with maxent_objective for state-action features
    phi_sa = np.random.default_rng(1).normal(size=(4, 3, 2))
    th = np.array([0.3, -0.2])
    _, g_r = reward_gradient(mdp, phi_sa @ th, demos, horizon=3)
    _, g_th = maxent_objective(mdp, phi_sa, th, demos, horizon=3)
    assert_allclose(np.einsum("sa,sak->k", g_r, phi_sa), g_th, rtol=0, atol=1e-12)


@pytest.mark.parametrize("horizon,discount,causal", MODELS)
@pytest.mark.parametrize("method", ["L-BFGS-B", "trust-ncg", "trust-exact"])
def test_fit_matches_moments_at_the_optimum(horizon, discount, causal, method):
    mdp, P, init, phi, demos, theta = _setup(21, S=4, A=3, d=2, T=3, n=40)
    fit = maxent_irl(mdp, phi, demos, horizon=horizon, discount=discount, causal=causal, method=method)
    assert fit.converged, fit.message
    scale = max(1.0, np.abs(fit.empirical_features).max())
    assert fit.moment_matching_error <= 1e-6 * scale
    assert_allclose(fit.gradient, fit.empirical_features - fit.expected_features, rtol=0, atol=1e-12)
    # an optimum: no direction improves the objective
    for e in np.eye(2):
        for step in (1e-3, -1e-3):
            value, _ = maxent_objective(mdp, phi, fit.theta + step * e, demos, horizon=horizon, discount=discount,
                                        causal=causal)
            assert value <= fit.objective + 1e-12
    assert len(fit.history["objective"]) == fit.n_iter


def test_newton_and_quasi_newton_agree():
    mdp, P, init, phi, demos, theta = _setup(5, S=4, A=3, d=3, T=4, n=30)
    a = maxent_irl(mdp, phi, demos, horizon=4, l2=0.1)
    b = maxent_irl(mdp, phi, demos, horizon=4, l2=0.1, method="trust-ncg")
    assert_allclose(a.theta, b.theta, rtol=0, atol=1e-6)
    assert b.n_iter <= a.n_iter


def test_l2_penalised_optimum_balances_gradient():
    mdp, P, init, phi, demos, theta = _setup(6, S=4, A=3, d=2, T=3, n=20)
    fit = maxent_irl(mdp, phi, demos, horizon=3, l2=0.5)
    # stationarity of the penalised objective: emp - expected = l2 * theta
    assert_allclose(fit.empirical_features - fit.expected_features, 0.5 * fit.theta, rtol=0, atol=1e-7)


def test_deterministic_dynamics_causal_and_noncausal_fits_coincide():
    mdp, P, init, phi, demos, theta = _setup(7, S=4, A=3, d=2, T=3, deterministic=True, n=30)
    a = maxent_irl(mdp, phi, demos, horizon=3, causal=True, l2=0.01)
    b = maxent_irl(mdp, phi, demos, horizon=3, causal=False, l2=0.01)
    assert_allclose(a.theta, b.theta, rtol=0, atol=1e-7)
    assert_allclose(a.plan.policy, b.plan.policy, rtol=0, atol=1e-8)
    assert a.log_likelihood == pytest.approx(b.log_likelihood, abs=1e-8)


def test_constant_feature_does_not_change_fitted_policy():
    mdp, P, init, phi, demos, theta = _setup(8, S=4, A=3, d=2, T=3, n=30)
    a = maxent_irl(mdp, phi, demos, horizon=3, l2=0.01)
    with_const = np.column_stack([phi, np.full(4, 2.0)])
    b = maxent_irl(mdp, with_const, demos, horizon=3, l2=0.01)
    assert_allclose(a.plan.policy, b.plan.policy, rtol=0, atol=1e-7)


def test_potential_shaping_leaves_causal_policy_unchanged():
    mdp, P, init, r = tiny_problem(9, 5, 3)
    phi_pot = np.random.default_rng(0).normal(size=5)
    gamma = 0.9
    shaped = r + gamma * np.einsum("sap,p->sa", P, phi_pot) - phi_pot[:, None]
    a = soft_backward(mdp, r, discount=gamma, tol=1e-13)
    b = soft_backward(mdp, shaped, discount=gamma, tol=1e-13)
    assert_allclose(a.policy, b.policy, rtol=0, atol=1e-9)
    assert_allclose(b.V, a.V - phi_pot, rtol=0, atol=1e-9)


def test_classic_rollout_gradient_exact_only_for_deterministic_dynamics():
    # deterministic: identical to the exact non-causal gradient
    mdp, P, init, phi, demos, theta = _setup(10, S=4, A=2, d=2, T=3, deterministic=True)
    _, exact = maxent_objective(mdp, phi, theta, demos, horizon=3, causal=False)
    _, classic = classic_maxent_gradient(mdp, phi, theta, demos, horizon=3)
    assert_allclose(classic, exact, rtol=0, atol=1e-12)
    # stochastic: the gamble MDP with reward 3 in the good outcome, T = 2. The
    # posterior puts e^3 / (e^3 + 3) on the good state at t = 1, the rollout only
    # half of the gamble's probability (e^3 + 1) / (e^3 + 3): an error of
    # (e^3 - 1) / (2 (e^3 + 3)) = 0.413 in the good and the bad state's counts.
    mdp = gamble_mdp()
    phi = np.eye(3)
    demos = Trajectories(np.array([[0, 1, 1], [0, 0, 0]]), np.array([[0, 0], [1, 1]]))
    theta = np.array([0.0, 3.0, 0.0])
    _, exact = maxent_objective(mdp, phi, theta, demos, horizon=2, causal=False)
    _, classic = classic_maxent_gradient(mdp, phi, theta, demos, horizon=2)
    e3 = np.exp(3.0)
    gap = (e3 - 1) / (2 * (e3 + 3))
    assert_allclose(classic - exact, [0.0, gap, -gap], rtol=0, atol=1e-12)
    assert gap == pytest.approx(0.41336, abs=1e-5)


def test_standard_errors_shrink_like_one_over_sqrt_n_and_match_inverse_hessian():
    mdp, P, init, phi, demos, theta = _setup(12, S=4, A=3, d=2, T=3, n=50)
    fit = maxent_irl(mdp, phi, demos, horizon=3, causal=False)
    se = fit.standard_errors()
    H = fit.hessian()
    assert_allclose(se, np.sqrt(np.diag(np.linalg.inv(-50 * H))), rtol=1e-10)
    # the same per-demonstration curvature with 4x the demonstrations halves the errors
    demos4 = Trajectories(np.tile(demos.states, (4, 1)), np.tile(demos.actions, (4, 1)))
    fit4 = maxent_irl(mdp, phi, demos4, horizon=3, causal=False)
    assert_allclose(fit4.standard_errors(), se / 2, rtol=1e-6)


def test_standard_errors_infinite_along_undetermined_direction():
    mdp, P, init, phi, demos, theta = _setup(13, S=4, A=3, d=2, T=3, n=30)
    # a duplicated feature column: only theta_0 + theta_1 is determined
    fit = maxent_irl(mdp, np.column_stack([phi[:, 0], phi[:, 0]]), demos, horizon=3)
    assert np.all(np.isinf(fit.standard_errors()))
