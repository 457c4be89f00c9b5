"""Backward passes: soft (maximum entropy) planning and hard value iteration.

Conventions (see the package docs): ``V`` is ``(T+1, S)`` with ``V[T] = 0``;
``Q`` and ``policy`` are ``(T, S, A)``. Without a horizon (discounted, infinite)
they are stationary: ``V (S,)``, ``Q (S, A)``, ``policy (S, A)``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _kernels
from ._config import threads_for
from ._validation import (
    check_horizon_discount,
    check_positive_int,
    check_positive_real,
    check_reward,
    check_temperature,
)
from .mdp import MDP, check_mdp

__all__ = ["SoftPlan", "soft_backward", "value_iteration", "ConvergenceWarning"]


class ConvergenceWarning(UserWarning):
    """An iterative method stopped at ``max_iter`` before its tolerance held."""


@dataclass(frozen=True, eq=False)
class SoftPlan:
    """Result of a backward pass.

    Attributes
    ----------
    V : ndarray, shape (T+1, S) or (S,)
        Soft (or hard) state values, ``V[t, s]``; ``V[T] = 0``.
    Q : ndarray, shape (T, S, A) or (S, A)
        State-action values ``Q[t, s, a]``.
    policy : ndarray, shape (T, S, A) or (S, A)
        ``policy[t, s, a] = exp((Q[t, s, a] - V[t, s]) / temperature)``; for the
        hard plan (``temperature == 0``) one-hot on the first maximising action.
    log_partition : float
        ``initial @ V[0]`` (``initial @ V`` when stationary). For the
        non-causal model this is ``E_{s0}[log Z(s0)]`` (times ``temperature``);
        for the hard plan it is the optimal expected return.
    horizon : int or None
    discount : float
        ``1.0`` for undiscounted finite horizons.
    causal : bool
    temperature : float
        ``0.0`` marks the hard-max plan of :func:`value_iteration`.
    n_iter : int
        Backward sweeps performed (``T`` for finite horizons).
    error_bound : float
        Bound on ``max |V - V*|`` (0 for finite horizons, where V is exact).
    converged : bool
    """

    V: np.ndarray
    Q: np.ndarray
    policy: np.ndarray
    log_partition: float
    horizon: int | None
    discount: float
    causal: bool
    temperature: float
    n_iter: int
    error_bound: float
    converged: bool

    @property
    def stationary(self) -> bool:
        return self.horizon is None


def _freeze(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


def _check_finite_values(V, pi, r, T, gamma, temperature) -> None:
    """Values beyond float64 (|reward| ~ 1e306, temperature ~ 1e308) are an error, never NaN."""
    if not (np.isfinite(V).all() and np.isfinite(pi).all()):
        scale = f"horizon {T}" if T is not None else f"1 / (1 - discount) = {1 / (1 - gamma):.3g}"
        raise ValueError(
            f"values overflow float64: max |reward| = {np.abs(r).max():.3g} over {scale} "
            f"(temperature {temperature:g}) is too large; rescale the reward (or the temperature)"
        )


def _plan(mdp: MDP, reward: Any, horizon: Any, discount: Any, *, causal: bool, mode: int | None,
          temperature: float, tol: float, max_iter: Any) -> SoftPlan:
    check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount, causal)
    if mode is None:  # soft: the model is chosen once ``causal`` is known to be a bool
        mode = _kernels.MODE_CAUSAL if causal else _kernels.MODE_NONCAUSAL
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    indptr, indices, data = mdp._kernel_parts()
    n_threads = threads_for(mdp)
    if T is not None:
        V, Q, pi = _kernels.backward_finite(indptr, indices, data, r, T, gamma, temperature, mode, n_threads)
        n_iter, bound, converged = T, 0.0, True
    else:
        tol = check_positive_real(tol, "tol")
        max_iter = check_positive_int(max_iter, "max_iter")
        V, Q, pi, n_iter, bound, converged = _kernels.backward_discounted(
            indptr, indices, data, r, gamma, temperature, mode, float(tol), max_iter, n_threads
        )
        _check_finite_values(V, pi, r, T, gamma, temperature)
        if not converged:
            warnings.warn(
                f"value iteration stopped after max_iter={max_iter} sweeps with error bound "
                f"{bound:.3g} > tol={tol:.3g}; increase max_iter (discount={gamma} converges "
                f"at rate {gamma} per sweep)",
                ConvergenceWarning,
                stacklevel=3,
            )
    _check_finite_values(V, pi, r, T, gamma, temperature)
    log_partition = float(mdp.initial @ (V[0] if T is not None else V))
    _freeze(V, Q, pi)
    return SoftPlan(V=V, Q=Q, policy=pi, log_partition=log_partition, horizon=T, discount=gamma,
                    causal=bool(causal), temperature=temperature if mode != _kernels.MODE_HARD else 0.0,
                    n_iter=int(n_iter), error_bound=float(bound), converged=bool(converged))


def soft_backward(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    causal: bool = True,
    temperature: float = 1.0,
    tol: float = 1e-10,
    max_iter: int = 1_000_000,
) -> SoftPlan:
    r"""Soft (maximum entropy) backward pass.

    Every action has weight 1 (no action prior):

    .. math::

        V_t(s) = \tau \log \sum_a \exp(Q_t(s, a) / \tau), \qquad
        \pi_t(a \mid s) = \exp((Q_t(s, a) - V_t(s)) / \tau)

    with ``V_T = 0`` and the backup

    * causal (maximum causal entropy, Ziebart 2010):
      :math:`Q_t = r + \gamma \sum_{s'} P(s' \mid s, a) V_{t+1}(s')`;
    * non-causal (MaxEnt, Ziebart 2008):
      :math:`Q_t = r + \tau \log \sum_{s'} P(s' \mid s, a) \exp(V_{t+1}(s') / \tau)`,
      so that ``exp(V_0(s0) / tau)`` is the partition function of
      ``p(traj | s0) ∝ prod_t P exp(R / tau)``.

    Without a horizon the causal backup is iterated to its fixed point
    (soft value iteration) until ``max |V - V*| <= tol`` is guaranteed by the
    contraction bound ``gamma / (1 - gamma) * max |V_k - V_{k-1}|``.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
        ``r(s)`` (broadcast over actions) or ``r(s, a)``.
    horizon : int, optional
        Number of decisions ``T >= 1``.
    discount : float, optional
        ``gamma`` in ``[0, 1)`` without a horizon, ``[0, 1]`` with one.
    causal : bool, default True
        ``False`` selects the non-causal model (undiscounted finite horizon only).
    temperature : float, default 1.0
        ``tau > 0``; ``tau -> 0`` approaches :func:`value_iteration`.
    tol, max_iter
        Stopping rule of discounted value iteration (ignored with a horizon).

    Returns
    -------
    SoftPlan

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward
    >>> world = gridworld(4, 4)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=10)
    >>> plan.V.shape, plan.policy.shape
    ((11, 16), (10, 16, 5))
    """
    tau = check_temperature(temperature)
    return _plan(mdp, reward, horizon, discount, causal=causal, mode=None, temperature=tau,
                 tol=tol, max_iter=max_iter)


def value_iteration(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    tol: float = 1e-10,
    max_iter: int = 1_000_000,
) -> SoftPlan:
    r"""Hard-max backward pass (the ``temperature -> 0`` limit of :func:`soft_backward`).

    :math:`Q_t = r + \gamma P V_{t+1}`, :math:`V_t = \max_a Q_t`, and the
    policy is one-hot on the first maximising action (ties go to the lowest
    action index). Shapes as in :func:`soft_backward`; ``temperature`` of the
    result is 0 and ``log_partition`` is the optimal expected return
    ``initial @ V[0]``.

    Examples
    --------
    >>> from tabular_irl import gridworld, value_iteration
    >>> world = gridworld(4, 4)
    >>> plan = value_iteration(world.mdp, world.reward, discount=0.9)
    >>> plan.policy.sum(axis=1).min()
    1.0
    """
    return _plan(mdp, reward, horizon, discount, causal=True, mode=_kernels.MODE_HARD,
                 temperature=1.0, tol=tol, max_iter=max_iter)
