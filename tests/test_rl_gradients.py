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


@pytest.mark.parametrize("model, stationary", [
    (dict(horizon=4), True), (dict(horizon=4), False), (dict(horizon=3, discount=0.8), True),
    (dict(horizon=3, discount=0.8), False), (dict(discount=0.9), True)])  # time-indexed logits need a horizon
def test_gradient_matches_finite_differences(seed, model, stationary):
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


# -- the sampled estimator (REINFORCE) ----------------------------------------------

from tabular_irl import MDP, Trajectories, sample_trajectories  # noqa: E402
from tabular_irl.approx import PolicyMixture  # noqa: E402
from tabular_irl.rl import reinforce_gradient  # noqa: E402

from reference import all_trajectories  # noqa: E402


def every_trajectory(P, initial, T):
    """All trajectories the dynamics allow, as Trajectories, with their start-and-dynamics probability."""
    S, A, _ = P.shape
    states, actions, prob = [], [], []
    for s, a in all_trajectories(S, A, T):
        p = initial[s[0]] * np.prod(P[s[:-1], a, s[1:]])
        if p > 0:
            states.append(s), actions.append(a), prob.append(p)
    return Trajectories(np.array(states), np.array(actions)), np.array(prob)


def policy_prob(policy, tr):
    T = tr.horizon
    steps = np.arange(T)
    per = policy[steps, tr.states[:, :-1], tr.actions] if policy.ndim == 3 else policy[tr.states[:, :-1], tr.actions]
    return per.prod(axis=1)


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def tiny_case(seed, T=3, stationary=False):
    mdp, P, init, r = tiny_problem(seed, 2, 2)
    rng = np.random.default_rng(seed + 7)
    logits = rng.normal(size=(2, 2) if stationary else (T, 2, 2))
    q1, q2 = rng.dirichlet(np.ones(2), size=(T, 2)), rng.dirichlet(np.ones(2), size=(2,))
    tr, p_dyn = every_trajectory(P, init, T)
    return mdp, r, logits, q1, q2, tr, p_dyn


