"""tabular_irl.checks: every check passes on correct inputs and fails, with a large error, on wrong ones."""

import dataclasses
import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from tabular_irl import (
    MDP,
    classic_maxent_gradient,
    gridworld,
    sample_trajectories,
    soft_backward,
    visitation,
)
from tabular_irl.checks import (
    CheckResult,
    check_bellman,
    check_causal_noncausal,
    check_gradient,
    check_hessian_covariance,
    check_log_partition_gradient,
    check_objective_gradient,
    check_occupancy,
    check_posterior,
    covariance,
    derivatives,
    identities,
    run_all_checks,
)
from tabular_irl.checks._result import make_result

from helpers import gamble_mdp, tiny_problem

T = 4
# Correct identities err by rounding (1e-17 .. 1e-10); the wrong ones fed below by 7e-4 .. 1 in the
# units of each check: at least 100 times the largest default tolerance (1e-6, finite differences).
LARGE = 1e-4


@pytest.fixture(scope="module")
def slippery():
    world = gridworld(4, slip=0.2, step_reward=-0.1)
    return world.mdp, np.asarray(world.reward), world.feature_sets["coordinates"]


@pytest.fixture(scope="module")
def gamble():
    return gamble_mdp(), np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])


def _assert_passes(result):
    assert isinstance(result, CheckResult)
    assert result.passed, result
    assert 0.0 <= result.error <= result.tolerance


def _assert_fails(result):
    assert not result.passed, result
    assert result.error > LARGE, result
    assert str(result).startswith("[FAIL]")


# --------------------------------------------------------------------------
# run_all_checks
# --------------------------------------------------------------------------
@pytest.mark.parametrize("slip", [0.0, 0.2])
@pytest.mark.parametrize("with_features", [False, True])
def test_run_all_checks_passes_on_gridworlds(slip, with_features):
    world = gridworld(4, slip=slip)
    features = world.feature_sets["coordinates"] if with_features else None
    results = run_all_checks(world.mdp, features, horizon=T, reward=world.reward, seed=0)
    assert len(results) == 10
    for result in results:
        _assert_passes(result)
        assert result.error < 1e-8  # measured: 1e-17 .. 1e-10
    names = " ".join(r.name for r in results)
    assert ("deterministic" in names) == (slip == 0.0)


@pytest.mark.parametrize("horizon, discount, n", [(None, 0.9, 4), (T, 0.9, 4), (T, 1.0, 10)])
def test_run_all_checks_runs_what_applies_to_the_model(slippery, horizon, discount, n):
    mdp, reward, features = slippery
    results = run_all_checks(mdp, features, horizon=horizon, discount=discount, reward=reward, seed=1)
    assert len(results) == n
    assert all(r.passed for r in results), results
    assert any("non-causal" in r.name for r in results) == (n == 10)


def test_run_all_checks_is_reproducible_and_draws_a_random_reward(slippery):
    mdp = slippery[0]
    first = run_all_checks(mdp, horizon=3, seed=5)
    assert first == run_all_checks(mdp, horizon=3, seed=5)
    assert first != run_all_checks(mdp, horizon=3, seed=6)
    assert all(r.passed for r in first)


def test_run_all_checks_on_random_mdps(seed):
    mdp, _, _, r = tiny_problem(seed, 4, 3, sparse_initial=True)
    results = run_all_checks(mdp, np.random.default_rng(seed).normal(size=(4, 3, 2)), horizon=3, reward=r,
                             seed=seed)
    assert all(r.passed for r in results), [str(r) for r in results if not r.passed]


# --------------------------------------------------------------------------
# each check passes, and fails when fed something wrong
# --------------------------------------------------------------------------
def test_check_gradient_catches_a_wrong_gradient():
    def good(x):
        return float(np.sum(np.sin(x)) + x @ x), np.cos(x) + 2 * x

    def bad(x):  # a dropped factor 2
        return float(np.sum(np.sin(x)) + x @ x), np.cos(x) + x

    x = np.linspace(-1.0, 1.0, 7)
    _assert_passes(check_gradient(good, x, seed=0))
    _assert_fails(check_gradient(bad, x, seed=0))


