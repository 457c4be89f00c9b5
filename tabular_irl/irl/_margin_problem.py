r"""Maximum margin planning's problem and solvers: exact loss-augmented planning, cutting planes, subgradients.

:class:`_Problem` holds validated demonstrations and plans the loss-augmented
reward exactly (hard value iteration); ``_cutting_plane`` (constraint
generation with the exact restricted QP of :mod:`tabular_irl.irl._qp`) and
``_subgradient`` optimise the margin objective of :mod:`tabular_irl.irl.margin`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .._features import LinearFeatures
from .._logspace import discount_weights
from .._validation import (
    check_nonnegative_array,
    check_positive_real,
    check_trajectories,
    resolve_model,
)
from .. import _passes
from ..mdp import MDP
from ..planning import policy_plan
from ._common import check_mdp, features_for
from ._qp import _solve_restricted_qp, _qp_values


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
