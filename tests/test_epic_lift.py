"""EPIC of rewards on a known MDP: the lift through the dynamics is exact (hypothesis), and AIRL's limit scores 0."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabular_irl import gridworld, random_mdp, sample_trajectories, soft_backward
from tabular_irl.approx import adversarial_study, airl, occupancy_measure
from tabular_irl.metrics import canonicalize_reward, epic_distance, lift_reward

# D = sqrt((1 - rho) / 2): a correlation 1 - 1e-15 (rounding) is a distance of ~2e-8
ZERO_ATOL = 1e-6

# (S, A, branching, gamma, seed, reward shape): gamma >= 0.05 keeps state rewards away from constants
problems = st.tuples(st.integers(2, 6), st.integers(1, 3), st.integers(1, 3), st.floats(0.05, 0.95),
                     st.integers(0, 2**32 - 1), st.sampled_from(["s", "sa", "sas"]))


def _draw(problem):
    S, A, branching, gamma, seed, shape = problem
    mdp = random_mdp(S, A, min(branching, S), seed=seed).mdp
    rng = np.random.default_rng(seed)
    size = {"s": (S,), "sa": (S, A), "sas": (S, A, S)}[shape]
    return mdp, gamma, rng, rng.normal(size=size), rng.dirichlet(np.ones(A))


def _dense(mdp):
    S, A = mdp.n_states, mdp.n_actions
    return mdp.transitions.toarray().reshape(S, A, S)


def _expected(reward, P):
    S, A, _ = P.shape
    if reward.ndim == 3:
        return np.sum(P * reward, axis=2)
    return np.broadcast_to(reward if reward.ndim == 2 else reward[:, None], (S, A))


def _constant_on(mdp, reward, gamma, **kw):
    """Whether the MDP sees ``reward`` as a constant (e.g. every action has the same successors): no distance."""
    C = canonicalize_reward(reward, discount=gamma, mdp=mdp, **kw)
    return np.abs(C).max() <= 1e-9 * (np.abs(reward).max() / (1 - gamma))


@given(problems, st.booleans())
def test_lift_turns_expected_shaping_into_potential_shaping(problem, uniform):
    mdp, gamma, rng, reward, D_A = _draw(problem)
    kw = {} if uniform else {"action_dist": D_A}
    P = _dense(mdp)
    phi = 10 * rng.normal(size=mdp.n_states)
    shaped = _expected(reward, P) + gamma * P @ phi - phi[:, None]  # expected shaping of the MDP
    lifted, lifted_shaped = lift_reward(reward, mdp, discount=gamma, **kw), lift_reward(shaped, mdp, discount=gamma, **kw)
    scale = np.abs(lifted).max() + np.abs(phi).max()
    # exact: L(R + gamma P phi - phi) = L(R) + gamma phi(s') - phi(s), pointwise
    np.testing.assert_allclose(lifted_shaped, lifted + gamma * phi[None, None, :] - phi[:, None, None],
                               atol=1e-10 * scale)
    # a representative of the same reward on the MDP: the same expectation over s'
    np.testing.assert_allclose(np.sum(P * lifted, axis=2), _expected(reward, P), atol=1e-10 * scale)


@given(problems)
def test_epic_on_an_mdp_is_epic_of_the_lifted_rewards(problem):
    mdp, gamma, rng, reward, D_A = _draw(problem)
    S, A = mdp.n_states, mdp.n_actions
    other = rng.normal(size=(S, A))
    if A == 1 or _constant_on(mdp, reward, gamma, action_dist=D_A):
        return  # every reward is expected shaping of a constant there (the error is tested below)
    direct = epic_distance(reward, other, discount=gamma, mdp=mdp, action_dist=D_A)
    lifted = epic_distance(lift_reward(reward, mdp, discount=gamma, action_dist=D_A),
                           lift_reward(other, mdp, discount=gamma, action_dist=D_A), discount=gamma, action_dist=D_A)
    assert direct**2 == pytest.approx(lifted**2, abs=1e-12)
    # the canonical reward is the D_A-policy advantage: independent of s', zero D_A-mean in every state
    C = canonicalize_reward(reward, discount=gamma, mdp=mdp, action_dist=D_A)
    scale = np.abs(C).max() + 1.0
    np.testing.assert_allclose(C, np.broadcast_to(C[:, :, :1], C.shape), atol=1e-12 * scale)
    np.testing.assert_allclose(C[:, :, 0] @ D_A, 0.0, atol=1e-10 * scale)
    # ... so a coverage on the transitions the MDP allows, with the same (s, a) marginal, changes nothing
    allowed = _dense(mdp) * (np.full(S, 1 / S)[:, None, None] * D_A[None, :, None])
    on_allowed = epic_distance(reward, other, discount=gamma, mdp=mdp, action_dist=D_A, coverage=allowed)
    assert on_allowed**2 == pytest.approx(direct**2, abs=1e-12)


@given(problems)
def test_zero_for_expected_shaping_and_rescaling_on_the_mdp(problem):
    mdp, gamma, rng, reward, _ = _draw(problem)
    P = _dense(mdp)
    phi = rng.normal(size=mdp.n_states)
    shaped = 2.5 * (_expected(reward, P) + gamma * P @ phi - phi[:, None]) - 1.0
    if _constant_on(mdp, reward, gamma):  # e.g. one action: no EPIC distance, and the error says so
        with pytest.raises(ValueError, match="constant up to potential shaping"):
            epic_distance(reward, shaped, discount=gamma, mdp=mdp)
        return
    assert epic_distance(reward, shaped, discount=gamma, mdp=mdp) < ZERO_ATOL


@pytest.mark.parametrize("slip", [0.0, 0.2])
def test_airl_exact_limit_is_the_truth_on_the_mdp(slip):
    # infinite samples: AIRL's f = log pi_E = r_E + gamma P V - V, the expert's reward under expected shaping
    world = gridworld(4, slip=slip)
    gamma = 0.9
    expert = soft_backward(world.mdp, 3.0 * world.reward, discount=gamma)
    rho_E = occupancy_measure(world.mdp, expert.policy, discount=gamma)
    fit = airl(world.mdp, rho_E, discount=gamma)
    assert fit.converged
    assert epic_distance(fit, world.reward, discount=gamma, mdp=world.mdp) < ZERO_ATOL
    # read as R(s, a, s') = f(s, a), without the dynamics, it is far from the truth
    assert epic_distance(fit, world.reward, discount=gamma) > 0.3
    # with shaping, AIRL's (S, A, S) form g + gamma h(s') - h(s) and its g are the same reward to EPIC
    shaped = airl(world.mdp, rho_E, discount=gamma, shaping=True)
    f_sas = shaped.reward[:, :, None] + gamma * shaped.potential[None, None, :] - shaped.potential[:, None, None]
    assert epic_distance(f_sas, world.reward, discount=gamma, mdp=world.mdp) < ZERO_ATOL
    assert epic_distance(f_sas, world.reward, discount=gamma) == pytest.approx(
        epic_distance(shaped, world.reward, discount=gamma), abs=1e-9)


def test_adversarial_study_epic_column():
    w = gridworld(3, slip=0.2)
    expert = soft_backward(w.mdp, 3.0 * w.reward, discount=0.8)
    demos = sample_trajectories(w.mdp, expert.policy, 100, horizon=30, seed=0)
    t = adversarial_study(w.mdp, demos, discount=0.8, expert_policy=expert.policy, true_reward=w.reward)
    epic = dict(zip(t.column("method"), t.column("epic")))
    assert epic["airl_exact"] < ZERO_ATOL
    # from samples the rewards are near the truth but not equivalent to it
    for method in ("maxent", "airl", "airl_shaped"):
        assert 0.0 < epic[method] < 0.5, (method, epic[method])


def test_lift_that_cannot_fit_fails_at_once(monkeypatch):
    world = gridworld(4)
    monkeypatch.setenv("TABULAR_IRL_MEMORY_LIMIT", "1000")  # the lift is 16 * 5 * 16 * 8 = 10240 bytes
    with pytest.raises(MemoryError, match=r"lifted reward \(S, A, S\) = \(16, 5, 16\) needs"):
        lift_reward(world.reward, world.mdp, discount=0.9)
    # the distance itself never forms it
    assert 0.0 < epic_distance(world.reward, world.reward[::-1], discount=0.9, mdp=world.mdp) <= 1.0


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(mdp="grid"), TypeError, "mdp must be"),
    (dict(discount=1.0), ValueError, "discount must be < 1 with mdp="),
    (dict(action_dist=[0.5, 0.6, 0, 0, 0]), ValueError, "action_dist must sum to 1"),
    (dict(reward=np.zeros((16, 4))), ValueError, r"mdp must have \(S, A\) = \(16, 4\)"),
])
def test_lift_bad_input(kwargs, error, match):
    world = gridworld(4)
    args = dict(reward=world.reward, mdp=world.mdp, discount=0.9) | kwargs
    with pytest.raises(error, match=match):
        lift_reward(args.pop("reward"), args.pop("mdp"), **args)