@pytest.mark.parametrize("causal", [True, False])
def test_bellman_residuals(slippery, causal, monkeypatch):
    mdp, reward, _ = slippery
    _assert_passes(check_bellman(mdp, reward, horizon=T, causal=causal))
    _assert_passes(check_bellman(mdp, reward, horizon=T, causal=causal, temperature=0.3))
    # a plan of another temperature is not a fixed point of this one's equations
    real = identities.soft_backward
    monkeypatch.setattr(identities, "soft_backward", lambda *a, **k: real(*a, **{**k, "temperature": 1.2}))
    _assert_fails(check_bellman(mdp, reward, horizon=T, causal=causal))


def test_bellman_residuals_discounted(slippery, monkeypatch):
    mdp, reward, _ = slippery
    result = check_bellman(mdp, reward, discount=0.95)
    _assert_passes(result)
    assert "error_bound" in result.detail
    real = identities.soft_backward
    # stopped early: V is far from the fixed point (and the allowance says so, but only up to its bound)
    monkeypatch.setattr(identities, "soft_backward",
                        lambda *a, **k: dataclasses.replace(real(*a, **k), error_bound=0.0, V=real(*a, **k).V + 0.1))
    _assert_fails(check_bellman(mdp, reward, discount=0.95))


@pytest.mark.parametrize("horizon, discount", [(T, None), (T, 0.8), (None, 0.8)])
def test_occupancy_flow(slippery, horizon, discount, monkeypatch):
    mdp, reward, _ = slippery
    policy = soft_backward(mdp, reward, horizon=horizon, discount=discount).policy
    _assert_passes(check_occupancy(mdp, policy, horizon=horizon, discount=discount))
    uniform = np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)
    real = identities.visitation
    monkeypatch.setattr(identities, "visitation", lambda m, p, **k: real(m, uniform, **k))
    _assert_fails(check_occupancy(mdp, policy, horizon=horizon, discount=discount))


def test_occupancy_flow_catches_a_time_shift(slippery, monkeypatch):
    mdp, reward, _ = slippery
    policy = soft_backward(mdp, reward, horizon=T).policy
    real = identities.visitation

    def shifted(*args, **kwargs):  # D_t reported as D_{t+1}: rows still sum to 1, the flow breaks
        vis = real(*args, **kwargs)
        return dataclasses.replace(vis, state=np.concatenate([vis.state[1:], vis.state[-1:]]))

    monkeypatch.setattr(identities, "visitation", shifted)
    _assert_fails(check_occupancy(mdp, policy, horizon=T))


def _noncausal_rollout(mdp, reward, *, horizon, temperature=1.0, initial=None):
    """The classic shortcut: the non-causal policy rolled forward under P (not the posterior)."""
    plan = soft_backward(mdp, reward, horizon=horizon, causal=False, temperature=temperature)
    vis = visitation(mdp, plan.policy, horizon=horizon, initial=initial)
    return dataclasses.replace(vis, log_partition=plan.log_partition)


def test_posterior_flow(gamble, slippery, monkeypatch):
    for mdp, reward, *_ in (gamble, slippery):
        _assert_passes(check_posterior(mdp, reward, horizon=T))
        _assert_passes(check_posterior(mdp, reward, horizon=T, temperature=2.0))
    monkeypatch.setattr(identities, "posterior_marginals", _noncausal_rollout)
    _assert_fails(check_posterior(gamble[0], gamble[1], horizon=T))


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("with_features", [False, True])
def test_log_partition_gradient(slippery, causal, with_features, monkeypatch):
    mdp, reward, features = slippery
    kwargs = dict(features=features if with_features else None, horizon=T, causal=causal, seed=0)
    _assert_passes(check_log_partition_gradient(mdp, reward, **kwargs))
    if causal:  # the gradient of the causal log partition is not the non-causal policy's visitation
        real = derivatives.visitation
        monkeypatch.setattr(derivatives, "visitation", lambda m, p, **k: real(
            m, soft_backward(m, reward, horizon=T, causal=False).policy, **k))
    else:  # the classic bug: rolling the non-causal policy forward instead of the posterior
        monkeypatch.setattr(derivatives, "posterior_marginals", _noncausal_rollout)
    _assert_fails(check_log_partition_gradient(mdp, reward, **kwargs))


