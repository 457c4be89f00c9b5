"""Importance-sampled MaxEnt gradient and log Z: exact in the infinite-sample limit, consistent with samples."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import logsumexp

import reference as ref
from helpers import seeds, tiny_problem, tiny_sizes
from tabular_irl import Trajectories, gridworld, posterior_marginals, sample_trajectories, soft_backward
from tabular_irl.approx import (
    PolicyMixture,
    empirical_policy,
    importance_log_weights,
    importance_sampled_gradient,
    importance_sampled_log_partition,
    importance_sampling_theory,
)
from tabular_irl.irl import maxent_objective


def _policy(rng, S, A, T, time_indexed):
    pol = rng.random((T, S, A) if time_indexed else (S, A)) + 0.05
    return pol / pol.sum(axis=-1, keepdims=True)


def enumerate_under_sampler(P, q0, sampler: PolicyMixture, T):
    """Every trajectory with ``q(tau) = q0(s0) prod P * sum_k alpha_k prod pi_k`` > 0, and ``q(tau)``."""
    S, A, _ = P.shape
    pairs = list(ref.all_trajectories(S, A, T))
    tr = Trajectories(np.array([s for s, _ in pairs]), np.array([a for _, a in pairs]))
    dyn = np.prod(P[tr.states[:, :-1], tr.actions, tr.states[:, 1:]], axis=1)
    q = q0[tr.states[:, 0]] * dyn * np.exp(sampler.log_prob(tr))
    keep = q > 0
    return Trajectories(tr.states[keep], tr.actions[keep]), q[keep]


def _setup(seed, S, A, T, *, kind, state_action, n_demos=5):
    mdp, P, init, r = tiny_problem(seed, S, A)
    rng = np.random.default_rng(seed + 1)
    phi = rng.normal(size=(S, A, 2) if state_action else (S, 2))
    theta = rng.normal(size=2)
    demos = sample_trajectories(mdp, soft_backward(mdp, r, horizon=T).policy, n_demos, horizon=T, seed=seed)
    if kind == "stationary":
        sampler = PolicyMixture([_policy(rng, S, A, T, False)])
    elif kind == "time-indexed":
        sampler = PolicyMixture([_policy(rng, S, A, T, True)])
    else:  # a mixture with a component that never takes action 0 (the other covers it)
        blind = _policy(rng, S, A, T, False)
        if A > 1:
            blind[:, 0] = 0.0
            blind /= blind.sum(axis=1, keepdims=True)
        sampler = PolicyMixture([_policy(rng, S, A, T, True), blind], [0.3, 0.7])
    q0 = rng.random(S) + 0.1  # the sampler's own start distribution: it must not matter
    return mdp, P, phi, theta, demos, sampler, q0 / q0.sum()


@given(seed=seeds, sizes=tiny_sizes, kind=st.sampled_from(["stationary", "time-indexed", "mixture"]),
       state_action=st.booleans())
def test_self_normalised_estimates_are_exact_in_the_infinite_sample_limit(seed, sizes, kind, state_action):
    """Every trajectory, weighted by its sampler probability: gradient, objective and log Z are the
    exact non-causal ones (maxent_objective(causal=False), posterior log partition), to 1e-10."""
    S, A, T = sizes
    mdp, P, phi, theta, demos, sampler, q0 = _setup(seed % 10_000, S, A, T, kind=kind, state_action=state_action)
    tr, q = enumerate_under_sampler(P, q0, sampler, T)
    est = importance_sampled_gradient(mdp, phi, theta, demos, tr, sampler, horizon=T, sample_weights=q)
    value, grad = maxent_objective(mdp, phi, theta, demos, horizon=T, causal=False)
    assert_allclose(est.gradient, grad, atol=1e-10, rtol=0)
    assert est.objective == pytest.approx(value, abs=1e-10)
    rho = demos.start_distribution(S)
    reward = phi @ theta if state_action else np.repeat((phi @ theta)[:, None], A, axis=1)
    post = posterior_marginals(mdp, reward, horizon=T, initial=rho)
    assert est.log_partition.log_partition == pytest.approx(post.log_partition, abs=1e-10)
    V0 = soft_backward(mdp, reward, horizon=T, causal=False).V[0]
    assert_allclose(est.log_partition.log_partition_per_start, V0[est.log_partition.start_states], atol=1e-10)
    assert est.log_partition.normalized_weights.sum() == pytest.approx(1.0, abs=1e-12)


@given(seed=seeds, sizes=tiny_sizes)
def test_log_partition_is_exact_in_the_limit_for_any_start_distribution(seed, sizes):
    S, A, T = sizes
    mdp, P, phi, theta, demos, sampler, q0 = _setup(seed % 10_000, S, A, T, kind="time-indexed",
                                                     state_action=True)
    rng = np.random.default_rng(seed % 10_000)
    reward = 3.0 * rng.normal(size=(S, A))
    initial = rng.random(S) * (rng.random(S) < 0.7)
    initial[0] += 0.1
    initial /= initial.sum()
    tr, q = enumerate_under_sampler(P, q0, sampler, T)
    est = importance_sampled_log_partition(mdp, reward, tr, sampler, horizon=T, initial=initial, sample_weights=q)
    exact = posterior_marginals(mdp, reward, horizon=T, initial=initial).log_partition
    assert est.log_partition == pytest.approx(exact, abs=1e-10)
    assert_allclose(est.start_weights, initial[initial > 0])


@given(seed=seeds, sizes=tiny_sizes, time_indexed=st.booleans())
def test_exact_predictions_match_enumeration(seed, sizes, time_indexed):
    """chi^2, ESS fraction and the delta-method bias / covariance, from message passing, equal their
    definitions summed over every trajectory."""
    S, A, T = sizes
    mdp, P, phi, theta, demos, _, q0 = _setup(seed % 10_000, S, A, T, kind="stationary", state_action=True)
    rng = np.random.default_rng(seed % 10_000 + 5)
    pi = _policy(rng, S, A, T, time_indexed)
    rho = demos.start_distribution(S)
    th = importance_sampling_theory(mdp, phi, theta, pi, horizon=T, initial=rho, sampler_initial=q0)
    tr, q = enumerate_under_sampler(P, q0, PolicyMixture([pi]), T)
    R = (phi @ theta)[tr.states[:, :-1], tr.actions].sum(axis=1)
    steps = np.arange(T)
    log_pi = np.log(pi[steps, tr.states[:, :-1], tr.actions] if time_indexed else pi[tr.states[:, :-1], tr.actions])
    C = phi[tr.states[:, :-1], tr.actions].sum(axis=1)
    bias, cov, lz_bias, lz_var, ess_inv = np.zeros(2), np.zeros((2, 2)), 0.0, 0.0, 0.0
    for k, g in enumerate(th.start_states):
        mask = tr.states[:, 0] == g
        qg = q[mask] / q[mask].sum()
        w = np.exp(R[mask] - log_pi[mask].sum(axis=1))
        wbar = w / (qg @ w)
        chi2 = qg @ wbar**2 - 1
        assert th.chi2[k] == pytest.approx(chi2, abs=1e-10 * (1 + chi2))
        m = (qg * wbar) @ C[mask]
        dev = C[mask] - m
        bias += rho[g] / q0[g] * -((qg * wbar**2) @ dev)
        cov += rho[g] ** 2 / q0[g] * (qg * wbar**2 * dev.T) @ dev
        lz_bias += -rho[g] * chi2 / (2 * q0[g])
        lz_var += rho[g] ** 2 * chi2 / q0[g]
        ess_inv += rho[g] ** 2 * (1 + chi2) / q0[g]
    scale = 1 + np.abs(cov).max()
    assert_allclose(th.gradient_bias(1), -bias, atol=1e-10 * scale)
    assert_allclose(th.gradient_covariance(1), cov, atol=1e-10 * scale)
    assert th.log_partition_bias(1) == pytest.approx(lz_bias, abs=1e-10 * scale)
    assert th.log_partition_variance(1) == pytest.approx(lz_var, abs=1e-10 * scale)
    assert th.ess_fraction == pytest.approx(1 / ess_inv, rel=1e-10)
    # the estimator's own ESS with probability weights is that population efficiency
    est = importance_sampled_gradient(mdp, phi, theta, demos, tr, pi, horizon=T, sample_weights=q)
    assert est.effective_sample_size / tr.n_trajectories == pytest.approx(th.ess_fraction, rel=1e-10)


# --------------------------------------------------------------------------
# with samples
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_world():
    w = gridworld(3, slip=0.2, initial=(0, 0))
    T = 5
    expert = soft_backward(w.mdp, 5.0 * w.reward, horizon=T)
    demos = sample_trajectories(w.mdp, expert.policy, 30, horizon=T, seed=0)
    theta = 2.0 * np.asarray(w.reward)
    uniform = np.full((9, 5), 0.2)
    theory = importance_sampling_theory(w.mdp, w.features, theta, uniform, horizon=T)
    return w, T, demos, theta, uniform, theory


def test_z_hat_is_unbiased_and_log_z_hat_biased_low(small_world):
    """E[Z_hat] = Z for every n, with Var[Z_hat / Z] = chi^2 / n exactly: the mean over R replicates is
    within 5 standard errors of 1. log Z_hat is biased low by about chi^2 / (2n) (Jensen)."""
    w, T, demos, theta, uniform, theory = small_world
    n, R = 10, 3000
    samples = sample_trajectories(w.mdp, uniform, n * R, horizon=T, seed=3)
    log_w = importance_log_weights(w.mdp, theta, samples, uniform, horizon=T)
    log_z_hat = logsumexp(log_w.reshape(R, n), axis=1) - np.log(n)
    first = importance_sampled_log_partition(w.mdp, theta, Trajectories(samples.states[:n], samples.actions[:n]),
                                             uniform, horizon=T)
    assert first.log_partition == pytest.approx(log_z_hat[0], abs=1e-12)
    log_z = theory.log_partition
    ratio = np.exp(log_z_hat - log_z)
    chi2 = float(theory.chi2[0])
    assert chi2 > 0.1  # a sampler far enough from the target for the bias to show
    assert abs(ratio.mean() - 1) < 5 * np.sqrt(chi2 / n / R)
    err = log_z_hat - log_z
    assert err.mean() < -3 * err.std(ddof=1) / np.sqrt(R)
    assert err.mean() == pytest.approx(theory.log_partition_bias(n), rel=0.5)


def _replicates(w, T, demos, theta, sampler, n, R, seed):
    samples = sample_trajectories(w.mdp, sampler, n * R, horizon=T, seed=seed)
    grads, logz = [], []
    for r in range(R):
        block = Trajectories(samples.states[r * n:(r + 1) * n], samples.actions[r * n:(r + 1) * n])
        est = importance_sampled_gradient(w.mdp, w.features, theta, demos, block, sampler, horizon=T)
        grads.append(est.gradient)
        logz.append(est.log_partition.log_partition)
    return np.array(grads), np.array(logz)


def test_errors_shrink_with_n_as_the_exact_variance_predicts(small_world):
    """Replicate variance of the gradient and of log Z_hat at n = 40 and 640 against the exact
    leading-order n Var; each tolerance is 5 standard errors of the measured variance (from the
    replicates' own fourth moment) plus the O(1/n^2) terms the prediction omits (15%)."""
    w, T, demos, theta, uniform, theory = small_world
    exact_value, exact_grad = maxent_objective(w.mdp, w.features, theta, demos, horizon=T, causal=False)
    R = 150
    mse = []
    for n, seed in ((40, 5), (640, 6)):
        grads, logz = _replicates(w, T, demos, theta, uniform, n, R, seed)
        dev = np.sum((grads - grads.mean(axis=0)) ** 2, axis=1)
        var, var_se = dev.mean() * R / (R - 1), dev.std() / np.sqrt(R)
        assert abs(var - theory.gradient_variance(n)) < 5 * var_se + 0.15 * theory.gradient_variance(n)
        dz = (logz - logz.mean()) ** 2
        assert abs(dz.mean() * R / (R - 1) - theory.log_partition_variance(n)) < \
            5 * dz.std() / np.sqrt(R) + 0.15 * theory.log_partition_variance(n)
        mse.append(np.mean(np.sum((grads - exact_grad) ** 2, axis=1)))
    assert mse[1] < mse[0] / 8  # 16x the samples: MSE ~ 1/n (var) + 1/n^2 (bias^2)


def test_self_normalised_weights_and_ess_of_an_exact_sampler():
    """theta = 0: the non-causal target is the uniform policy itself, so every weight is equal."""
    w = gridworld(3, slip=0.3, initial=(0, 0))
    uniform = np.full((9, 5), 0.2)
    samples = sample_trajectories(w.mdp, uniform, 50, horizon=4, seed=0)
    est = importance_sampled_gradient(w.mdp, w.features, np.zeros(9), samples, samples, uniform, horizon=4)
    assert_allclose(est.log_partition.normalized_weights, 1 / 50, rtol=1e-12)
    assert est.effective_sample_size == pytest.approx(50, rel=1e-12)
    assert_allclose(est.gradient, 0.0, atol=1e-12)  # demos = samples
    assert est.log_partition.log_partition == pytest.approx(4 * np.log(5), abs=1e-12)


def test_policy_mixture_sampling_and_density():
    w = gridworld(3, slip=0.2)
    rng = np.random.default_rng(0)
    a = rng.random((4, 9, 5))
    a /= a.sum(axis=2, keepdims=True)
    b = np.full((9, 5), 0.2)
    mix = PolicyMixture([a, b], [0.25, 0.75])
    tr = mix.sample(w.mdp, 200, horizon=4, seed=1)
    again = mix.sample(w.mdp, 200, horizon=4, seed=1)
    assert np.array_equal(tr.states, again.states) and np.array_equal(tr.actions, again.actions)
    s, act = tr.states[:, :-1], tr.actions
    manual = np.log(0.25 * np.prod(a[np.arange(4), s, act], axis=1) + 0.75 * 0.2**4)
    assert_allclose(mix.log_prob(tr), manual, rtol=1e-12)
    assert mix.horizon == 4 and mix.n_states == 9 and mix.n_actions == 5


def test_empirical_policy():
    demos = Trajectories([[0, 1, 1], [0, 0, 1], [1, 1, 1]], [[1, 0], [0, 1], [1, 1]])
    pi = empirical_policy(demos, 2, 2)
    assert_allclose(pi[0], [[0.5, 0.5], [0.0, 1.0]])
    assert_allclose(pi[1], [[0.0, 1.0], [0.5, 0.5]])
    smooth = empirical_policy(demos, 3, 2, smoothing=1.0)
    assert_allclose(smooth[0, 0], [0.5, 0.5]) and np.all(smooth > 0)
    assert_allclose(smooth[0, 2], [0.5, 0.5])  # never visited: uniform


def test_bad_input_is_named(small_world):
    w, T, demos, theta, uniform, _ = small_world
    samples = sample_trajectories(w.mdp, uniform, 5, horizon=T, seed=0)
    uncovered = gridworld(3, slip=0.2)  # uniform start: demos from several states
    demos_many = sample_trajectories(uncovered.mdp, uniform, 40, horizon=T, seed=0)
    with pytest.raises(ValueError, match=r"none starts in state\(s\) \[1"):
        importance_sampled_gradient(w.mdp, w.features, theta, demos_many, samples, uniform, horizon=T)
    never_right = np.full((9, 5), 0.25)
    never_right[:, 1] = 0.0
    took_right = Trajectories([[0, 1, 1, 1, 1, 1]], [[1, 4, 4, 4, 4]])
    with pytest.raises(ValueError, match="trajectory 0 has probability 0 under it"):
        importance_sampled_gradient(w.mdp, w.features, theta, demos, took_right, never_right, horizon=T)
    with pytest.raises(ValueError, match="sampler must have shape"):
        importance_sampled_gradient(w.mdp, w.features, theta, demos, samples, uniform[:3], horizon=T)
    with pytest.raises(ValueError, match=r"theta must have shape \(9,\)"):
        importance_sampled_gradient(w.mdp, w.features, theta[:3], demos, samples, uniform, horizon=T)
    with pytest.raises(ValueError, match="samples must have horizon T=5"):
        importance_sampled_gradient(w.mdp, w.features, theta, demos, Trajectories(samples.states[:, :-1],
                                    samples.actions[:, :-1]), uniform, horizon=T)
    with pytest.raises(TypeError, match="samples must be tabular_irl.Trajectories"):
        importance_sampled_log_partition(w.mdp, theta, samples.states, uniform, horizon=T)
    with pytest.raises(ValueError, match="sample_weights must be non-negative"):
        importance_sampled_log_partition(w.mdp, theta, samples, uniform, horizon=T, sample_weights=-np.ones(5))
    with pytest.raises(TypeError, match="horizon must be an integer"):
        importance_sampled_log_partition(w.mdp, theta, samples, uniform, horizon=5.0)
    with pytest.raises(ValueError, match="sampler must give every action positive probability"):
        importance_sampling_theory(w.mdp, w.features, theta, never_right, horizon=T)
    with pytest.raises(ValueError, match="sampler_initial must be positive wherever initial is"):
        importance_sampling_theory(w.mdp, w.features, theta, uniform, horizon=T, sampler_initial=np.eye(9)[4])
    with pytest.raises(ValueError, match="weights must sum to 1"):
        PolicyMixture([uniform, uniform], [0.5, 0.6])
    with pytest.raises(ValueError, match=r"policies\[1\] must have \(S, A\) = \(9, 5\)"):
        PolicyMixture([uniform, np.full((3, 2), 0.5)])
    with pytest.raises(ValueError, match=r"policies\[0\] row for \(s=0\) sums to 1.5"):
        PolicyMixture([np.full((9, 5), 0.3)])
    with pytest.raises(TypeError, match="policies must be a list or tuple"):
        PolicyMixture(uniform)
    with pytest.raises(ValueError, match="share one horizon"):
        PolicyMixture([np.full((2, 9, 5), 0.2), np.full((3, 9, 5), 0.2)])
    with pytest.raises(ValueError, match="smoothing must be a finite number >= 0"):
        empirical_policy(demos, 9, 5, smoothing=-1.0)
