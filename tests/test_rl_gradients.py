"""tabular_irl.rl.policy_gradient: exact gradients, checked against finite differences and the optimum."""

import numpy as np
import pytest

from tabular_irl import gridworld, value_iteration
from tabular_irl.rl import policy_gradient

from helpers import tiny_problem

# central differences of a smooth function at step 1e-6: error ~ 1e-10 relative to the scale of J
FD_STEP = 1e-6
FD_ATOL = 1e-7


def finite_differences(f, x):
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = FD_STEP
        grad[i] = (f(x + e) - f(x - e)) / (2 * FD_STEP)
    return grad


@pytest.mark.parametrize("model", [dict(horizon=4), dict(horizon=3, discount=0.8), dict(discount=0.9)])
@pytest.mark.parametrize("stationary", [True, False])
def test_gradient_matches_finite_differences(seed, model, stationary):
    if not stationary and "horizon" not in model:
        pytest.skip("time-indexed logits need a horizon")
    mdp, _, _, r = tiny_problem(seed, 4, 3)
    rng = np.random.default_rng(seed + 100)
    shape = (4, 3) if stationary else (model["horizon"], 4, 3)
    logits = rng.normal(size=shape)
    J, grad = policy_gradient(mdp, r, logits, **model)
    fd = finite_differences(lambda x: policy_gradient(mdp, r, x, **model)[0], logits)
    np.testing.assert_allclose(grad, fd, rtol=0, atol=FD_ATOL)
    assert grad.shape == logits.shape


def test_return_is_the_exact_policy_value(seed):
    from tabular_irl.metrics import policy_value
    mdp, _, _, r = tiny_problem(seed, 5, 2)
    logits = np.random.default_rng(seed).normal(size=(6, 5, 2))
    pi = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    J, _ = policy_gradient(mdp, r, logits, horizon=6, discount=0.9)
    assert J == pytest.approx(policy_value(mdp, pi, r, horizon=6, discount=0.9), abs=1e-12)
    Jd, _ = policy_gradient(mdp, r, logits[0], discount=0.7)
    assert Jd == pytest.approx(policy_value(mdp, pi[0], r, discount=0.7), abs=1e-10)


@pytest.mark.parametrize("model", [dict(horizon=6), dict(discount=0.9)])
def test_zero_gradient_and_optimal_return_at_the_optimum(model):
    world = gridworld(3, slip=0.2)
    # discounted: policy iteration's values are an exact evaluation (value iteration's stop at tol)
    method = "value_iteration" if "horizon" in model else "policy_iteration"
    plan = value_iteration(world.mdp, world.reward, **model, method=method)
    # a greedy policy is the limit of softmax logits beta * onehot(a*) as beta -> inf;
    # at beta = 60 every other action has probability e^-60, below rounding
    logits = 60.0 * plan.policy
    J, grad = policy_gradient(world.mdp, world.reward, logits, **model)
    J_star = float(world.mdp.initial @ (plan.V[0] if "horizon" in model else plan.V))
    assert J == pytest.approx(J_star, abs=1e-12)
    # the greedy actions' advantages are 0 up to the rounding of Q - V (|Q| ~ 10)
    assert np.abs(grad).max() < 1e-12


def test_bad_logits_are_named():
    world = gridworld(2)
    with pytest.raises(ValueError, match=r"logits must have shape \(S, A\) = \(4, 5\) or \(T, S, A\) = \(3, 4, 5\)"):
        policy_gradient(world.mdp, world.reward, np.zeros((2, 4, 5)), horizon=3)
    with pytest.raises(ValueError, match="logits must have shape .* need horizon=T"):
        policy_gradient(world.mdp, world.reward, np.zeros((2, 4, 5)), discount=0.9)
    with pytest.raises(ValueError, match="logits must be finite"):
        policy_gradient(world.mdp, world.reward, np.full((4, 5), -np.inf), discount=0.9)
    with pytest.raises(ValueError, match="neither"):
        policy_gradient(world.mdp, world.reward, np.zeros((4, 5)))
