"""max_state_entropy / min_state_marginal_kl against brute force over all deterministic policies;
maxent_exploration / state_marginal_matching against them."""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

import reference
from helpers import tiny_problem
from tabular_irl import gridworld
from tabular_irl.exceptions import ConvergenceWarning
from tabular_irl.rewardfree import (
    entropy,
    kl_divergence,
    max_state_entropy,
    maxent_exploration,
    min_state_marginal_kl,
    mixture_marginal,
    state_marginal,
    state_marginal_matching,
)

MODELS = [dict(horizon=1), dict(horizon=2), dict(horizon=2, discount=0.5), dict(discount=0.6)]


def _vertices(P, init, horizon=None, discount=None):
    """Marginals of every deterministic (time-indexed with a horizon, else stationary) policy: (K, S)."""
    S, A, _ = P.shape
    out = []
    if horizon is None:
        for choice in itertools.product(range(A), repeat=S):
            pi = np.eye(A)[list(choice)]
            out.append((1 - discount) * reference.occupancy(P, init, pi, discount)[0])
    else:
        gamma = 1.0 if discount is None else discount
        w = gamma ** np.arange(horizon)
        for choice in itertools.product(range(A), repeat=horizon * S):
            pi = np.eye(A)[np.array(choice).reshape(horizon, S)]
            D, _ = reference.forward(P, init, pi, horizon)
            out.append(w @ D[:horizon] / w.sum())
    return np.unique(np.round(np.array(out), 14), axis=0)


def _best_over_hull(V, f):
    """min f(V^T w) over the simplex by SLSQP from several starts (an independent solver)."""
    K = V.shape[0]
    best = np.inf
    for start in [np.full(K, 1 / K)] + [np.eye(K)[i] * 0.5 + 0.5 / K for i in range(min(K, 4))]:
        res = minimize(lambda w: f(np.clip(w, 0, None) @ V), start, method="SLSQP", bounds=[(0, 1)] * K,
                       constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1}],
                       options={"ftol": 1e-15, "maxiter": 1000})
        best = min(best, f(np.clip(res.x, 0, None) @ V))
    return best


def _neg_entropy(d):
    d = d / d.sum()
    return -entropy(np.clip(d, 0, None))


@settings(max_examples=20)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 2), st.sampled_from(MODELS))
def test_max_state_entropy_is_the_brute_force_optimum(seed, S, A, model):
    mdp, P, init, _ = tiny_problem(seed, S, A, sparse_initial=True)
    opt = max_state_entropy(mdp, **model)
    assert opt.converged and opt.gap <= 1e-10
    assert opt.lower == opt.value <= opt.upper == opt.value + opt.gap
    V = _vertices(P, init, **model)
    # KKT / certificate by enumeration: no vertex improves the linearisation at the optimum
    support = opt.marginal > 0
    grad = np.where(support, -np.log(np.where(support, opt.marginal, 1.0)) - 1.0, 0.0)
    assert V[:, ~support].max(initial=0.0) == 0.0  # every vertex stays inside the optimum's support
    assert (V @ grad).max() - grad @ opt.marginal <= 1e-9
    assert opt.value >= -_best_over_hull(V, _neg_entropy) - 1e-9
    # the policy attains it, the mixture is what it says
    np.testing.assert_allclose(state_marginal(mdp, opt.policy, **model), opt.marginal, rtol=0, atol=1e-12)
    np.testing.assert_allclose(mixture_marginal(mdp, list(opt.policies), opt.weights, **model), opt.marginal,
                               rtol=0, atol=1e-12)
    assert entropy(opt.marginal) == pytest.approx(opt.value, abs=1e-13)


@settings(max_examples=20)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 2), st.sampled_from(MODELS))
def test_min_state_marginal_kl_is_the_brute_force_optimum(seed, S, A, model):
    mdp, P, init, _ = tiny_problem(seed, S, A)
    target = np.random.default_rng(seed + 7).dirichlet(np.ones(S))
    opt = min_state_marginal_kl(mdp, target, **model)
    assert opt.converged and opt.gap <= 1e-10 and opt.lower == opt.value - opt.gap
    V = _vertices(P, init, **model)
    grad = np.log(np.where(opt.marginal > 0, opt.marginal, 1.0)) - np.log(target) + 1.0
    assert grad @ opt.marginal - (V @ grad).min() <= 1e-9
    assert opt.value <= _best_over_hull(V, lambda d: kl_divergence(np.clip(d, 0, None) / d.sum(), target)) + 1e-9
    assert kl_divergence(opt.marginal / opt.marginal.sum(), target) == pytest.approx(opt.value, abs=1e-12)
    np.testing.assert_allclose(state_marginal(mdp, opt.policy, **model), opt.marginal, rtol=0, atol=1e-12)


