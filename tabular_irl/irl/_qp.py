r"""The exact quadratic programmes of the margin methods, over simplices.

Two finite active-set methods, exact up to rounding (no step sizes, no
penalties):

* :func:`min_norm_point` / ``_wolfe``: the point of a convex hull nearest to a
  target, :math:`\min_{\lambda \in \Delta} \lVert Q^\top \lambda \rVert`
  (Wolfe 1976), for apprenticeship learning's projection and max-margin steps;
* ``_solve_restricted_qp``: :math:`\min \tfrac12 \lVert G^\top \alpha \rVert^2
  - L^\top \alpha` over non-negative :math:`\alpha` with fixed sums per block
  (a product of simplices), the dual of maximum margin planning's restricted
  problem. With one block, no null constraint and ``L = 0`` it is the
  min-norm-point problem itself: the two could share one solver.

References
----------
.. [1] P. Wolfe. "Finding the nearest point in a polytope." Mathematical
   Programming 11, 128-149, 1976.
.. [2] N. D. Ratliff, J. A. Bagnell, M. A. Zinkevich. "Maximum margin
   planning." ICML 2006.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_finite_array

__all__ = ["min_norm_point"]

# Relative accuracy of the restricted QP: bound multipliers >= -_QP_KKT_RTOL * scale.
_QP_KKT_RTOL = 1e-12

# Wolfe's algorithm stops when x.x - min_j x.q_j <= _WOLFE_TOL * max_j |q_j|^2:
# the optimality condition <x, q_j - x> >= 0 for all j, relative to the scale
# of the points (dot products carry rounding ~1e-16 * d of that scale).
_WOLFE_TOL = 1e-12


# --------------------------------------------------------------------------
# Nearest point of a convex hull (Wolfe 1976)
# --------------------------------------------------------------------------
def _affine_min_norm(Q: np.ndarray) -> np.ndarray:
    """Weights ``alpha (m,)``, ``sum(alpha) = 1``, of the min-norm point of the affine hull of ``Q (m, d)``."""
    m = Q.shape[0]
    if m == 1:
        return np.ones(1)
    # x = q_0 + sum_i beta_i (q_i - q_0): least squares on the differences (SVD)
    # rather than the Gram-matrix KKT system, whose condition number is squared.
    base = Q[0]
    D = Q[1:] - base  # (m-1, d)
    beta = np.linalg.lstsq(D.T, -base, rcond=None)[0]
    return np.concatenate(([1.0 - beta.sum()], beta))


def _wolfe(Q: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """Convex weights ``(k,)`` of the min-norm point of ``conv(Q)``, ``Q (k, d)`` (Wolfe's algorithm).

    Major cycle: add the point most violating optimality (``argmin_j x.q_j``).
    Minor cycle: move to the min-norm point of the affine hull of the corral
    ``S``; if it leaves the simplex, step back to its boundary and drop the
    points whose weight reached 0. Finite in exact arithmetic; guarded against
    rounding-induced cycling by an iteration cap (the weights stay feasible).
    The stopping test certifies optimality whatever the path, so ``start``
    (convex weights, e.g. the answer for a subset of the points) only saves work.
    """
    k = Q.shape[0]
    norms2 = np.einsum("kd,kd->k", Q, Q)
    scale2 = max(float(norms2.max()), np.finfo(float).tiny)
    lam = np.zeros(k)
    if start is None:
        j0 = int(np.argmin(norms2))
        lam[j0] = 1.0
        corral = [j0]
    else:
        lam[:] = start
        corral = [int(j) for j in np.flatnonzero(lam > 0.0)]
    x = lam @ Q
    for _ in range(10 * k + 50):  # a major cycle adds a point; at most k at a time in the corral
        dots = Q @ x
        j = int(np.argmin(dots))
        if float(x @ x) - dots[j] <= _WOLFE_TOL * scale2 or j in corral:
            break
        corral.append(j)
        for _ in range(len(corral) + 1):  # each minor step drops at least one point
            S = np.array(corral)
            alpha = _affine_min_norm(Q[S])
            if np.all(alpha > 0.0):
                lam[:] = 0.0
                lam[S] = alpha
                break
            # largest step from lam_S towards alpha that keeps the weights >= 0
            old = lam[S]
            neg = alpha <= 0.0
            ratios = old[neg] / (old[neg] - alpha[neg])
            step = float(ratios.min())
            new = old + step * (alpha - old)
            new[np.flatnonzero(neg)[np.argmin(ratios)]] = 0.0  # the blocking point leaves exactly
            new = np.maximum(new, 0.0)
            lam[:] = 0.0
            lam[S] = new
            corral = [int(s) for s in S[new > 0.0]]
        lam /= lam.sum()
        x = lam @ Q
    return lam


def min_norm_point(points: Any, target: Any = None) -> tuple[np.ndarray, np.ndarray]:
    r"""The point of the convex hull of ``points`` nearest to ``target``, exactly.

    Solves

    .. math::

        \lambda^* = \arg\min_{\lambda \ge 0,\ \sum_j \lambda_j = 1}
        \Big\lVert \sum_j \lambda_j p_j - y \Big\rVert_2

    by Wolfe's (1976) min-norm-point algorithm on the shifted points
    ``p_j - y``: a finite active-set method, exact up to rounding (no
    step sizes, no penalty). The optimality condition it stops on is
    :math:`\langle y - x^*, p_j - x^* \rangle \le 10^{-12} \max_j
    \lVert p_j - y \rVert_2^2` for every ``j``.

    Parameters
    ----------
    points : array_like, shape (k, d)
        ``p_j`` as rows, ``k >= 1``.
    target : array_like, shape (d,), optional
        ``y``; the origin by default.

    Returns
    -------
    weights : ndarray, shape (k,)
        ``lambda*``: non-negative, summing to 1 (not unique when the points
        are affinely dependent; the nearest point is).
    point : ndarray, shape (d,)
        ``x* = weights @ points``.

    Raises
    ------
    ValueError
        ``points`` not a non-empty finite ``(k, d)`` array, or ``target`` of another dimension.

    See Also
    --------
    apprenticeship_learning : uses it for the mixture weights.

    References
    ----------
    Wolfe (1976), "Finding the nearest point in a polytope", Mathematical Programming 11.

    Examples
    --------
    >>> weights, point = min_norm_point([[0.0, 1.0], [2.0, 1.0]], target=[0.5, 0.0])
    >>> weights.tolist(), point.tolist()
    ([0.75, 0.25], [0.5, 1.0])
    """
    P = check_finite_array(points, "points")
    if P.ndim != 2 or P.shape[0] < 1 or P.shape[1] < 1:
        raise ValueError(f"points must have shape (k, d) with k, d >= 1, got shape {P.shape}")
    y = np.zeros(P.shape[1]) if target is None else check_finite_array(target, "target", (P.shape[1],))
    shifted = P - y
    if not np.isfinite(shifted).all():
        raise ValueError("points - target must be finite; got an overflow (|values| near 1e308)")
    # the weights do not depend on the scale; squared norms of 1e300 would overflow
    scale = float(np.abs(shifted).max())
    lam = _wolfe(shifted / scale if scale > 0 else shifted)
    return lam, lam @ P



# --------------------------------------------------------------------------
# the restricted QP: exact active-set method on the dual
# --------------------------------------------------------------------------


def _qp_values(G, L, block, weight, alpha):
    """``(primal, dual, psi, xi)`` of the restricted QP at dual-feasible ``alpha``."""
    psi = G.T @ alpha
    viol = L - G @ psi
    xi = np.zeros(len(weight))
    np.maximum.at(xi, block, viol)  # null constraints (g = 0, L = 0) give xi >= 0
    primal = 0.5 * float(psi @ psi) + float(weight @ xi)
    dual = float(L @ alpha) - 0.5 * float(psi @ psi)
    return primal, dual, psi, xi


def _face_direction(G, r, block, free, alpha, tol):
    """Newton step on the face ``{alpha_k = 0 for k not free, block sums fixed}``.

    Returns ``(p, regular)``: ``regular`` when ``p`` is the exact minimiser of
    the quadratic on the face (step 1 lands on it), otherwise ``p`` is a
    zero-curvature descent direction (the face is unbounded below along it).
    """
    F = np.flatnonzero(free)
    fb = block[F]
    # reference (largest alpha) of each block among the free variables
    order = np.lexsort((-alpha[F], fb))
    Fs, fbs = F[order], fb[order]
    is_ref = np.ones(len(Fs), dtype=bool)
    is_ref[1:] = fbs[1:] != fbs[:-1]
    ref_of_block = {int(b): int(k) for b, k in zip(fbs[is_ref], Fs[is_ref])}
    others = Fs[~is_ref]
    p = np.zeros(len(alpha))
    if others.size == 0:
        return p, True
    refs = np.array([ref_of_block[int(b)] for b in block[others]])
    B = (G[others] - G[refs]).T  # (d, m): reduced Hessian is B^T B
    z = r[others] - r[refs]  # reduced gradient
    U, s, Vt = np.linalg.svd(B, full_matrices=False)
    keep = s > (s[0] if s.size else 0.0) * max(B.shape) * np.finfo(float).eps
    Vr, sr = Vt[keep], s[keep]
    proj = Vr @ z
    z_null = z - Vr.T @ proj
    if np.linalg.norm(z_null, np.inf) > tol:
        y, regular = -z_null, False
    else:
        y, regular = -Vr.T @ (proj / sr**2), True
    p[others] = y
    np.add.at(p, refs, -y)
    return p, regular


def _solve_restricted_qp(G, L, block, weight, alpha, max_iter):
    """Minimise ``1/2 ||G^T alpha||^2 - L . alpha`` over ``alpha >= 0`` with fixed block sums.

    ``alpha`` (feasible) warm-starts the method. Every block holds a null
    constraint (``g = 0, L = 0``), so the fixed block sums ``weight`` encode
    ``sum <= weight``. Returns ``(alpha, n_iter, ok)``.
    """
    alpha = alpha.copy()
    free = alpha > 0
    at_face_min = False
    n_blocks = len(weight)
    for it in range(1, max_iter + 1):
        psi = G.T @ alpha
        r = G @ psi - L
        scale = max(1.0, float(np.abs(L).max(initial=0.0)), float(np.abs(r).max(initial=0.0)))
        tol = _QP_KKT_RTOL * scale
        if at_face_min:
            # multipliers: lambda_b = r at the free variables of block b (equal on the face minimum)
            lam = np.zeros(n_blocks)
            cnt = np.zeros(n_blocks)
            np.add.at(lam, block[free], r[free])
            np.add.at(cnt, block[free], 1.0)
            lam /= cnt
            mu = np.where(free, np.inf, r - lam[block])
            k = int(np.argmin(mu))
            if mu[k] >= -tol:
                return alpha, it, True
            free[k] = True
            at_face_min = False
            continue
        p, regular = _face_direction(G, r, block, free, alpha, tol)
        neg = free & (p < 0)
        t_block = np.full(len(alpha), np.inf)
        t_block[neg] = alpha[neg] / -p[neg]
        k = int(np.argmin(t_block))
        t = min(1.0, t_block[k]) if regular else t_block[k]
        if not np.isfinite(t):  # cannot happen on a bounded face; be safe
            return alpha, it, False
        alpha += t * p
        if regular and t >= 1.0:
            at_face_min = True
        else:
            alpha[k] = 0.0
            free[k] = False
        np.maximum(alpha, 0.0, out=alpha)
        # keep block sums exact despite round-off: rescale the free mass of each block
        sums = np.bincount(block, weights=alpha, minlength=n_blocks)
        alpha *= (weight / sums)[block]
    return alpha, max_iter, False
