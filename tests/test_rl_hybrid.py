"""tabular_irl.rl: the hybrid objective (return + lam * log-likelihood) and its two limits; pretrain/finetune."""

import numpy as np
import pytest

from tabular_irl import gridworld, sample_trajectories, soft_backward, value_iteration
from tabular_irl.metrics import policy_value
from tabular_irl.rl import (behavior_cloning, hybrid_objective, hybrid_policy_optimization, policy_gradient,
                            pretrain_finetune)

from helpers import tiny_problem
from test_rl_gradients import FD_ATOL, finite_differences


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.fixture(scope="module")
def world():
    return gridworld(3, slip=0.2)


@pytest.fixture(scope="module")
def demos(world):
    expert = soft_backward(world.mdp, 2 * world.reward, horizon=4).policy
    return sample_trajectories(world.mdp, expert, 30, horizon=4, seed=0)


@pytest.mark.parametrize("model, shape", [(dict(horizon=3), (3, 4, 3)), (dict(horizon=3, discount=0.9), (4, 3)),
                                          (dict(discount=0.8), (4, 3))])
def test_hybrid_objective_value_and_gradient(seed, model, shape):
    mdp, _, _, r = tiny_problem(seed, 4, 3)
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=shape)
    expert = rng.dirichlet(np.ones(3), size=4)
    demos = sample_trajectories(mdp, expert, 5, horizon=4, seed=seed)
    lam = 0.3
    value, grad = hybrid_objective(mdp, r, logits, demos, lam, **model)
    # the log-likelihood is a sum over every demonstrated step (the first T for time-indexed logits)
    log_pi = np.log(softmax(logits))
    T = shape[0] if len(shape) == 3 else 4
    ll = sum(log_pi[t, s, a] if len(shape) == 3 else log_pi[s, a]
             for i in range(5) for t, (s, a) in enumerate(zip(demos.states[i, :T], demos.actions[i, :T])))
    J, _ = policy_gradient(mdp, r, logits, **model)
    assert value == pytest.approx(J + lam * ll, abs=1e-12)
    fd = finite_differences(lambda x: hybrid_objective(mdp, r, x, demos, lam, **model)[0], logits)
    np.testing.assert_allclose(grad, fd, rtol=0, atol=FD_ATOL * 10)  # |L| ~ 10: FD error scales with it


def test_lambda_zero_recovers_the_optimal_policy(world, demos):
    fit = hybrid_policy_optimization(world.mdp, world.reward, demos, 0.0, horizon=4)
    J_star = float(world.mdp.initial @ value_iteration(world.mdp, world.reward, horizon=4).V[0])
    # softmax logits reach a greedy policy only at infinity: L-BFGS gets within 1e-6 of J*
    assert J_star - 1e-6 < fit.value <= J_star + 1e-12
    assert fit.value == pytest.approx(policy_value(world.mdp, fit.policy, world.reward, horizon=4), abs=1e-12)
    assert fit.history["value"][0] < fit.history["value"][-1]


def test_lambda_to_infinity_recovers_behavior_cloning(world, demos):
    bc = behavior_cloning(world.mdp, demos, horizon=4)
    errors = []
    for lam in (1e1, 1e2, 1e3):
        fit = hybrid_policy_optimization(world.mdp, world.reward, demos, lam, horizon=4, n_iter=5000, tol=1e-8)
        # on the demonstrated (t, s) the log-likelihood pins the policy; elsewhere J alone decides
        errors.append(np.abs(fit.policy - bc.policy)[bc.visited].max())
    assert errors[2] < 2e-3
    assert errors[0] > errors[1] > errors[2]  # the distance to BC shrinks like 1/lam


def test_gradient_ascent_history(world, demos):
    fit = hybrid_policy_optimization(world.mdp, world.reward, demos, 0.1, horizon=4, n_iter=30, lr=0.5)
    assert fit.method == "gradient_ascent" and fit.n_iter == 30
    assert len(fit.history["value"]) == 31 and fit.history["iteration"] == list(range(31))
    assert np.all(np.diff(fit.history["objective"]) > 0)  # a small enough step ascends
    value, _ = hybrid_objective(world.mdp, world.reward, fit.theta, demos, 0.1, horizon=4)
    assert fit.objective == pytest.approx(value, abs=1e-12)


def test_pretrain_finetune_exact_and_sampled(world, demos):
    bc = behavior_cloning(world.mdp, demos, horizon=4, smoothing=0.1)
    exact = pretrain_finetune(world.mdp, world.reward, demos, horizon=4, n_iter=40, lr=2.0)
    assert exact.history["value"][0] == pytest.approx(policy_value(world.mdp, bc.policy, world.reward, horizon=4),
                                                      abs=1e-12)
    assert np.all(np.diff(exact.history["value"]) > 0)
    J_star = float(world.mdp.initial @ value_iteration(world.mdp, world.reward, horizon=4).V[0])
    assert exact.value < J_star
    a = pretrain_finetune(world.mdp, world.reward, demos, horizon=4, n_iter=10, lr=2.0, n_per_iter=5, seed=3)
    b = pretrain_finetune(world.mdp, world.reward, demos, horizon=4, n_iter=10, lr=2.0, n_per_iter=5, seed=3)
    np.testing.assert_array_equal(a.theta, b.theta)  # same seed, same run
    assert a.method == "reinforce" and a.history["value"][0] == exact.history["value"][0]


def test_bad_input_is_named(world, demos):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        pretrain_finetune(world.mdp, world.reward, demos, horizon=4, n_iter=3, lr=0.0)
    with pytest.raises(ValueError, match="lam"):
        hybrid_objective(world.mdp, world.reward, np.zeros((9, 5)), demos, -1.0, horizon=4)
    with pytest.raises(ValueError, match="demos must have at least T=6 steps"):
        hybrid_objective(world.mdp, world.reward, np.zeros((6, 9, 5)), demos, 1.0, horizon=6)
    with pytest.raises(ValueError, match="n_per_iter needs a horizon"):
        pretrain_finetune(world.mdp, world.reward, demos, discount=0.9, n_iter=3, lr=1.0, n_per_iter=10)
    with pytest.raises(ValueError, match="smoothing must be > 0"):
        pretrain_finetune(world.mdp, world.reward, demos, horizon=4, n_iter=3, lr=1.0, smoothing=0.0)


def test_discounted_hybrid_limits(world, demos):
    plan = value_iteration(world.mdp, world.reward, discount=0.9, method="policy_iteration")
    rl = hybrid_policy_optimization(world.mdp, world.reward, demos, 0.0, discount=0.9)
    assert rl.theta.shape == (9, 5)
    assert float(world.mdp.initial @ plan.V) - 1e-5 < rl.value <= float(world.mdp.initial @ plan.V) + 1e-12
    bc = behavior_cloning(world.mdp, demos)  # stationary: every demonstrated step
    il = hybrid_policy_optimization(world.mdp, world.reward, demos, 1e3, discount=0.9, n_iter=5000, tol=1e-8)
    assert np.abs(il.policy - bc.policy)[bc.visited].max() < 2e-3
