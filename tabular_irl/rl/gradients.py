r"""Policy gradients of softmax tabular policies: exact, and the sampled (REINFORCE) estimator.

The exact gradient of the return with respect to the logits is one backward
evaluation and one forward visitation (the policy gradient theorem, Sutton et
al. 2000, for softmax logits):

.. math::

    \frac{\partial J}{\partial \theta_t(s, a)}
        = \gamma^t D_t(s)\, \pi_t(a \mid s)\, A_t(s, a), \qquad
    A_t(s, a) = Q_t(s, a) - V_t(s),

summed over ``t`` for stationary ``(S, A)`` logits (the occupancy
``d(s) pi(a|s) A(s, a)`` when discounted without a horizon).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..mdp import MDP
from ._policies import Problem, evaluate, resolve, softmax, step_counts

__all__ = ["policy_gradient"]


def exact_gradient(problem: Problem, logits: np.ndarray) -> tuple[float, np.ndarray]:
    """``(J, dJ/dlogits)`` of validated logits (module docstring)."""
    pi = softmax(logits)
    V, Q = evaluate(problem, pi)
    counts = step_counts(problem, pi)
    if problem.T is None:
        return float(problem.initial @ V), counts * (Q - V[:, None])
    grad = counts * (Q - V[:-1, :, None])
    return float(problem.initial @ V[0]), grad.sum(axis=0) if logits.ndim == 2 else grad


def policy_gradient(
    mdp: MDP,
    reward: Any,
    logits: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
) -> tuple[float, np.ndarray]:
    r"""Exact return ``J(theta)`` of a softmax policy and its exact gradient with respect to the logits.

    ``pi_t(a|s) = softmax_a theta_t(s, a)``; ``J = sum_t gamma^t E[r(s_t, a_t)]``
    from ``initial``; the gradient is the policy gradient theorem for softmax
    logits, ``dJ/dtheta_t(s, a) = gamma^t D_t(s) pi_t(a|s) (Q_t(s, a) - V_t(s))``:
    one backward evaluation of ``pi`` and one forward visitation.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    logits : array_like, shape (T, S, A) or (S, A)
        ``logits[t, s, a] = theta_t(s, a)``; time-indexed logits need ``horizon=T``.
        Stationary logits with a horizon share one policy over all steps
        (their gradient is the sum over ``t``).
    horizon : int, optional
        Number of decisions ``T``.
    discount : float, optional
        ``gamma``, in ``[0, 1)`` without a horizon, ``[0, 1]`` with one.
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial`` by default).

    Returns
    -------
    value : float
        ``J(theta)``.
    grad : ndarray, shape of ``logits``
        ``dJ/dtheta``, exact.

    Raises
    ------
    ValueError
        Logits of the wrong shape, or neither ``horizon`` nor ``discount``.

    See Also
    --------
    reinforce_gradient : the sampled estimator of the same gradient.
    tabular_irl.value_iteration : ``J*``, where the gradient vanishes.

    References
    ----------
    Sutton, McAllester, Singh & Mansour (2000). Policy gradient methods for
    reinforcement learning with function approximation. NeurIPS.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3)
    >>> J, grad = policy_gradient(world.mdp, world.reward, np.zeros((4, 9, 5)), horizon=4)
    >>> grad.shape, round(J, 6) < 4.0
    ((4, 9, 5), True)
    >>> bool(np.allclose(grad.sum(axis=2), 0.0))  # softmax: shifting a row's logits changes nothing
    True
    """
    problem = resolve(mdp, reward, horizon, discount, initial)
    return exact_gradient(problem, problem.logits(logits))
