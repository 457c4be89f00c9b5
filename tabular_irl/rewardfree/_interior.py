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
``M D M^\top`` is diagonal), factorised once per iteration and used for
the predictor, the corrector and Gondzio's centrality correctors (Gondzio
1996): with a horizon block by time step
(:class:`~tabular_irl.rewardfree._blocks.BlockCholesky`, dense BLAS-3),
discounted by sparse LU. Keeping ``\Delta v`` instead of eliminating it
keeps the system sparse: ``M^\top H M`` would couple every time step of a
state with every other.

The start is Mehrotra's (least-norm occupancies and least-squares values,
shifted positive), not the uniform policy's occupancies: their entries span
``1e-22`` to ``1`` on a 32x32 grid, and from there every step was blocked
for tens of iterations.

References: S. Mehrotra, "On the Implementation of a Primal-Dual Interior
Point Method", SIAM J. Optim. 2(4), 1992; S. J. Wright, "Primal-Dual
Interior-Point Methods", SIAM 1997; J. Gondzio, "Multiple Centrality
Corrections in a Primal-Dual Method for Linear Programming", Comput. Optim.
Appl. 6, 1996; M. Colombo, J. Gondzio, "Further Development of Multiple
Centrality Correctors for Interior Point Methods", Comput. Optim. Appl. 41,
2008.

The iterates stay strictly positive, so they are never exactly optimal: the
caller certifies them (a policy's exact marginal and a dual bound from hard
planning) and stops as soon as the certificate holds. Long chains (large
horizons) make the system ill-conditioned as ``mu -> 0``; the method then
stops when an iteration no longer makes progress, and the caller falls back
on another solver.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .._blas import BlasPace
from ._blocks import BlockCholesky

__all__ = ["InteriorPoint", "interior_point"]

# Fraction of the step to the boundary taken (Wright 1997 uses 0.99-0.995): keeps z, s > 0.
_TO_BOUNDARY = 0.995
# Below this mean complementarity (z sums to 1) the caller's certificate is worth a look.
_CERTIFY_BELOW = 1e-9
# Gondzio's correctors: at most this many per iteration, each aiming at a step longer by _STRETCH and kept if
# it gains at least _ACCEPT of that; the band of products z_i s_i around the target is [_BETA, 1 / _BETA] mu.
_MAX_CORRECTORS = 3
_STRETCH = 0.2
_ACCEPT = 0.1
_BETA = 0.1
# Iterative refinement steps of a Newton solve, at most (each kept only if it lowers the residual).
_MAX_REFINEMENTS = 3


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