@pytest.mark.parametrize("stationary", [False, True])
@pytest.mark.parametrize("baseline", [None, "value", "random"])
@pytest.mark.parametrize("sampling", ["on-policy", "off-policy", "fusion"])
def test_reinforce_is_unbiased_exactly(seed, stationary, baseline, sampling):
    """Weighting every trajectory by its probability under the sampler gives the exact expectation."""
    T = 3
    mdp, r, logits, q1, q2, tr, p_dyn = tiny_case(seed, T, stationary)
    if baseline == "random":
        baseline = np.random.default_rng(seed).normal(size=(T, 2))
    behavior = {"on-policy": None, "off-policy": q1, "fusion": [q1, q2]}[sampling]
    q = {"on-policy": lambda: policy_prob(softmax(logits), tr), "off-policy": lambda: policy_prob(q1, tr),
         "fusion": lambda: 0.5 * (policy_prob(q1, tr) + policy_prob(q2, tr))}[sampling]()
    keep = q > 0
    tr = Trajectories(tr.states[keep], tr.actions[keep])
    weight = (p_dyn * q)[keep]
    est = reinforce_gradient(mdp, r, logits, tr, discount=0.9, behavior=behavior, baseline=baseline)
    expectation = np.tensordot(weight, est.terms, axes=1)
    _, exact = policy_gradient(mdp, r, logits, horizon=T, discount=0.9)
    np.testing.assert_allclose(expectation, exact, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(est.estimate, est.terms.mean(axis=0))
    assert est.on_policy == (behavior is None)


def test_future_ratios_false_is_biased_off_policy_and_the_same_on_policy():
    T = 3
    mdp, r, logits, q1, q2, tr, p_dyn = tiny_case(0, T)
    _, exact = policy_gradient(mdp, r, logits, horizon=T)
    weight = p_dyn * policy_prob(q1, tr)
    lecture = reinforce_gradient(mdp, r, logits, tr, behavior=q1, future_ratios=False)
    bias = np.tensordot(weight, lecture.terms, axes=1) - exact
    assert np.abs(bias).max() > 1e-3  # the lecture's formula is biased off-policy ...
    on = reinforce_gradient(mdp, r, logits, tr)
    np.testing.assert_array_equal(on.terms, reinforce_gradient(mdp, r, logits, tr, future_ratios=False).terms)


def test_reinforce_mean_over_seeds_approaches_the_exact_gradient():
    """The average of independent estimates lies within a few standard errors of the exact gradient."""
    world_mdp, _, _, r = tiny_problem(3, 4, 3)
    logits = np.random.default_rng(0).normal(size=(4, 3))
    T = 4
    _, exact = policy_gradient(world_mdp, r, logits, horizon=T)
    pi = softmax(logits)
    estimates = np.array([reinforce_gradient(world_mdp, r, logits,
                                             sample_trajectories(world_mdp, pi, 50, horizon=T, seed=k)).estimate
                          for k in range(400)])
    mean = estimates.mean(axis=0)
    se = estimates.std(axis=0, ddof=1) / np.sqrt(len(estimates))
    # 12 entries, each within 4.5 standard errors (a two-sided normal tail of 7e-6 each)
    assert np.all(np.abs(mean - exact) <= 4.5 * se + 1e-12)
    assert se.max() < 0.05 * np.abs(exact).max()  # and the test has power: the error bar is small


def test_the_optimal_proposal_is_proportional_to_p_abs_f():
    """One decision from one state: for one gradient entry f(a) = r(a) (1[a = j] - pi(j)), q* ∝ pi |f|
    gives the smallest variance of all proposals, (E_pi |f|)^2 - g^2 (zero when f has one sign)."""
    mdp = MDP.from_dense(np.ones((1, 4, 1)), initial=[1.0])
    r = np.array([[1.0, -2.0, 0.5, 3.0]])
    logits = np.array([[0.3, -0.2, 0.1, 0.0]])
    pi = softmax(logits)[0]
    tr = Trajectories(np.zeros((4, 2), dtype=int), np.arange(4)[:, None])
    j = 1
    _, exact = policy_gradient(mdp, r, logits, horizon=1)
    f = r[0] * (np.eye(4)[j] - pi[j])
    q_star = pi * np.abs(f) / np.sum(pi * np.abs(f))

    def variance(q):
        terms = reinforce_gradient(mdp, r, logits, tr, behavior=q[None]).terms[:, 0, j]
        return float(q @ terms**2 - (q @ terms) ** 2), float(q @ terms)

    v_star, mean_star = variance(q_star)
    assert mean_star == pytest.approx(exact[0, j], abs=1e-14)
    assert v_star == pytest.approx(np.sum(pi * np.abs(f)) ** 2 - exact[0, j] ** 2, abs=1e-12)
    rng = np.random.default_rng(0)
    for q in [pi] + list(rng.dirichlet(np.ones(4), size=50)):
        assert variance(q)[0] >= v_star - 1e-12


def test_reinforce_bad_input():
    mdp, r, logits, q1, q2, tr, _ = tiny_case(0)
    with pytest.raises(ValueError, match="behavior"):
        reinforce_gradient(mdp, r, logits, tr, behavior=np.ones((5, 2)))
    with pytest.raises(ValueError, match="baseline must have shape"):
        reinforce_gradient(mdp, r, logits, tr, baseline=np.zeros(7))
    with pytest.raises(ValueError, match="baseline must be None, 'value'"):
        reinforce_gradient(mdp, r, logits, tr, baseline="mean")
    with pytest.raises(ValueError, match="logits must have shape"):
        reinforce_gradient(mdp, r, logits[:2], tr)
    with pytest.raises(TypeError, match="samples must be"):
        reinforce_gradient(mdp, r, logits, None)
    never = np.array([[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="probability 0"):
        reinforce_gradient(mdp, r, logits, tr, behavior=never)
    with pytest.raises(ValueError, match=r"samples.states\[0, 1\] = 5 is not a state of this MDP \(n_states=2\)"):
        reinforce_gradient(mdp, r, logits, Trajectories([[0, 5, 0, 0]], [[0, 0, 0]]))


def test_gradient_estimator_study_measures_the_bias():
    from tabular_irl import gridworld, soft_backward
    from tabular_irl.rl import gradient_estimator_study
    world = gridworld(3, slip=0.1)
    expert = soft_backward(world.mdp, 3 * world.reward, horizon=5).policy
    table = gradient_estimator_study(world.mdp, world.reward, np.zeros((9, 5)), expert, horizon=5, n=20_000, seed=0)
    assert [r[:2] for r in table.rows] == [(s, f) for s in ("on-policy", "demos", "fusion") for f in (True, False)]
    on_true, on_false = table.where(sampler="on-policy").rows
    assert on_true[3:] == on_false[3:]  # on-policy every ratio is 1: the two formulas coincide
    for row in table.where(future_ratios=True).rows:
        assert row[3] < 5 * row[4]  # unbiased: within the noise
    fusion_lecture = table.where(sampler="fusion", future_ratios=False).rows[0]
    assert fusion_lecture[3] > 5 * fusion_lecture[4]  # biased: far beyond the noise
    assert table.meta["gradient_norm"] > 0


def test_reinforce_terms_that_cannot_fit_fail_at_once(monkeypatch):
    mdp, r, logits, q1, q2, tr, _ = tiny_case(0)
    monkeypatch.setenv("TABULAR_IRL_MEMORY_LIMIT", "1K")
    with pytest.raises(MemoryError, match="per-trajectory terms"):
        reinforce_gradient(mdp, r, logits, tr)
