r"""Mixture weights that minimise :math:`\mathrm{KL}(V w \,\|\, q)` over the simplex.

The fully-corrective step of Frank--Wolfe over achievable state marginals
(:mod:`tabular_irl.rewardfree._frank_wolfe`) re-optimises the weights ``w`` of
the marginals collected so far, the columns of ``V (S, K)``:

.. math::

    \min_{w \in \Delta_K} f(w), \qquad f(w) = \sum_s p_s \log \frac{p_s}{q_s}, \quad p = V w,

with ``q`` a positive (not necessarily normalised) vector: ``q = 1`` gives
``-H(p)``. ``f`` is convex with gradient :math:`V^\top(\log p - \log q + 1)`
and Hessian :math:`V^\top \mathrm{diag}(1/p) V`. The solver is an active-set
Newton method: Newton steps on the face of the weights in use (the KKT
system solved by least squares, since the Hessian is singular when ``K``
exceeds the marginals' dimension), a weight that reaches zero leaves the
face, and a pairwise step with exact line search brings in the column whose
gradient is smallest when the face is (nearly) optimal. It stops when the
Frank--Wolfe gap :math:`g^\top w - \min_i g_i` (an upper bound on
``f(w) - min f``) is at most ``tol``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lstsq
from scipy.special import entr

__all__ = ["objective", "line_search", "kl_mixture_weights"]

# Bisection on the derivative halves the interval each step: 60 steps reach the
# spacing of doubles on [0, 1].
_BISECTIONS = 60


def objective(p: np.ndarray, log_q: np.ndarray) -> float:
    """``sum_s p_s log(p_s / q_s)`` with ``0 log 0 = 0``."""
    return float(-entr(p).sum() - np.einsum("s,s->", p, log_q))


def _slope(p: np.ndarray, u: np.ndarray, log_q: np.ndarray) -> float:
    """``d/deta f(p + eta u)`` at ``eta = 0``: ``u . (log p - log q + 1)`` over the entries ``u`` moves."""
    moved = u != 0
    with np.errstate(divide="ignore"):
        return float(np.sum(u[moved] * (np.log(p[moved]) - log_q[moved] + 1.0)))


def line_search(p: np.ndarray, u: np.ndarray, log_q: np.ndarray, eta_max: float) -> float:
    """``argmin_{0 <= eta <= eta_max} f(p + eta u)``: bisection on the (increasing) derivative.

    The derivative may be ``-inf`` at 0 (``u`` brings mass to a state ``p``
    lacks) or ``+inf`` at ``eta_max`` (a state is emptied); both are handled.
    """
    if _slope(p, u, log_q) >= 0:
        return 0.0
    end = np.maximum(p + eta_max * u, 0.0)
    if _slope(end, u, log_q) <= 0:
        return eta_max
    lo, hi = 0.0, eta_max
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if _slope(np.maximum(p + mid * u, 0.0), u, log_q) < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _gradient(V: np.ndarray, p: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """``V^T (log p - log q + 1)``; ``-inf`` for a column with mass where ``p = 0``."""
    support = p > 0
    score = np.zeros(p.shape)
    np.subtract(np.log(p, where=support, out=np.zeros(p.shape)) + 1.0, log_q, out=score, where=support)
    out = V.T @ score
    if not support.all():
        out[(V[~support] > 0).any(axis=0)] = -np.inf
    return out


def _pairwise(V, w, p, log_q, j, k) -> np.ndarray:
    """Move weight from column ``k`` to column ``j`` with exact line search."""
    eta = line_search(p, V[:, j] - V[:, k], log_q, w[k])
    w = w.copy()
    if eta >= w[k]:
        w[j] += w[k]
        w[k] = 0.0
    else:
        w[j] += eta
        w[k] -= eta
    return w


def kl_mixture_weights(V: np.ndarray, log_q: np.ndarray, w0: np.ndarray, *, tol: float = 1e-13,
                       max_iter: int = 200) -> np.ndarray:
    """``argmin_{w in simplex} KL(V w || q)`` from ``w0``, to a Frank--Wolfe gap of ``tol`` (see the module)."""
    rows = V.max(axis=1) > 0
    V, log_q = np.ascontiguousarray(V[rows]), log_q[rows]
    w = np.asarray(w0, dtype=np.float64).copy()
    for _ in range(max_iter):
        p = V @ w
        g = _gradient(V, p, log_q)
        j = int(np.argmin(g))
        active = np.flatnonzero(w > 0)
        gap = np.inf if not np.isfinite(g[j]) else float(g[active] @ w[active] - g[j])
        if gap <= tol:
            break
        face_gap = float(g[active] @ w[active] - g[active].min())
        k = int(active[np.argmax(g[active])])
        if w[j] == 0 and gap > 2.0 * face_gap:  # the face is nearly optimal: bring column j in
            w = _pairwise(V, w, p, log_q, j, k)
            continue
        w_new = _newton_on_face(V, w, p, g, log_q, active)
        w = _pairwise(V, w, p, log_q, j, k) if w_new is None else w_new
        w /= w.sum()
    return w


def _newton_on_face(V, w, p, g, log_q, active) -> np.ndarray | None:
    """One damped Newton step on the weights ``active``; None when it does not descend."""
    n = active.size
    if n < 2:
        return None
    VA = V[:, active]
    support = p > 0
    H = VA[support].T @ (VA[support] / p[support, None])
    kkt = np.zeros((n + 1, n + 1))
    kkt[:n, :n] = H
    kkt[:n, n] = kkt[n, :n] = 1.0
    rhs = np.concatenate([-g[active], [0.0]])
    # complete orthogonal factorisation (gelsy): minimum-norm, and several times faster than the SVD
    delta = lstsq(kkt, rhs, lapack_driver="gelsy", check_finite=False)[0][:n]
    delta -= delta.mean()  # on the face exactly: sum(delta) = 0
    slope = float(g[active] @ delta)
    if not slope < 0:
        return None
    shrinking = delta < 0
    ratios = -w[active][shrinking] / delta[shrinking]
    t_max = min(1.0, float(ratios.min())) if ratios.size else 1.0
    f0 = objective(p, log_q)
    if t_max < 1.0:
        # the full step leaves the simplex: first try it projected (clipped, renormalised), which can drop
        # many weights at once where truncated steps would drop one per step
        full = w.copy()
        full[active] += delta
        np.maximum(full, 0.0, out=full)
        full /= full.sum()
        descent = float(g @ (full - w))
        if descent < 0 and objective(V @ full, log_q) <= f0 + 1e-4 * descent:
            return full
    t = t_max
    # below this the predicted decrease is rounding in f: take the Newton step as it is
    negligible = -slope < 1e-14 * (1.0 + abs(f0))
    while t > 1e-12:
        trial = w.copy()
        trial[active] += t * delta
        if t == t_max and ratios.size and t_max < 1.0:
            trial[active[shrinking][np.argmin(ratios)]] = 0.0  # the blocking weight leaves the face
        np.maximum(trial, 0.0, out=trial)
        if negligible or objective(V @ trial, log_q) <= f0 + 1e-4 * t * slope:
            return trial
        t *= 0.5
    return None
