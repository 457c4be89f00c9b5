r"""Maximum margin planning (Ratliff, Bagnell & Zinkevich 2006), solved exactly.

For demonstrations ``tau_i`` (``i = 1..N``) with start states ``s0_i`` and a
linear reward ``r = features @ psi``, maximum margin planning minimises

.. math::

    f(\psi) = \tfrac12 \lVert\psi\rVert^2 + \frac{C}{N} \sum_i \xi_i(\psi), \qquad
    \xi_i(\psi) = \max\Big(0,\; \max_\pi \big[\psi \cdot \mu_\pi(s0_i) + L_i(\pi)\big]
                  - \psi \cdot \mu_i\Big)

where ``mu_i = sum_t gamma^t phi(s^i_t, a^i_t)`` are the demonstration's own
(discounted) feature counts, ``mu_pi(s0)`` the exact expected feature counts of
policy ``pi`` started in ``s0`` (:func:`~tabular_irl.visitation` from a
one-hot start), and ``L_i(pi)`` a loss that is *linear in the state-action
visitation*, ``L_i(pi) = sum_{s,a} c_pi(s, a) l_i(s, a)`` with ``c_pi`` the
expected discounted state-action counts from ``s0_i``. The inner maximum is
therefore a value iteration on the loss-augmented reward ``psi . phi + l_i``
(:func:`~tabular_irl.planning.value_iteration`), exact for finite horizons and
to value iteration's ``tol`` (``1e-10``) when discounted. Equivalently, ``f`` is
the structured-SVM quadratic program

.. math::

    \min_{\psi, \xi \ge 0} \tfrac12\lVert\psi\rVert^2 + \frac{C}{N}\sum_i \xi_i
    \quad \text{s.t.}\quad \psi \cdot (\mu_i - \mu_\pi(s0_i)) \ge L_i(\pi) - \xi_i
    \quad \forall i, \pi.

Design choices
--------------
Loss.
    Time-independent tables ``l_i (S, A)``, so that loss-augmented planning is
    the package's own hard backward pass for finite horizons *and* discounted
    problems. ``loss="hamming"``: ``l_i(s, a) = 1`` if demonstration ``i``
    decided in ``s`` (some ``s_t``, ``t < T``) and never took ``a`` there, else
    0; ``L_i(pi)`` is then the expected (discounted) number of steps at which
    the learner stands in a state of the demonstration and acts differently
    from it. The demonstration's own policy has loss 0, and ``L_i <= T``. An
    array ``(S, A)`` is one table for every demonstration, ``(N, S, A)`` one
    per demonstration; entries must be finite and ``>= 0``. (A time-indexed
    loss would need a ``(T, S, A)`` reward, which value iteration does not
    take.)
Demonstrations.
    Each one is its own example, as in the paper: its own counts ``mu_i``, its
    own start state and its own loss. Identical demonstrations (same states
    and actions, hence the same loss unless ``(N, S, A)`` tables are given)
    are merged into one example weighted by their multiplicity, which leaves
    ``f`` unchanged and saves planning; a shared loss table is planned once
    per iteration and rolled out from each distinct start state. Grouping by
    start state instead would average the losses inside the maximum and
    change (loosen) the objective, so it is not done.
The hinge.
    ``xi_i = max(0, ...)``: with stochastic dynamics a lucky demonstration
    can beat every policy's *expected* return, and the bracket is then
    negative; with deterministic dynamics it is always ``>= 0``.

Two solvers
-----------
``method="cutting_plane"`` (exact). Constraint generation: each example keeps
a working set of the loss-augmented policies found so far (their
``mu_i - mu_pi`` and ``L_i(pi)``) plus ``xi_i >= 0``; the restricted QP is
solved in its dual,

.. math::

    \max_{\alpha} \sum_k \alpha_k L_k - \tfrac12 \Big\lVert \sum_k \alpha_k g_k \Big\rVert^2,
    \quad \alpha \ge 0,\ \sum_{k \in W_i} \alpha_k \le C w_i / N,
    \qquad \psi = \sum_k \alpha_k g_k,

by an exact primal active-set method (Nocedal & Wright, Alg. 16.3) over the
product of scaled simplices: each face is minimised by a null-space Newton
step (an SVD of the reduced Hessian's factor; a zero-curvature descent
direction where the face is unbounded), and the method stops when every
bound multiplier is ``>= -1e-12 * scale``. It is warm-started from the
previous round. The restricted duality gap is reported in ``history["qp_gap"]``
(round-off level, ~1e-13 relative). Exact loss-augmented planning at the new
``psi`` then finds each example's most violated constraint; the method stops
when no margin constraint is violated by more than ``tol`` beyond its slack,
``max_i [xi_i(psi) - xi_i^QP] <= tol``. There are finitely many deterministic
policies, so constraint generation terminates.

``method="subgradient"``. :math:`\psi_{k+1} = \psi_k - a_k g_k` with
:math:`g_k = \psi_k + \frac{C}{N}\sum_i [\xi_i > 0](\mu_{\pi_i} - \mu_i)` and the step
schedule ``a_k = 2 / (k + 2)``, ``k = 0, 1, ...``: ``f`` is 1-strongly convex
and this is the ``2 / (lambda (t + 1))`` schedule of strongly convex
subgradient methods (Lacoste-Julien, Schmidt & Bach 2012), with ``O(1/k)``
suboptimality; the best iterate is kept. Since every ``a_k <= 1`` and
``a_0 = 1``, each iterate is a convex combination of dual vertices: the method
is conditional gradient (Frank-Wolfe) on the dual (Bach 2015), which gives a
dual feasible ``alpha`` with ``psi = sum_k alpha_k g_k`` for free and hence a
certified lower bound. (The ``1 / (k + 1)`` schedule reaches the same primal
accuracy, but its certified gap is 50-200 times larger after the same number
of steps on an 8x8 gridworld.)

Both methods report ``lower_bound <= min f <= objective``. ``converged``
certifies ``objective - min f <= C * tol`` (cutting planes: plus the restricted
QP's round-off gap), since the objective gap is at most ``C`` times the mean
violation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._features import LinearFeatures
from .._logspace import discount_weights
from .._progress import check_progress, progress_bar
from .._validation import (
    check_finite_array,
    check_nonnegative_array,
    check_option,
    check_positive_int,
    check_positive_real,
    check_trajectories,
    readonly,
    resolve_model,
)
from .. import _passes
from ..mdp import MDP
from ..planning import policy_plan
from ..trajectories import Trajectories
from ._common import check_mdp, features_for
from ._result import warn_not_converged

__all__ = ["MMPResult", "max_margin_planning", "mmp_objective", "mmp_margin_violations"]

_METHODS = ("cutting_plane", "subgradient")
# Default stopping tolerances, in units of the margin (reward x discounted steps).
# Constraint generation is exact and reaches round-off; the subgradient method
# converges like 1/k, so its certificate can only be asked for loosely.
_DEFAULT_TOL = {"cutting_plane": 1e-8, "subgradient": 1e-3}
_DEFAULT_MAX_ITER = {"cutting_plane": 500, "subgradient": 1000}
# Relative accuracy of the restricted QP: bound multipliers >= -_QP_KKT_RTOL * scale.
_QP_KKT_RTOL = 1e-12


# --------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MMPResult:
    """Result of :func:`max_margin_planning`.

    Attributes
    ----------
    theta : ndarray, shape (d,)
        The weight vector ``psi``.
    reward : ndarray, shape (S, A)
        ``features @ theta``.
    policy : ndarray, shape (T, S, A) or (S, A)
        The optimal (deterministic) policy for ``reward`` by
        :func:`~tabular_irl.value_iteration` in the model fitted: the planner
        whose behaviour the margins are about. Time-indexed with a horizon,
        stationary without one.
    objective : float
        ``1/2 ||theta||^2 + C * mean(slacks)``, evaluated by exact
        loss-augmented planning at ``theta``.
    lower_bound : float
        A certified lower bound on the minimum of the objective (the dual
        value of a feasible ``alpha``); ``gap = objective - lower_bound``.
    slacks : ndarray, shape (N,)
        ``xi_i = max(0, margin_violations[i])`` per demonstration (in the
        order of ``demos``).
    margin_violations : ndarray, shape (N,)
        ``max_pi [theta . mu_pi(s0_i) + L_i(pi)] - theta . mu_i``: by how much
        demonstration ``i`` misses being preferred to every policy by its
        loss (``<= 0``: the margin holds with that much to spare).
    n_iter : int
        Rounds of loss-augmented planning (subgradient steps or
        constraint-generation rounds).
    converged : bool
        See the module docstring: certifies ``objective - min <= C * tol``.
    message : str
    method : str
        ``"cutting_plane"`` or ``"subgradient"``.
    history : dict
        Per iteration: ``"objective"`` (at that iterate), ``"lower_bound"``;
        cutting planes also ``"max_violation"``, ``"n_constraints"`` and
        ``"qp_gap"`` (duality gap of the restricted QP just solved), and
        ``"qp_iter"`` (active-set iterations of each QP solve).

    See Also
    --------
    max_margin_planning : returns it.
    tabular_irl.irl.FitResult : the protocol it follows.

    References
    ----------
    Ratliff, Bagnell & Zinkevich (2006), "Maximum margin planning", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.irl import max_margin_planning
    >>> world = gridworld(4, slip=0.1)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 10, horizon=6, seed=0)
    >>> fit = max_margin_planning(world.mdp, world.features, demos, horizon=6, C=10.0)
    >>> fit.theta.shape, fit.reward.shape, fit.policy.shape, fit.slacks.shape
    ((16,), (16, 5), (6, 16, 5), (10,))
    >>> bool(fit.lower_bound <= fit.objective), fit.gap < 1e-6  # certified optimal
    (True, True)
    >>> bool(np.array_equal(fit.slacks, np.maximum(fit.margin_violations, 0)))
    True
    >>> value = 0.5 * fit.theta @ fit.theta + 10.0 * fit.slacks.mean()  # 1/2 ||theta||^2 + C mean(xi)
    >>> bool(np.isclose(value, fit.objective))
    True
    """

    theta: np.ndarray
    reward: np.ndarray
    policy: np.ndarray
    objective: float
    lower_bound: float
    slacks: np.ndarray
    margin_violations: np.ndarray
    n_iter: int
    converged: bool
    message: str
    method: str
    history: dict = field(repr=False)

    @property
    def gap(self) -> float:
        """Certified optimality gap ``objective - lower_bound`` (>= 0)."""
        return max(0.0, self.objective - self.lower_bound)


# --------------------------------------------------------------------------
# the problem: validated demonstrations and exact loss-augmented planning
# --------------------------------------------------------------------------


def _check_loss(loss: Any, n_demos: int, S: int, A: int) -> str | np.ndarray:
    if isinstance(loss, str):
        if loss != "hamming":
            raise ValueError(f"loss must be 'hamming' or an array, got {loss!r}")
        return loss
    if loss is None:
        raise TypeError("loss must be 'hamming' or an array of shape (S, A) or (N, S, A), got None")
    arr = check_nonnegative_array(loss, "loss")
    if arr.shape not in ((S, A), (n_demos, S, A)):
        raise ValueError(f"loss must be 'hamming' or an array of shape (S, A) = ({S}, {A}) (one table for all "
                         f"demonstrations) or (N, S, A) = ({n_demos}, {S}, {A}) (one per demonstration), "
                         f"got shape {arr.shape}")
    return arr


class _Problem:
    """Validated MMP inputs reduced to weighted examples; exact loss-augmented planning."""

    def __init__(self, mdp, features, demos, horizon, discount, loss, C):
        self.mdp: MDP = check_mdp(mdp)
        self.features: LinearFeatures = features_for(mdp, features)
        model = resolve_model(horizon, discount)
        self.T, self.gamma = model.horizon, model.discount
        check_trajectories(demos, "demos", mdp, self.T)
        self.C = check_positive_real(C, "C")
        S, A, N = mdp.n_states, mdp.n_actions, demos.n_trajectories
        loss = _check_loss(loss, N, S, A)
        self.n_demos = N
        self.vi_kwargs = {"horizon": self.T, "discount": model.discount_argument}

        # Examples: identical demonstrations merged (their loss tables are equal too).
        if isinstance(loss, np.ndarray) and loss.ndim == 3:
            first, self.inverse, counts = np.arange(N), np.arange(N), np.ones(N, dtype=np.int64)
        else:
            rows = np.concatenate([demos.states, demos.actions], axis=1)
            _, first, self.inverse, counts = np.unique(rows, axis=0, return_index=True, return_inverse=True,
                                                       return_counts=True)
            self.inverse = self.inverse.ravel()
        self.states = demos.states[first]  # (E, T+1)
        self.actions = demos.actions[first]  # (E, T)
        self.s0 = self.states[:, 0]
        self.weight = self.C * counts / N  # (E,) c_e = C w_e / N
        self.n_examples = len(first)
        self.expert = self._expert_features()  # (E, d)
        if isinstance(loss, str):
            self.loss_kind, self.loss = "hamming", None
        elif loss.ndim == 2:
            self.loss_kind, self.loss = "shared", loss
        else:
            self.loss_kind, self.loss = "per_demo", loss[first]
        self._starts = np.unique(self.s0)

    def _expert_features(self) -> np.ndarray:
        """``mu_e = sum_t gamma^t phi(s_t, a_t)`` per example, shape ``(E, d)``, without ``(E, S, A)`` tables."""
        E, T = self.actions.shape
        S, A = self.mdp.n_states, self.mdp.n_actions
        w = np.broadcast_to(discount_weights(T, self.gamma), (E, T)).ravel()
        rows = np.repeat(np.arange(E), T)
        f = self.features
        if f.per_action:
            counts = sp.csr_array((w, (rows, (self.states[:, :-1] * A + self.actions).ravel())), shape=(E, S * A))
            return np.asarray(counts @ f.phi.reshape(S * A, f.d), dtype=np.float64)
        counts = sp.csr_array((w, (rows, self.states[:, :-1].ravel())), shape=(E, S))
        out = counts @ f.phi
        return np.asarray(out.toarray() if sp.issparse(out) else out, dtype=np.float64)

    def loss_table(self, e: int) -> np.ndarray:
        """``l_e (S, A)`` of example ``e``."""
        if self.loss_kind == "shared":
            return self.loss
        if self.loss_kind == "per_demo":
            return self.loss[e]
        table = np.zeros((self.mdp.n_states, self.mdp.n_actions))
        visited = self.states[e, :-1]
        table[visited, :] = 1.0
        table[visited, self.actions[e]] = 0.0
        return table

    def _one_hot(self, s: int) -> np.ndarray:
        init = np.zeros(self.mdp.n_states)
        init[s] = 1.0
        return init

    def _counts(self, policy: np.ndarray, s0: int) -> np.ndarray:
        return _passes.expected_counts(self.mdp, policy, self.T, self.gamma, self._one_hot(s0))

    def loss_augmented(self, psi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact ``max_pi psi . mu_pi + L_e(pi)`` for every example.

        Returns ``b (E,)`` (that maximum minus ``psi . mu_e``), and the
        maximising policy's ``mu_pi (E, d)`` and ``L_e(pi) (E,)``.
        """
        E, d = self.n_examples, self.features.d
        r = self.features.reward(psi)
        mu = np.empty((E, d))
        lval = np.empty(E)
        if self.loss_kind == "shared":
            policy = policy_plan(self.mdp, r + self.loss, hard=True, **self.vi_kwargs).policy
            for s in self._starts:
                counts = self._counts(policy, s)
                idx = self.s0 == s
                mu[idx] = self.features.contract(counts)
                lval[idx] = float(np.sum(counts * self.loss))
        else:
            for e in range(E):
                table = self.loss_table(e)
                policy = policy_plan(self.mdp, r + table, hard=True, **self.vi_kwargs).policy
                counts = self._counts(policy, self.s0[e])
                mu[e] = self.features.contract(counts)
                lval[e] = float(np.sum(counts * table))
        b = mu @ psi + lval - self.expert @ psi
        return b, mu, lval

    def objective(self, psi: np.ndarray, b: np.ndarray) -> float:
        return 0.5 * float(psi @ psi) + float(self.weight @ np.maximum(b, 0.0))


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


