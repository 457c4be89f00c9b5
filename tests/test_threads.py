"""The OpenMP branches: results are bit-identical for any thread count.

Problems below ``pass_layer._PARALLEL_MIN_ROWS`` state-action pairs run on one
thread, so this uses a Garnet MDP above that size; without OpenMP every
thread count is 1 and the comparison is trivially true.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import tabular_irl
from tabular_irl import _passes as pass_layer, posterior_marginals, random_mdp, soft_backward, visitation
from tabular_irl.rl import policy_gradient


@pytest.fixture
def big_mdp():
    problem = random_mdp(10_000, 5, 4, seed=0)
    assert problem.mdp.n_states * problem.mdp.n_actions >= pass_layer._PARALLEL_MIN_ROWS
    return problem


def _passes(problem):
    mdp = problem.mdp
    reward = 3.0 * np.asarray(problem.reward)
    causal = soft_backward(mdp, reward, horizon=6)
    noncausal = soft_backward(mdp, reward, horizon=6, causal=False)
    discounted = soft_backward(mdp, reward, discount=0.9)
    logits = np.random.default_rng(0).normal(size=(6, mdp.n_states, mdp.n_actions))
    J, grad = policy_gradient(mdp, reward, logits, horizon=6)
    return [causal.V, causal.policy, noncausal.V, noncausal.policy, discounted.V, np.array(J), grad,
            visitation(mdp, causal.policy, horizon=6).state_action,
            posterior_marginals(mdp, reward, horizon=6).state_action]


def test_results_do_not_depend_on_thread_count(big_mdp):
    try:
        tabular_irl.set_num_threads(1)
        single = _passes(big_mdp)
        tabular_irl.set_num_threads(4)
        assert tabular_irl.get_num_threads() == (4 if tabular_irl.show_config(print_out=False)["openmp"] else 1)
        multi = _passes(big_mdp)
    finally:
        tabular_irl.set_num_threads(None)
    for a, b in zip(single, multi):
        assert_array_equal(a, b)
    assert np.abs(multi[-1].sum(axis=(1, 2)) - 1).max() < 1e-12


def test_passes_remember_their_pace_without_changing_a_bit(big_mdp):
    """A pass starts from what the last pass of its kind measured (one-thread and all-thread seconds per step)."""
    from tabular_irl import _passes as pass_layer

    if not tabular_irl.show_config(print_out=False)["openmp"]:
        pytest.skip("built without OpenMP: one thread, nothing to pace")
    mdp, reward = big_mdp.mdp, np.ascontiguousarray(np.broadcast_to(big_mdp.reward[:, None], (10_000, 5)))
    pass_layer._PACES.clear()
    try:
        tabular_irl.set_num_threads(2)
        first = soft_backward(mdp, reward, horizon=12)
        pace = pass_layer._PACES[("backward", mdp.n_states, mdp.n_actions, mdp.nnz, pass_layer.MODE_CAUSAL)]
        assert pace[0] > 0 and pace[1] > 0 and pace[2] >= 4  # both counts timed, a probe interval kept
        again = soft_backward(mdp, reward, horizon=12)  # starts from it
    finally:
        tabular_irl.set_num_threads(None)
    assert_array_equal(first.V, again.V)
    assert_array_equal(first.V, soft_backward(mdp, reward, horizon=12).V)
