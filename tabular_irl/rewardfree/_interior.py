r"""A primal-dual interior-point method for a KL objective over a flow polytope.

Solves

.. math::

    \min_{z \ge 0} \; f(Mz) \quad \text{s.t.} \quad A z = b, \qquad
    f(d) = \sum_s d_s (\log d_s - \log q_s),

with ``A (m, n)`` the flow-conservation constraints of the occupancy
measures (:mod:`tabular_irl.rewardfree._occupancy`) and ``M (k, n)`` the 0/1
matrix summing them into the state marginal ``d = M z`` (one entry per
column). With ``g = \nabla f(d) = \log d - \log q + 1`` the optimality conditions are

.. math::

    A z = b, \qquad s = M^\top g - A^\top y \ge 0, \qquad z \circ s = 0,

``y`` the values (cost-to-go, one per flow row) and ``s`` the advantages
(reduced costs) of the state-action pairs. The method follows the central
path ``z \circ s = \mu`` with Mehrotra's predictor-corrector (Mehrotra 1992;
Wright 1997, chapter 10), linearising ``g`` at each iterate (Hessian
``H = \mathrm{diag}(1/d)``). Eliminating ``\Delta s`` and ``\Delta z``
leaves, with ``D = \mathrm{diag}(z / s)`` and ``\Delta v = H M \Delta z``,

.. math::

    \begin{pmatrix} A D A^\top & -A D M^\top \\ -M D A^\top & H^{-1} + M D M^\top \end{pmatrix}
    \begin{pmatrix} \Delta y \\ \Delta v \end{pmatrix} = \ldots,

a sparse symmetric positive definite system of size ``m + k`` (``A D
A^\top`` couples only consecutive time steps and neighbouring states;
``M D M^\top`` is diagonal), factorised once per iteration by sparse LU
and used for both the predictor and the corrector. Keeping ``\Delta v``
instead of eliminating it keeps the system sparse: ``M^\top H M`` would
couple every time step of a state with every other.

The iterates stay strictly positive, so they are never exactly optimal: the
caller certifies them (a policy's exact marginal and a dual bound from hard
planning) and stops as soon as the certificate holds. Long chains (large
horizons) make the system ill-conditioned as ``mu -> 0``; the method then
stops when an iteration no longer makes progress, and the caller falls back
on another solver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

__all__ = ["InteriorPoint", "interior_point"]

# Fraction of the step to the boundary taken (Wright 1997 uses 0.99-0.995): keeps z, s > 0.
_TO_BOUNDARY = 0.995
# Below this mean complementarity (z sums to 1) the caller's certificate is worth a look.
_CERTIFY_BELOW = 1e-9


@dataclass(frozen=True)
class InteriorPoint:
    """Final iterate ``z (n,)``, ``mu`` (mean of ``z s``), iterations, whether ``done`` accepted it."""

    z: np.ndarray
    mu: float
    n_iter: int
    done: bool


def _max_step(x: np.ndarray, dx: np.ndarray) -> float:
    """Largest ``alpha <= 1`` keeping ``x + alpha dx >= 0``."""
    neg = dx < 0
    return 1.0 if not np.any(neg) else float(min(1.0, np.min(-x[neg] / dx[neg])))


def interior_point(A: sp.csr_array, b: np.ndarray, M: sp.csr_array, log_q: np.ndarray, z0: np.ndarray, *,
                   done: Callable[[np.ndarray], bool], max_iter: int) -> InteriorPoint:
    """Mehrotra predictor-corrector from the strictly positive ``z0`` (feasible up to rounding).

    Once ``mu`` is small, ``done(z)`` is asked after every iteration.
    ``log_q (k,)`` must be finite (the caller removed the states the target
    excludes). Stops without ``done`` after ``max_iter`` iterations or when
    ``mu`` stops decreasing (rounding).
    """
    n = z0.size
    B = sp.csr_array(sp.vstack([A, -M]))
    m = A.shape[0]
    z = z0.copy()
    # Dual start (Mehrotra 1992, section 7): the values that fit the linearised costs best in least squares,
    # advantages shifted to be positive; the dual residual this leaves is removed by the Newton steps.
    c = M.T @ (np.log(M @ z) - log_q + 1.0)
    y = spla.splu(sp.csc_array(A @ A.T)).solve(A @ c)
    s = c - A.T @ y
    s = s + max(0.0, -1.5 * float(s.min()))
    s = s + 0.5 * float(z @ s) / float(z.sum())
    mu = float(z @ s) / n
    for it in range(1, max_iter + 1):
        d = M @ z
        r_dual = M.T @ (np.log(d) - log_q + 1.0) - A.T @ y - s
        r_p = A @ z - b
        if not (np.all(np.isfinite(r_dual)) and s.min() > 0 and z.min() > 0):
            return InteriorPoint(z, mu, it - 1, False)  # underflow at the boundary: rounding has the last word
        Di = z / s
        K = sp.csc_array(B @ sp.diags_array(Di) @ B.T + sp.diags_array(np.concatenate([np.zeros(m), d])))
        try:
            lu = spla.splu(K, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options=dict(SymmetricMode=True))
        except RuntimeError:  # numerically singular (extreme z / s): the caller falls back
            return InteriorPoint(z, mu, it - 1, False)

        def direction(rc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            rho = -r_dual - rc / z
            rhs = np.concatenate([-r_p - A @ (Di * rho), M @ (Di * rho)])
            sol = lu.solve(rhs)
            sol += lu.solve(rhs - K @ sol)  # one step of refinement: K is ill-conditioned as mu -> 0
            dy, dv = sol[:m], sol[m:]
            dz = Di * (rho - M.T @ dv + A.T @ dy)
            return dz, dy, (-rc - s * dz) / z

        dz, dy, ds = direction(z * s)  # predictor (affine scaling)
        alpha = min(_max_step(z, dz), _max_step(s, ds))
        sigma = (float((z + alpha * dz) @ (s + alpha * ds)) / n / mu) ** 3
        dz, dy, ds = direction(z * s + dz * ds - sigma * mu)  # corrector
        alpha = min(1.0, _TO_BOUNDARY * min(_max_step(z, dz), _max_step(s, ds)))
        z, y, s = z + alpha * dz, y + alpha * dy, s + alpha * ds
        mu_new = float(z @ s) / n
        if mu_new <= _CERTIFY_BELOW and done(z):
            return InteriorPoint(z, mu_new, it, True)
        if mu_new >= mu and mu_new <= _CERTIFY_BELOW:
            return InteriorPoint(z, mu_new, it, False)
        mu = mu_new
    return InteriorPoint(z, mu, max_iter, False)
