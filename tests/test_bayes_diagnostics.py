"""effective_sample_size and split_rhat against chains whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from tabular_irl.bayes import effective_sample_size, split_rhat


def _ar1(rng, rho, m, n):
    x = np.zeros((m, n))
    noise = rng.normal(size=(m, n))
    x[:, 0] = noise[:, 0] / np.sqrt(1 - rho**2)  # stationary start
    for i in range(1, n):
        x[:, i] = rho * x[:, i - 1] + noise[:, i]
    return x


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_ess_of_ar1_chains_is_n_over_the_autocorrelation_time(seed, rho):
    rng = np.random.default_rng(seed)
    m, n = 4, 20_000
    ess = effective_sample_size(_ar1(rng, rho, m, n))[0]
    tau = (1 + rho) / (1 - rho)  # integrated autocorrelation time of AR(1)
    assert ess == pytest.approx(m * n / tau, rel=0.15)


def test_rhat_is_one_for_agreeing_chains_and_large_for_disagreeing_ones(seed):
    rng = np.random.default_rng(seed)
    draws = rng.normal(size=(4, 2000, 2))
    assert np.all(split_rhat(draws) < 1.01)
    shifted = draws + np.array([0.0, 0.0, 0.0, 3.0])[:, None, None]
    assert np.all(split_rhat(shifted) > 1.2)
    trend = draws[:1] + np.linspace(0, 5, 2000)[None, :, None]  # one chain that drifts: its halves disagree
    assert np.all(split_rhat(trend) > 1.2)


def test_constant_chains_and_shapes():
    assert effective_sample_size(np.ones((2, 50)))[0] == 1.0
    assert split_rhat(np.ones((2, 50)))[0] == 1.0
    assert split_rhat(np.stack([np.zeros(50), np.ones(50)]))[0] == np.inf
    assert effective_sample_size(np.zeros((3, 40, 5))).shape == (5,)
    with pytest.raises(ValueError, match="at least 4 draws"):
        split_rhat(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="chains must have shape"):
        effective_sample_size(np.zeros((1, 2, 3, 4)))
