"""reward_nullspace: the dimensions the theory predicts, and a basis that really leaves the policy unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from tabular_irl import MDP, gridworld, soft_backward
from tabular_irl.identifiability import reward_nullspace

from helpers import random_dense_P, random_initial


def _mdp(seed, S=5, A=3):
    rng = np.random.default_rng(seed)
    P = random_dense_P(rng, S, A, density=1.0)  # generic: every transition possible, random probabilities
    return MDP.from_dense(P, random_initial(rng, S)), P


def _shaping(P, gamma):
    """Columns gamma P[:, j] - 1[s = j] for j < S: the potential-shaping rewards, (S A, S)."""
    S, A, _ = P.shape
    return gamma * P.reshape(S * A, S) - np.repeat(np.eye(S), A, axis=0)


def _spans(basis, vectors, atol=1e-9):
    """Every column of ``vectors`` lies in the span of the orthonormal ``basis``."""
    residual = vectors - basis @ (basis.T @ vectors)
    return np.abs(residual).max() <= atol * max(1.0, np.abs(vectors).max())


def test_discounted_state_action_rewards_leave_exactly_the_shaping_space(seed):
    mdp, P = _mdp(seed)
    ns = reward_nullspace(mdp, discount=0.9, reward_shape=(5, 3))
    assert ns.dimension == 5 and ns.basis.shape == (15, 5)
    np.testing.assert_allclose(ns.basis.T @ ns.basis, np.eye(5), atol=1e-12)
    assert _spans(ns.basis, _shaping(P, 0.9))
    assert ns.smallest_retained > 1e3 * ns.tolerance  # a clear gap, not a threshold's accident
    assert ns.singular_values.shape == (15,) and np.all(np.diff(ns.singular_values) <= 0)


def test_state_rewards_on_generic_dynamics_leave_only_constants(seed):
    mdp, _ = _mdp(seed)
    ns = reward_nullspace(mdp, discount=0.8)
    assert ns.dimension == 1
    np.testing.assert_allclose(np.abs(ns.basis[:, 0]), 1 / np.sqrt(5), atol=1e-12)


def test_two_dynamics_or_two_discounts_identify_up_to_a_constant(seed):
    one, _ = _mdp(seed)
    two, _ = _mdp(seed + 1000)
    both = reward_nullspace([one, two], discount=0.9, reward_shape=(5, 3))
    assert both.dimension == 1
    np.testing.assert_allclose(np.abs(both.basis[:, 0]), 1 / np.sqrt(15), atol=1e-12)
    discounts = reward_nullspace([one, one], discount=[0.5, 0.9], reward_shape=(5, 3))
    assert discounts.dimension == 1


def test_features_restrict_the_space(seed):
    mdp, P = _mdp(seed)
    rng = np.random.default_rng(seed)
    shaping = _shaping(P, 0.9) @ rng.normal(size=5)  # one shaping reward among the features
    phi = np.concatenate([rng.normal(size=(15, 2)), shaping[:, None], np.ones((15, 1))], axis=1).reshape(5, 3, 4)
    ns = reward_nullspace(mdp, discount=0.9, features=phi)
    assert ns.dimension == 2  # the shaping feature and the constant one
    assert _spans(ns.basis, np.eye(4)[:, 2:])


@pytest.mark.parametrize("T, expected", [(1, 5), (3, 1)])
def test_finite_horizons(seed, T, expected):
    # T = 1: log pi_0 = r - logsumexp r sees only differences between actions: any state reward is invisible.
    # Longer: the backup makes P psi visible, and generic dynamics leave the constants.
    mdp, _ = _mdp(seed)
    assert reward_nullspace(mdp, horizon=T, reward_shape=(5, 3)).dimension == expected


def test_the_basis_leaves_the_policy_unchanged_at_any_reward_and_temperature(seed):
    world = gridworld(3, slip=0.2)
    rng = np.random.default_rng(seed)
    reward = rng.normal(size=(9, 5))
    for tau in (0.5, 2.0):
        ns = reward_nullspace(world.mdp, discount=0.9, reward_shape=(9, 5), temperature=tau, reward=reward)
        assert ns.dimension == 9
        moved = reward + 3.0 * (ns.basis @ rng.normal(size=9)).reshape(9, 5)
        before = soft_backward(world.mdp, reward, discount=0.9, temperature=tau, method="policy_iteration").policy
        after = soft_backward(world.mdp, moved, discount=0.9, temperature=tau, method="policy_iteration").policy
        np.testing.assert_allclose(after, before, atol=1e-10)


def test_bad_input_is_a_clear_error():
    one, _ = _mdp(0)
    small, _ = _mdp(0, S=4)
    with pytest.raises(ValueError, match=r"mdp\[1\] must have \(S, A\) = \(5, 3\)"):
        reward_nullspace([one, small], discount=0.9)
    with pytest.raises(ValueError, match="discount must be one value or one per MDP"):
        reward_nullspace([one, one], discount=[0.5, 0.6, 0.7])
    with pytest.raises(ValueError, match="give horizon"):
        reward_nullspace(one)
    with pytest.raises(ValueError, match="non-empty list"):
        reward_nullspace([], discount=0.9)
    with pytest.raises(ValueError, match="temperature must be finite and > 0"):
        reward_nullspace(one, discount=0.9, temperature=0.0)
