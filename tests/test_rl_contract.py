"""The contract of issue 17 across tabular_irl.rl: stable names and fields, bad input named before any work,
and the lecture's truncated-ratio estimator against its closed-form expectation."""

import dataclasses
import inspect

import numpy as np
import pytest

import tabular_irl as tirl
from tabular_irl import Trajectories, _passes
from tabular_irl import rl
from tabular_irl.rl import (
    behavior_cloning,
    dagger,
    gail,
    gradient_estimator_study,
    hybrid_objective,
    hybrid_policy_optimization,
    imitation_gap,
    policy_gradient,
    pretrain_finetune,
    q_learning,
    reinforce_gradient,
)

from test_rl_gradients import policy_prob, softmax, tiny_case

T, S, A = 4, 9, 5


def test_the_names_and_fields_the_issue_fixes():
    for name in ("behavior_cloning", "imitation_gap", "dagger", "policy_gradient", "reinforce_gradient",
                 "pretrain_finetune", "hybrid_objective", "hybrid_policy_optimization", "q_learning", "gail"):
        assert name in rl.__all__ and callable(getattr(rl, name))
    fields = {cls: {f.name for f in dataclasses.fields(cls)} for cls in
              (rl.ImitationGap, rl.ReinforceGradient, rl.QLearningResult, rl.DaggerResult,
               rl.PolicyOptimizationResult)}
    assert {"gap", "epsilon", "bc_bound", "online_bound"} <= fields[rl.ImitationGap]
    assert {"estimate", "terms"} <= fields[rl.ReinforceGradient]
    assert {"Q", "policy", "history"} <= fields[rl.QLearningResult]
    assert {"policy", "history"} <= fields[rl.DaggerResult] & fields[rl.PolicyOptimizationResult]
    keywords = {
        behavior_cloning: ("horizon", "smoothing"),
        imitation_gap: ("horizon",),
        dagger: ("horizon", "n_iter", "n_per_iter", "beta", "seed"),
        policy_gradient: ("horizon", "discount", "initial"),
        reinforce_gradient: ("behavior", "future_ratios", "baseline"),
        pretrain_finetune: ("horizon", "discount", "n_iter", "lr", "n_per_iter", "seed"),
        q_learning: ("discount", "n_steps", "buffer_size", "batch_size", "n_updates", "target_update", "lr",
                     "epsilon", "demos", "demo_margin", "exploration_bonus", "seed"),
        gail: ("discount", "horizon", "n_iter", "policy_step", "tol", "n_policy_samples", "seed"),
    }
    for fn, names in keywords.items():
        params = inspect.signature(fn).parameters
        assert all(params[n].kind is inspect.Parameter.KEYWORD_ONLY for n in names), fn.__name__
    assert list(inspect.signature(hybrid_objective).parameters)[:5] == ["mdp", "reward", "logits", "demos", "lam"]


@pytest.fixture(scope="module")
def world():
    return tirl.gridworld(3)


@pytest.fixture(scope="module")
def expert(world):
    return tirl.value_iteration(world.mdp, world.reward, horizon=T).policy


@pytest.fixture(scope="module")
def demos(world, expert):
    return tirl.sample_trajectories(world.mdp, expert, 5, horizon=T, seed=0)


@pytest.fixture
def no_work(monkeypatch):
    """Every pass of the pass layer raises: a check that fails must fail before any of them runs.

    ``rows_are_distributions`` stays: it is the validation of a policy itself.
    """
    def forbidden(*args, **kwargs):
        raise AssertionError("a pass ran before the input was validated")

    for name, fn in inspect.getmembers(_passes, inspect.isfunction):
        if fn.__module__ == _passes.__name__ and not name.startswith("_") and name != "rows_are_distributions":
            monkeypatch.setattr(_passes, name, forbidden)


BAD_STATE = Trajectories([[0, 1, 2, 99, 3]], [[0, 1, 2, 3]])
BAD_ACTION = Trajectories([[0, 1, 2, 3, 3]], [[0, 1, 7, 3]])
QL = dict(discount=0.9, n_steps=10**9, buffer_size=100, batch_size=8, target_update=10, lr=0.5, epsilon=0.1)
BIG = 10**9  # iterations that would never finish: the error must come first


