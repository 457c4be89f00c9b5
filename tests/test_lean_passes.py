"""Memory-lean passes (values only, policy recomputed in the forward sweep) and batched rewards.

The lean path must give what the stored path gives: the same values bit for
bit, and expected counts equal to rounding; the batch must equal K single
passes bit for bit.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import reference as ref
import tabular_irl
from helpers import seeds, tiny_problem, tiny_sizes
from tabular_irl import _kernels, maxent_objective, random_mdp, sample_trajectories, soft_backward, value_iteration
from tabular_irl.batch import soft_backward_batch
from tabular_irl._passes import soft_counts
from tabular_irl.inference import noncausal_marginals, policy_visitation

EXACT = dict(rtol=0, atol=1e-12)


@given(tiny_sizes, seeds, st.sampled_from([0.3, 1.0, 2.5]), st.sampled_from([1.0, 0.9]), st.booleans())
def test_soft_counts_equal_the_stored_passes_and_enumeration(sizes, seed, tau, gamma, causal):
    S, A, T = sizes
    if not causal:
        gamma = 1.0
    mdp, P, init, r = tiny_problem(seed, S, A, reward_scale=3.0, sparse_initial=True)
    r = np.ascontiguousarray(r)
    plan = soft_backward(mdp, r, horizon=T, discount=None if gamma == 1.0 else gamma, causal=causal,
                         temperature=tau)
    V, total = soft_counts(mdp, r, T, gamma, init, causal=causal, temperature=tau)
    assert_array_equal(V, plan.V)  # same operations in the same order
    vis = policy_visitation(mdp, plan.policy, T, gamma, init) if causal else noncausal_marginals(mdp, plan, init)
    assert_allclose(total, vis.total_state_action, **EXACT)
    assert_allclose(total.sum(), sum(gamma**t for t in range(T)), **EXACT)
    if not causal:  # and the truth: the trajectory distribution, enumerated
        _, _, mu = ref.enumerate_noncausal(P, r, init, T, tau=tau)
        assert_allclose(total, mu.sum(axis=0), rtol=0, atol=1e-10)


@given(tiny_sizes, seeds, st.booleans())
def test_soft_forward_recomputed_policy_equals_the_stored_one(sizes, seed, causal):
    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A, sparse_initial=True)
    r = np.ascontiguousarray(r)
    plan = soft_backward(mdp, r, horizon=T, causal=causal)
    mode = _kernels.MODE_CAUSAL if causal else _kernels.MODE_NONCAUSAL
    parts, tparts = mdp._kernel_parts(), mdp._kernel_parts(transpose=True)
    stored = _kernels.soft_forward(*parts, *tparts, r, init, plan.V, plan.policy, 1.0, 1.0, mode, True, 1,
                                   store_state_action=True)
    lean = _kernels.soft_forward(*parts, *tparts, r, init, plan.V, None, 1.0, 1.0, mode, True, 1, store_state_action=True)
    for a, b in zip(stored, lean):
        assert_allclose(a, b, **EXACT)
    # a state that is never visited is skipped, yet contributes exact zeros
    total, D, mu = lean
    assert np.all(mu[D[:-1] == 0] == 0)


def test_lean_objective_equals_the_full_one(rng):
    problem = random_mdp(12, 3, 3, seed=int(rng.integers(2**31)))
    mdp = problem.mdp
    plan = soft_backward(mdp, problem.reward, horizon=5)
    demos = sample_trajectories(mdp, plan.policy, 30, horizon=5, seed=rng)
    theta = rng.normal(size=problem.features.shape[-1])
    from tabular_irl.irl._objective import evaluate, prepare_demonstrations, value_and_gradient
    for causal, discount in [(True, None), (True, 0.8), (False, None)]:
        demo = prepare_demonstrations(mdp, demos, 5, discount, causal)
        r = np.ascontiguousarray(np.repeat((problem.features @ theta)[:, None], 3, axis=1))
        v_full, g_full, _, _ = evaluate(mdp, r, demo)
        v_lean, g_lean = value_and_gradient(mdp, r, demo)
        assert v_lean == pytest.approx(v_full, abs=1e-12)
        assert_allclose(g_lean, g_full, **EXACT)
    value, grad = maxent_objective(mdp, problem.features, theta, demos, horizon=5)
    assert np.isfinite(value) and grad.shape == theta.shape


@given(tiny_sizes, seeds, st.integers(1, 5), st.sampled_from([1.0, 0.9]), st.booleans())
def test_batch_equals_single_passes_bit_for_bit(sizes, seed, K, gamma, hard):
    S, A, T = sizes
    mdp, P, init, _ = tiny_problem(seed, S, A)
    rng = np.random.default_rng(seed)
    rewards = 3.0 * rng.normal(size=(K, S, A))
    discount = None if gamma == 1.0 else gamma
    values = soft_backward_batch(mdp, rewards, horizon=T, discount=discount, hard=hard, temperature=0.7)
    assert values.V.shape == (K, T + 1, S)
    for k in range(K):
        if hard:
            single = value_iteration(mdp, rewards[k], horizon=T, discount=discount)
        else:
            single = soft_backward(mdp, rewards[k], horizon=T, discount=discount, temperature=0.7)
        assert_array_equal(values.V[k], single.V)
        assert values.log_partition[k] == single.log_partition


def test_batch_broadcasts_state_rewards_and_is_read_only():
    problem = random_mdp(6, 2, 2, seed=3)
    rewards = np.arange(12.0).reshape(2, 6)
    values = soft_backward_batch(problem.mdp, rewards, horizon=3)
    again = soft_backward_batch(problem.mdp, np.repeat(rewards[:, :, None], 2, axis=2), horizon=3)
    assert_array_equal(values.V, again.V)
    assert not values.V.flags.writeable and not values.log_partition.flags.writeable
    assert values.temperature == 1.0 and values.horizon == 3 and values.discount == 1.0


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(rewards=np.zeros((0, 6))), ValueError, r"at least one reward \(K >= 1\)"),
    (dict(rewards=np.zeros((2, 5))), ValueError, r"rewards must have shape \(K, S\) = \(K, 6\)"),
    (dict(rewards=np.zeros((2, 6, 3))), ValueError, r"\(K, S, A\) = \(K, 6, 2\)"),
    (dict(rewards=np.full((1, 6), np.nan)), ValueError, "rewards must be finite"),
    (dict(horizon=None), ValueError, "batched passes are finite-horizon"),
    (dict(horizon=2.0), TypeError, "horizon"),
    (dict(hard=1), TypeError, "hard must be True or False, got int 1"),
    (dict(temperature=0.0), ValueError, "temperature"),
    (dict(rewards=np.full((1, 6), 1e307), horizon=100), ValueError, "overflow"),
])
def test_batch_bad_input(kwargs, error, match):
    problem = random_mdp(6, 2, 2, seed=0)
    args = dict(rewards=np.zeros((2, 6)), horizon=3) | kwargs
    rewards = args.pop("rewards")
    with pytest.raises(error, match=match):
        soft_backward_batch(problem.mdp, rewards, **args)


def test_lean_and_batched_passes_do_not_depend_on_thread_count():
    problem = random_mdp(10_000, 5, 4, seed=0)
    mdp = problem.mdp
    reward = np.ascontiguousarray(np.broadcast_to(3.0 * problem.reward[:, None], (mdp.n_states, mdp.n_actions)))
    rewards = np.stack([reward, -reward, 0.5 * reward])
    init = np.ascontiguousarray(mdp.initial)
    results = []
    try:
        for n in (1, 3):
            tabular_irl.set_num_threads(n)
            results.append([*soft_counts(mdp, reward, 6, 1.0, init),
                            *soft_counts(mdp, reward, 6, 1.0, init, causal=False),
                            soft_backward_batch(mdp, rewards, horizon=6).V])
    finally:
        tabular_irl.set_num_threads(None)
    for a, b in zip(*results):
        assert_array_equal(a, b)


@given(tiny_sizes, seeds, st.sampled_from([1.0, 0.9]))
def test_causal_counts_with_kept_or_recomputed_policy_agree(sizes, seed, gamma):
    """Below ``_POLICY_BYTES`` the causal policy is kept; above it, recomputed from V: same counts."""
    import tabular_irl._passes as passes

    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A, reward_scale=3.0, sparse_initial=True)
    r = np.ascontiguousarray(r)
    kept = soft_counts(mdp, r, T, gamma, init)
    saved = passes._POLICY_BYTES
    try:
        passes._POLICY_BYTES = 0
        recomputed = soft_counts(mdp, r, T, gamma, init)
    finally:
        passes._POLICY_BYTES = saved
    assert_array_equal(kept[0], recomputed[0])
    assert_allclose(kept[1], recomputed[1], **EXACT)


@pytest.mark.parametrize("causal", [True, False])
def test_soft_counts_reuse_a_fits_scratch_arrays(causal):
    """A fit's scratch dict holds V and the policy across calls: same numbers, no new large arrays."""
    world = tabular_irl.gridworld(5, slip=0.2)
    mdp, S, A = world.mdp, world.mdp.n_states, world.mdp.n_actions
    init = np.ascontiguousarray(mdp.initial)
    scratch = {}
    for T, scale in ((6, 1.0), (6, 2.0), (4, -1.0)):  # a new horizon: new arrays of the new shape
        r = np.ascontiguousarray(scale * np.broadcast_to(world.reward[:, None], (S, A)))
        V_fresh, total_fresh = soft_counts(mdp, r, T, 0.9, init, causal=causal)
        V, total = soft_counts(mdp, r, T, 0.9, init, causal=causal, scratch=scratch)
        assert_array_equal(V, V_fresh)
        assert_array_equal(total, total_fresh)
        assert V is scratch["V"] and V.shape == (T + 1, S)
        assert ("policy" in scratch) == causal
    held = {k: v for k, v in scratch.items()}
    soft_counts(mdp, r, 4, 0.9, init, causal=causal, scratch=scratch)
    assert all(scratch[k] is held[k] for k in held)
