r"""Cholesky factorisation of the interior-point Newton system, block by time step.

With a horizon the Newton system of :mod:`~tabular_irl.rewardfree._interior`,

.. math::

    K = \begin{pmatrix} A D A^\top & -A D M^\top \\ -M D A^\top & H^{-1} + M D M^\top \end{pmatrix},

is block tridiagonal in time with a border: the flow row of ``(t, s)``
involves the occupancies of steps ``t`` and ``t - 1`` only, so ``A D A^T``
couples a step with its neighbours, and the last block (one row per state,
the marginal ``v``) couples with every step. A general sparse ordering of
this space-time lattice fills in like a 3-d grid (``3e7`` entries for a
32x32 grid at ``T = 64``, 15-55 s per factorisation in SuperLU). Eliminated
step after step instead, each block's Schur complement is dense but at most
``S x S``, and every operation is a dense BLAS-3 call (Cholesky, triangular
solve, symmetric rank-k update) running at the machine's floating-point
speed (about ``2e11`` operations, a few seconds, for the same system):

.. math::

    L_{tt} L_{tt}^\top = K_{tt} - L_{t,t-1} L_{t,t-1}^\top, \qquad
    L_{t+1,t} = K_{t+1,t} L_{tt}^{-\top}, \qquad
    L_{vt} = (K_{vt} - L_{v,t-1} L_{t,t-1}^\top) L_{tt}^{-\top},

and finally :math:`L_{vv} L_{vv}^\top = K_{vv} - \sum_t L_{vt} L_{vt}^\top`.
The factor needs ``8 (\sum_t n_t^2 + \sum_t n_t n_{t+1} + k \sum_t n_t + k^2)``
bytes (:func:`factor_bytes`), ``n_t`` the flow rows of step ``t`` and ``k``
the states.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas, lapack

from .._memory import check_fits

__all__ = ["BlockCholesky", "factor_bytes"]


def factor_bytes(offsets: np.ndarray, k: int) -> int:
    """Bytes the factor of a system with flow rows ``offsets`` (per step) and ``k`` border rows holds."""
    n = np.diff(np.asarray(offsets, dtype=np.int64))
    return int(8 * (np.sum(n * n) + np.sum(n[1:] * n[:-1]) + k * np.sum(n) + k * k))


class _Entries:
    """The lower triangle of ``K`` grouped by block: ``(row, col, value)`` of block ``(i, j)``, ``i >= j``.

    Block ``len(offsets) - 1`` is the border. One sort of the nonzeros per
    factorisation instead of three sparse slices per step (whose fixed cost
    dominates on short, narrow steps).
    """

    def __init__(self, K: sp.sparray, starts: np.ndarray):
        coo = sp.coo_array(K)
        coo.sum_duplicates()  # a scatter keeps the last of repeated entries: they must be one
        lower = coo.row >= coo.col
        row, col, val = coo.row[lower], coo.col[lower], coo.data[lower]
        self.n_blocks = starts.size - 1
        i = np.searchsorted(starts, row, side="right") - 1
        j = np.searchsorted(starts, col, side="right") - 1
        far = (i - j > 1) & (i < self.n_blocks - 1)
        if np.any(far):  # the factorisation would drop them: refuse rather than solve another system
            raise ValueError(f"K couples steps {int(j[far][0])} and {int(i[far][0])}, more than one step apart")
        key = i * self.n_blocks + j
        order = np.argsort(key, kind="stable")
        self.key, self.row, self.col, self.val = key[order], row[order], col[order], val[order]
        self.starts = starts

    def fill(self, out: np.ndarray, i: int, j: int) -> np.ndarray:
        """Write block ``(i, j)`` (rows of block ``i`` and columns of block ``j``) into ``out``, in place."""
        key = i * self.n_blocks + j
        lo, hi = np.searchsorted(self.key, [key, key + 1])
        out.fill(0.0)
        out[self.row[lo:hi] - self.starts[i], self.col[lo:hi] - self.starts[j]] = self.val[lo:hi]
        return out


def _triangular(L: np.ndarray, rhs: np.ndarray, trans: int) -> np.ndarray:
    """``L^{-1} rhs`` (``trans=0``) or ``L^{-T} rhs`` (``trans=1``), ``L`` lower triangular (LAPACK ``trtrs``)."""
    x, info = lapack.dtrtrs(L, rhs, lower=1, trans=trans)
    if info > 0:  # a zero pivot: impossible after a successful Cholesky
        raise np.linalg.LinAlgError(f"triangular solve: pivot {info} is zero")
    if info < 0:
        raise ValueError(f"LAPACK dtrtrs: argument {-info} is invalid")
    return x


def _right_solve(L: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``X`` with ``X L^T = B`` (``L`` lower triangular), in ``B``'s memory (BLAS ``trsm``)."""
    return blas.dtrsm(1.0, L, B, side=1, lower=1, trans_a=1, overwrite_b=1)


