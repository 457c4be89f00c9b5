"""Dense products that never call BLAS, for the code that runs once per fit iteration.

Why: a multithreaded BLAS (OpenBLAS: NumPy's and SciPy's each bring one) keeps
its threads spinning for a while after every call large enough to be threaded.
On a 2-core machine those threads then take the cores from the kernels'
OpenMP threads: a 2-thread gradient pass (128x128 gridworld, T=50) ran about
five times slower right after one BLAS matrix-vector product than alone
(README, "Building and debugging", Threads). A fit computes ``r = phi theta``,
``phi^T counts`` and ``rho_0 . V_0`` at every iteration, just before or after
the passes, so these use NumPy's own ``einsum`` loops instead (single-threaded,
no BLAS). Sparse operands go through ``scipy.sparse``, which uses no BLAS either.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def dot(x: np.ndarray, y: np.ndarray) -> float:
    """``x . y`` of two 1-D arrays."""
    return float(np.einsum("i,i->", x, y))


def matvec(m, x: np.ndarray) -> np.ndarray:
    """``m @ x`` for a dense ``(n, d)`` array or a sparse matrix ``m`` and ``x`` of shape ``(d,)``."""
    if sp.issparse(m):
        return np.asarray(m @ x, dtype=np.float64)
    return np.einsum("...d,d->...", m, x)


def rmatvec(m, y: np.ndarray) -> np.ndarray:
    """``m.T @ y`` for a dense ``(n, d)`` array or a sparse matrix ``m`` and ``y`` of shape ``(n,)``."""
    if sp.issparse(m):
        return np.asarray(m.T @ y, dtype=np.float64)
    return np.einsum("nd,n->d", m, y)
