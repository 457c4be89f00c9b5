"""EPIC distance: the pseudometric's properties (hypothesis), a hand-computed case, the definition written out."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabular_irl import MDP, _epic, gridworld, maxent_irl, sample_trajectories, soft_backward
from tabular_irl.metrics import canonicalize_reward, epic_distance

# D = sqrt((1 - rho) / 2): a correlation 1 - 1e-15 (rounding) is a distance of ~2e-8
ZERO_ATOL = 1e-6

# a discount of 1e-16 makes a state reward constant to rounding: 0 or at least 0.05
discounts = st.one_of(st.just(0.0), st.floats(0.05, 1.0))
problems = st.tuples(st.integers(1, 5), st.integers(1, 3), discounts, st.integers(0, 2**32 - 1))


def _draw(S, A, seed, *, dists=False):
    rng = np.random.default_rng(seed)
    R = rng.normal(size=(S, A, S))
    kw = {}
    if dists:
        kw = dict(state_dist=rng.dirichlet(np.ones(S)), action_dist=rng.dirichlet(np.ones(A)))
    return rng, R, kw


def _nonconstant(S, A):
    return S * A * S > 1 and S > 1  # with one state every reward is shaping of a constant


@given(problems, st.booleans())
def test_zero_under_potential_shaping_and_positive_rescaling(problem, dists):
    S, A, gamma, seed = problem
    if not _nonconstant(S, A):
        return
    rng, R, kw = _draw(S, A, seed, dists=dists)
    phi = rng.normal(size=S) * 10
    shaped = 3.7 * (R + gamma * phi[None, None, :] - phi[:, None, None]) + 2.0
    assert epic_distance(R, shaped, discount=gamma, **kw) < ZERO_ATOL
    np.testing.assert_allclose(canonicalize_reward(shaped, discount=gamma, **kw),
                               3.7 * canonicalize_reward(R, discount=gamma, **kw), atol=1e-9 * np.abs(shaped).max())


@given(problems)
def test_symmetric_bounded_and_triangle_inequality(problem):
    S, A, gamma, seed = problem
    if not _nonconstant(S, A):
        return
    rng, Ra, _ = _draw(S, A, seed)
    # an (S, A) reward for the separable path (with one action and gamma = 0 it would canonicalise to 0)
    Rb, Rc = rng.normal(size=(S, A, S)), rng.normal(size=(S, A) if A > 1 else (S, A, S))
    ab = epic_distance(Ra, Rb, discount=gamma)
    assert ab == pytest.approx(epic_distance(Rb, Ra, discount=gamma), abs=1e-12)
    assert 0.0 <= ab <= 1.0
    ac, bc = epic_distance(Ra, Rc, discount=gamma), epic_distance(Rb, Rc, discount=gamma)
    assert ac <= ab + bc + 1e-12
    assert ab <= ac + bc + 1e-12
    assert epic_distance(Ra, -Ra, discount=gamma) == pytest.approx(1.0, abs=1e-12)


@given(problems)
def test_canonical_reward_is_the_definition(problem):
    S, A, gamma, seed = problem
    rng, R, kw = _draw(S, A, seed, dists=True)
    D_S, D_A = kw["state_dist"], kw["action_dist"]
    expected = np.empty((S, A, S))
    for s in range(S):
        for a in range(A):
            for s2 in range(S):
                # E[gamma R(s', A, S') - R(s, A, S') - gamma R(S, A, S')], each expectation written out
                e1 = sum(D_A[b] * D_S[x] * R[s2, b, x] for b in range(A) for x in range(S))
                e2 = sum(D_A[b] * D_S[x] * R[s, b, x] for b in range(A) for x in range(S))
                e3 = sum(D_S[y] * D_A[b] * D_S[x] * R[y, b, x] for y in range(S) for b in range(A) for x in range(S))
                expected[s, a, s2] = R[s, a, s2] + gamma * e1 - e2 - gamma * e3
    np.testing.assert_allclose(canonicalize_reward(R, discount=gamma, **kw), expected, atol=1e-12)


@given(problems, st.booleans())
def test_separable_and_blocked_paths_agree(problem, state_only):
    S, A, gamma, seed = problem
    if not _nonconstant(S, A):
        return
    rng, _, kw = _draw(S, A, seed, dists=True)
    Ra = rng.normal(size=S) if state_only else rng.normal(size=(S, A))
    Rb = rng.normal(size=(S, A))
    if (A == 1 or state_only) and gamma == 0.0:
        return  # a reward of the state alone with gamma = 0 canonicalises to a constant
    product = kw["state_dist"][:, None, None] * kw["action_dist"][None, :, None] * kw["state_dist"][None, None, :]
    fast = epic_distance(Ra, Rb, discount=gamma, **kw)
    slow = epic_distance(Ra, Rb, discount=gamma, coverage=product, **kw)
    assert fast**2 == pytest.approx(slow**2, abs=1e-12)  # (1 - rho) / 2: sqrt would magnify rounding at 0


def test_hand_computed_cases(monkeypatch):
    # gamma = 0, uniform: C_a = [[.5, -.5], [0, 0]], C_b = [[.5, -.5], [.5, -.5]];
    # cov = 1/8, var_a = 1/8, var_b = 1/4, rho = 1/sqrt(2), D = sqrt((1 - 1/sqrt 2) / 2) = sin(pi/8)
    Ra = np.array([[1.0, 0.0], [0.0, 0.0]])
    Rb = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert epic_distance(Ra, Rb, discount=0.0) == pytest.approx(np.sin(np.pi / 8), abs=1e-15)
    # a state reward R(s) canonicalises to gamma (R(s') - E R): [0, 1] and [1, 0] are opposite
    assert epic_distance(np.array([0.0, 1.0]), np.array([1.0, 0.0]), discount=0.5) == pytest.approx(1.0, abs=1e-15)
    # the same through the blocked sums, one state per block
    monkeypatch.setattr(_epic, "BLOCK_ENTRIES", 1)
    coverage = np.full((2, 2, 2), 1 / 8)
    assert epic_distance(Ra, Rb, discount=0.0, coverage=coverage) == pytest.approx(np.sin(np.pi / 8), abs=1e-15)


def test_coverage_restricts_the_comparison():
    # two rewards that differ only on a transition the coverage never sees
    rng = np.random.default_rng(0)
    Ra = rng.normal(size=(3, 2, 3))
    Rb = Ra.copy()
    Rb[0, 1, 2] += 5.0
    coverage = np.full((3, 2, 3), 1.0)
    coverage[0, 1, 2] = 0.0
    coverage /= coverage.sum()
    # the canonicalisation still sees the change through its expectations; the correlation does not see the entry
    assert epic_distance(Ra, Rb, discount=0.9, coverage=coverage) < epic_distance(Ra, Rb, discount=0.9)


def test_fit_against_the_truth_in_one_call_and_occupancy_distributions():
    world = gridworld(4, slip=0.1)
    expert = soft_backward(world.mdp, 5 * world.reward, horizon=8)
    demos = sample_trajectories(world.mdp, expert.policy, 100, horizon=8, seed=0)
    fit = maxent_irl(world.mdp, world.features, demos, horizon=8, l2=0.1)
    d = epic_distance(fit, world.reward, discount=0.9)
    assert d == epic_distance(fit.reward, np.broadcast_to(world.reward[:, None], (16, 5)), discount=0.9)
    assert 0.0 <= d < 0.5
    pi = soft_backward(world.mdp, world.reward, discount=0.9).policy
    d_occ = epic_distance(fit, world.reward, discount=0.9, mdp=world.mdp, policy=pi)
    assert 0.0 <= d_occ <= 1.0 and d_occ != d


@pytest.mark.parametrize("kwargs, match", [
    (dict(reward_b=np.full((2, 2), 3.0)), "reward_b is constant up to potential shaping"),
    (dict(reward_b=np.array([[0.0, 0.0], [1.0, 1.0]]), discount=0.0), "reward_b is constant up to potential"),
    (dict(state_dist=[0.5, 0.6]), "state_dist must sum to 1"),
    (dict(action_dist=[-0.5, 1.5]), "action_dist must be non-negative"),
    (dict(coverage=np.full((2, 2, 2), 0.2)), "coverage must sum to 1"),
    (dict(coverage=np.full((2, 2), 0.25)), r"coverage must have shape \(2, 2, 2\)"),
    (dict(reward_b=np.zeros((3, 2))), "reward_b must have S = 2 states"),
    (dict(reward_b=np.zeros((2, 3))), "reward_b must have A = 2 actions"),
    (dict(reward_b=np.zeros((2, 2, 3))), r"shape \(S,\), \(S, A\) or \(S, A, S\)"),
    (dict(discount=1.5), r"discount must be in \[0, 1\]"),
    (dict(policy=np.full((2, 2), 0.5)), "policy= needs mdp="),
    (dict(mdp=gridworld(2).mdp), r"mdp must have \(S, A\) = \(2, 2\)"),
    (dict(mdp=MDP.from_dense(np.full((2, 2, 2), 0.5), [1.0, 0.0]), discount=1.0), "discount must be < 1 with mdp="),
])
def test_bad_input_is_a_clear_error(kwargs, match):
    args = dict(reward_a=np.array([[1.0, 0.0], [0.0, 0.0]]), reward_b=np.array([[1.0, 0.0], [1.0, 0.0]]),
                discount=0.5) | kwargs
    with pytest.raises(ValueError, match=match):
        epic_distance(args.pop("reward_a"), args.pop("reward_b"), **args)