def _calls(world, expert, demos, bad):
    """Every rl entry point given the demonstrations ``bad``."""
    m, r = world.mdp, world.reward
    return {
        "behavior_cloning": lambda: behavior_cloning(m, bad, horizon=T),
        "pretrain_finetune": lambda: pretrain_finetune(m, r, bad, horizon=T, n_iter=BIG, lr=1.0),
        "hybrid_objective": lambda: hybrid_objective(m, r, np.zeros((T, S, A)), bad, 1.0, horizon=T),
        "hybrid_policy_optimization": lambda: hybrid_policy_optimization(m, r, bad, 1.0, horizon=T, n_iter=BIG),
        "q_learning": lambda: q_learning(m, r, demos=bad, **QL),
        "gail": lambda: gail(m, bad, discount=0.9, horizon=T, n_iter=BIG),
        "reinforce_gradient": lambda: reinforce_gradient(m, r, np.zeros((T, S, A)), bad),
    }


@pytest.mark.parametrize("bad, match", [(BAD_STATE, r"\.states\[0, 3\] = 99 is not a state of this MDP"),
                                        (BAD_ACTION, r"\.actions\[0, 2\] = 7 is not an action of this MDP")])
@pytest.mark.parametrize("name", ["behavior_cloning", "pretrain_finetune", "hybrid_objective",
                                  "hybrid_policy_optimization", "q_learning", "gail", "reinforce_gradient"])
def test_out_of_range_demonstrations_are_named_before_any_work(world, expert, demos, no_work, bad, match, name):
    argument = "samples" if name == "reinforce_gradient" else "demos"
    with pytest.raises(ValueError, match=argument + match):
        _calls(world, expert, demos, bad)[name]()


@pytest.mark.parametrize("shape", [(S, A + 1), (T + 1, S, A), (S,), (2, T, S, A)])
def test_logits_of_the_wrong_shape_are_named_before_any_work(world, expert, demos, no_work, shape):
    m, r, bad = world.mdp, world.reward, np.zeros(shape)
    calls = {
        "logits": [lambda: policy_gradient(m, r, bad, horizon=T),
                   lambda: hybrid_objective(m, r, bad, demos, 1.0, horizon=T),
                   lambda: reinforce_gradient(m, r, bad, demos),
                   lambda: gradient_estimator_study(m, r, bad, expert, horizon=T, n=BIG)],
        "logits0": [lambda: hybrid_policy_optimization(m, r, demos, 1.0, horizon=T, logits0=bad, n_iter=BIG),
                    lambda: gail(m, demos, discount=0.9, horizon=T, logits0=bad, n_iter=BIG)],
    }
    for argument, fns in calls.items():
        for fn in fns:
            with pytest.raises(ValueError, match=rf"{argument} must have shape \(S, A\) = \(9, 5\)"):
                fn()


@pytest.mark.parametrize("lr", [0.0, -1.0, np.nan, np.inf])
def test_a_step_size_that_is_not_positive_is_named_before_any_work(world, demos, no_work, lr):
    m, r = world.mdp, world.reward
    for argument, fn in [("lr", lambda: pretrain_finetune(m, r, demos, horizon=T, n_iter=BIG, lr=lr)),
                         ("lr", lambda: hybrid_policy_optimization(m, r, demos, 1.0, horizon=T, lr=lr, n_iter=BIG)),
                         ("lr", lambda: q_learning(m, r, **dict(QL, lr=lr))),
                         ("step_size", lambda: gail(m, demos, discount=0.9, horizon=T, step_size=lr, n_iter=BIG,
                                                    policy_step="policy_gradient"))]:
        with pytest.raises(ValueError, match=rf"{argument} must be a finite number > 0"):
            fn()


@pytest.mark.parametrize("change, match", [
    (dict(batch_size=101), r"batch_size must be <= buffer_size=100, got batch_size=101"),
    (dict(epsilon=1.1), r"epsilon must be in \[0, 1\], got 1.1"),
    (dict(epsilon=-0.1), r"epsilon must be in \[0, 1\], got -0.1"),
    (dict(epsilon=np.nan), r"epsilon must be finite"),
    (dict(lr=1.5), r"lr must be <= 1"),
])
def test_q_learning_options_are_named_before_any_work(world, no_work, change, match):
    with pytest.raises(ValueError, match=match):
        q_learning(world.mdp, world.reward, **dict(QL, **change))


