r"""Occupancy measures and GAIL's exact discriminator (Ho & Ermon 2016).

Occupancy measures here are *normalised*: ``rho(s, a) = (1 - gamma) d(s, a)``
for the discounted infinite horizon, ``sum_{t<T} gamma^t mu_t(s, a) / sum_{t<T} gamma^t``
for a finite one; each sums to 1. For a discriminator ``D(s, a)`` (probability
of "expert") the objective ``E_E[log D] + E_pi[log(1 - D)]`` is maximised by
``D* = rho_E / (rho_E + rho_pi)``, where it equals ``2 JS(rho_E, rho_pi) - log 4``:
the Jensen-Shannon divergence is what GAIL's policy minimises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import xlogy

from .._logspace import discount_weights
from .._validation import (
    check_finite_array,
    check_nonnegative_array,
    check_policy,
    readonly,
    resolve_model,
)
from .. import _passes
from ..inference import _start
from ..mdp import MDP, check_mdp


__all__ = ["GAILDiscriminator", "occupancy_measure", "js_divergence", "gail_discriminator"]

# a normalised occupancy is accepted when it sums to 1 within this (it is a sum of S*A rounded terms)
OCCUPANCY_ATOL = 1e-9


def occupancy_measure(
    mdp: MDP,
    policy: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
) -> np.ndarray:
    r"""Normalised state-action occupancy ``rho(s, a)`` of ``policy``, shape ``(S, A)``, summing to 1.

    Discounted (no horizon): ``(1 - gamma) d(s, a)``; finite horizon:
    ``sum_{t<T} gamma^t mu_t(s, a) / sum_{t<T} gamma^t`` (``gamma = 1`` without a discount).
    This is the *normalised* occupancy, a distribution over pairs (what the
    GAIL/AIRL discriminators compare); the expected counts
    :attr:`Visitation.total_state_action <tabular_irl.Visitation>` of
    :func:`~tabular_irl.visitation` are not normalised and sum to
    ``sum_{t<T} gamma^t`` (``T`` undiscounted, ``1 / (1 - gamma)`` without a
    horizon): ``occupancy_measure = total_state_action / total_state_action.sum()``.

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A)
        Rows are distributions; time-indexed only with a horizon.
    horizon, discount
        As in :func:`tabular_irl.soft_backward`: ``horizon`` alone (finite,
        undiscounted), ``discount`` alone (infinite, discounted) or both.
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial`` by default).

    Returns
    -------
    ndarray, shape (S, A)
        ``rho(s, a)``, non-negative, summing to 1.

    Raises
    ------
    ValueError
        Neither ``horizon`` nor ``discount``; a discount out of range; a
        policy of the wrong shape or with a row that is not a distribution.
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer.

    See Also
    --------
    tabular_irl.visitation : the unnormalised visitation it normalises.

    References
    ----------
    Ho & Ermon (2016), "Generative adversarial imitation learning", NeurIPS
    (occupancy measures as the object imitation matches).

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3)
    >>> rho = occupancy_measure(world.mdp, np.full((9, 5), 0.2), discount=0.9)
    >>> rho.shape, round(float(rho.sum()), 12)
    ((9, 5), 1.0)
    >>> from tabular_irl import visitation
    >>> counts = visitation(world.mdp, np.full((9, 5), 0.2), discount=0.9).total_state_action
    >>> round(float(counts.sum()), 10), bool(np.allclose(rho, counts / counts.sum()))  # unnormalised: 1/(1-gamma)
    (10.0, True)
    """
    mdp = check_mdp(mdp)
    T, gamma, *_ = resolve_model(horizon, discount)
    pi = check_policy(policy, mdp.n_states, mdp.n_actions, T)
    return _occupancy(mdp, pi, T, gamma, _start(mdp, initial))


def _occupancy(mdp: MDP, pi: np.ndarray, T: int | None, gamma: float, init: np.ndarray) -> np.ndarray:
    total = _passes.expected_counts(mdp, pi, T, gamma, init)
    scale = (1.0 - gamma) if T is None else 1.0 / float(np.sum(discount_weights(T, gamma)))
    return np.asarray(total * scale, dtype=np.float64)


def _check_occupancy(value: Any, name: str, S: int, A: int) -> np.ndarray:
    arr = check_nonnegative_array(value, name, (S, A))
    total = float(arr.sum())
    if abs(total - 1.0) > OCCUPANCY_ATOL:
        raise ValueError(f"{name} must be a normalised occupancy measure summing to 1, got sum {total!r} "
                         "(see occupancy_measure)")
    return arr


def _check_pair(expert_occupancy: Any, policy_occupancy: Any) -> tuple[np.ndarray, np.ndarray]:
    e = check_finite_array(expert_occupancy, "expert_occupancy")
    if e.ndim not in (1, 2) or e.size == 0:
        raise ValueError(f"expert_occupancy must have shape (S, A) (or (S,)), got shape {e.shape}")
    shape = e.shape
    e = _check_occupancy(e.reshape(shape[0], -1), "expert_occupancy", shape[0], e.size // shape[0]).reshape(shape)
    p = check_finite_array(policy_occupancy, "policy_occupancy")
    if p.shape != shape:
        raise ValueError(f"policy_occupancy must have the shape of expert_occupancy {shape}, got shape {p.shape}")
    p = _check_occupancy(p.reshape(shape[0], -1), "policy_occupancy", shape[0], p.size // shape[0]).reshape(shape)
    return e, p


def _js(p: np.ndarray, q: np.ndarray) -> float:
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_pm = np.sum(xlogy(p, p) - xlogy(p, m))
        kl_qm = np.sum(xlogy(q, q) - xlogy(q, m))
    return float(min(np.log(2.0), max(0.0, 0.5 * (kl_pm + kl_qm))))


def js_divergence(expert_occupancy: Any, policy_occupancy: Any) -> float:
    r"""Jensen-Shannon divergence of two normalised occupancy measures, in nats, in ``[0, log 2]``.

    .. math::

        \mathrm{JS}(p, q) = \tfrac12 \mathrm{KL}(p \,\|\, m) + \tfrac12 \mathrm{KL}(q \,\|\, m),
        \qquad m = \tfrac12 (p + q).

    Parameters
    ----------
    expert_occupancy, policy_occupancy : array_like, same shape
        Normalised occupancy measures ``p`` and ``q`` (non-negative, each summing to 1), e.g. from
        :func:`occupancy_measure`.

    Returns
    -------
    float
        ``JS(p, q)`` in nats.

    Raises
    ------
    ValueError
        Occupancies that are not normalised, negative, or of different shapes.

    See Also
    --------
    gail_discriminator : the discriminator whose game value it is.
    occupancy_measure : normalised occupancies.

    References
    ----------
    Lin (1991), "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37(1).

    Ho & Ermon (2016), "Generative adversarial imitation learning", NeurIPS.

    Examples
    --------
    >>> js_divergence([[1.0, 0.0]], [[0.0, 1.0]]) == float(np.log(2))
    True
    """
    e, p = _check_pair(expert_occupancy, policy_occupancy)
    return _js(e, p)


@dataclass(frozen=True, eq=False)
class GAILDiscriminator:
    """GAIL's optimal discriminator for two occupancy measures.

    Attributes
    ----------
    D : ndarray, shape (S, A)
        ``rho_E / (rho_E + rho_pi)``; ``0.5`` where both are 0 (any value is optimal there).
    objective : float
        ``sum rho_E log D + sum rho_pi log(1 - D)`` at ``D``, ``= 2 JS - log 4``.
    js_divergence : float

    See Also
    --------
    gail_discriminator : returns it.

    References
    ----------
    Ho & Ermon (2016), "Generative adversarial imitation learning", NeurIPS.

    Examples
    --------
    >>> disc = gail_discriminator([[0.5, 0.5, 0.0]], [[0.5, 0.5, 0.0]])  # identical occupancies
    >>> disc.D.tolist(), bool(np.isclose(disc.objective, -np.log(4))), disc.js_divergence
    ([[0.5, 0.5, 0.5]], True, 0.0)
    """

    D: np.ndarray
    objective: float
    js_divergence: float


def gail_discriminator(expert_occupancy: Any, policy_occupancy: Any) -> GAILDiscriminator:
    r"""GAIL's optimal discriminator ``D*(s, a) = rho_E / (rho_E + rho_pi)`` from exact occupancies.

    Parameters
    ----------
    expert_occupancy, policy_occupancy : array_like, shape (S, A)
        Normalised occupancy measures (see :func:`occupancy_measure`).

    Returns
    -------
    GAILDiscriminator

    Raises
    ------
    ValueError
        Occupancies that are not normalised, negative, or of different shapes.

    See Also
    --------
    js_divergence : the value of the optimal discriminator's game.
    occupancy_measure : the occupancies it compares.

    References
    ----------
    Ho & Ermon (2016), "Generative adversarial imitation learning", NeurIPS.

    Examples
    --------
    >>> disc = gail_discriminator([[0.5, 0.5]], [[0.25, 0.75]])
    >>> disc.D.round(3)
    array([[0.667, 0.4  ]])
    >>> bool(abs(disc.objective - (2 * disc.js_divergence - np.log(4))) < 1e-15)
    True
    """
    e, p = _check_pair(expert_occupancy, policy_occupancy)
    tot = e + p
    D = np.where(tot > 0, e / np.where(tot > 0, tot, 1.0), 0.5)
    with np.errstate(divide="ignore"):
        objective = float(np.sum(xlogy(e, D)) + np.sum(xlogy(p, 1.0 - D)))
    return GAILDiscriminator(D=readonly(D), objective=objective, js_divergence=_js(e, p))