def test_closed_forms():
    # a 3x3 grid without slip, 9 decisions from a corner: a Hamiltonian path covers every cell once
    world = gridworld(3, slip=0.0, goals=[], initial=(0, 0))
    assert max_state_entropy(world.mdp, horizon=9).value == pytest.approx(np.log(9), abs=1e-10)
    # an achievable target: minimum 0
    target = state_marginal(world.mdp, np.full((9, 5), 0.2), horizon=5)
    assert min_state_marginal_kl(world.mdp, target, horizon=5).value < 1e-10
    # one decision: the marginal is the start distribution, whatever the policy
    start = np.random.default_rng(0).dirichlet(np.ones(9))
    opt = max_state_entropy(world.mdp, horizon=1, initial=start)
    assert opt.value == pytest.approx(entropy(start), abs=1e-14) and opt.gap <= 1e-10


def _grid():
    return gridworld(4, slip=0.1, goals=[], walls=[(1, 1), (1, 2)], initial=(0, 0))


@pytest.mark.parametrize("model", [dict(horizon=6), dict(discount=0.8)])
def test_maxent_exploration_converges_to_the_optimum(model):
    mdp = _grid().mdp
    opt = max_state_entropy(mdp, **model)
    assert opt.converged
    res = maxent_exploration(mdp, **model)
    assert res.history.shape == res.gap_history.shape == (100,) and res.n_iter == 100
    assert opt.value - res.value <= 1e-8
    assert res.value <= opt.upper + 1e-12 and res.value + res.gap >= opt.lower - 1e-12  # the gap bounds the distance
    assert np.all(np.diff(res.history) >= -1e-12)  # fully corrective: never worse
    np.testing.assert_allclose(mixture_marginal(mdp, list(res.policies), res.weights, **model), res.marginal,
                               rtol=0, atol=1e-12)
    assert entropy(res.marginal) == pytest.approx(res.value, abs=1e-13) == res.history[-1]
    for step in ("line-search", "2/(k+2)", "1/(k+2)"):
        classic = maxent_exploration(mdp, **model, n_iter=30, step=step)
        assert classic.value <= opt.upper + 1e-12 and classic.value + classic.gap >= opt.lower - 1e-12
        assert classic.weights.size == len(classic.policies) and abs(classic.weights.sum() - 1) < 1e-12
        assert classic.value < res.value
    soft = maxent_exploration(mdp, **model, n_iter=20, planner="soft", temperature=0.5)
    assert soft.value <= opt.upper + 1e-12 and np.isfinite(soft.gap)


def test_hazan_schedule_weights():
    mdp = _grid().mdp
    res = maxent_exploration(mdp, horizon=6, n_iter=4, step="1/(k+2)")
    # the plain average of the start and each iterate (merged when the oracle repeats itself)
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-15)
    assert np.all(np.isclose(res.weights * 5, np.round(res.weights * 5), atol=1e-12))


def test_naive_matching_oscillates_and_averaged_converges():
    world = gridworld(4, slip=0.1, goals=[], initial=(0, 0))
    target = np.linspace(1.0, 3.0, 16)
    target /= target.sum()
    best = min_state_marginal_kl(world.mdp, target, horizon=8)
    assert best.converged
    averaged = state_marginal_matching(world.mdp, target, horizon=8)
    naive = state_marginal_matching(world.mdp, target, horizon=8, method="naive")
    assert averaged.value - best.value <= 1e-6 and averaged.gap >= best.lower - averaged.value - 1e-12
    assert np.isnan(naive.gap) and len(naive.policies) == 1 and naive.weights.tolist() == [1.0]
    tail = naive.history[-20:]
    assert tail.min() - best.value > 0.1 and tail.max() - tail.min() > 1e-3   # never settles
    assert kl_divergence(naive.marginal, target) == pytest.approx(naive.value, abs=1e-12)
    fp = state_marginal_matching(world.mdp, target, horizon=8, step="1/(k+2)")
    assert best.value < fp.value < naive.history[-20:].min()


def test_convergence_warning_and_bad_input():
    mdp = _grid().mdp
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        opt = max_state_entropy(mdp, horizon=6, max_iter=2)
    assert not opt.converged and opt.lower <= opt.upper
    with pytest.raises(ValueError, match="step must be one of 'fully-corrective', 'line-search'"):
        maxent_exploration(mdp, horizon=3, step="exact")
    with pytest.raises(ValueError, match="planner must be one of 'hard', 'soft'"):
        maxent_exploration(mdp, horizon=3, planner="greedy")
    with pytest.raises(ValueError, match="method must be one of 'averaged', 'naive'"):
        state_marginal_matching(mdp, np.full(16, 1 / 16), horizon=3, method="fictitious")
    with pytest.raises(ValueError, match="target must be > 0 on every state a policy can reach"):
        state_marginal_matching(mdp, np.eye(16)[0], horizon=3)
    with pytest.raises(ValueError, match="target must sum to 1"):
        min_state_marginal_kl(mdp, np.ones(16), horizon=3)
    with pytest.raises(ValueError, match="tol must be"):
        max_state_entropy(mdp, horizon=3, tol=0.0)
    # unreachable states (the walls) may have target 0
    target = np.ones(16)
    target[[5, 6]] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert state_marginal_matching(mdp, target / target.sum(), horizon=3, n_iter=3).value >= 0.0