# --------------------------------------------------------------------------
# solvers
# --------------------------------------------------------------------------


def _cutting_plane(problem: _Problem, tol: float, max_iter: int, bar):
    E, d = problem.n_examples, problem.features.d
    weight = problem.weight
    # working sets: one null constraint per example (xi_e >= 0)
    G = np.zeros((E, d))
    L = np.zeros(E)
    block = np.arange(E)
    alpha = weight.copy()
    history = {"objective": [], "lower_bound": [], "max_violation": [], "n_constraints": [], "qp_gap": [],
               "qp_iter": []}
    last = None
    qp_ok, qp_total_iter = True, 0
    converged, message = False, ""
    for it in range(1, max_iter + 1):
        primal_qp, dual_qp, psi, xi_qp = _qp_values(G, L, block, weight, alpha)
        b, mu_pi, l_pi = problem.loss_augmented(psi)
        f = problem.objective(psi, b)
        violation = np.maximum(b, 0.0) - xi_qp
        max_viol = float(violation.max())
        history["objective"].append(f)
        history["lower_bound"].append(dual_qp)
        history["max_violation"].append(max_viol)
        history["n_constraints"].append(len(L) - E)
        history["qp_gap"].append(primal_qp - dual_qp)
        bar.update(it, objective=f, gap=f - dual_qp, **{"max violation": max_viol})
        last = (psi, b, f, dual_qp, it)
        if max_viol <= tol:
            converged = True
            message = (f"converged: no margin constraint is violated by more than tol={tol:.3g} beyond its slack "
                       f"(max {max_viol:.3g}) after {it} round(s), {len(L) - E} constraint(s); "
                       f"restricted QP gap {primal_qp - dual_qp:.3g}")
            break
        if it == max_iter:
            break
        add = np.flatnonzero(violation > tol)
        new_g = problem.expert[add] - mu_pi[add]
        new_l = l_pi[add]
        keep = np.ones(len(add), dtype=bool)
        for j, e in enumerate(add):  # the same policy twice would mean the QP is inaccurate
            rows = block == e
            if np.any(np.all(G[rows] == new_g[j], axis=1) & (L[rows] == new_l[j])):
                keep[j] = False
        if not np.any(keep):
            message = (f"stopped: the most violated constraints are already in the working set (max violation "
                       f"{max_viol:.3g} > tol={tol:.3g}), the restricted QP is not accurate enough for this tol; "
                       "try a larger tol")
            break
        G = np.vstack([G, new_g[keep]])
        L = np.concatenate([L, new_l[keep]])
        block = np.concatenate([block, add[keep]])
        alpha = np.concatenate([alpha, np.zeros(int(keep.sum()))])
        alpha, qp_iter, ok = _solve_restricted_qp(G, L, block, weight, alpha, max_iter=50 * len(L) + 100)
        history["qp_iter"].append(qp_iter)
        qp_total_iter += qp_iter
        qp_ok = qp_ok and ok
    psi, b, f, lower, n_iter = last
    if not converged and not message:
        message = (f"not converged: a margin constraint is still violated by {history['max_violation'][-1]:.3g} "
                   f"> tol={tol:.3g} beyond its slack after max_iter={max_iter} rounds of constraint generation "
                   f"({len(L) - E} constraints; certified gap {f - lower:.3g}). Try a larger max_iter "
                   "(constraint generation terminates: there are finitely many deterministic policies) or a "
                   "larger tol")
    if not qp_ok:
        message += "; the active-set QP solver hit its iteration limit in some round (see history['qp_gap'])"
    return psi, b, f, lower, n_iter, converged, message, history