def test_log_partition_gradient_discounted_and_with_temperature(slippery):
    mdp, reward, features = slippery
    _assert_passes(check_log_partition_gradient(mdp, reward, discount=0.9, seed=0))
    _assert_passes(check_log_partition_gradient(mdp, reward, features=features, horizon=T, discount=0.7, seed=0))
    _assert_passes(check_log_partition_gradient(mdp, reward, horizon=T, causal=False, temperature=0.5, seed=0))


def test_log_partition_gradient_stays_within_tolerance_at_large_scale():
    world = gridworld(5, slip=0.2)
    reward = 300.0 * np.random.default_rng(0).normal(size=(25, 5))
    for causal in (True, False):
        result = check_log_partition_gradient(world.mdp, reward, horizon=60, causal=causal, seed=0)
        _assert_passes(result)


def test_objective_gradient(slippery, monkeypatch):
    mdp, reward, features = slippery
    demos = sample_trajectories(mdp, soft_backward(mdp, reward, horizon=T).policy, 30, horizon=T, seed=0)
    theta = np.array([0.3, -0.2])
    for causal in (True, False):
        _assert_passes(check_objective_gradient(mdp, features, theta, demos, horizon=T, causal=causal, seed=0))
    _assert_passes(check_objective_gradient(mdp, features, theta, demos, horizon=T, l2=0.5, seed=0))
    _assert_passes(check_objective_gradient(mdp, sp.identity(16, format="csr"), None, demos, horizon=T, seed=0))
    # the classic (rollout) gradient is not the gradient of the non-causal objective
    monkeypatch.setattr(derivatives, "maxent_objective", lambda m, f, th, d, *, horizon, **k: classic_maxent_gradient(
        m, f, th, d, horizon=horizon))
    _assert_fails(check_objective_gradient(mdp, features, theta, demos, horizon=T, causal=False, seed=0))


def test_hessian_covariance(slippery, monkeypatch):
    mdp, reward, features = slippery
    _assert_passes(check_hessian_covariance(mdp, reward, horizon=T, seed=0))
    _assert_passes(check_hessian_covariance(mdp, reward, features, horizon=T, seed=0))
    _assert_passes(check_hessian_covariance(mdp, reward, horizon=T, seed=0, initial=np.eye(16)[3]))

    def causal_hessian(mdp, plan, post, tables):  # the causal model's Hessian
        causal_plan = soft_backward(mdp, reward, horizon=plan.horizon)
        vis = visitation(mdp, causal_plan.policy, horizon=plan.horizon, initial=post.state[0])
        dC = np.array([covariance.directional_counts(mdp, causal_plan, vis, v) for v in tables])
        return np.einsum("isa,jsa->ij", tables, dC)

    monkeypatch.setattr(covariance, "_log_partition_hessian", causal_hessian)
    _assert_fails(check_hessian_covariance(mdp, reward, horizon=T, seed=0))
    # on deterministic dynamics the two models coincide, and so do their Hessians
    world = gridworld(4, slip=0.0)
    reward = np.asarray(world.reward)
    _assert_passes(check_hessian_covariance(world.mdp, reward, horizon=T, seed=0))


