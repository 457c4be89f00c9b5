r"""The certified optimum of a KL objective over achievable state marginals.

Minimise :math:`f(d) = \sum_s d_s \log(d_s / q_s)` over the marginals of all
policies (``q = 1``: maximum entropy; ``q`` a target: state-marginal
matching). The primal-dual interior-point method of
:mod:`~tabular_irl.rewardfree._interior` on the occupancy measures
(:mod:`~tabular_irl.rewardfree._occupancy`) converges where Frank--Wolfe
stalls (gap ``~1e-5`` at horizons of 20 or more on a 10x10 grid); its
iterates are certified, never trusted:

* **upper bound**: the policy :math:`\pi_t(a|s) = z_t(s,a) / \sum_b z_t(s,b)`
  read off the iterate, its marginal computed exactly by a forward pass;
  ``f`` of it is achieved;
* **lower bound**: for any state reward ``r``, Gibbs' inequality
  :math:`\mathrm{KL}(d \,\|\, q e^{-r} / Z_r) \ge 0` gives
  :math:`f(d) \ge -\langle r, d \rangle - \log \sum_s q_s e^{-r_s}`, so
  :math:`\min f \ge -\max_{d} \langle r, d \rangle - \log Z_r`, the maximum by
  hard planning (exact). With :math:`r = \log q - \log d` at the iterate it is
  tight at the optimum (the Fenchel dual, or the Frank--Wolfe gap).

Why not Newton on that dual instead: ``max_p <r, p>``, the hard planning
value, is piecewise linear in ``r`` (a maximum over deterministic policies),
so the dual is not smooth where it matters (at the optimum many policies
tie); soft planning at temperature ``tau`` smooths it but moves the optimum
by up to ``tau`` times the policies' causal entropy, so a gap of ``1e-10``
would need ``tau ~ 1e-11`` and an ill-conditioned Newton system anyway. In
the occupancy measures the problem is smooth with linear constraints, where
an interior-point method converges to rounding.

If the interior-point method ends uncertified (rounding on very long chains)
with a gap above :data:`FRANK_WOLFE_ABOVE`, fully-corrective Frank--Wolfe runs
as well and the tighter certificate wins; closer than that, the bracket is
returned with a warning.

States the target excludes (``q_s = 0``, ``forbidden``) make ``f = +inf``
for every policy that visits them: the program is over the policies that
avoid them with certainty (:func:`~tabular_irl.rewardfree._occupancy.allowed_actions`),
and ``+inf`` when none does. In the dual bound they get the reward
``-_PENALTY``: planning over all policies with it bounds planning over the
avoiding ones from above, so the bound stays valid (and is exact once the
penalty outweighs what visiting could gain).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy.special import logsumexp

from .._memory import available_memory
from ..exceptions import ConvergenceWarning
from ._blocks import factor_bytes
from ._frank_wolfe import frank_wolfe_optimum
from ._interior import interior_point
from ._model import Model
from ._occupancy import Flow, allowed_actions, flow
from ._results import MarginalOptimum
from ._simplex import objective

__all__ = ["METHODS", "exact_optimum", "fits"]

# method="auto" leaves the problem to Frank--Wolfe when the interior-point method's Newton system is too large:
# with a horizon, when the block Cholesky factor (_blocks.factor_bytes) would exceed MAX_FACTOR_BYTES (a 32x32
# grid at T=64: 0.71 GB, ~2 s per factorisation, ~40 iterations; 40x40 at T=80 would need 3 GB and ~20 s per
# factorisation); discounted (one sparse LU of the whole system), above MAX_ROWS rows.
MAX_FACTOR_BYTES = 2 * 2**30
# After an interior point that ended uncertified but closer than this, Frank--Wolfe gets as long as the interior
# point took (at least a second): it closes such gaps on small problems (a 3x3 grid at T=9: 2.7e-10 -> 4e-16 in
# 41 iterations), while on large ones its max_iter steps would take far longer (a discounted 64x64 grid: 15
# minutes after an interior point of 9 s).
FRANK_WOLFE_ABOVE = 1e-6
MAX_ROWS = 12_000
METHODS = ("auto", "interior-point", "frank-wolfe")

# Reward of a forbidden state in the dual bound's planning (any value keeps the bound valid).
_PENALTY = 1e8


class _Certificate:
    """The best certified point seen: ``upper`` is ``f`` of an actual policy, ``lower`` a dual bound."""

    def __init__(self, model: Model, log_q: np.ndarray, support: np.ndarray, forbidden: np.ndarray,
                 index: np.ndarray, states: np.ndarray):
        self.model, self.log_q, self.support, self.index, self.states = model, log_q, support, index, states
        self.forbidden = forbidden
        self.upper, self.lower = np.inf, -np.inf
        self.policy = self.marginal = None

    def policy_of(self, z: np.ndarray) -> np.ndarray:
        """The Markov policy of occupancies ``z`` (uniform where nothing is kept)."""
        shape = self.model.shape
        full = np.zeros(int(np.prod(shape)))
        full[self.index] = z
        full = full.reshape(shape)
        total = full.sum(axis=-1, keepdims=True)
        return np.ascontiguousarray(np.where(total > 0, full / np.where(total > 0, total, 1.0), 1.0 / shape[-1]))

    def bound(self, d: np.ndarray) -> float:
        """``-max_p <r, p> - log sum q e^-r`` for ``r = log q - log d`` on the support (a lower bound on min f)."""
        r = np.zeros(d.shape)
        sup = self.support
        r[sup] = self.log_q[sup] - np.log(np.maximum(d[sup], np.finfo(np.float64).tiny))
        r[self.forbidden] = -_PENALTY
        best = self.model.best_response(r)[2]
        return -best - float(logsumexp(self.log_q[sup] - r[sup]))

    def offer(self, z: np.ndarray, d_iterate: np.ndarray) -> float:
        """Certify the iterate ``z`` (marginal ``d_iterate`` on ``states``); return the gap now."""
        policy = self.policy_of(z)
        d = self.model.marginal(policy)
        # the policy uses allowed actions only: no mass on forbidden states (inf if rounding says otherwise)
        f = np.inf if np.any(d[self.forbidden] > 0) else objective(d[self.support], self.log_q[self.support])
        if f < self.upper:
            self.upper, self.policy, self.marginal = f, policy, d
        full = np.zeros(d.shape)
        full[self.states] = d_iterate
        self.lower = max(self.lower, self.bound(d), self.bound(full))
        return self.upper - self.lower


def fits(fl: Flow) -> bool:
    """Whether ``method="auto"`` runs the interior-point method on ``fl`` (see :data:`MAX_FACTOR_BYTES`).

    With a horizon, the factor must also fit in the memory available now
    (:func:`~tabular_irl._memory.available_memory`), so that ``"auto"`` never
    raises ``MemoryError`` where Frank--Wolfe would run.
    """
    if len(fl.offsets) > 2:
        need = factor_bytes(fl.offsets, fl.M.shape[0])
        free = available_memory()
        return need <= MAX_FACTOR_BYTES and (free is None or need <= free)
    return fl.A.shape[0] + fl.M.shape[0] <= MAX_ROWS


def exact_optimum(model: Model, log_q: np.ndarray, *, maximise_entropy: bool, tol: float, max_iter: int,
                  what: str, method: str = "auto", forbidden: np.ndarray | None = None) -> MarginalOptimum:
    """The certified optimum: interior point, Frank--Wolfe if that ends uncertified; warns above ``tol``.

    ``method``: one of :data:`METHODS` (validated); ``"auto"`` skips the
    interior point when its Newton system is too large (:func:`fits`).
    ``forbidden (S,)``: states ``f`` excludes (target 0); ``log_q`` is only read elsewhere.
    """
    S = model.mdp.n_states
    forbidden = np.zeros(S, dtype=bool) if forbidden is None else forbidden
    fl = flow(model, allowed_actions(model, forbidden))
    if fl is None:
        return _unavoidable(model, what)
    support = np.zeros(S, dtype=bool)
    support[fl.states] = True
    cert = _Certificate(model, log_q, support, forbidden, fl.index, fl.states)
    ran = []
    start = time.perf_counter()
    too_large = not fits(fl)
    if method == "interior-point" or (method == "auto" and not too_large):
        ip = interior_point(fl.A, fl.b, fl.M, log_q[fl.states], fl.z0, done=lambda z: cert.offer(z, fl.M @ z) <= tol,
                            max_iter=max_iter, offsets=fl.offsets)
        ran.append("interior-point")
        if not ip.done:
            cert.offer(ip.z, fl.M @ ip.z)
    n_iter = 0 if not ran else ip.n_iter
    if cert.policy is None:  # no interior point ran: the uniform policy over the allowed actions is a start
        cert.offer(fl.z0, fl.M @ fl.z0)
    policies, weights = (cert.policy,), np.ones(1)
    # Frank--Wolfe starts from the uniform policy, which visits forbidden states
    near = bool(ran) and cert.upper - cert.lower <= FRANK_WOLFE_ABOVE
    if cert.upper - cert.lower > tol and method != "interior-point" and not forbidden.any():
        budget = max(1.0, time.perf_counter() - start) if near else None
        fw = frank_wolfe_optimum(model, log_q, tol=tol, max_iter=max_iter, seconds=budget)
        n_iter += fw.n_iter
        if fw.upper < cert.upper:
            cert.upper, cert.policy, cert.marginal = fw.upper, fw.policy, fw.marginal
            policies, weights = fw.policies, fw.weights
        cert.lower = max(cert.lower, fw.lower)
        ran.append("frank-wolfe")
    gap = max(0.0, cert.upper - cert.lower)
    converged = gap <= tol
    f = cert.upper
    value, lower, upper = (-f, -f, -f + gap) if maximise_entropy else (f, f - gap, f)
    how = ", then ".join(ran) or "the uniform policy over the allowed actions"
    message = (f"converged: duality gap {gap:.3g} <= tol={tol:.3g} after {n_iter} iterations ({how})"
               if converged else
               f"{what} stopped after {n_iter} iterations ({how}, max_iter={max_iter}) with duality gap "
               f"{gap:.3g} > tol={tol:.3g}; increase max_iter or tol" +
               ("" if "interior-point" in ran or forbidden.any() else
                ', or pass method="interior-point" (slow on long horizons over large grids)'))
    if not converged:
        warnings.warn(message, ConvergenceWarning, stacklevel=3)
    return MarginalOptimum(value=value, marginal=cert.marginal, policy=cert.policy, gap=gap, lower=lower,
                           upper=upper, policies=tuple(policies), weights=weights, n_iter=n_iter,
                           converged=converged, message=message)


def _unavoidable(model: Model, what: str) -> MarginalOptimum:
    """``KL = +inf`` for every policy: the uniform policy stands for them all; the bounds coincide."""
    policy = model.uniform_policy()
    message = (f"{what}: every policy visits a state where the target is 0 with positive probability, so "
               "KL(p || target) = +inf for all of them")
    return MarginalOptimum(value=np.inf, marginal=model.marginal(policy), policy=policy, gap=0.0, lower=np.inf,
                           upper=np.inf, policies=(policy,), weights=np.ones(1), n_iter=0, converged=True,
                           message=message)