def _subgradient(problem: _Problem, tol: float, max_iter: int, bar):
    d = problem.features.d
    weight = problem.weight
    psi = np.zeros(d)
    mean_loss = 0.0  # sum_k alpha_k L_k of the dual point that psi is
    history = {"objective": [], "lower_bound": []}
    best_f, best_psi, best_b, best_it = np.inf, psi, None, 0
    best_lower = 0.0  # f >= 0 everywhere
    converged = False
    C = problem.C
    for k in range(max_iter):
        b, mu_pi, l_pi = problem.loss_augmented(psi)
        f = problem.objective(psi, b)
        lower = mean_loss - 0.5 * float(psi @ psi)
        history["objective"].append(f)
        history["lower_bound"].append(lower)
        best_lower = max(best_lower, lower)
        if f < best_f:
            best_f, best_psi, best_b, best_it = f, psi, b, k + 1
        bar.update(k + 1, objective=f, gap=best_f - best_lower)
        if best_f - best_lower <= C * tol:
            converged = True
            break
        active = weight * (b > 0)
        u = active @ (problem.expert - mu_pi)  # psi - u is a subgradient of f at psi
        step = 2.0 / (k + 2)
        psi = (1.0 - step) * psi + step * u
        mean_loss = (1.0 - step) * mean_loss + step * float(active @ l_pi)
    n_iter = len(history["objective"])
    gap = best_f - best_lower
    if converged:
        message = (f"converged: certified gap {gap:.3g} <= C * tol = {C * tol:.3g} after {n_iter} iteration(s) "
                   f"(best iterate: {best_it})")
    else:
        message = (f"not converged: certified gap {gap:.3g} > C * tol = {C * tol:.3g} after max_iter={max_iter} "
                   "subgradient steps (step 2/(k+2), suboptimality O(1/k)). Increase max_iter, loosen tol, "
                   "or use method='cutting_plane', which is exact")
    return best_psi, best_b, best_f, best_lower, n_iter, converged, message, history


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


