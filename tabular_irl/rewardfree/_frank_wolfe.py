r"""Frank--Wolfe over the polytope of achievable state marginals.

Minimise the convex :math:`f(d) = \sum_s d_s \log (d_s / q_s)` over the
marginals ``d`` of all (time-indexed, randomised) policies: ``q = 1`` is
maximum state entropy (``f = -H``), ``q = target`` state-marginal matching
(``f = KL(d || target)``). The polytope's vertices are marginals of
deterministic policies, so the linear minimisation oracle is hard planning
for the state reward :math:`r = -\nabla f(d) = \log q - \log d - 1`
(:meth:`Model.best_response`), and its value certifies the iterate:

.. math::

    f(d) - \min f \;\le\; \mathrm{gap}(d) = \max_{v} \langle r, v \rangle - \langle r, d \rangle,

the Frank--Wolfe gap, which is also a duality gap: with the Fenchel dual of
:math:`f`, :math:`\max_v \langle r, v\rangle + \log \sum_s q_s e^{-r_s - 1}` bounds the
optimum and equals :math:`f(d) - \mathrm{gap}(d)` at :math:`r = -\nabla f(d)`.

Steps (``w`` the mixture weights, ``v`` the new vertex):

* ``"fully-corrective"``: re-optimise all weights
  (:func:`~tabular_irl.rewardfree._simplex.kl_mixture_weights`);
* ``"line-search"``: :math:`d \leftarrow d + \eta (v - d)`, ``eta`` exact;
* ``"2/(k+2)"``: Hazan et al.'s schedule;
* ``"1/(k+2)"``: the plain average of all iterates (fictitious play);
* ``"naive"``: ``d <- v`` (not Frank--Wolfe: the latest policy only).

Planning soft (``temperature > 0``) gives an inexact oracle whose policies
have full support; the gap is always measured with the hard oracle.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ._model import Model
from ._results import ExplorationResult
from ._simplex import kl_mixture_weights, line_search, objective
from .marginals import markov_mixture

__all__ = ["STEPS", "FrankWolfe", "FrankWolfeOptimum", "start", "frank_wolfe_optimum", "exploration_result"]

STEPS = ("fully-corrective", "line-search", "2/(k+2)", "1/(k+2)")

# log d of a reachable state the mixture never visits: a large finite reward
# (the gradient is +inf there) so that the next plan goes to visit it.
_LOG_FLOOR = np.log(1e-300)


class FrankWolfe:
    """The state of one run: the model, ``log q``, the collected policies, their marginals and weights."""

    def __init__(self, model: Model, log_q: np.ndarray, reachable: np.ndarray, start_policy: np.ndarray,
                 start_marginal: np.ndarray, *, step: str, temperature: float) -> None:
        self.model, self.log_q, self.reachable = model, log_q, reachable
        self.step, self.temperature = step, temperature
        self.policies = [start_policy]
        self.columns = [start_marginal]
        self.weights = np.ones(1)
        self.marginal = start_marginal
        self.history: list[float] = []
        self.gaps: list[float] = []
        self._response = None

    # -- objective and oracle ---------------------------------------------
    def value(self, d: np.ndarray | None = None) -> float:
        """``f(d)`` of the current marginal (or of ``d``)."""
        d = self.marginal if d is None else d
        return objective(d[self.reachable], self.log_q[self.reachable])

    def reward(self) -> np.ndarray:
        """``-grad f(d) = log q - log d - 1`` on reachable states, 0 elsewhere."""
        d = self.marginal
        log_d = np.full(d.shape, _LOG_FLOOR)
        np.log(d, out=log_d, where=d > 0)
        return np.where(self.reachable, self.log_q - log_d - 1.0, 0.0)

    def gap(self) -> float:
        """The Frank--Wolfe gap at the current marginal (one hard planning pass); keeps the response."""
        r = self.reward()
        self._response = self.model.best_response(r, temperature=self.temperature)
        if np.any(self.reachable & (self.marginal <= 0)):
            return np.inf
        return max(0.0, self._response[2] - float(r @ self.marginal))

    # -- iterations -----------------------------------------------------------
    def run(self, n_iter: int, *, tol: float | None = None, seconds: float | None = None
            ) -> tuple[float, bool, int]:
        """Up to ``n_iter`` iterations, stopping once the gap is ``<= tol`` if given (or after ``seconds``).

        Each iteration measures the gap at the current marginal (its hard
        plan is the oracle's answer) and then steps. Returns
        ``(gap at the final marginal, converged, iterations stepped)``;
        the naive scheme's gap is ``nan``.
        """
        deadline = None if seconds is None else time.perf_counter() + seconds
        for k in range(n_iter):
            gap = self.gap()
            if tol is not None and gap <= tol:
                return gap, True, k
            if deadline is not None and time.perf_counter() > deadline:
                return gap, False, k
            self.gaps.append(gap)
            policy, v, _ = self._response
            if self.step == "naive":
                self.policies, self.columns, self.weights, self.marginal = [policy], [v], np.ones(1), v
            else:
                self._step(k, policy, v)
            self.history.append(self.value())
        if self.step == "naive":
            return np.nan, False, n_iter
        gap = self.gap()
        return gap, tol is not None and gap <= tol, n_iter

    def _step(self, k: int, policy: np.ndarray, v: np.ndarray) -> None:
        d = self.marginal
        if self.step == "2/(k+2)":
            eta = 2.0 / (k + 2.0)
        elif self.step == "1/(k+2)":
            eta = 1.0 / (k + 2.0)
        else:
            eta = line_search(d[self.reachable], (v - d)[self.reachable], self.log_q[self.reachable], 1.0)
        same = next((i for i, c in enumerate(self.columns) if np.array_equal(c, v)), None)
        if same is None:
            self.policies.append(policy)
            self.columns.append(v)
            self.weights = np.append((1.0 - eta) * self.weights, eta)
        else:  # the oracle returned a marginal already in the mixture
            self.weights = (1.0 - eta) * self.weights
            self.weights[same] += eta
        if self.step == "fully-corrective":
            V = np.stack(self.columns, axis=1)[self.reachable]
            self.weights = kl_mixture_weights(V, self.log_q[self.reachable], self.weights)
            keep = self.weights > 0
            self.policies = [pi for pi, kept in zip(self.policies, keep) if kept]
            self.columns = [c for c, kept in zip(self.columns, keep) if kept]
            self.weights = self.weights[keep] / self.weights[keep].sum()
        self.marginal = np.maximum(np.stack(self.columns, axis=1) @ self.weights, 0.0)


def start(model: Model, log_q: np.ndarray, *, step: str, temperature: float = 0.0) -> FrankWolfe:
    """A run from the uniformly random policy, whose marginal reaches every reachable state."""
    uniform = model.uniform_policy()
    d0 = model.marginal(uniform)
    return FrankWolfe(model, log_q, d0 > 0, uniform, d0, step=step, temperature=temperature)


@dataclass(frozen=True)
class FrankWolfeOptimum:
    """What fully-corrective Frank--Wolfe certified: ``f`` of ``marginal`` (``upper``), ``lower = upper - gap``."""

    upper: float
    lower: float
    marginal: np.ndarray
    policy: np.ndarray
    policies: tuple
    weights: np.ndarray
    n_iter: int


def frank_wolfe_optimum(model: Model, log_q: np.ndarray, *, tol: float, max_iter: int,
                        seconds: float | None = None) -> FrankWolfeOptimum:
    """Fully-corrective Frank--Wolfe until the gap is ``<= tol``, ``max_iter`` or ``seconds``: bounds on ``min f``."""
    fw = start(model, log_q, step="fully-corrective")
    gap, _, n_iter = fw.run(max_iter, tol=tol, seconds=seconds)
    f = fw.value()
    policy = markov_mixture(model, fw.policies, fw.weights)
    return FrankWolfeOptimum(upper=f, lower=f - gap, marginal=fw.marginal, policy=policy,
                             policies=tuple(fw.policies), weights=fw.weights, n_iter=n_iter)


def exploration_result(fw: FrankWolfe, gap: float, n_iter: int, *, negate: bool, planner: str) -> ExplorationResult:
    """The :class:`ExplorationResult` of a finished run (``negate``: report ``-f``, the entropy)."""
    sign = -1.0 if negate else 1.0
    return ExplorationResult(policies=tuple(fw.policies), weights=fw.weights, marginal=fw.marginal,
                             value=sign * fw.value(), history=sign * np.asarray(fw.history, dtype=np.float64),
                             gap=gap, gap_history=np.asarray(fw.gaps, dtype=np.float64), n_iter=n_iter,
                             step=fw.step, planner=planner)
