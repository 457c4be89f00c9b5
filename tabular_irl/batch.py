"""Backward passes for many rewards at once: one sweep over ``P`` per step serves all K.

Sweeps over reward parameters, Bayesian IRL (a likelihood per posterior
sample) and teaching figures evaluate the same MDP under many rewards. Reading
the transition matrix dominates a pass, so :func:`soft_backward_batch` reads
each stored entry of ``P`` once per step for all K rewards (a sparse
matrix times an ``(S, K)`` block instead of K sparse matrix-vector products)
and returns exactly what K calls of :func:`~tabular_irl.soft_backward` would
(bit for bit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _passes
from ._blasfree import dot
from ._validation import (
    _as_float_array,
    check_bool,
    check_finite_array,
    check_horizon_discount,
    check_temperature,
    readonly,
)
from .mdp import MDP, check_mdp

__all__ = ["SoftValues", "soft_backward_batch"]


@dataclass(frozen=True, eq=False)
class SoftValues:
    """Values of K finite-horizon (soft or hard) backward passes.

    Attributes
    ----------
    V : ndarray, shape (K, T+1, S)
        ``V[k, t, s]``: the value of state ``s`` at step ``t`` under reward
        ``k``; ``V[k, T] = 0``. Read-only.
    log_partition : ndarray, shape (K,)
        ``initial @ V[k, 0]`` (the expected start value for a hard pass).
    horizon, discount, temperature
        As passed; ``temperature`` is 0 for hard passes.

    See Also
    --------
    soft_backward_batch : returns it.
    SoftPlan : one pass, with Q and the policy.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward_batch
    >>> world = gridworld(4)
    >>> rewards = np.stack([world.reward, -world.reward])  # K = 2 state rewards (K, S)
    >>> values = soft_backward_batch(world.mdp, rewards, horizon=5)
    >>> values.V.shape, values.log_partition.shape
    ((2, 6, 16), (2,))
    >>> bool(np.all(values.V[:, -1] == 0))  # V[k, T] = 0
    True
    >>> bool(np.allclose(values.log_partition, values.V[:, 0] @ world.mdp.initial))
    True
    >>> soft_backward_batch(world.mdp, rewards, horizon=5, hard=True).temperature
    0.0
    """

    V: np.ndarray
    log_partition: np.ndarray
    horizon: int
    discount: float
    temperature: float


def _check_rewards(rewards: Any, n_states: int, n_actions: int) -> np.ndarray:
    """Validate K rewards ``(K, S)`` or ``(K, S, A)``; returns them as ``(S, A, K)``, C-contiguous."""
    arr = _as_float_array(rewards, "rewards")
    if arr.ndim == 2 and arr.shape[1] == n_states:
        arr = np.broadcast_to(arr[:, :, None], (arr.shape[0], n_states, n_actions))
    elif not (arr.ndim == 3 and arr.shape[1:] == (n_states, n_actions)):
        raise ValueError(
            f"rewards must have shape (K, S) = (K, {n_states}) or (K, S, A) = (K, {n_states}, {n_actions}), "
            f"got shape {arr.shape}"
        )
    if arr.shape[0] < 1:
        raise ValueError(f"rewards must hold at least one reward (K >= 1), got shape {arr.shape}")
    return check_finite_array(np.ascontiguousarray(np.moveaxis(arr, 0, -1)), "rewards")


def soft_backward_batch(
    mdp: MDP,
    rewards: Any,
    *,
    horizon: int,
    discount: float | None = None,
    temperature: float = 1.0,
    hard: bool = False,
) -> SoftValues:
    r"""Causal soft (or hard) backward values for K rewards in one pass.

    For each reward :math:`r_k` the recursion of
    :func:`~tabular_irl.soft_backward` (causal) or of
    :func:`~tabular_irl.value_iteration` (``hard=True``):

    .. math::

        Q^k_t(s, a) = r_k(s, a) + \gamma \sum_{s'} P(s' \mid s, a)\, V^k_{t+1}(s'),
        \qquad V^k_t(s) = \tau \log \sum_a \exp(Q^k_t(s, a) / \tau)
        \;\; (\max_a \text{ when hard}),

    with :math:`V^k_T = 0`. The K recursions share every read of ``P``: the
    per-reward cost falls as K grows (``bench/bench_passes.py`` measures it).
    The values are equal, bit for bit, to K separate passes. Only values are
    returned (Q and the policy of reward k follow from ``V[k]`` in one more
    step, or from :func:`~tabular_irl.soft_backward`).

    Parameters
    ----------
    mdp : MDP
    rewards : array_like, shape (K, S) or (K, S, A)
        K rewards; state rewards broadcast over actions.
    horizon : int
        T >= 1 (finite horizons only).
    discount : float, optional
        gamma in ``[0, 1]`` weighting step ``t`` by ``gamma^t``.
    temperature : float
        tau > 0 (ignored when ``hard``).
    hard : bool
        Hard maximum (value iteration) instead of the soft one.

    Returns
    -------
    SoftValues
        ``V (K, T+1, S)`` and ``log_partition (K,)``.

    Raises
    ------
    ValueError
        On a missing horizon, rewards of the wrong shape or not finite, or
        values that overflow float64.

    See Also
    --------
    soft_backward : one reward, with Q and the policy.
    value_iteration : the hard maximum for one reward.

    References
    ----------
    Ziebart, Bagnell & Dey (2010), "Modeling interaction via the principle of maximum causal entropy", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward
    >>> from tabular_irl.batch import soft_backward_batch
    >>> world = gridworld(4, slip=0.2)
    >>> rewards = np.stack([world.reward, 2 * world.reward, -world.reward])
    >>> values = soft_backward_batch(world.mdp, rewards, horizon=6)
    >>> values.V.shape
    (3, 7, 16)
    >>> bool(np.array_equal(values.V[1], soft_backward(world.mdp, rewards[1], horizon=6).V))
    True
    """
    mdp = check_mdp(mdp)
    if horizon is None:
        raise ValueError("horizon must be an integer >= 1 (batched passes are finite-horizon), got None")
    T, gamma = check_horizon_discount(horizon, discount)
    hard = check_bool(hard, "hard")
    tau = 1.0 if hard else check_temperature(temperature)
    R = _check_rewards(rewards, mdp.n_states, mdp.n_actions)
    mode = _passes.MODE_HARD if hard else _passes.MODE_CAUSAL
    V = _passes.backward_batch(mdp, R, T, gamma, tau, mode)
    _passes.check_finite_values(V, R, T, gamma, tau)
    log_partition = np.array([dot(mdp.initial, v0) for v0 in V[:, 0]])  # as soft_backward computes it
    readonly(V, log_partition)
    return SoftValues(V=V, log_partition=log_partition, horizon=T, discount=gamma,
                      temperature=0.0 if hard else tau)