class BlockCholesky:
    """``K = L L^T`` for symmetric positive definite ``K`` with time blocks ``offsets`` and a border of ``k`` rows.

    Rows ``offsets[t]:offsets[t + 1]`` of ``K`` are step ``t``
    (``offsets[-1] == m``), the last ``k`` rows the border. Blocks of steps
    more than one apart must be zero (not checked: the flow constraints
    guarantee it). The factor's arrays are allocated once and refilled by
    every :meth:`factorise` (an interior-point method factorises the same
    pattern tens of times; first touching ``0.7`` GB of fresh pages costs
    more than a second on its own).
    """

    def __init__(self, offsets: np.ndarray, k: int):
        check_fits(factor_bytes(offsets, k), "the interior-point method's block Cholesky factor",
                   'method="frank-wolfe" needs O(T S A) memory (it may stop above tol, with a warning)')
        off = [int(o) for o in offsets]
        n = np.diff(off)
        self.offsets, self.m, self.k = off, off[-1], int(k)
        self.diag = [np.empty((int(a), int(a)), order="F") for a in n]
        self.sub = [np.empty((int(b), int(a)), order="F") for a, b in zip(n[:-1], n[1:])]
        self.border = [np.empty((self.k, int(a)), order="F") for a in n]
        self.L_vv = np.empty((self.k, self.k), order="F")

    def factorise(self, K: sp.sparray) -> "BlockCholesky":
        """Factorise ``K`` (same shape every call) into the arrays of this object; return it.

        Raises
        ------
        numpy.linalg.LinAlgError
            If a pivot is not positive (``K`` numerically singular); the
            caller falls back on a pivoting solver.
        """
        off, m, k = self.offsets, self.m, self.k
        last = len(off) - 1  # the border's block
        entries = _Entries(K, np.array(off + [m + k]))
        S_vv = entries.fill(self.L_vv, last, last)
        # BLAS-3 in place on Fortran-ordered blocks; only lower triangles are formed and read
        for t in range(last):
            block = entries.fill(self.diag[t], t, t)
            border = entries.fill(self.border[t], last, t)  # K_vt (k, n_t)
            if t > 0:
                sub = self.sub[t - 1]
                block = blas.dsyrk(-1.0, sub, beta=1.0, c=block, lower=1, overwrite_c=1)
                if k:
                    border = blas.dgemm(-1.0, self.border[t - 1], sub, beta=1.0, c=border, trans_b=1,
                                        overwrite_c=1)
            L, info = lapack.dpotrf(block, lower=1, clean=0, overwrite_a=1)
            if info != 0:
                raise np.linalg.LinAlgError(f"pivot {info} of step {t} is not positive")
            self.diag[t] = L
            if k:
                self.border[t] = _right_solve(L, border)
                S_vv = blas.dsyrk(-1.0, self.border[t], beta=1.0, c=S_vv, lower=1, overwrite_c=1)
            if t + 2 < len(off):
                nxt = entries.fill(self.sub[t], t + 1, t)
                self.sub[t] = _right_solve(L, nxt)
        if k:
            self.L_vv, info = lapack.dpotrf(S_vv, lower=1, clean=0, overwrite_a=1)
            if info != 0:
                raise np.linalg.LinAlgError(f"pivot {info} of the border is not positive")
        return self

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """``K^{-1} rhs`` for ``rhs (m + k,)``: forward then backward substitution."""
        off, m = self.offsets, self.m
        w = np.empty_like(rhs)
        w_v = rhs[m:].copy()
        prev = None
        for t, L in enumerate(self.diag):
            part = rhs[off[t]:off[t + 1]]
            if prev is not None:
                part = part - self.sub[t - 1] @ prev
            prev = _triangular(L, part, trans=0)
            w[off[t]:off[t + 1]] = prev
            w_v -= self.border[t] @ prev
        x = np.empty_like(rhs)
        x_v = w_v if not w_v.size else _triangular(self.L_vv, _triangular(self.L_vv, w_v, trans=0), trans=1)
        x[m:] = x_v
        nxt = None
        for t in range(len(self.diag) - 1, -1, -1):
            part = w[off[t]:off[t + 1]] - self.border[t].T @ x_v
            if nxt is not None:
                part -= self.sub[t].T @ nxt
            nxt = _triangular(self.diag[t], part, trans=1)
            x[off[t]:off[t + 1]] = nxt
        return x
