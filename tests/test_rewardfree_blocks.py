"""The block Cholesky factorisation of the interior-point Newton system against dense LAPACK and sparse LU."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from tabular_irl import gridworld
from tabular_irl.rewardfree._blocks import BlockCholesky, factor_bytes
from tabular_irl.rewardfree._exact import _Certificate
from tabular_irl.rewardfree._interior import interior_point
from tabular_irl.rewardfree._model import resolve_model
from tabular_irl.rewardfree._occupancy import allowed_actions, flow


def _flow(size, horizon, slip=0.1):
    mdp = gridworld(size, slip=slip, goals=[], initial=(0, 0)).mdp
    model = resolve_model(mdp, horizon, None, None)
    return model, flow(model, allowed_actions(model, np.zeros(mdp.n_states, dtype=bool)))


def _newton_matrix(fl, scale, rng, border=True):
    """``B D B^T + diag(0, d)`` as the interior-point method forms it, with ``D`` spread over ``exp(+-scale)``."""
    D = np.exp(rng.uniform(-scale, scale, fl.z0.size))
    if not border:
        return sp.csc_array(fl.A @ sp.diags_array(D) @ fl.A.T)
    B = sp.vstack([fl.A, -fl.M])
    d = fl.M @ fl.z0
    return sp.csc_array(B @ sp.diags_array(D) @ B.T + sp.diags_array(np.concatenate([np.zeros(fl.A.shape[0]), d])))


@settings(max_examples=15, deadline=None)
@given(size=st.integers(2, 5), horizon=st.integers(1, 7), border=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_solve_matches_dense_lapack(size, horizon, border, seed):
    rng = np.random.default_rng(seed)
    _, fl = _flow(size, horizon)
    K = _newton_matrix(fl, 2.0, rng, border)
    rhs = rng.standard_normal(K.shape[0])
    x = BlockCholesky(fl.offsets, fl.M.shape[0] if border else 0).factorise(K).solve(rhs)
    expected = np.linalg.solve(K.toarray(), rhs)
    np.testing.assert_allclose(x, expected, rtol=0, atol=1e-10 * np.abs(expected).max())


def test_refactorising_reuses_the_arrays_and_forgets_the_last_matrix():
    rng = np.random.default_rng(0)
    _, fl = _flow(4, 6)
    blocks = BlockCholesky(fl.offsets, fl.M.shape[0])
    first = [id(a) for a in blocks.diag + blocks.sub + blocks.border]
    for _ in range(3):
        K = _newton_matrix(fl, 3.0, rng)
        rhs = rng.standard_normal(K.shape[0])
        x = blocks.factorise(K).solve(rhs)
        assert np.linalg.norm(K @ x - rhs) <= 1e-9 * np.linalg.norm(rhs)
    assert [id(a) for a in blocks.diag + blocks.sub + blocks.border] == first
    allocated = sum(a.nbytes for a in blocks.diag + blocks.sub + blocks.border) + blocks.L_vv.nbytes
    assert factor_bytes(fl.offsets, fl.M.shape[0]) == allocated


def test_an_indefinite_matrix_is_refused():
    rng = np.random.default_rng(1)
    _, fl = _flow(3, 4)
    K = sp.lil_array(_newton_matrix(fl, 1.0, rng))
    late = fl.offsets[-2]  # a pivot of the last step
    K[late, late] = -1.0
    with pytest.raises(np.linalg.LinAlgError, match="not positive"):
        BlockCholesky(fl.offsets, fl.M.shape[0]).factorise(sp.csc_array(K))


@pytest.mark.parametrize("size, horizon", [(4, 8), (6, 12)])
def test_interior_point_by_blocks_matches_sparse_lu(size, horizon):
    # the same iterates up to rounding: both certified to 1e-10, the optima equal to that
    model, fl = _flow(size, horizon)
    S = model.mdp.n_states
    log_q = np.zeros(S)
    values = []
    for offsets in (fl.offsets, None):
        cert = _Certificate(model, log_q, np.isin(np.arange(S), fl.states), np.zeros(S, dtype=bool), fl.index,
                            fl.states)
        ip = interior_point(fl.A, fl.b, fl.M, log_q[fl.states], fl.z0, max_iter=200, offsets=offsets,
                            done=lambda z, cert=cert: cert.offer(z, fl.M @ z) <= 1e-10)
        assert ip.done and cert.upper - cert.lower <= 1e-10
        values.append(cert.upper)
    assert values[0] == pytest.approx(values[1], abs=2e-10)


def test_a_factor_that_cannot_fit_fails_at_once(monkeypatch):
    _, fl = _flow(4, 6)
    need = factor_bytes(fl.offsets, fl.M.shape[0])
    monkeypatch.setenv("TABULAR_IRL_MEMORY_LIMIT", str(need - 1))
    with pytest.raises(MemoryError, match='block Cholesky factor needs .*method="frank-wolfe"'):
        BlockCholesky(fl.offsets, fl.M.shape[0])
    monkeypatch.setenv("TABULAR_IRL_MEMORY_LIMIT", str(need))
    BlockCholesky(fl.offsets, fl.M.shape[0])


def test_repeated_entries_are_summed_and_far_couplings_refused():
    rng = np.random.default_rng(2)
    _, fl = _flow(3, 4)
    K = _newton_matrix(fl, 1.0, rng)
    coo = sp.coo_array(K)
    half = coo.data / 2  # every entry stored twice, halves: the same matrix, not in canonical form
    doubled = sp.coo_array((np.concatenate([half, half]), (np.concatenate([coo.row, coo.row]),
                                                           np.concatenate([coo.col, coo.col]))), shape=K.shape)
    rhs = rng.standard_normal(K.shape[0])
    blocks = BlockCholesky(fl.offsets, fl.M.shape[0])
    np.testing.assert_allclose(blocks.factorise(doubled).solve(rhs), np.linalg.solve(K.toarray(), rhs),
                               rtol=1e-10, atol=1e-12)
    far = sp.lil_array(K)
    far[fl.offsets[2], fl.offsets[0]] = far[fl.offsets[0], fl.offsets[2]] = 1e-3  # step 0 with step 2
    with pytest.raises(ValueError, match="couples steps 0 and 2"):
        blocks.factorise(sp.csc_array(far))


def test_a_failed_factorisation_leaves_nothing_behind():
    # a pivot fails half-way (step 1) or at the border; the next factorisation into the same arrays is exact
    rng = np.random.default_rng(3)
    _, fl = _flow(3, 4)
    blocks = BlockCholesky(fl.offsets, fl.M.shape[0])
    K = _newton_matrix(fl, 1.0, rng)
    rhs = rng.standard_normal(K.shape[0])
    for row in (fl.offsets[1], K.shape[0] - 1):
        bad = sp.lil_array(K)
        bad[row, row] = -1.0
        with pytest.raises(np.linalg.LinAlgError, match="not positive"):
            blocks.factorise(sp.csc_array(bad))
        np.testing.assert_allclose(blocks.factorise(K).solve(rhs), np.linalg.solve(K.toarray(), rhs),
                                   rtol=1e-10, atol=1e-12)


def test_an_indefinite_newton_system_falls_back_on_sparse_lu():
    from tabular_irl.rewardfree._interior import _factorise

    rng = np.random.default_rng(4)
    _, fl = _flow(3, 4)
    K = sp.lil_array(_newton_matrix(fl, 1.0, rng))
    K[fl.offsets[1], fl.offsets[1]] = -1.0  # symmetric, nonsingular, not positive definite
    K = sp.csc_array(K)
    rhs = rng.standard_normal(K.shape[0])
    solve, by_blocks = _factorise(K, BlockCholesky(fl.offsets, fl.M.shape[0]))
    assert not by_blocks
    np.testing.assert_allclose(solve(rhs), np.linalg.solve(K.toarray(), rhs), rtol=1e-8, atol=1e-10)
    solve, by_blocks = _factorise(sp.csc_array(_newton_matrix(fl, 1.0, rng)), BlockCholesky(fl.offsets, fl.M.shape[0]))
    assert by_blocks


def test_one_factor_alive_at_a_time(monkeypatch):
    # interior_point factorises A A^T for its start, then the Newton systems: never both factors at once
    from tabular_irl.rewardfree import _blocks, _interior

    alive, peak = [], [0]

    class Counted(_blocks.BlockCholesky):
        def __init__(self, offsets, k):
            super().__init__(offsets, k)
            alive.append(1)

        def __del__(self):
            alive.pop()

        def factorise(self, K):
            peak[0] = max(peak[0], len(alive))
            return super().factorise(K)

    monkeypatch.setattr(_interior, "BlockCholesky", Counted)
    model, fl = _flow(4, 6)
    S = model.mdp.n_states
    cert = _Certificate(model, np.zeros(S), np.isin(np.arange(S), fl.states), np.zeros(S, dtype=bool), fl.index,
                        fl.states)
    ip = interior_point(fl.A, fl.b, fl.M, np.zeros(fl.states.size), fl.z0, max_iter=200, offsets=fl.offsets,
                        done=lambda z: cert.offer(z, fl.M @ z) <= 1e-10)
    assert ip.done and peak[0] == 1
