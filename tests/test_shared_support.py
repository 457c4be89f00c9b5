"""Kernels on MDPs whose actions share each state's successor list (csrc/_products.h).

The shared-support products read each successor once for all actions. The
backward passes must give the bits of the row-by-row products; the forward
gather sums per action first, so it may differ by rounding only, and must not
depend on the thread count.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from helpers import random_dense_P, random_initial, seeds, shared_support_P
from tabular_irl import MDP, _kernels, gridworld, random_mdp
from tabular_irl.mdp import _rows_share_support

MODES = [_kernels.MODE_CAUSAL, _kernels.MODE_HARD]


def _brute_force_shared(mdp: MDP) -> bool:
    P = mdp.transitions
    A = mdp.n_actions
    rows = [tuple(P.indices[P.indptr[k]:P.indptr[k + 1]]) for k in range(P.shape[0])]
    return all(len(set(rows[s * A:(s + 1) * A])) == 1 for s in range(mdp.n_states))


def _problem(seed: int, S: int, A: int, shared: bool):
    rng = np.random.default_rng(seed)
    P = shared_support_P(rng, S, A, width=int(rng.integers(1, 5))) if shared else random_dense_P(rng, S, A)
    mdp = MDP.from_dense(P, random_initial(rng, S, sparse=True))
    return mdp, np.ascontiguousarray(rng.normal(size=(S, A)) * 3.0)


def _parts(mdp: MDP, transpose: bool, itype):
    indptr, indices, data = mdp._kernel_parts(transpose)
    return indptr.astype(itype), indices.astype(itype), data


def _compact(mdp: MDP, transpose: bool, itype):
    """succ (P) or pred (P^T) in the index type of the test."""
    return mdp._shared_parts(transpose).astype(itype)


@given(seeds, st.integers(1, 6), st.integers(1, 10), st.booleans())
def test_detection_matches_the_definition(seed, S, A, shared):
    mdp, _ = _problem(seed, S, A, shared)
    assert mdp._shared_support() == _brute_force_shared(mdp)
    if shared:
        assert mdp._shared_support()
    if mdp._shared_support():  # the compact lists: each state's successors, each run's predecessor
        P, PT = mdp.transitions, mdp.transitions_t
        succ = [P.indices[P.indptr[s * A]:P.indptr[s * A + 1]] for s in range(S)]
        assert_array_equal(mdp._shared_parts(), np.concatenate(succ))
        assert_array_equal(mdp._shared_parts(transpose=True), PT.indices[::A] // A)
        assert all(np.all(np.diff(PT.indices[j:j + A]) == 1) for j in range(0, PT.nnz, A))
    else:
        assert mdp._shared_parts() is None and mdp._shared_parts(transpose=True) is None
    # a small chunk walks the same comparison in pieces
    indptr, indices, _ = mdp._kernel_parts()
    assert _rows_share_support(indptr, indices, S, A, chunk=1) == _brute_force_shared(mdp)


def test_detection_on_the_built_in_worlds():
    assert gridworld(5, slip=0.2).mdp._shared_support()
    assert not gridworld(5, slip=0.0).mdp._shared_support()  # each action its own successor
    assert not random_mdp(30, 4, 3, seed=0).mdp._shared_support()
    # equal row lengths are not enough
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = P[1, :, 1] = 1.0
    assert not MDP.from_dense(P, [1.0, 0.0])._shared_support()


@given(seeds, st.integers(1, 7), st.integers(1, 10), st.integers(1, 4), st.sampled_from(MODES),
       st.sampled_from([np.int32, np.int64]))
def test_backward_is_bit_identical_to_the_row_by_row_products(seed, S, A, T, mode, itype):
    mdp, r = _problem(seed, S, A, shared=True)
    parts, succ = _parts(mdp, False, itype), _compact(mdp, False, itype)
    for gamma in (1.0, 0.9):
        rows = _kernels.backward_finite(*parts, r, T, gamma, 0.7, mode, 1)
        for n_threads in (1, 2):
            fast = _kernels.backward_finite(*parts, r, T, gamma, 0.7, mode, n_threads, succ=succ)
            for a, b in zip(rows, fast):
                assert_array_equal(a, b)
    rows = _kernels.backward_discounted(*parts, r, 0.8, 0.7, mode, 1e-9, 500, 1)
    fast = _kernels.backward_discounted(*parts, r, 0.8, 0.7, mode, 1e-9, 500, 2, succ=succ)
    for a, b in zip(rows, fast):
        assert_array_equal(a, b)


@given(seeds, st.integers(1, 7), st.integers(1, 10), st.integers(1, 5), st.sampled_from(MODES),
       st.sampled_from([np.int32, np.int64]))
def test_batch_is_bit_identical_to_single_passes(seed, S, A, K, mode, itype):
    mdp, r = _problem(seed, S, A, shared=True)
    parts, succ = _parts(mdp, False, itype), _compact(mdp, False, itype)
    rewards = np.ascontiguousarray(np.random.default_rng(seed).normal(size=(S, A, K)))
    for n_threads in (1, 2):
        V = _kernels.backward_values_batch(*parts, rewards, 3, 0.95, 0.6, mode, n_threads, succ=succ)
        for k in range(K):
            single = _kernels.backward_finite(*parts, np.ascontiguousarray(rewards[:, :, k]), 3, 0.95, 0.6, mode, 1)
            assert_array_equal(V[k], single[0])


@given(seeds, st.integers(1, 7), st.integers(1, 10), st.integers(1, 4), st.sampled_from([np.int32, np.int64]))
def test_forward_equals_the_ordered_gather_to_rounding(seed, S, A, T, itype):
    mdp, r = _problem(seed, S, A, shared=True)
    init = np.ascontiguousarray(mdp.initial)
    parts, tparts = _parts(mdp, False, itype), _parts(mdp, True, itype)
    succ, pred = _compact(mdp, False, itype), _compact(mdp, True, itype)
    V, _, pi = _kernels.backward_finite(*parts, r, T, 1.0, 1.0, _kernels.MODE_CAUSAL, 1)
    D, mu, _ = _kernels.forward_finite(*tparts, init, pi, T, 1)
    D1, mu1, total1 = _kernels.forward_finite(*tparts, init, pi, T, 1, pred=pred)
    D2, mu2, total2 = _kernels.forward_finite(*tparts, init, pi, T, 2, pred=pred)
    assert_allclose(D1, D, rtol=1e-14, atol=1e-16)
    assert_allclose(mu1, mu, rtol=1e-14, atol=1e-16)
    assert_array_equal(D1, D2)  # any thread count: the same bits
    assert_array_equal(mu1, mu2)
    assert_array_equal(total1, total2)
    assert_array_equal(total1, mu1.sum(axis=0))  # summed over t in order, as NumPy does
    # the gradient's forward pass, with the kept policy and recomputing it, uses the same gather
    for policy in (pi, None):
        total, Dg, mug = _kernels.soft_forward(*parts, *tparts, r, init, V, policy, 1.0, 1.0,
                                               _kernels.MODE_CAUSAL, True, 1, succ=succ, pred=pred,
                                               store_state_action=True)
        assert_array_equal(Dg, D1)
        assert_allclose(mug, mu1, rtol=0, atol=1e-15)


@pytest.mark.parametrize("n", [8, 13])
def test_gridworld_passes_through_the_public_api(n):
    """The public functions pick the shared path for a gridworld; the NumPy reference agrees."""
    import reference as ref
    from tabular_irl import soft_backward, visitation

    world = gridworld(n, slip=0.3)
    mdp, S, A = world.mdp, world.mdp.n_states, world.mdp.n_actions
    r = np.ascontiguousarray(np.broadcast_to(np.asarray(world.reward, float).reshape(S, -1), (S, A)))
    assert mdp._shared_support()
    plan = soft_backward(mdp, r, horizon=20)
    vis = visitation(mdp, plan.policy, horizon=20)
    V, _, pi = ref.sparse_backward(mdp.transitions, r, 20)
    D, _ = ref.sparse_forward(mdp.transitions_t, mdp.initial, pi, 20)
    assert_allclose(plan.V, V, rtol=0, atol=1e-10)
    assert_allclose(vis.state, D, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------
# shared probability patterns (tabular_irl/_patterns.py): the same values from a smaller place
# --------------------------------------------------------------------------

def _patterned(monkeypatch, build):
    """``build()`` twice: once with the patterns on at any size, once with none (a fresh MDP each)."""
    from tabular_irl import _patterns

    monkeypatch.setattr(_patterns, "MIN_BYTES", 0)
    on = build()
    monkeypatch.setattr(_patterns, "MIN_BYTES", 1 << 62)
    off = build()
    return on, off


@given(seeds, st.integers(1, 5), st.integers(1, 4))
def test_patterns_hold_every_states_own_values_bit_for_bit(seed, A, n_blocks):
    """Blocks drawn from a few prototypes (and -0.0 against 0.0): each state's and run's values, byte-exact."""
    from tabular_irl import _patterns

    rng = np.random.default_rng(seed)
    S, L = 30, 3
    prototypes = rng.dirichlet(np.ones(L), size=(n_blocks, A))
    P = np.zeros((S, A, S))
    for s in range(S):
        P[s][:, (s + np.arange(L)) % S] = prototypes[rng.integers(n_blocks)]
    mdp = MDP.from_dense(P, random_initial(rng, S, sparse=False))
    indptr, _, data = mdp._kernel_parts()
    saved, _patterns.MIN_BYTES = _patterns.MIN_BYTES, 0  # (hypothesis runs many examples per fixture)
    try:
        found = _patterns.classes(indptr, data, S, A)
    finally:
        _patterns.MIN_BYTES = saved
    if found is None:  # the blocks did not repeat enough to pay (more distinct blocks than a quarter)
        assert len({data[indptr[s * A]:indptr[s * A + A]].tobytes() for s in range(S)}) * A * L > 0.25 * data.size
        return
    poff, pdata = _patterns.patterns(found)
    for s in range(S):
        lo, hi = indptr[s * A], indptr[s * A + A]
        assert pdata[poff[s]:poff[s] + hi - lo].tobytes() == data[lo:hi].tobytes()
    t_indptr, _, t_data = mdp._kernel_parts(transpose=True)
    toff, tdata = _patterns.transposed_patterns(found, indptr, mdp._shared_parts(), t_data,
                                                mdp._shared_parts(transpose=True), S, A)
    runs = np.concatenate([tdata[o:o + A] for o in toff])
    assert runs.tobytes() == t_data.tobytes()


@pytest.mark.parametrize("chunk", [7, 1 << 15])
def test_unique_blocks_equals_the_exact_row_sort(chunk, monkeypatch):
    from tabular_irl import _patterns

    rng = np.random.default_rng(0)
    raw = rng.integers(-3, 3, size=2000).astype(np.int64)
    starts = rng.integers(0, 2000 - 4, size=500)
    unique, inverse = _patterns._unique_blocks(raw, starts, 4, chunk)
    cells = raw[starts[:, None] + np.arange(4)]
    assert_array_equal(unique[inverse], cells)
    assert len(unique) == len(np.unique(cells, axis=0))
    # a hash that collides everywhere: the comparison catches it and the exact sort answers
    monkeypatch.setattr(_patterns, "_block_hashes", lambda raw, starts, width, chunk: np.zeros(len(starts), np.uint64))
    unique, inverse = _patterns._unique_blocks(raw, starts, 4, chunk)
    assert_array_equal(unique[inverse], cells)
    assert len(unique) == len(np.unique(cells, axis=0))


def test_random_dynamics_have_no_patterns():
    problem = random_mdp(2000, 4, 30, seed=0)  # 240,000 stored values: large enough, but every block distinct
    assert problem.mdp._pattern_parts() == (None, None)


@pytest.mark.parametrize("n", [9, 16])
def test_every_pass_gives_the_same_bits_with_patterns(monkeypatch, n):
    """A slippery gridworld has a few distinct blocks: the passes read them there, with the same results."""
    from tabular_irl import soft_backward, value_iteration, visitation
    from tabular_irl.rl import policy_gradient

    def run():
        world = gridworld(n, slip=0.3)
        mdp = world.mdp
        S, A = mdp.n_states, mdp.n_actions
        r = np.ascontiguousarray(np.broadcast_to(np.asarray(world.reward, float).reshape(S, -1), (S, A)))
        plan = soft_backward(mdp, r, horizon=15)
        logits = np.random.default_rng(1).normal(size=(15, S, A))
        return mdp._pattern_parts()[0] is not None, [
            plan.V, plan.Q, plan.policy, visitation(mdp, plan).state, visitation(mdp, plan.policy, horizon=15).state,
            soft_backward(mdp, r, discount=0.95).V, value_iteration(mdp, r, horizon=15).V,
            *policy_gradient(mdp, r, logits, horizon=15)[1:]]

    (has_on, on), (has_off, off) = _patterned(monkeypatch, run)
    assert has_on and not has_off
    for a, b in zip(on, off):
        assert_array_equal(a, b)
