r"""Policy iteration for discounted, infinite-horizon planning: Newton's method on the Bellman equation.

Value iteration contracts the error by ``gamma`` per sweep, so a discount of
0.999 needs tens of thousands of sweeps. Policy iteration instead evaluates
each policy *exactly*, with one sparse LU factorisation of ``I - gamma P_pi``,
and converges in a handful of evaluations.

Soft (temperature :math:`\tau > 0`)
    The soft Bellman operator
    :math:`(\mathcal{T}V)(s) = \tau \log \sum_a \exp(Q_V(s, a) / \tau)` with
    :math:`Q_V = r + \gamma P V` is written for the policy
    :math:`\pi = \operatorname{softmax}(Q_V / \tau)` as

    .. math::

        \mathcal{T}V = r_\pi + \tau H(\pi) + \gamma P_\pi V, \qquad
        r_\pi(s) = \sum_a \pi(a \mid s) r(s, a), \quad
        H(\pi)(s) = -\sum_a \pi(a \mid s) \log \pi(a \mid s),

    and its Jacobian is :math:`\gamma P_\pi` (the gradient of a logsumexp is
    the softmax). A Newton step on :math:`F(V) = V - \mathcal{T}V` therefore is
    the exact evaluation of the entropy-regularised policy,

    .. math::

        V_{k+1} = (I - \gamma P_{\pi_k})^{-1} (r_{\pi_k} + \tau H(\pi_k)), \qquad
        \pi_{k+1} = \operatorname{softmax}(Q_{V_{k+1}} / \tau),

    which is soft policy iteration: monotone (soft policy improvement), and
    quadratically convergent near the fixed point.
Hard (``tau == 0``)
    Howard's policy iteration: :math:`V_{k+1} = (I - \gamma P_{a_k})^{-1} r_{a_k}`
    for a deterministic policy :math:`a_k`, then :math:`a_{k+1}(s) = \arg\max_a Q(s, a)`,
    keeping the current action unless another one is better by more than the
    rounding level (so near-ties of equal actions cannot cycle). It stops when
    the policy no longer changes.

Every run ends with one exact Bellman backup of the last evaluated values
``V_e``: the result is ``Q = r + gamma P V_e``, ``V = softmax_tau(Q)``
(``max_a Q``) and its policy, exactly as a value-iteration sweep would return
them, and since the operator is a ``gamma``-contraction,

.. math::

    \|V - V^*\|_\infty = \|\mathcal{T}V_e - V^*\|_\infty
    \le \frac{\gamma}{1 - \gamma} \|\mathcal{T}V_e - V_e\|_\infty,

the same bound and stopping rule (``bound <= tol``, or the change at the
rounding level of ``V``) as the value-iteration kernel. Everything here is
NumPy/SciPy: the cost is in SuperLU, not in Python loops.

Which is cheaper (``method="auto"``)
------------------------------------
Value iteration costs ``~log(tol / |V|) / log(gamma)`` sweeps of ``O(nnz)``;
policy iteration a few factorisations whose cost depends on the fill of the
LU factors: small for local dynamics (a gridworld's factors hold ~100 entries
per state), ruinous for random (expander-like) dynamics, whose factors are
dense. :func:`choose_method` compares the two with a deterministic cost model:
the sweeps value iteration will take (from its own stopping rule) against the
flops of an envelope (profile) factorisation of the state graph in reverse
Cuthill-McKee order, an upper bound on the fill that tracks SuperLU's time
within a small factor on both kinds of dynamics (bench/bench_discounted.py).
"""

from __future__ import annotations

import math
import weakref
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

from ._logspace import soft_max
from ._passes import solve_refined

if TYPE_CHECKING:
    from .mdp import MDP

__all__ = ["policy_iteration", "choose_method"]

# Converged when the Bellman residual is within this many ulps of max |V|: the
# value-iteration kernel's rule (a backup itself rounds at about this level).
ROUNDING_ULPS = 8.0
# Soft iterations also stop when the residual has not halved for this many
# evaluations in a row while the evaluated values move by no more than rounding
# amplified by the condition number, ROUNDING_ULPS * eps * |V| / (1 - gamma):
# Newton at its rounding floor (the pre-asymptotic phase at small temperatures
# can also fail to halve the residual, but it moves the values by far more).
MAX_STALLS = 3


