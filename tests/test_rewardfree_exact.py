"""The certified optimum of max_state_entropy / min_state_marginal_kl on a 10x10 gridworld with walls, where
Frank--Wolfe alone stalls near a gap of 1e-5 at finite horizons (the brute-force comparisons on tiny MDPs are
in test_rewardfree_exploration.py). Horizons 50 and 100 take a minute or more each: measured, not tested."""

import warnings

import numpy as np
import pytest

from tabular_irl import gridworld
from tabular_irl.rewardfree import (
    entropy,
    kl_divergence,
    max_state_entropy,
    min_state_marginal_kl,
    state_marginal,
)

TOL = 1e-10


def _walled_grid():
    return gridworld(10, slip=0.1, goals=[], walls=[(r, 5) for r in range(8)], initial=(0, 0)).mdp


@pytest.mark.parametrize("model", [dict(horizon=20), dict(discount=0.9), dict(discount=0.99)])
def test_gridworld_reaches_the_tolerance_without_warning(model):
    mdp = _walled_grid()
    target = np.linspace(1.0, 3.0, 100)
    target /= target.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = max_state_entropy(mdp, **model)
        kl = min_state_marginal_kl(mdp, target, **model)
    for res in (opt, kl):
        assert res.converged and 0.0 <= res.gap <= TOL and res.upper - res.lower == pytest.approx(res.gap, abs=1e-15)
        np.testing.assert_allclose(state_marginal(mdp, res.policy, **model), res.marginal, rtol=0, atol=1e-13)
    assert entropy(opt.marginal) == pytest.approx(opt.value, abs=1e-13) and opt.value < np.log(92)
    assert kl_divergence(kl.marginal, target) == pytest.approx(kl.value, abs=1e-13)