def mmp_objective(
    mdp: MDP,
    features: Any,
    theta: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    loss: str | Any = "hamming",
    C: float = 1.0,
) -> tuple[float, np.ndarray]:
    r"""The maximum margin planning objective at ``theta`` and a subgradient: ``(value, subgradient)``.

    .. math::

        f(\theta) = \tfrac12 \lVert\theta\rVert^2 + \frac{C}{N} \sum_i \xi_i(\theta),
        \qquad \xi_i(\theta) = \max\Big(0,\; \max_\pi \big[\theta \cdot \mu_\pi(s0_i)
        + L_i(\pi)\big] - \theta \cdot \mu_i\Big),

    with the inner maximum solved exactly by loss-augmented value iteration
    (see the module docstring). The pair is what
    ``scipy.optimize.minimize(..., jac=True)`` expects; the per-demonstration
    margin violations (formerly a third output) are
    :func:`mmp_margin_violations`.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``r(s, a) = features[s, a] @ theta``.
    theta : array_like, shape (d,)
        The weight vector ``psi`` at which to evaluate.
    demos : Trajectories
        ``N`` demonstrations; with a horizon their horizon must equal it.
    horizon, discount, loss, C
        As in :func:`max_margin_planning`: ``loss`` is ``"hamming"`` or an
        array of shape ``(S, A)`` or ``(N, S, A)``.

    Returns
    -------
    value : float
        ``f(theta) = 1/2 ||theta||^2 + C * mean_i xi_i``.
    subgradient : ndarray, shape (d,)
        ``theta + C/N sum_i [xi_i > 0] (mu_pi_i - mu_i)`` with ``pi_i`` the
        loss-augmented optimal policy of demonstration ``i``.

    Raises
    ------
    ValueError
        On demonstrations, features, loss or model arguments that do not fit
        the MDP (messages name the argument).

    See Also
    --------
    max_margin_planning : minimises this objective.
    mmp_margin_violations : the slacks ``xi_i`` before their positive part.

    References
    ----------
    Ratliff, Bagnell & Zinkevich (2006), "Maximum margin planning", ICML.

    Examples
    --------
    At ``theta = 0`` every slack is the largest expected loss a policy can
    incur, so ``f(0) = C * mean_i xi_i``; at the fitted ``theta`` it is the
    fit's objective:

    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.irl import max_margin_planning, mmp_margin_violations, mmp_objective
    >>> world = gridworld(4, slip=0.1)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 10, horizon=6, seed=0)
    >>> value, subgradient = mmp_objective(world.mdp, world.features, np.zeros(16), demos, horizon=6, C=10.0)
    >>> violations = mmp_margin_violations(world.mdp, world.features, np.zeros(16), demos, horizon=6)
    >>> subgradient.shape, violations.shape, bool(np.all(violations > 0))
    ((16,), (10,), True)
    >>> bool(np.isclose(value, 10.0 * violations.mean()))
    True
    >>> fit = max_margin_planning(world.mdp, world.features, demos, horizon=6, C=10.0)
    >>> value, _ = mmp_objective(world.mdp, world.features, fit.theta, demos, horizon=6, C=10.0)
    >>> bool(np.isclose(value, fit.objective))
    True
    """
    problem, psi, b, mu_pi = _loss_augmented_at(mdp, features, theta, demos, horizon, discount, loss, C)
    grad = psi + (problem.weight * (b > 0)) @ (mu_pi - problem.expert)
    return problem.objective(psi, b), grad


