"""EPIC's regret bound (Gleave et al. 2021, Theorem 4.9) holds exactly: on a gridworld and on random MDPs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabular_irl import gridworld, random_mdp
from tabular_irl.metrics import epic_regret_bound

GAMMA = 0.9


def _perturbed(reward, S, A, rng, gamma, noise):
    """``c (R + gamma phi(s') - phi(s) + noise eps(s, a, s'))``: shaping, noise and a positive rescaling."""
    c, phi = np.exp(rng.uniform(-2, 2)), 3 * rng.normal(size=S)
    full = np.broadcast_to(reward.reshape(reward.shape + (1,) * (3 - reward.ndim)), (S, A, S))
    return c * (full + gamma * phi[None, None, :] - phi[:, None, None] + noise * rng.normal(size=(S, A, S)))


def _dense_return(P, initial, policy, r, gamma):
    """``initial @ (I - gamma P_pi)^-1 r_pi``, in dense NumPy."""
    P_pi = np.einsum("sa,sat->st", policy, P)
    return initial @ np.linalg.solve(np.eye(len(initial)) - gamma * P_pi, np.sum(policy * r, axis=1))


def _time_ratios(P, initial, policy, D, T):
    """``max_t max D_pi,t / D`` over ``t < T`` by rolling the state distribution forward."""
    d, worst = np.array(initial), 0.0
    for _ in range(T):
        joint = d[:, None, None] * policy[:, :, None] * P
        worst = max(worst, np.max(np.where(joint > 0, joint / np.where(D > 0, D, 1), 0)))
        d = np.einsum("sat->t", joint)
    return worst


@pytest.mark.parametrize("slip", [0.0, 0.2])
def test_bound_holds_for_every_perturbed_reward_on_a_gridworld(slip):
    world = gridworld(5, slip=slip, initial=(0, 0))
    mdp, S, A = world.mdp, world.mdp.n_states, world.mdp.n_actions
    P = mdp.transitions.toarray().reshape(S, A, S)
    rng = np.random.default_rng(0)
    regrets = []
    for noise in np.logspace(-3, 0.5, 24):
        out = epic_regret_bound(mdp, world.reward, _perturbed(world.reward, S, A, rng, GAMMA, noise), discount=GAMMA)
        # the theorem, and the proof's sharper steps
        assert -1e-12 <= out.regret <= out.occupancy_bound <= out.sharp_bound <= out.bound, out
        # the regret is exact: the dense linear solve of each policy's return under R_A
        r_a = np.broadcast_to(world.reward[:, None], (S, A))
        exact = (_dense_return(P, mdp.initial, out.policy_a, r_a, GAMMA)
                 - _dense_return(P, mdp.initial, out.policy_b, r_a, GAMMA))
        assert out.regret == pytest.approx(exact, abs=1e-10)
        # one sure start state and one-hot policies: K = S A is reached at t = 0, and it bounds every later t
        assert out.K == pytest.approx(S * A)
        assert _time_ratios(P, mdp.initial, out.policy_b, P / (S * A), 60) == pytest.approx(S * A)
        assert out.K_occupancy <= out.K
        regrets.append(out.regret)
    assert max(regrets) > 0.5  # the noisiest rewards do lead the agent astray


def test_shaping_and_rescaling_alone_cost_nothing():
    world = gridworld(4, slip=0.1, initial=(0, 0))
    S, A = world.mdp.n_states, world.mdp.n_actions
    out = epic_regret_bound(world.mdp, world.reward, _perturbed(world.reward, S, A, np.random.default_rng(1), GAMMA, 0),
                            discount=GAMMA)
    assert out.epic < 1e-6 and abs(out.regret) < 1e-9 and out.bound < 1e-3


problems = st.tuples(st.integers(2, 5), st.integers(2, 3), st.integers(1, 3), st.floats(0.0, 0.95),
                     st.integers(0, 2**32 - 1), st.booleans())


@given(problems)
def test_bound_holds_on_random_mdps(problem):
    S, A, branching, gamma, seed, product = problem
    mdp = random_mdp(S, A, min(branching, S), seed=seed).mdp
    rng = np.random.default_rng(seed)
    ra, rb = rng.normal(size=(S, A, S)), rng.normal(size=(S, A, S))
    rb = rb if rng.random() < 0.5 else ra + 0.3 * rb  # near and far pairs
    coverage = np.full((S, A, S), 1.0 / (S * A * S)) if product else None
    out = epic_regret_bound(mdp, ra, rb, discount=gamma, coverage=coverage)
    assert -1e-10 <= out.regret <= out.occupancy_bound + 1e-10
    assert out.occupancy_bound <= out.sharp_bound * (1 + 1e-12)
    P = mdp.transitions.toarray().reshape(S, A, S)
    D = coverage if product else P / (S * A)
    for pi in (out.policy_a, out.policy_b):  # K satisfies the theorem's assumption at every t checked
        assert _time_ratios(P, mdp.initial, pi, D, 30) <= out.K * (1 + 1e-12)
    if product:  # the paper's constant: sigma_A <= 4 ||R_A||_2 by Jensen for a product coverage
        assert out.canonical_std <= 4 * out.reward_norm and out.sharp_bound <= out.bound * (1 + 1e-12)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(discount=1.0), ValueError, r"discount must be in \[0, 1\)"),
    (dict(coverage=np.full((4, 5, 4), 0.1)), ValueError, "coverage must sum to 1"),
    (dict(reward_b=np.zeros((3, 5))), ValueError, "reward_b must have S = 4 states"),
    (dict(mdp="grid"), TypeError, "mdp must be"),
])
def test_bad_input_is_a_clear_error(kwargs, error, match):
    world = gridworld(2)
    args = dict(mdp=world.mdp, reward_a=world.reward, reward_b=world.reward[::-1], discount=GAMMA) | kwargs
    with pytest.raises(error, match=match):
        epic_regret_bound(args.pop("mdp"), args.pop("reward_a"), args.pop("reward_b"), **args)


def test_a_bound_that_cannot_fit_fails_at_once(monkeypatch):
    world = gridworld(3)
    monkeypatch.setenv("TABULAR_IRL_MEMORY_LIMIT", "1000")
    with pytest.raises(MemoryError, match=r"dense \(S, A, S\) = \(9, 5, 9\) arrays needs"):
        epic_regret_bound(world.mdp, world.reward, world.reward[::-1], discount=GAMMA)
