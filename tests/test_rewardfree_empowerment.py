"""empowerment: closed forms (deterministic MDPs, the binary symmetric channel) and brute force."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from helpers import random_dense_P
from tabular_irl import MDP, gridworld
from tabular_irl.rewardfree import empowerment, mutual_information
from tabular_irl.rewardfree.empowerment import MAX_CHANNEL_ENTRIES


def _dense_channel(P, s, n):
    """Row per action sequence (a_1 most significant): Pr(s_n | s_0 = s, a_1..a_n), by dense products."""
    S, A, _ = P.shape
    rows = []
    for seq in itertools.product(range(A), repeat=n):
        d = np.eye(S)[s]
        for a in seq:
            d = d @ P[:, a, :]
        rows.append(d)
    return np.array(rows)


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3))
def test_deterministic_mdp_is_log_of_reachable_states(seed, S, A, n):
    P = random_dense_P(np.random.default_rng(seed), S, A, deterministic=True)
    emp = empowerment(MDP.from_dense(P, np.full(S, 1 / S)), n)
    for s in range(S):
        reached = np.unique(_dense_channel(P, s, n).argmax(axis=1)).size
        assert emp.value[s] == pytest.approx(np.log(reached), abs=1e-12)
    assert emp.converged and np.all(emp.upper - emp.lower <= 1e-12)


@pytest.mark.parametrize("p", [0.0, 0.05, 0.2, 0.5])
def test_binary_symmetric_channel(p):
    P = np.zeros((2, 2, 2))
    P[:, 0] = [1 - p, p]
    P[:, 1] = [p, 1 - p]
    emp = empowerment(MDP.from_dense(P, [1.0, 0.0]))
    hb = 0.0 if p in (0.0, 1.0) else -(p * np.log(p) + (1 - p) * np.log(1 - p))
    np.testing.assert_allclose(emp.value, np.log(2) - hb, rtol=0, atol=1e-12)
    np.testing.assert_allclose(emp.input_distribution, 0.5, rtol=0, atol=1e-9)
    bits = empowerment(MDP.from_dense(P, [1.0, 0.0]), base=2)
    np.testing.assert_allclose(bits.value, (np.log(2) - hb) / np.log(2), rtol=0, atol=1e-12)


@settings(max_examples=20)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 3), st.integers(1, 2))
def test_capacity_against_brute_force(seed, S, A, n):
    P = random_dense_P(np.random.default_rng(seed), S, A)
    emp = empowerment(MDP.from_dense(P, np.full(S, 1 / S)), n, states=[S - 1])
    W = _dense_channel(P, S - 1, n)

    def info(x):
        x = np.clip(x, 0, None)
        x = x / x.sum()
        return mutual_information(x[:, None] * W)

    K = W.shape[0]
    best = max(-minimize(lambda x: -info(x), start, method="SLSQP", bounds=[(0, 1)] * K,
                         constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}],
                         options={"ftol": 1e-14, "maxiter": 500}).fun
               for start in [np.full(K, 1 / K), np.eye(K)[0] * 0.5 + 0.5 / K])
    assert emp.lower[0] <= emp.upper[0] <= emp.lower[0] + 1e-12
    assert emp.lower[0] >= best - 1e-9                 # at least what SLSQP finds
    assert info(emp.input_distribution[0]) == pytest.approx(emp.value[0], abs=1e-12)
    assert abs(emp.input_distribution.sum() - 1) < 1e-12


def test_gridworld_values():
    world = gridworld(5, slip=0.0, goals=[(4, 4)])
    emp = empowerment(world.mdp, 2)
    assert emp.value.shape == (25,)
    assert emp.value[12] == pytest.approx(np.log(13), abs=1e-12)    # the centre: 13 cells within 2 moves
    assert emp.value[24] == 0.0                                      # the absorbing goal: no control
    slippery = empowerment(gridworld(5, slip=0.5, goals=[]).mdp, 1, states=np.array([12]))
    assert 0 < slippery.value[0] < np.log(5)


def test_bad_input():
    world = gridworld(3)
    with pytest.raises(ValueError, match="MAX_CHANNEL_ENTRIES"):
        empowerment(world.mdp, 12)
    assert 5 ** 12 * 9 > MAX_CHANNEL_ENTRIES
    with pytest.raises(ValueError, match=r"states\[0\] = 9 is not a state of this MDP \(n_states=9\)"):
        empowerment(world.mdp, states=[9])
    with pytest.raises(TypeError, match="states must be a 1-d array of state indices"):
        empowerment(world.mdp, states=[0.5])
    with pytest.raises(TypeError, match="n_steps must be an integer"):
        empowerment(world.mdp, 1.0)