def _hard(Q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``max_a Q``, the first maximising action (ties: lowest index) and its one-hot policy."""
    best = Q.argmax(axis=1)
    pi = np.zeros_like(Q)
    pi[np.arange(Q.shape[0]), best] = 1.0
    return Q[np.arange(Q.shape[0]), best], best, pi


def _evaluate(P: sp.csr_array, weights: sp.csr_array, c: np.ndarray, gamma: float) -> np.ndarray:
    r"""Solve :math:`(I - \gamma P_\pi) V = c` with :math:`P_\pi = W P` (sparse LU, one refinement step).

    ``weights`` is ``W`` of shape ``(S, S*A)``: ``W[s, s*A + a] = pi(a|s)``.
    The matrix is a non-singular M-matrix (strictly diagonally dominant by
    rows, ``gamma < 1``): :func:`tabular_irl._passes.solve_refined`.
    """
    S = c.shape[0]
    return solve_refined(sp.csr_array(sp.identity(S, format="csr") - gamma * (weights @ P)), c)


def policy_iteration(
    P: sp.csr_array,
    r: np.ndarray,
    gamma: float,
    tau: float,
    hard: bool,
    tol: float,
    max_iter: int,
    report=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float, bool]:
    r"""Soft (``hard=False``) or Howard (``hard=True``) policy iteration; see the module docstring.

    ``report(n_iter, error_bound)``, when given, is called after every evaluation (progress).

    Parameters
    ----------
    P : scipy.sparse.csr_array, shape (S*A, S)
        Validated transitions; row ``s*A + a`` is ``P(. | s, a)``.
    r : ndarray, shape (S, A)
        Validated finite reward ``r[s, a]``.
    gamma : float
        Discount in ``[0, 1)``.
    tau : float
        Temperature ``> 0`` (ignored when ``hard``).
    hard : bool
        Hard maximum (Howard) instead of the soft one.
    tol : float
        Stop when ``gamma / (1 - gamma) * max |T V_e - V_e| <= tol``.
    max_iter : int
        Most policy evaluations (sparse LU factorisations).

    Returns
    -------
    V : ndarray, shape (S,)
    Q : ndarray, shape (S, A)
        ``Q = r + gamma P V_e`` for the last evaluated ``V_e``; ``V`` is its
        soft (hard) maximum and ``policy`` its softmax (one-hot argmax).
    policy : ndarray, shape (S, A)
    n_iter : int
        Policy evaluations performed.
    error_bound : float
        ``gamma / (1 - gamma) * max |V - V_e|``, a bound on ``max |V - V*|``.
    converged : bool
        ``error_bound <= tol``, or the residual is at the rounding level of
        ``V``, or (hard) the policy is stable.
    """
    S, A = r.shape
    rows = np.arange(S)
    flat_ptr = np.arange(0, S * A + 1, A)  # W[s] spans the A rows s*A .. s*A + A - 1
    flat_idx = np.arange(S * A)
    # the first iterate is the backup of V = 0, the first sweep of value iteration
    Q = r.copy()
    if hard:
        V, action, pi = _hard(Q)
    else:
        V, pi = soft_max(Q, tau)
    n_iter, bound, converged = 0, np.inf, False
    best_delta, stalls, V_prev = np.inf, 0, None
    while n_iter < max_iter:
        if hard:
            weights = sp.csr_array((np.ones(S), rows * A + action, np.arange(S + 1)), shape=(S, S * A))
            c = r[rows, action]
        else:
            # r_pi + tau H(pi) = sum_a pi (r - tau log pi), with tau log pi = Q - V exactly
            weights = sp.csr_array((pi.ravel(), flat_idx, flat_ptr), shape=(S, S * A))
            c = np.einsum("sa,sa->s", pi, r - (Q - V[:, None]))
        V_eval = _evaluate(P, weights, c, gamma)
        n_iter += 1
        Q = r + gamma * (P @ V_eval).reshape(S, A)
        if hard:
            V, best, pi = _hard(Q)
        else:
            V, pi = soft_max(Q, tau)
        delta = float(np.abs(V - V_eval).max()) if S else 0.0
        if not delta < np.inf:  # overflow (NaN or inf): never converged; the caller raises
            break
        scale = float(np.abs(V).max()) if S else 0.0
        bound = gamma / (1.0 - gamma) * delta if gamma > 0.0 else 0.0
        if report is not None:
            report(n_iter, bound)
        if bound <= tol or delta <= ROUNDING_ULPS * np.finfo(np.float64).eps * scale:
            converged = True
            break
        if hard:
            # switch only where another action is better by more than rounding noise
            margin = ROUNDING_ULPS * np.finfo(np.float64).eps * max(scale, float(np.abs(Q).max()))
            switch = Q[rows, best] > Q[rows, action] + margin
            if not switch.any():  # stable: the evaluated policy is optimal
                converged = True
                break
            action = np.where(switch, best, action)
        else:
            moved = np.inf if V_prev is None else float(np.abs(V_eval - V_prev).max())
            at_floor = moved <= ROUNDING_ULPS * np.finfo(np.float64).eps * scale / (1.0 - gamma)
            stalls = stalls + 1 if (delta > 0.5 * best_delta and at_floor) else 0
            best_delta, V_prev = min(best_delta, delta), V_eval
            if stalls >= MAX_STALLS:
                break
    return V, Q, pi, n_iter, float(bound), converged


# -- method="auto" ------------------------------------------------------------

# Typical policy evaluations until convergence: soft policy iteration (Newton)
# takes 3-11 on every problem benchmarked, Howard's up to ~40 on large gridworlds.
TYPICAL_EVALUATIONS = {False: 10, True: 30}
# Work units of one sweep per stored transition and per state-action pair
# (multiply-add per non-zero; exp + log of the soft maximum, or a compare).
_SWEEP_WORK = {False: (2.0, 20.0), True: (2.0, 2.0)}
# Fixed cost of one policy evaluation in the same units (SuperLU set-up, the
# Python around it: ~2 ms, what ~2e6 units of a sweep take).
_EVALUATION_OVERHEAD = 2e6
# envelope_flops per MDP (immutable, so its sparsity pattern never changes)
_ENVELOPE_FLOPS: weakref.WeakKeyDictionary[MDP, float] = weakref.WeakKeyDictionary()


def value_iteration_sweeps(gamma: float, tol: float, first_change: float) -> float:
    r"""Sweeps value iteration from ``V = 0`` needs by its own stopping rule.

    The changes shrink as :math:`\|V_k - V_{k-1}\| \le \gamma^{k-1} \|V_1\|`, and
    the kernel stops when :math:`\gamma / (1 - \gamma) \|V_k - V_{k-1}\| \le`
    ``tol`` or when the change is ``8 eps`` of :math:`|V| \approx \|V_1\| / (1 - \gamma)`.
    """
    if gamma == 0.0 or first_change == 0.0:
        return 1.0
    by_tol = math.log(tol * (1.0 - gamma) / (gamma * first_change)) / math.log(gamma)
    by_rounding = math.log(ROUNDING_ULPS * np.finfo(np.float64).eps / (1.0 - gamma)) / math.log(gamma)
    return 1.0 + max(0.0, min(by_tol, by_rounding))


def envelope_flops(P: sp.csr_array, S: int, A: int) -> float:
    """``sum_i w_i**2``: flops of an envelope LU of the state graph in reverse Cuthill-McKee order.

    ``w_i`` is row ``i``'s distance from the diagonal to its first non-zero in
    the symmetrised pattern of ``sum_a P(. | s, a)``; the fill of the factors
    stays inside that envelope.
    """
    graph = sp.csr_array((np.ones(S * A), np.arange(S * A), np.arange(0, S * A + 1, A)), shape=(S, S * A)) @ P
    graph = sp.csr_array(graph + graph.T + sp.identity(S, format="csr"))
    order = reverse_cuthill_mckee(graph, symmetric_mode=True)
    graph = sp.csr_array(graph[order][:, order])
    graph.sort_indices()
    first = graph.indices[graph.indptr[:-1]]  # every row holds its diagonal, so none is empty
    width = np.maximum(np.arange(S) - first, 0).astype(np.float64)
    return float(width @ width)


def choose_method(mdp: MDP, P: sp.csr_array, r: np.ndarray, gamma: float, tau: float, hard: bool, tol: float,
                  max_iter: int) -> str:
    """``"policy_iteration"`` when its estimated cost is below value iteration's, else ``"value_iteration"``.

    Deterministic: it depends on the MDP's sparsity pattern, the reward scale,
    ``gamma``, ``tau`` and ``tol``, never on timings. Costs are in work units
    of about a nanosecond: value iteration's expected sweeps
    (:func:`value_iteration_sweeps`) times the work of a sweep, against
    :data:`TYPICAL_EVALUATIONS` factorisations of :func:`envelope_flops` each.
    ``P`` is ``mdp.transitions``; the envelope is computed once per MDP.
    """
    S, A = r.shape
    if S == 0 or gamma == 0.0:
        return "value_iteration"
    if hard:
        first = float(np.abs(r.max(axis=1)).max())
    else:
        first = float(np.abs(soft_max(r, tau)[0]).max())
    sweeps = min(value_iteration_sweeps(gamma, tol, first), float(max_iter))
    per_nnz, per_pair = _SWEEP_WORK[hard]
    sweep_cost = per_nnz * P.nnz + per_pair * S * A
    evaluations = TYPICAL_EVALUATIONS[hard]
    # each evaluation also sweeps: P_pi, the system, one backup, two triangular solves
    if sweeps * sweep_cost <= evaluations * 4.0 * sweep_cost:
        return "value_iteration"  # not worth building the envelope
    flops = _ENVELOPE_FLOPS.get(mdp)
    if flops is None:
        flops = envelope_flops(P, S, A)
        _ENVELOPE_FLOPS[mdp] = flops
    pi_cost = evaluations * (flops + 4.0 * sweep_cost + _EVALUATION_OVERHEAD)
    return "policy_iteration" if pi_cost < sweeps * sweep_cost else "value_iteration"
