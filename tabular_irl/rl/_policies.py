r"""Softmax tabular policies and their exact evaluation: the pieces every ``rl`` method shares.

A policy is given by its *logits* ``theta``, time-indexed ``(T, S, A)`` (with a
horizon) or stationary ``(S, A)``,

.. math::

    \pi_\theta(a \mid s) = \frac{\exp \theta(s, a)}{\sum_b \exp \theta(s, b)},

and every quantity is exact: the return ``J`` from the start distribution,
the action values ``Q^\pi`` of a backward evaluation
``Q_t = r + \gamma P V_{t+1}``, ``V_t(s) = \sum_a \pi_t(a|s) Q_t(s, a)``
(``V = (I - \gamma P_\pi)^{-1} r_\pi`` when discounted, by sparse LU), and the
expected discounted counts ``sum_t gamma^t D_t(s) pi_t(a|s)`` of the forward
pass (:func:`tabular_irl._passes.expected_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _passes
from .._logspace import discount_weights, soft_max
from .._validation import check_horizon_discount, check_logits, check_reward
from ..inference import _start
from ..mdp import MDP, check_mdp

__all__ = ["Problem", "resolve", "softmax", "log_softmax", "evaluate", "policy_return", "per_step"]


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated control problem: the MDP, the reward ``(S, A)``, ``T`` (or None), ``gamma`` and the start."""

    mdp: MDP
    reward: np.ndarray
    T: int | None
    gamma: float
    initial: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.mdp.n_states, self.mdp.n_actions

    def logits(self, logits: Any, name: str = "logits", copy: bool = True) -> np.ndarray:
        """Validated logits of this problem: ``(S, A)`` or, with a horizon, ``(T, S, A)`` (fresh unless ``copy=False``)."""
        return check_logits(logits, *self.shape, self.T, name, copy)


def resolve(mdp: Any, reward: Any, horizon: Any, discount: Any, initial: Any = None) -> Problem:
    """Validate ``(mdp, reward, horizon, discount, initial)`` once, at the boundary of a public function."""
    mdp = check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount)
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    return Problem(mdp, r, T, gamma, _start(mdp, initial))


def softmax(logits: np.ndarray) -> np.ndarray:
    """``pi = exp(theta - logsumexp theta)`` over the last axis, shifted by the maximum (no overflow)."""
    return soft_max(logits)[1]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """``log pi = theta - logsumexp theta`` over the last axis."""
    return logits - soft_max(logits)[0][..., None]


def per_step(policy: np.ndarray, T: int) -> np.ndarray:
    """A ``(T, S, A)`` view of a stationary ``(S, A)`` or time-indexed policy (no copy)."""
    return np.broadcast_to(policy, (T,) + policy.shape[-2:]) if policy.ndim == 2 else policy


def evaluate(problem: Problem, policy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact policy evaluation ``(V, Q)`` of a validated policy.

    Finite horizon: ``V (T+1, S)`` with ``V[T] = 0``, ``Q (T, S, A)``,
    ``Q_t = r + gamma P V_{t+1}``, ``V_t = sum_a pi_t Q_t`` (the compiled
    pass :func:`tabular_irl._passes.evaluate_policy`). Discounted: ``V (S,)`` solving ``(I - gamma P_pi) V = r_pi``
    (:func:`tabular_irl._passes.solve_refined`) and ``Q = r + gamma P V``.
    """
    mdp, r, T, gamma = problem.mdp, problem.reward, problem.T, problem.gamma
    S, A = problem.shape
    P = mdp.transitions
    if T is None:
        r_pi = np.einsum("sa,sa->s", policy, r)
        V = _passes.policy_values(mdp, policy, gamma, r_pi)
        return V, r + gamma * (P @ V).reshape(S, A)
    return _passes.evaluate_policy(mdp, np.ascontiguousarray(r), np.ascontiguousarray(policy), T, gamma)


def policy_return(problem: Problem, policy: np.ndarray) -> float:
    """Exact ``J(pi) = initial @ V_0`` from the problem's start: the same bits as :func:`evaluate` gives a gradient."""
    V, _ = evaluate(problem, policy)
    return float(problem.initial @ (V if problem.T is None else V[0]))


def step_counts(problem: Problem, policy: np.ndarray) -> np.ndarray:
    """``gamma^t Pr(s_t = s, a_t = a)`` per step, ``(T, S, A)``; the occupancy ``d(s, a)`` ``(S, A)`` when discounted."""
    if problem.T is None:
        return _passes.expected_counts(problem.mdp, policy, None, problem.gamma, problem.initial)
    _, mu, _ = _passes.rollout(problem.mdp, policy, problem.T, problem.gamma, problem.initial)
    return mu * discount_weights(problem.T, problem.gamma)[:, None, None]
