"""GAIL's optimal discriminator, AIRL with exact occupancies and samples, rewards modulo shaping."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import reference as ref
from helpers import seeds, tiny_problem
from tabular_irl import ConvergenceWarning, gridworld, sample_trajectories, soft_backward, visitation
from tabular_irl.approx import (
    airl,
    airl_discriminator,
    gail_discriminator,
    js_divergence,
    occupancy_measure,
    reward_correlation_modulo_shaping,
    shaping_residual,
)

GAMMA = 0.9


@pytest.fixture(scope="module")
def slippery():
    w = gridworld(4, slip=0.2)
    expert = soft_backward(w.mdp, 3.0 * w.reward, discount=GAMMA)
    return w, expert.policy, occupancy_measure(w.mdp, expert.policy, discount=GAMMA)


def test_occupancy_measure_is_normalised_and_matches_the_forward_pass():
    mdp, P, init, r = tiny_problem(3, 3, 2)
    pi = soft_backward(mdp, r, discount=0.8).policy
    rho = occupancy_measure(mdp, pi, discount=0.8)
    d, d_sa = ref.occupancy(P, init, np.asarray(pi), 0.8)
    assert_allclose(rho, 0.2 * d_sa, atol=1e-12)
    assert rho.sum() == pytest.approx(1.0, abs=1e-12)
    finite = occupancy_measure(mdp, pi, horizon=4, discount=0.8)
    _, mu = ref.forward(P, init, np.asarray(pi), 4)
    weights = 0.8 ** np.arange(4)
    assert_allclose(finite, np.tensordot(weights, mu, axes=1) / weights.sum(), atol=1e-12)


@given(seed=seeds, n=st.integers(1, 12))
def test_gail_optimum_and_js_identities(seed, n):
    rng = np.random.default_rng(seed)
    p = rng.random((n, 2)) * (rng.random((n, 2)) < 0.7)
    q = rng.random((n, 2)) * (rng.random((n, 2)) < 0.7)
    p[0, 0] += 0.1
    q[-1, -1] += 0.1
    p, q = p / p.sum(), q / q.sum()
    disc = gail_discriminator(p, q)
    # the value at the optimum is 2 JS - log 4 (Goodfellow et al. 2014, Ho & Ermon 2016)
    assert disc.objective == pytest.approx(2 * disc.js_divergence - np.log(4), abs=1e-12)
    assert 0.0 <= disc.js_divergence <= np.log(2)
    assert js_divergence(p, q) == pytest.approx(js_divergence(q, p), abs=1e-15)
    assert js_divergence(p, p) == pytest.approx(0.0, abs=1e-15)
    # no other discriminator does better: perturb D* inside (0, 1) where either occupancy is positive
    D = np.clip(disc.D + 0.05 * rng.normal(size=disc.D.shape), 1e-6, 1 - 1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        other = np.sum(np.where(p > 0, p * np.log(D), 0)) + np.sum(np.where(q > 0, q * np.log1p(-D), 0))
    assert other <= disc.objective + 1e-12
    both_zero = (p == 0) & (q == 0)
    assert np.all(disc.D[both_zero] == 0.5)


def test_disjoint_supports_give_log_2():
    assert js_divergence([[1.0, 0.0]], [[0.0, 1.0]]) == pytest.approx(np.log(2), abs=1e-15)
    assert gail_discriminator([[1.0, 0.0]], [[0.0, 1.0]]).objective == pytest.approx(0.0, abs=1e-15)


def test_airl_logistic_regression_optimum_is_gails_discriminator(slippery):
    """Unshaped f, exact occupancies, no penalty: the fitted D = sigmoid(f - log pi) is D* = rho_E / (rho_E + rho_pi)."""
    w, _, rho_E = slippery
    with pytest.warns(ConvergenceWarning, match="not converged"):  # one iteration by design
        fit = airl(w.mdp, rho_E, discount=GAMMA, max_iter=1)
    uniform = np.full((16, 5), 0.2)
    assert_allclose(fit.discriminator_policy, uniform)
    D = airl_discriminator(fit.reward, fit.discriminator_policy)
    D_star = gail_discriminator(rho_E, occupancy_measure(w.mdp, uniform, discount=GAMMA)).D
    # Newton stops at max |dJ/df| <= 1e-10; the curvature is >= min rho / 4 ~ 1e-4 here
    assert_allclose(D, D_star, atol=1e-6)
    assert fit.history["discriminator_gradient"][0] <= 1e-10


@pytest.mark.parametrize("shaping,smoothing", [(False, 0.0), (True, 0.0), (False, 0.01)])
def test_airl_with_exact_occupancies_matches_the_experts_visitation(slippery, shaping, smoothing):
    w, expert, rho_E = slippery
    fit = airl(w.mdp, rho_E, discount=GAMMA, shaping=shaping, smoothing=smoothing)
    assert fit.converged, fit.message
    assert np.abs(fit.occupancy - rho_E).sum() < 1e-6
    assert_allclose(visitation(w.mdp, fit.policy, discount=GAMMA).state,
                    visitation(w.mdp, expert, discount=GAMMA).state, atol=1e-6)
    js = np.array(fit.history["js_divergence"])
    assert js[0] > 0.1 and js[-1] < 1e-12  # the divergence GAIL minimises, driven to 0
    assert len(js) == fit.n_iter + 1
    # the recovered f is the expert's soft advantage log pi_E = 3 r + gamma P V - V: 3 r up to shaping
    assert reward_correlation_modulo_shaping(w.mdp, w.reward, fit.f, discount=GAMMA) > 1 - 1e-6
    assert fit.js_divergence == js[-1]


def test_state_only_airl_recovers_the_reward_with_deterministic_dynamics():
    """Fu et al. 2018: with deterministic dynamics g(s) + gamma h(s') - h(s) disentangles g = r + c."""
    w = gridworld(3, slip=0.0)
    expert = soft_backward(w.mdp, 2.0 * w.reward, discount=0.8)
    rho_E = occupancy_measure(w.mdp, expert.policy, discount=0.8)
    fit = airl(w.mdp, rho_E, discount=0.8, shaping=True, state_only=True)
    assert fit.converged, fit.message
    assert np.abs(fit.occupancy - rho_E).sum() < 1e-6
    g = fit.reward[:, 0]
    assert np.corrcoef(g, w.reward)[0, 1] > 1 - 1e-6  # no shaping removed: g itself is the reward
    assert_allclose(fit.reward, np.repeat(g[:, None], 5, axis=1))


def test_best_responses_cycle_when_f_cannot_express_the_expert_and_damping_fixes_it(slippery):
    """State-only f under slippery dynamics: AIRL's best-response iteration falls into a two-cycle,
    reported as not converged; policy_step=0.5 reaches a fixed point."""
    w, _, rho_E = slippery
    with pytest.warns(ConvergenceWarning, match="not converged"):
        cycling = airl(w.mdp, rho_E, discount=GAMMA, shaping=True, state_only=True, max_iter=30)
    assert not cycling.converged and "not converged" in cycling.message
    js = np.array(cycling.history["js_divergence"][-10:])
    assert np.ptp(js[::2]) < 1e-3 and abs(js[0] - js[1]) > 0.1  # alternating between two values
    damped = airl(w.mdp, rho_E, discount=GAMMA, shaping=True, state_only=True, policy_step=0.5)
    assert damped.converged, damped.message
    assert damped.js_divergence < js.mean()


def test_airl_from_samples_gets_close_to_the_expert(slippery):
    w, expert, rho_E = slippery
    demos = sample_trajectories(w.mdp, expert, 300, horizon=40, seed=0)
    exact_policy_side = airl(w.mdp, demos, discount=GAMMA)
    assert exact_policy_side.converged, exact_policy_side.message
    # An empirical occupancy breaks the flow constraints (its next-state frequencies are not P), so no
    # policy matches it exactly; the fit is as close to the expert's exact occupancy as the
    # demonstrations themselves are.
    noise = js_divergence(rho_E, exact_policy_side.expert_occupancy)
    assert js_divergence(rho_E, exact_policy_side.occupancy) < 1.5 * noise
    assert js_divergence(exact_policy_side.expert_occupancy, exact_policy_side.occupancy) < 1.5 * noise
    # policy samples too: each iteration sees new noise, smoothing keeps it from chasing it
    kw = dict(discount=GAMMA, n=300, max_iter=10, seed=1, smoothing=0.01)
    with pytest.warns(ConvergenceWarning, match="each iteration sees new noise"):
        sampled = airl(w.mdp, demos, **kw)
    assert sampled.sampled and sampled.n_iter == 10 and not sampled.converged
    js = np.array(sampled.history["js_divergence"])
    assert np.all(js[2:] < 0.1 * js[0]), js
    with pytest.warns(ConvergenceWarning):
        again = airl(w.mdp, demos, **kw)
    assert_allclose(again.policy, sampled.policy, rtol=0, atol=0)


@given(seed=seeds, scale=st.sampled_from([0.5, 3.0, -2.0]))
def test_correlation_modulo_shaping_ignores_exactly_the_shaping(seed, scale):
    mdp, P, init, r = tiny_problem(seed % 10_000, 4, 3)
    rng = np.random.default_rng(seed % 10_000)
    h = rng.normal(size=4)
    shaped = scale * r + GAMMA * (mdp.transitions @ h).reshape(4, 3) - h[:, None] + rng.normal()
    corr = reward_correlation_modulo_shaping(mdp, r, shaped, discount=GAMMA)
    assert corr == pytest.approx(np.sign(scale), abs=1e-9)
    assert_allclose(shaping_residual(mdp, shaped, discount=GAMMA), scale * shaping_residual(mdp, r, discount=GAMMA),
                    atol=1e-9 * (1 + np.abs(shaped).max()))
    pure = GAMMA * (mdp.transitions @ h).reshape(4, 3) - h[:, None]
    with pytest.raises(ValueError, match="learned_reward is pure potential shaping"):
        reward_correlation_modulo_shaping(mdp, r, pure, discount=GAMMA)


def test_shaped_reward_has_the_same_soft_optimal_policy():
    mdp, P, init, r = tiny_problem(1, 4, 3)
    h = np.array([1.0, -2.0, 0.5, 3.0])
    shaped = r + GAMMA * (mdp.transitions @ h).reshape(4, 3) - h[:, None]
    a, b = soft_backward(mdp, r, discount=GAMMA), soft_backward(mdp, shaped, discount=GAMMA)
    assert_allclose(a.policy, b.policy, atol=1e-9)
    assert_allclose(b.V, a.V - h, atol=1e-8)


def test_bad_input_is_named(slippery):
    w, expert, rho_E = slippery
    with pytest.raises(ValueError, match="state_only=True needs shaping=True"):
        airl(w.mdp, rho_E, discount=GAMMA, state_only=True)
    with pytest.raises(ValueError, match="demos must be a normalised occupancy measure summing to 1"):
        airl(w.mdp, 2 * rho_E, discount=GAMMA)
    # the policy's occupancy over horizon=6 steps against demonstrations of 5: refused, not compared
    demos = sample_trajectories(w.mdp, expert, 10, horizon=5, seed=0)
    with pytest.raises(ValueError, match="demos must have horizon T=6, got trajectories of 5 decisions"):
        airl(w.mdp, demos, discount=GAMMA, horizon=6)
    with pytest.warns(ConvergenceWarning):
        assert airl(w.mdp, demos, discount=GAMMA, horizon=5, max_iter=1).n_iter == 1
    with pytest.raises(ValueError, match=r"demos must have shape \(16, 5\)"):
        airl(w.mdp, rho_E[:3], discount=GAMMA)
    with pytest.raises(ValueError, match="discount must be in"):
        airl(w.mdp, rho_E, discount=1.0)
    with pytest.raises(ValueError, match="policy_step must be in"):
        airl(w.mdp, rho_E, discount=GAMMA, policy_step=1.5)
    with pytest.raises(ValueError, match="policy0 must be positive everywhere"):
        airl(w.mdp, rho_E, discount=GAMMA, policy0=np.eye(5)[np.zeros(16, dtype=int)])
    with pytest.raises(ValueError, match=r"n \(policy samples\) needs a sample length"):
        airl(w.mdp, rho_E, discount=GAMMA, n=10)
    with pytest.raises(TypeError, match="shaping must be True or False"):
        airl(w.mdp, rho_E, discount=GAMMA, shaping="yes")
    with pytest.raises(ValueError, match="policy_occupancy must have the shape of expert_occupancy"):
        gail_discriminator(rho_E, rho_E[:2])
    with pytest.raises(ValueError, match="expert_occupancy must be non-negative"):
        js_divergence(-rho_E, rho_E)
    with pytest.raises(ValueError, match="give horizon .* discount .* or both; got neither"):
        occupancy_measure(w.mdp, expert)
    with pytest.raises(ValueError, match="f must broadcast with policy"):
        airl_discriminator(np.zeros(3), expert)