def mmp_margin_violations(
    mdp: MDP,
    features: Any,
    theta: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    loss: str | Any = "hamming",
) -> np.ndarray:
    r"""Margin violations ``max_pi [theta . mu_pi + L_i(pi)] - theta . mu_i`` of each demonstration, shape ``(N,)``.

    ``xi_i``, the slack of :func:`mmp_objective`, is the positive part.

    Parameters
    ----------
    mdp, features, theta, demos, horizon, discount, loss
        As in :func:`mmp_objective`.

    Returns
    -------
    ndarray, shape (N,)
        In the order of ``demos``.

    Raises
    ------
    ValueError
        As :func:`mmp_objective`.

    See Also
    --------
    mmp_objective : the objective whose slacks these are.

    References
    ----------
    Ratliff, Bagnell & Zinkevich (2006), "Maximum margin planning", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> world = gridworld(3, slip=0.0)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=4)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 3, horizon=4, seed=0)
    >>> mmp_margin_violations(world.mdp, world.features, np.zeros(9), demos, horizon=4).shape
    (3,)
    """
    problem, _, b, _ = _loss_augmented_at(mdp, features, theta, demos, horizon, discount, loss, 1.0)
    return b[problem.inverse]


def _loss_augmented_at(mdp, features, theta, demos, horizon, discount, loss, C) -> tuple:
    """The validated problem, ``psi = theta``, and the loss-augmented violations ``b`` and feature counts ``mu_pi``."""
    problem = _Problem(mdp, features, demos, horizon, discount, loss, C)
    psi = check_finite_array(theta, "theta", (problem.features.d,))
    b, mu_pi, _ = problem.loss_augmented(psi)
    return problem, psi, b, mu_pi