Direction = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def _centrality_correctors(z: np.ndarray, s: np.ndarray, dz: np.ndarray, dy: np.ndarray, ds: np.ndarray,
                           alpha: float, rc: np.ndarray, mu_target: float, direction: Direction
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Gondzio's multiple centrality correctors (Gondzio 1996; Colombo and Gondzio 2008).

    Aim at a longer step ``alpha + _STRETCH``: at that trial point, push the
    products ``z_i s_i`` that fell outside ``[beta mu, mu / beta]`` (``mu``
    the target) back into it with one more solve of the factorised system;
    keep the corrected direction while it lengthens the step enough. Each
    corrector costs a solve, not a factorisation.
    """
    for _ in range(_MAX_CORRECTORS):
        if alpha >= 1.0:
            break
        trial = min(1.0, alpha + _STRETCH)
        v = (z + trial * dz) * (s + trial * ds)
        lo, hi = _BETA * mu_target, mu_target / _BETA
        t = np.clip(v, lo, hi) - v
        t = np.maximum(t, -hi)  # products far above the band are pulled down by at most hi
        dz2, dy2, ds2 = direction(rc - t)
        alpha2 = min(_max_step(z, dz2), _max_step(s, ds2))
        if alpha2 < alpha + _ACCEPT * _STRETCH:
            break
        dz, dy, ds, alpha = dz2, dy2, ds2, alpha2
    return dz, dy, ds, alpha


def _refined(solve: Callable[[np.ndarray], np.ndarray], K: sp.csc_array, rhs: np.ndarray) -> np.ndarray:
    """``K^{-1} rhs`` by ``solve``, then iterative refinement while it halves the residual (at most 3 steps).

    ``K`` is ill-conditioned as ``mu -> 0`` (``z / s`` spans 30 orders of
    magnitude): one step of refinement left the dual residual at ``1e-8`` on
    a discounted 64x64 grid, above what a gap of ``1e-10`` needs.
    """
    sol = solve(rhs)
    res = rhs - K @ sol
    norm = float(np.linalg.norm(res))
    for _ in range(_MAX_REFINEMENTS):
        better = sol + solve(res)
        res_better = rhs - K @ better
        norm_better = float(np.linalg.norm(res_better))
        if not norm_better < norm:
            break
        sol, res, halved, norm = better, res_better, norm_better <= 0.5 * norm, norm_better
        if not halved:
            break
    return sol


def _factorise(K: sp.csc_array, blocks: BlockCholesky | None) -> tuple[Callable[[np.ndarray], np.ndarray], bool]:
    """A solver of ``K x = rhs`` and whether it is ``blocks`` (block Cholesky by time step).

    Sparse LU when there are no steps, or when a pivot of the block Cholesky
    is not positive (rounding at the boundary made ``K`` indefinite).
    """
    if blocks is not None:
        try:
            return blocks.factorise(K).solve, True
        except np.linalg.LinAlgError:
            pass
    lu = spla.splu(K, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options=dict(SymmetricMode=True))
    return lu.solve, False


def interior_point(A: sp.csr_array, b: np.ndarray, M: sp.csr_array, log_q: np.ndarray, z0: np.ndarray, *,
                   done: Callable[[np.ndarray], bool], max_iter: int,
                   offsets: np.ndarray | None = None) -> InteriorPoint:
    """Mehrotra predictor-corrector, costs first linearised at the strictly positive ``z0``.

    Once ``mu`` is small, ``done(z)`` is asked after every iteration.
    ``log_q (k,)`` must be finite (the caller removed the states the target
    excludes). ``offsets``: where the flow rows of each time step start
    (:class:`~tabular_irl.rewardfree._blocks.BlockCholesky` then factorises
    the Newton system step by step). Stops without ``done`` after
    ``max_iter`` iterations or when ``mu`` stops decreasing (rounding).
    """
    n = z0.size
    B = sp.csr_array(sp.vstack([A, -M]))
    m = A.shape[0]
    # Starting point of Mehrotra (1992, section 7): the least-norm occupancies meeting the flow constraints
    # and the values fitting the costs (linearised at z0) best in least squares, both shifted to be positive
    # and then towards each other's scale, so that every z_i s_i starts near mu; the residuals this leaves
    # (A z = b no longer holds) are removed by the Newton steps.
    timed = offsets is not None and len(offsets) > 2
    solve_AAt, _ = _factorise(sp.csc_array(A @ A.T), BlockCholesky(offsets, 0) if timed else None)
    c = M.T @ (np.log(M @ z0) - log_q + 1.0)
    z = A.T @ solve_AAt(b)
    y = solve_AAt(A @ c)
    del solve_AAt  # and its factor: never two alive at once (_exact.fits checks the memory of one)
    s = c - A.T @ y
    z = z + max(0.0, -1.5 * float(z.min()))
    s = s + max(0.0, -1.5 * float(s.min()))
    zs = float(z @ s)
    if zs > 0:
        z, s = z + 0.5 * zs / float(s.sum()), s + 0.5 * zs / float(z.sum())
    if z.min() <= 0 or s.min() <= 0:  # degenerate least squares (e.g. c fitted exactly): a unit shift
        z, s = z + 1.0 / n, s + 1.0
    mu = float(z @ s) / n
    blocks = BlockCholesky(offsets, M.shape[0]) if timed else None
    pace = BlasPace() if timed else None  # sparse LU is no BLAS-3 work to pace
    for it in range(1, max_iter + 1):
        d = M @ z
        r_dual = M.T @ (np.log(d) - log_q + 1.0) - A.T @ y - s
        r_p = A @ z - b
        if not (np.all(np.isfinite(r_dual)) and s.min() > 0 and z.min() > 0):
            return InteriorPoint(z, mu, it - 1, False)  # underflow at the boundary: rounding has the last word
        # BLAS on all threads or one, whichever factorises faster here and now
        with pace.step() if pace is not None else contextlib.nullcontext():
            Di = z / s
            K = sp.csc_array(B @ sp.diags_array(Di) @ B.T + sp.diags_array(np.concatenate([np.zeros(m), d])))
            try:
                start = time.perf_counter()
                solve, by_blocks = _factorise(K, blocks)
                if by_blocks:  # a fallback to sparse LU says nothing about BLAS threads
                    pace.record(time.perf_counter() - start)
            except RuntimeError:  # numerically singular (extreme z / s): the caller falls back
                return InteriorPoint(z, mu, it - 1, False)

            def direction(rc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
                rho = -r_dual - rc / z
                rhs = np.concatenate([-r_p - A @ (Di * rho), M @ (Di * rho)])
                sol = _refined(solve, K, rhs)
                dy, dv = sol[:m], sol[m:]
                dz = Di * (rho - M.T @ dv + A.T @ dy)
                return dz, dy, (-rc - s * dz) / z

            dz, dy, ds = direction(z * s)  # predictor (affine scaling)
            alpha = min(_max_step(z, dz), _max_step(s, ds))
            sigma = (float((z + alpha * dz) @ (s + alpha * ds)) / n / mu) ** 3
            rc = z * s + dz * ds - sigma * mu
            dz, dy, ds = direction(rc)  # corrector
            alpha = min(_max_step(z, dz), _max_step(s, ds))
            dz, dy, ds, alpha = _centrality_correctors(z, s, dz, dy, ds, alpha, rc, sigma * mu, direction)
            alpha = min(1.0, _TO_BOUNDARY * alpha)
            z, y, s = z + alpha * dz, y + alpha * dy, s + alpha * ds
        mu_new = float(z @ s) / n
        if mu_new <= _CERTIFY_BELOW and done(z):
            return InteriorPoint(z, mu_new, it, True)
        if mu_new >= mu and mu_new <= _CERTIFY_BELOW:
            return InteriorPoint(z, mu_new, it, False)
        mu = mu_new
    return InteriorPoint(z, mu, max_iter, False)
