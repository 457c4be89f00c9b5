"""State marginals, their entropy and its exact gradient: brute force, NumPy twins, finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax

import reference
from helpers import tiny_problem
from tabular_irl import gridworld, soft_backward
from tabular_irl.rewardfree import (
    entropy,
    mixture_marginal,
    mixture_policy,
    state_entropy,
    state_entropy_gradient,
    state_marginal,
)

MODELS = [dict(horizon=3), dict(horizon=3, discount=0.8), dict(discount=0.7)]


def _reference_marginal(P, init, policy, horizon=None, discount=None):
    """The definition, from the dense NumPy twins."""
    if horizon is None:
        d, _ = reference.occupancy(P, init, policy, discount)
        return (1 - discount) * d
    gamma = 1.0 if discount is None else discount
    D, _ = reference.forward(P, init, policy, horizon)
    w = gamma ** np.arange(horizon)
    return w @ D[:horizon] / w.sum()


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 3), st.sampled_from(MODELS),
       st.booleans())
def test_state_marginal_is_the_definition(seed, S, A, model, time_indexed):
    mdp, P, init, _ = tiny_problem(seed, S, A, sparse_initial=True)
    rng = np.random.default_rng(seed + 1)
    shape = (model["horizon"], S, A) if time_indexed and "horizon" in model else (S, A)
    policy = rng.dirichlet(np.ones(A), size=shape[:-1])
    p = state_marginal(mdp, policy, **model)
    assert p.shape == (S,) and p.min() >= 0 and abs(p.sum() - 1) < 1e-12
    np.testing.assert_allclose(p, _reference_marginal(P, init, policy, **model), rtol=0, atol=1e-12)
    other = rng.dirichlet(np.ones(S))
    np.testing.assert_allclose(state_marginal(mdp, policy, initial=other, **model),
                               _reference_marginal(P, other, policy, **model), rtol=0, atol=1e-12)
    assert state_entropy(mdp, policy, **model) == pytest.approx(entropy(p), abs=1e-15)


def test_state_marginal_by_enumeration():
    mdp, P, init, _ = tiny_problem(3, 3, 2)
    policy = np.random.default_rng(0).dirichlet(np.ones(2), size=(3, 3))
    D, _, _ = reference.enumerate_policy(P, init, policy, 3)
    np.testing.assert_allclose(state_marginal(mdp, policy, horizon=3), D[:3].mean(axis=0), rtol=0, atol=1e-14)


def test_a_plan_is_accepted():
    world = gridworld(4, slip=0.2)
    plan = soft_backward(world.mdp, world.reward, horizon=5)
    np.testing.assert_array_equal(state_marginal(world.mdp, plan), state_marginal(world.mdp, plan.policy, horizon=5))


def _entropy_of_logits(mdp, logits, model):
    return state_entropy(mdp, softmax(logits, axis=-1), **model)


@settings(max_examples=25)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 3), st.sampled_from(MODELS),
       st.booleans())
def test_state_entropy_gradient_is_the_finite_difference(seed, S, A, model, time_indexed):
    mdp, _, _, _ = tiny_problem(seed, S, A, sparse_initial=True)
    rng = np.random.default_rng(seed + 2)
    shape = (model["horizon"], S, A) if time_indexed and "horizon" in model else (S, A)
    logits = rng.normal(size=shape)
    grad = state_entropy_gradient(mdp, logits, **model)
    assert grad.shape == shape
    h = 1e-6
    fd = np.zeros(shape)
    for idx in np.ndindex(shape):
        e = np.zeros(shape)
        e[idx] = h
        fd[idx] = (_entropy_of_logits(mdp, logits + e, model) - _entropy_of_logits(mdp, logits - e, model)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=0, atol=2e-8)
    # softmax logits are shift invariant: the gradient of every row sums to zero
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, rtol=0, atol=1e-13)


def test_state_entropy_gradient_on_a_gridworld_with_unvisited_states():
    """Walls are never visited (p = 0): the gradient stays finite and exact."""
    world = gridworld(4, slip=0.1, walls=[(1, 1), (2, 2)], goals=[])
    logits = np.random.default_rng(5).normal(size=(4, 16, 5))
    grad = state_entropy_gradient(world.mdp, logits, horizon=4)
    assert np.isfinite(grad).all()
    for idx in [(0, 0, 1), (2, 5, 3), (3, 4, 0)]:
        e = np.zeros(logits.shape)
        e[idx] = 1e-6
        model = dict(horizon=4)
        fd = (_entropy_of_logits(world.mdp, logits + e, model) - _entropy_of_logits(world.mdp, logits - e, model)) / 2e-6
        assert grad[idx] == pytest.approx(fd, abs=1e-8)


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 3), st.sampled_from(MODELS),
       st.integers(1, 3))
def test_mixtures(seed, S, A, model, K):
    mdp, P, init, _ = tiny_problem(seed, S, A, sparse_initial=True)
    rng = np.random.default_rng(seed + 3)
    shape = (model["horizon"], S, A) if "horizon" in model else (S, A)
    policies = [rng.dirichlet(np.ones(A), size=shape[:-1]) for _ in range(K)]
    w = rng.dirichlet(np.ones(K))
    p = mixture_marginal(mdp, policies, w, **model)
    expected = sum(wi * _reference_marginal(P, init, pi, **model) for wi, pi in zip(w, policies))
    np.testing.assert_allclose(p, expected, rtol=0, atol=1e-12)
    pi = mixture_policy(mdp, policies, w, **model)
    assert pi.shape == shape
    np.testing.assert_allclose(state_marginal(mdp, pi, **model), p, rtol=0, atol=1e-12)
    np.testing.assert_allclose(mixture_marginal(mdp, np.stack(policies), w, **model), p, rtol=0, atol=0)


def test_bad_input():
    world = gridworld(3)
    mdp = world.mdp
    with pytest.raises(ValueError, match="give horizon"):
        state_marginal(mdp, np.full((9, 5), 0.2))
    with pytest.raises(ValueError, match="policy row"):
        state_marginal(mdp, np.full((9, 5), 0.3), horizon=2)
    with pytest.raises(ValueError, match="logits must have shape"):
        state_entropy_gradient(mdp, np.zeros((3, 9, 5)), horizon=2)
    with pytest.raises(ValueError, match="logits must be finite"):
        state_entropy_gradient(mdp, np.full((9, 5), np.inf), horizon=2)
    with pytest.raises(ValueError, match="weights must sum to 1"):
        mixture_marginal(mdp, [np.full((9, 5), 0.2)] * 2, [0.5, 0.6], horizon=2)
    with pytest.raises(ValueError, match="weights must have shape"):
        mixture_marginal(mdp, [np.full((9, 5), 0.2)] * 2, [1.0], horizon=2)
    with pytest.raises(TypeError, match="policies must be a non-empty sequence"):
        mixture_policy(mdp, [], [], horizon=2)
    with pytest.raises(ValueError, match="initial must sum to 1"):
        state_marginal(mdp, np.full((9, 5), 0.2), horizon=2, initial=np.full(9, 0.2))
