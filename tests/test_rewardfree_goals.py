"""Skew-Fit's skew (hypothesis properties), I(S_T; G) against brute force, the tabular Skew-Fit loop."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import reference
from helpers import tiny_problem
from tabular_irl import gridworld
from tabular_irl.rewardfree import (
    conditional_entropy,
    entropy,
    goal_mutual_information,
    mutual_information,
    skew,
    skew_fit,
    skew_fit_weights,
)


def _distribution(seed: int, n: int, zeros: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.random(n) ** 3
    if zeros:
        p[rng.random(n) < 0.3] = 0.0
    p[rng.integers(n)] += 0.1
    return p / p.sum()


distributions = st.builds(_distribution, st.integers(0, 2**32 - 1), st.integers(1, 8), st.booleans())
alphas = st.floats(-1.0, 0.0, exclude_max=True)


@given(distributions, alphas)
def test_skew_never_lowers_the_entropy(p, alpha):
    q = skew(p, alpha)
    w = skew_fit_weights(p, alpha)
    support = p > 0
    assert abs(q.sum() - 1) < 1e-12 and abs(w.sum() - 1) < 1e-12
    assert np.all(q[~support] == 0) and np.all(w[~support] == 0) and np.all(q[support] > 0)
    np.testing.assert_allclose(q, p * w / (p * w).sum(), rtol=1e-12, atol=1e-15)      # the weighted refit
    np.testing.assert_allclose(w[support], p[support] ** alpha / (p[support] ** alpha).sum(), rtol=1e-10)
    assert entropy(q) >= entropy(p) - 1e-12
    uniform_on_support = np.ptp(p[support]) <= 1e-12
    if not uniform_on_support and p[support].max() / p[support].min() > 1.01 and alpha <= -0.01:
        assert entropy(q) > entropy(p)                                                 # strictly
    np.testing.assert_allclose(skew(p, -1.0), support / support.sum(), rtol=0, atol=1e-15)


@given(distributions, alphas, alphas)
def test_more_skew_more_entropy(p, a, b):
    lo, hi = min(a, b), max(a, b)      # 1 + lo <= 1 + hi: the flatter escort distribution
    assert entropy(skew(p, lo)) >= entropy(skew(p, hi)) - 1e-12


@pytest.mark.parametrize("alpha", [0.0, 0.5, -1.5, np.nan, np.inf])
def test_alpha_out_of_range(alpha):
    with pytest.raises(ValueError, match="alpha must be"):
        skew([0.5, 0.5], alpha)
    with pytest.raises(ValueError, match="alpha must be"):
        skew_fit_weights([0.5, 0.5], alpha)


def test_bad_distribution():
    with pytest.raises(ValueError, match="p must sum to 1"):
        skew([0.5, 0.6], -0.5)
    with pytest.raises(ValueError, match="p must be 1-d"):
        skew([[0.5, 0.5]], -0.5)


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))
def test_goal_mutual_information_by_enumeration(seed, S, A, T, G):
    mdp, P, init, _ = tiny_problem(seed, S, A, sparse_initial=True)
    rng = np.random.default_rng(seed + 11)
    policies = rng.dirichlet(np.ones(A), size=(G, T, S))
    prior = rng.dirichlet(np.ones(G))
    info = goal_mutual_information(mdp, policies, prior, horizon=T)
    final = np.array([reference.enumerate_policy(P, init, pi, T)[0][T] for pi in policies])
    joint = prior[:, None] * final
    np.testing.assert_allclose(info.final_state, final, rtol=0, atol=1e-13)
    assert info.value == pytest.approx(mutual_information(joint), abs=1e-12)
    assert info.goal_entropy == pytest.approx(entropy(prior), abs=1e-14)
    assert info.conditional_entropy == pytest.approx(conditional_entropy(joint.T), abs=1e-12)
    assert info.value == pytest.approx(info.goal_entropy - info.conditional_entropy, abs=1e-12)
    # the other side of the identity: H(S_T) - H(S_T | G)
    h_s_given_g = sum(prior[g] * entropy(final[g]) for g in range(G))
    assert info.value == pytest.approx(entropy(joint.sum(axis=0)) - h_s_given_g, abs=1e-12)


def test_goal_mutual_information_closed_form():
    world = gridworld(3, slip=0.0, goals=[], initial=(1, 1))
    moves = [np.eye(5)[np.full(9, a)] for a in range(5)]        # up, right, down, left, stay: 5 distinct cells
    info = goal_mutual_information(world.mdp, moves, np.full(5, 0.2), horizon=1)
    assert info.value == pytest.approx(np.log(5), abs=1e-14) and info.conditional_entropy == 0.0
    with pytest.raises(ValueError, match="goal_prior must have shape"):
        goal_mutual_information(world.mdp, moves, [0.5, 0.5], horizon=1)
    with pytest.raises(ValueError, match="give horizon"):
        goal_mutual_information(world.mdp, moves, np.full(5, 0.2), horizon=None)


@pytest.mark.parametrize("slip, alpha", [(0.0, -1.0), (0.2, -1.0), (0.2, -0.5)])
def test_skew_fit_loop(slip, alpha):
    mdp = gridworld(4, slip=slip, goals=[], initial=(0, 0)).mdp
    res = skew_fit(mdp, horizon=5, alpha=alpha, n_iter=4)
    assert res.goal_entropy.shape == res.conditional_entropy.shape == res.mutual_information.shape == (4,)
    np.testing.assert_allclose(res.mutual_information, res.goal_entropy - res.conditional_entropy, atol=1e-12)
    assert abs(res.reached.sum() - 1) < 1e-12 and res.reached_entropy.shape == (5,)
    assert res.reached_entropy[-1] > res.reached_entropy[0]      # goals spread the reached states
    # the last iteration's goals are the skewed reached states of the one before, and its I is exact
    used = res.goal_distribution > 0
    info = goal_mutual_information(mdp, res.goal_policies[used], res.goal_distribution[used], horizon=5)
    assert info.value == pytest.approx(res.mutual_information[-1], abs=1e-12)
    if slip == 0.0:
        np.testing.assert_allclose(res.conditional_entropy, 0.0, atol=1e-12)   # every goal is reached exactly