def test_a_step_size_above_one_would_diverge():
    """Why ``lr <= 1``: at 2 the averaged update overshoots every target by as much as it corrects."""
    world = tirl.gridworld(3)
    run = q_learning(world.mdp, world.reward, **dict(QL, n_steps=2000, lr=1.0), seed=0)
    assert np.all(np.isfinite(run.Q)) and np.abs(run.Q).max() <= 1.0 / (1.0 - 0.9) + 1e-9


def test_the_expert_policy_is_named(world, expert, no_work):
    m, r, bad = world.mdp, world.reward, np.ones((S, A))
    for fn in (lambda: imitation_gap(m, r, bad, expert, horizon=T),
               lambda: dagger(m, bad, horizon=T, n_iter=BIG, n_per_iter=5),
               lambda: gradient_estimator_study(m, r, np.zeros((S, A)), bad, horizon=T, n=BIG)):
        with pytest.raises(ValueError, match=r"expert_policy row for \(s=0\) sums to 5"):
            fn()
    with pytest.raises(ValueError, match=r"^policy row for \(s=0\) sums to 5"):
        imitation_gap(m, r, expert, bad, horizon=T)


def test_gail_demonstrations_must_cover_the_horizon(world, demos, no_work):
    with pytest.raises(ValueError, match=r"demos must have horizon T=6 .* got demonstrations of 4 steps"):
        gail(world.mdp, demos, discount=0.9, horizon=6, n_iter=BIG)


@pytest.mark.parametrize("stationary", [False, True])
def test_the_lecture_estimator_has_the_behaviour_action_values_in_expectation(seed, stationary):
    r"""``future_ratios=False``: E_q[g] = sum_t gamma^t E_{D^pi_t, pi}[grad log pi (Q^q_t - b_t)], exactly.

    The prefix ratio up to ``t`` turns the steps up to ``t`` into pi's; the rewards after ``t``
    keep the behaviour's future, hence its action values ``Q^q`` where the unbiased gradient has ``Q^pi``.
    """
    horizon, gamma = 3, 0.9
    mdp, r, logits, q1, _, tr, p_dyn = tiny_case(seed, horizon, stationary)
    n_s, n_a = mdp.n_states, mdp.n_actions
    P = mdp.transitions.toarray().reshape(n_s, n_a, n_s)
    est = reinforce_gradient(mdp, r, logits, tr, discount=gamma, behavior=q1, future_ratios=False)
    expectation = np.tensordot(p_dyn * policy_prob(q1, tr), est.terms, axes=1)

    pi = softmax(logits)
    pi_t = pi if pi.ndim == 3 else np.broadcast_to(pi, (horizon, n_s, n_a))
    r_sa = np.broadcast_to(np.asarray(r, dtype=float).reshape(n_s, -1), (n_s, n_a))
    Q_q, V_q = np.zeros((horizon, n_s, n_a)), np.zeros(n_s)  # the behaviour's action values, backwards
    for t in reversed(range(horizon)):
        Q_q[t] = r_sa + gamma * P @ V_q
        V_q = np.sum(q1[t] * Q_q[t], axis=1)
    D = tirl.visitation(mdp, pi, horizon=horizon).state[:-1]  # pi's own state distribution per step
    # d/dtheta_t(s, a) of log pi_t(b|s) is 1[a = b] - pi_t(a|s): the sum over b leaves pi (Q - E_pi Q)
    per_step = gamma ** np.arange(horizon)[:, None, None] * D[:, :, None] * pi_t * (
        Q_q - np.sum(pi_t * Q_q, axis=2, keepdims=True))
    closed_form = per_step if logits.ndim == 3 else per_step.sum(axis=0)
    np.testing.assert_allclose(expectation, closed_form, rtol=0, atol=1e-12)
    _, exact = policy_gradient(mdp, r, logits, horizon=horizon, discount=gamma)
    assert np.abs(closed_form - exact).max() > 1e-4  # and that is not the gradient: the bias is real