def test_count_covariance_equals_enumeration(seed):
    """The covariance recursion of the Hessian check against every trajectory of a tiny MDP."""
    S, A, T_small = 3, 2, 3
    mdp, P, init, r = tiny_problem(seed, S, A)
    tables = np.random.default_rng(seed).normal(size=(2, S, A))
    plan = soft_backward(mdp, r, horizon=T_small, causal=False)
    got = covariance._count_covariance(mdp, plan, init, tables)
    expected = np.zeros((2, 2))
    for s0 in range(S):
        weights, counts = [], []
        for rest in itertools.product(range(S), repeat=T_small):
            states = (s0, *rest)
            for actions in itertools.product(range(A), repeat=T_small):
                steps = range(T_small)
                w = np.prod([P[states[t], actions[t], states[t + 1]] * np.exp(r[states[t], actions[t]]) for t in steps])
                weights.append(w)
                counts.append([sum(tab[states[t], actions[t]] for t in steps) for tab in tables])
        weights, counts = np.array(weights) / np.sum(weights), np.array(counts)
        centred = counts - weights @ counts
        expected += init[s0] * (centred.T * weights) @ centred
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_causal_noncausal(gamble, monkeypatch):
    world = gridworld(4, slip=0.0)
    reward = np.random.default_rng(0).normal(size=(16, 5))
    result = check_causal_noncausal(world.mdp, reward, horizon=T)
    _assert_passes(result)
    assert result.name.startswith("deterministic")
    stochastic = check_causal_noncausal(*gamble, horizon=T)
    _assert_passes(stochastic)
    assert stochastic.name.startswith("stochastic") and "total variation" in stochastic.detail
    # told the gamble is deterministic, the check measures how far the two models are apart
    monkeypatch.setattr(MDP, "is_deterministic", lambda self: True)
    _assert_fails(check_causal_noncausal(*gamble, horizon=T))


def test_jensen_violation_is_reported(gamble, monkeypatch):
    real = identities.soft_backward

    def swapped(mdp, reward, *, causal=True, **kwargs):  # the two models exchanged
        return real(mdp, reward, causal=not causal, **kwargs)

    monkeypatch.setattr(identities, "soft_backward", swapped)
    _assert_fails(check_causal_noncausal(*gamble, horizon=T))


# --------------------------------------------------------------------------
# results and bad input
# --------------------------------------------------------------------------
def test_check_result_is_frozen_and_prints_its_numbers():
    result = CheckResult("x", 1.5e-12, 1e-9, True, "measured somehow")
    assert str(result) == "[pass] x: error 1.500e-12 (tol 1e-09); measured somehow"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.passed = False
    assert not make_result("nan", float("nan"), 1.0, "").passed


def test_bad_input_raises_with_the_argument_named(slippery):
    mdp, reward, features = slippery
    cases = [
        (lambda: run_all_checks(mdp, reward=reward), ValueError, "horizon"),
        (lambda: run_all_checks("mdp", horizon=T), TypeError, "mdp"),
        (lambda: run_all_checks(mdp, horizon=T, reward=np.zeros(3)), ValueError, "reward"),
        (lambda: run_all_checks(mdp, np.zeros((3, 2)), horizon=T), ValueError, "features"),
        (lambda: run_all_checks(mdp, horizon=T, n_directions=0), ValueError, "n_directions"),
        (lambda: run_all_checks(mdp, horizon=2.0), TypeError, "horizon"),
        (lambda: check_bellman(mdp, reward, horizon=T, tol=-1.0), ValueError, "tol"),
        (lambda: check_bellman(mdp, reward, discount=0.9, causal=False), ValueError, "causal=False"),
        (lambda: check_posterior(mdp, reward, horizon=None), ValueError, "horizon"),
        (lambda: check_hessian_covariance(mdp, reward, horizon=T, initial=np.ones(16)), ValueError, "initial"),
        (lambda: check_gradient("f", np.zeros(2)), TypeError, "fun"),
        (lambda: check_gradient(lambda x: (0.0, np.zeros(3)), np.zeros(2)), ValueError, "gradient"),
        (lambda: check_gradient(lambda x: (0.0, x), np.zeros(2), seed=-1), ValueError, "seed"),
        (lambda: check_occupancy(mdp, np.ones((16, 5)), horizon=T), ValueError, "policy"),
    ]
    for call, error, word in cases:
        with pytest.raises(error, match=word):
            call()
