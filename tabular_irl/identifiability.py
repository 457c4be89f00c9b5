r"""Which reward changes the demonstrations cannot see: the null space of the policy's Jacobian.

Demonstrations of a soft-optimal (maximum causal entropy) expert identify its
policy at best; a reward change ``delta`` is invisible when it leaves that
policy unchanged, to first order when ``J delta = 0`` with ``J`` the exact
Jacobian of ``log pi`` with respect to the reward parameters. Differentiating
the soft Bellman equations (temperature ``tau``) at the reward ``r``:

.. math::

    dQ = d r + \gamma P\, dV, \qquad dV = W dQ = (I - \gamma P_\pi)^{-1} W\, dr,
    \qquad d\log\pi(a \mid s) = \big(dQ(s, a) - dV(s)\big) / \tau,

with ``W dQ (s) = sum_a pi(a|s) dQ(s, a)`` and ``P_pi = W P`` (finite
horizons: the same backwards in time, ``dV_T = 0``). ``J`` is formed column by
column exactly (dense, ``(S A, n_params)``; ``(T S A, n_params)`` with a
horizon) and its null space read from the SVD.

For the soft-optimal policy the null space is the same at every reward:
``dQ(s, a) = dV(s)`` for all ``(s, a)`` says exactly that
``dr = dV - gamma P dV`` is potential shaping with ``Phi = -dV`` (Ng et al.
1999). So, for discounted problems,

* state-action rewards: exactly the ``S``-dimensional shaping space
  ``{gamma P Phi - Phi}`` (constants included, ``Phi`` constant);
* state-only rewards on generic dynamics: only the constants;
* features: the shaping rewards the features can express;
* several transition laws (or discounts): the intersection, which is
  generically the constants alone (Cao et al. 2021).

References
----------
.. [1] A. Y. Ng, D. Harada and S. Russell, "Policy invariance under reward
   transformations: theory and application to reward shaping", ICML 1999.
.. [2] H. Cao, S. N. Cohen and L. Szpruch, "Identifiability in inverse
   reinforcement learning", NeurIPS 2021.
.. [3] J. Skalse, M. Farrugia-Roberts, S. Russell, A. Abate and A. Gleave,
   "Invariance in policy optimisation and partial identifiability in reward
   learning", ICML 2023.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._features import LinearFeatures
from ._validation import check_finite_array, check_horizon_discount, check_positive_real, check_reward, \
    check_temperature, discount_argument
from .bayes.likelihood import parameter_features
from .mdp import MDP, check_mdp
from .planning import soft_backward

__all__ = ["RewardNullspace", "reward_nullspace"]


@dataclass(frozen=True, eq=False)
class RewardNullspace:
    """The reward perturbations that leave the soft-optimal policy unchanged (:func:`reward_nullspace`).

    Attributes
    ----------
    basis : ndarray, shape (n_params, k)
        Orthonormal columns spanning the null space of the Jacobian of ``log pi``.
    dimension : int
        ``k``.
    singular_values : ndarray, shape (n_params,)
        All singular values of the Jacobian, descending (zeros appended when it
        has fewer rows than parameters).
    smallest_retained : float
        The smallest singular value above the threshold (how far from
        unidentifiable the identified directions are); ``0.0`` if none is.
    tolerance : float
        The threshold: ``rtol`` times the largest singular value.

    See Also
    --------
    reward_nullspace : makes it.
    tabular_irl.metrics.epic_distance : a distance that ignores potential shaping.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import random_mdp
    >>> from tabular_irl.identifiability import reward_nullspace
    >>> mdp = random_mdp(6, 3, 3, seed=0).mdp
    >>> reward_nullspace(mdp, discount=0.9, reward_shape=(6, 3)).dimension    # potential shaping: S
    6
    >>> reward_nullspace(mdp, discount=0.9).dimension                         # state rewards: constants
    1
    """

    basis: np.ndarray
    dimension: int
    singular_values: np.ndarray
    smallest_retained: float
    tolerance: float


def _dense_map(phi: LinearFeatures) -> np.ndarray:
    """``(S A, n_params)``: ``r.ravel() = M @ theta``."""
    S, A = phi.n_states, phi.n_actions
    if phi.per_action:
        return phi.phi.reshape(S * A, -1)
    dense = phi.phi.toarray() if hasattr(phi.phi, "toarray") else np.asarray(phi.phi)
    return np.repeat(dense, A, axis=0)


def _log_policy_jacobian(mdp: MDP, reward: np.ndarray, M: np.ndarray, T: int | None, gamma: float,
                         tau: float) -> np.ndarray:
    """Exact ``d log pi / d theta``, ``(S A, p)`` (stationary) or ``(T S A, p)``, at ``reward (S, A)``."""
    S, A = mdp.n_states, mdp.n_actions
    plan = soft_backward(mdp, reward, horizon=T, discount=discount_argument(T, gamma) if T else gamma,
                         temperature=tau, method="policy_iteration" if T is None else "value_iteration")
    P = mdp.transitions
    pi = plan.policy

    def expect(pi_t: np.ndarray, dQ: np.ndarray) -> np.ndarray:  # W dQ: (S, p)
        return np.einsum("sa,sap->sp", pi_t, dQ.reshape(S, A, -1))

    def rows(dQ: np.ndarray, dV: np.ndarray) -> np.ndarray:  # (dQ - dV(s)) / tau, (S A, p)
        return (dQ.reshape(S, A, -1) - dV[:, None, :]).reshape(S * A, -1) / tau

    if T is None:
        W = expect(pi, M)  # W dr
        P_pi = np.einsum("sa,sat->st", pi, P.toarray().reshape(S, A, S))
        dV = np.linalg.solve(np.eye(S) - gamma * P_pi, W)
        dQ = M + gamma * (P @ dV)
        return rows(dQ, dV)
    blocks = []
    dV = np.zeros((S, M.shape[1]))
    for t in range(T - 1, -1, -1):
        dQ = M + gamma * (P @ dV)
        dV = expect(pi[t], dQ)
        blocks.append(rows(dQ, dV))
    return np.concatenate(blocks[::-1])


def _as_list(value: Any, n: int, name: str) -> list:
    if isinstance(value, (list, tuple)):
        if len(value) not in (1, n):
            raise ValueError(f"{name} must be one value or one per MDP ({n}), got {len(value)}")
        return list(value) * (n // len(value)) if len(value) == 1 else list(value)
    return [value] * n


def reward_nullspace(
    mdp: MDP | list[MDP],
    *,
    horizon: int | list[int] | None = None,
    discount: float | list[float] | None = None,
    reward_shape: Any = None,
    features: Any = None,
    temperature: float = 1.0,
    reward: Any = None,
    rtol: float = 1e-8,
) -> RewardNullspace:
    r"""An orthonormal basis of the reward changes that leave the soft-optimal policy unchanged.

    The null space of the exact Jacobian of ``log pi`` (every state, action
    and time step) with respect to the reward parameters (module
    :mod:`tabular_irl.identifiability`); with several MDPs (or discounts) the
    Jacobians are stacked, so the basis spans the changes invisible under all
    of them at once.

    Parameters
    ----------
    mdp : MDP or list of MDP
        Several MDPs must share ``S`` and ``A`` (the same reward on each).
    horizon, discount : int, float, or lists of them (one per MDP)
        The model of each MDP, as in :func:`~tabular_irl.soft_backward`.
    reward_shape : tuple, optional
        Without ``features``: ``(S,)`` (default, one parameter per state) or
        ``(S, A)`` (one per state-action pair, row-major).
    features : array_like or sparse, shape (S, d) or (S, A, d), optional
        Linear rewards ``features @ theta``: the basis is in ``theta``-space.
    temperature : float, default 1.0
        ``tau > 0`` of the soft-optimal policy.
    reward : array_like, shape (S,) or (S, A), optional
        Where the Jacobian is taken (default 0). The null space is the same at
        every reward (module docstring); its conditioning is not.
    rtol : float, default 1e-8
        Singular values at most ``rtol`` times the largest count as zero.

    Returns
    -------
    RewardNullspace

    Raises
    ------
    ValueError
        MDPs of different sizes, a list of horizons or discounts of the wrong
        length, a bad ``reward_shape``.

    See Also
    --------
    tabular_irl.metrics.epic_distance : a distance that ignores potential shaping.

    References
    ----------
    .. [1] H. Cao, S. N. Cohen and L. Szpruch, "Identifiability in inverse
       reinforcement learning", NeurIPS 2021.
    .. [2] A. Y. Ng, D. Harada and S. Russell, "Policy invariance under reward
       transformations", ICML 1999.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import random_mdp
    >>> from tabular_irl.identifiability import reward_nullspace
    >>> one, two = random_mdp(5, 2, 3, seed=1).mdp, random_mdp(5, 2, 3, seed=2).mdp
    >>> reward_nullspace(one, discount=0.9, reward_shape=(5, 2)).dimension
    5
    >>> both = reward_nullspace([one, two], discount=0.9, reward_shape=(5, 2))   # Cao et al.: constants only
    >>> both.dimension, bool(np.allclose(np.abs(both.basis[:, 0]), 1 / np.sqrt(10)))
    (1, True)
    """
    mdps = list(mdp) if isinstance(mdp, (list, tuple)) else [mdp]
    if not mdps:
        raise ValueError("mdp must be an MDP or a non-empty list of MDPs, got an empty list")
    for m in mdps:
        check_mdp(m)
    S, A = mdps[0].n_states, mdps[0].n_actions
    for i, m in enumerate(mdps[1:], 1):
        if (m.n_states, m.n_actions) != (S, A):
            raise ValueError(f"mdp[{i}] must have (S, A) = ({S}, {A}) like mdp[0], got ({m.n_states}, {m.n_actions})")
    tau = check_temperature(temperature)
    rtol = check_positive_real(rtol, "rtol")
    phi = parameter_features(mdps[0], features, reward_shape)
    M = _dense_map(phi)
    r0 = np.zeros((S, A)) if reward is None else check_reward(reward, S, A)
    models = zip(mdps, _as_list(horizon, len(mdps), "horizon"), _as_list(discount, len(mdps), "discount"))
    J = np.concatenate([_log_policy_jacobian(m, r0, M, *check_horizon_discount(h, g), tau) for m, h, g in models])
    J = check_finite_array(J, "the Jacobian of log pi")
    _, s, Vt = np.linalg.svd(J, full_matrices=True)
    p = M.shape[1]
    values = np.zeros(p)
    values[: s.size] = s
    tol = rtol * values[0] if values[0] > 0 else 0.0
    null = values <= tol
    kept = values[~null]
    return RewardNullspace(basis=np.ascontiguousarray(Vt[null].T), dimension=int(null.sum()), singular_values=values,
                           smallest_retained=float(kept.min()) if kept.size else 0.0, tolerance=float(tol))