def max_margin_planning(
    mdp: MDP,
    features: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    loss: str | Any = "hamming",
    C: float = 1.0,
    method: str = "cutting_plane",
    max_iter: int | None = None,
    tol: float | None = None,
    progress: bool | None = None,
) -> MMPResult:
    r"""Maximum margin planning (Ratliff, Bagnell & Zinkevich 2006) with exact loss-augmented planning.

    Minimises ``1/2 ||psi||^2 + C * mean_i xi_i(psi)`` with
    ``xi_i = max(0, max_pi [psi . mu_pi(s0_i) + L_i(pi)] - psi . mu_i)``; see
    the module docstring for the loss, the handling of demonstrations and
    the two solvers.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``r(s, a) = features[s, a] @ theta``.
    demos : Trajectories
        ``N`` demonstrations; with a horizon their horizon must equal it.
    horizon, discount
        The model, as in :func:`value_iteration`: feature counts and losses
        weight step ``t`` by ``gamma^t``.
    loss : "hamming" or array_like, shape (S, A) or (N, S, A)
        Per-step loss table ``l_i(s, a) >= 0``; ``"hamming"``: 1 where
        demonstration ``i`` was in ``s`` and never took ``a`` there.
    C : float, default 1.0
        Weight of the mean slack, ``> 0``.
    method : {"cutting_plane", "subgradient"}
        ``"cutting_plane"`` (default): exact constraint generation.
        ``"subgradient"``: steps ``2 / (k + 2)``, best iterate kept.
    max_iter : int, optional
        Rounds of loss-augmented planning (default 500 for cutting planes,
        1000 for the subgradient method).
    tol : float, optional
        Cutting planes: stop when no margin constraint is violated by more
        than ``tol`` beyond its slack (default ``1e-8``). Subgradient: stop
        when the certified gap is ``<= C * tol`` (default ``1e-3``).
    progress : bool, optional
        Show each round's objective, certified gap (and, for cutting planes,
        the largest margin violation) on ``stderr`` while solving (``tqdm``
        when installed, else plain lines). ``None`` (default): only when
        ``stderr`` is a terminal and the solve takes more than a second.
        ``result.history`` records them either way.

    Returns
    -------
    MMPResult
        Not converging is reported (``converged=False``, ``message``) and
        warned about with :class:`ConvergenceWarning`.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type; the message names it.
    ValueError
        ``features``, ``demos``, ``horizon``, ``discount``, ``loss``, ``C``,
        ``method``, ``max_iter`` or ``tol`` out of range, of the wrong shape or
        not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    tabular_irl.irl.mmp_objective : the objective minimised.
    apprenticeship_learning : feature matching without a loss.
    maxent_irl : the maximum entropy alternative.

    References
    ----------
    Ratliff, Bagnell & Zinkevich (2006), "Maximum margin planning", ICML.

    Examples
    --------
    >>> from tabular_irl import gridworld, value_iteration, sample_trajectories
    >>> from tabular_irl.irl.margin import max_margin_planning
    >>> world = gridworld(4, slip=0.1)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 10, horizon=6, seed=0)
    >>> fit = max_margin_planning(world.mdp, world.features, demos, horizon=6, C=10.0)
    >>> fit.converged, bool(fit.gap < 1e-6), fit.slacks.shape
    (True, True, (10,))
    """
    problem = _Problem(mdp, features, demos, horizon, discount, loss, C)
    method = check_option(method, "method", _METHODS)
    max_iter = _DEFAULT_MAX_ITER[method] if max_iter is None else check_positive_int(max_iter, "max_iter")
    if tol is None:
        tol = _DEFAULT_TOL[method]
    else:
        tol = check_positive_real(tol, "tol")
    progress = check_progress(progress)
    solve = _cutting_plane if method == "cutting_plane" else _subgradient
    with progress_bar(f"max_margin_planning ({method})", progress) as bar:
        psi, b, f, lower, n_iter, converged, message, history = solve(problem, tol, max_iter, bar)
    if not converged:
        warn_not_converged(message)
    theta = np.array(psi, dtype=np.float64)
    reward = problem.features.reward(theta)
    policy = np.array(policy_plan(problem.mdp, reward, hard=True, **problem.vi_kwargs).policy)
    violations = b[problem.inverse]
    slacks = np.maximum(violations, 0.0)
    readonly(theta, reward, policy, violations, slacks)
    return MMPResult(theta=theta, reward=reward, policy=policy, objective=float(f), lower_bound=float(lower),
                     slacks=slacks, margin_violations=violations, n_iter=int(n_iter), converged=bool(converged),
                     message=message, method=method, history=history)
