"""skill_discovery: the exact discriminator, the variational bound, I(S; Z) against its definition."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabular_irl import gridworld
from tabular_irl.rewardfree import (
    conditional_entropy,
    entropy,
    mutual_information,
    skill_discovery,
    skill_information_bound,
    state_marginal,
)


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 6))
def test_the_bound_is_below_the_information_and_tight_at_the_posterior(seed, K, S):
    rng = np.random.default_rng(seed)
    marginals = rng.dirichlet(np.ones(S), size=K)
    prior = rng.dirichlet(np.ones(K))
    joint = prior[:, None] * marginals
    mi = mutual_information(joint)
    exact = joint / joint.sum(axis=0)
    assert skill_information_bound(marginals, exact, prior) == pytest.approx(mi, abs=1e-12)
    other = rng.dirichlet(np.ones(K), size=S).T     # any other discriminator q(z|s), columns distributions
    assert skill_information_bound(marginals, other, prior) <= mi + 1e-12
    # H(Z) - H(Z|S) written out
    assert mi == pytest.approx(entropy(prior) - conditional_entropy(joint.T), abs=1e-12)


@pytest.mark.parametrize("model", [dict(horizon=6), dict(discount=0.8)])
def test_skill_discovery(model):
    mdp = gridworld(4, slip=0.1, goals=[], initial=(0, 0)).mdp
    res = skill_discovery(mdp, 3, **model, n_iter=10, temperature=0.3, seed=1)
    K, S = 3, 16
    assert res.marginals.shape == res.discriminator.shape == (K, S)
    assert res.policies.shape == ((K, 6, S, 5) if "horizon" in model else (K, S, 5))
    for z in range(K):     # the marginals are the skills' exact ones
        np.testing.assert_allclose(res.marginals[z], state_marginal(mdp, res.policies[z], **model), atol=1e-13)
    joint = res.marginals / K
    visited = joint.sum(axis=0) > 0
    np.testing.assert_allclose(res.discriminator[:, visited], joint[:, visited] / joint[:, visited].sum(axis=0),
                               atol=1e-13)                                                  # Bayes-optimal
    assert np.all(res.discriminator[:, ~visited] == 1 / K)
    assert res.value == pytest.approx(mutual_information(joint), abs=1e-13) == res.history[-1]
    assert np.all(res.bound_history <= res.history + 1e-12)
    assert res.value > 0.3
    again = skill_discovery(mdp, 3, **model, n_iter=10, temperature=0.3, seed=1)
    np.testing.assert_array_equal(again.marginals, res.marginals)           # same seed, same skills


def test_one_skill_has_no_information():
    res = skill_discovery(gridworld(3).mdp, 1, horizon=3, n_iter=2, seed=0)
    assert res.value == 0.0 and np.all(res.discriminator == 1.0)


def test_bad_input():
    mdp = gridworld(3).mdp
    with pytest.raises(ValueError, match="n_skills must be >= 1"):
        skill_discovery(mdp, 0, horizon=3)
    with pytest.raises(ValueError, match="temperature must be"):
        skill_discovery(mdp, 2, horizon=3, temperature=0.0)
    with pytest.raises(ValueError, match="discriminator must sum to 1 along axis 0"):
        skill_information_bound(np.full((2, 2), 0.5), np.full((2, 2), 0.4))
