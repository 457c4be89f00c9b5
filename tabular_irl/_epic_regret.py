r"""The EPIC regret bound of Gleave et al. (2021), every quantity in it computed exactly.

Their Theorem 4.9: on a ``gamma``-discounted MDP with finite ``S`` and ``A``,
let ``pi_A``, ``pi_B`` be optimal for ``R_A``, ``R_B`` and ``D`` the coverage
distribution EPIC is computed under. If some ``K > 0`` has
``K D(s, a, s') >= D_pi,t(s, a, s')`` (the distribution of the transition at
time ``t`` under ``pi``) for every ``t``, every triple and both policies, then

.. math::

    G_{R_A}(\pi_A) - G_{R_A}(\pi_B)
    \le \frac{16 K \lVert R_A \rVert_2}{1 - \gamma} D_{\mathrm{EPIC}}(R_A, R_B).

The proof, written out: regret is unchanged by shaping, constants and a
positive factor, so it equals ``sigma_A`` times the regret under the
standardised canonical reward ``X = (C(R_A) - mu_A) / sigma_A`` (``sigma_A``
its standard deviation under ``D``), and ``pi_B`` is optimal for
``Y = (C(R_B) - mu_B) / sigma_B``. Then ``G_X(pi_A) - G_X(pi_B) <= |G_{X-Y}(pi_A)|
+ |G_{X-Y}(pi_B)|`` (``pi_B`` is optimal for ``Y``), each at most
``sum_t gamma^t E_{D_pi,t} |X - Y| <= K / (1 - gamma) E_D |X - Y|``, and
``E_D |X - Y| <= ||X - Y||_{2,D} = 2 D_EPIC``: the regret is at most

.. math::

    \frac{4 K \sigma_A}{1 - \gamma} D_{\mathrm{EPIC}}(R_A, R_B)
    \quad\text{(``sharp_bound``)};

the paper's constant follows from ``sigma_A <= ||C(R_A)||_{2,D} <= 4 ||R_A||_{2,D}``,
which Jensen's inequality gives when ``D`` is the product ``D_S × D_A × D_S``
of the canonicalisation (for another coverage, such as the transitions an
MDP allows, it is checked here, not assumed). Replacing the per-step
``K`` by the two policies' normalised discounted occupancies over transitions,
``K_occ = max (1 - gamma) d_pi(s, a) P(s'|s, a) / D(s, a, s') <= K``, the same
chain gives ``occupancy_bound``, the tightest of the three.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._epic import _as_reward, _expected, canonicalize_reward, epic_distance
from ._memory import check_fits
from ._validation import check_discount, check_joint_distribution, readonly
from .inference import policy_visitation
from .mdp import MDP, check_mdp
from .planning import value_iteration

__all__ = ["EPICRegretBound", "epic_regret_bound"]


@dataclass(frozen=True, eq=False)
class EPICRegretBound:
    """Result of :func:`epic_regret_bound`: the regret, the EPIC distance and the bounds that relate them.

    Attributes
    ----------
    epic : float
        ``D_EPIC(R_A, R_B)`` under the coverage (uniform ``D_S``, ``D_A``).
    regret : float
        ``G_{R_A}(pi_A) - G_{R_A}(pi_B)`` from ``mdp.initial``, exact (>= 0).
    bound : float
        The paper's ``16 K ||R_A||_2 D_EPIC / (1 - gamma)``.
    sharp_bound : float
        ``4 K sigma_A D_EPIC / (1 - gamma)``, the proof's chain before its
        last, coverage-dependent step.
    occupancy_bound : float
        ``4 K_occ sigma_A D_EPIC / (1 - gamma)``.
    K : float
        ``max`` over both policies and the triples they reach of
        ``pi(a|s) P(s'|s, a) / D(s, a, s')`` (``inf`` when the coverage misses
        one): it bounds the ratio at every ``t``, since the time-``t``
        distribution is ``d_t(s) pi(a|s) P(s'|s, a)`` with ``d_t(s) <= 1``,
        and is the smallest valid ``K`` when the maximum is at a start state
        the start distribution is sure of (``t = 0`` attains it).
    K_occupancy : float
        The same ratio with ``(1 - gamma) d_pi(s, a) P(s'|s, a)`` (normalised
        discounted occupancy) in the numerator; ``<= K``.
    reward_norm : float
        ``||R_A||_{2,D} = sqrt(E_D R_A^2)``.
    canonical_std : float
        ``sigma_A``, the standard deviation of ``C(R_A)`` under ``D``.
    policy_a, policy_b : ndarray, shape (S, A)
        The optimal (one-hot, policy iteration) policies of the expected rewards.

    See Also
    --------
    epic_regret_bound : returns it.

    References
    ----------
    Gleave, Dennis, Legg, Russell & Leike (2021), "Quantifying differences in reward functions", ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3, slip=0.1, initial=(0, 0))
    >>> out = epic_regret_bound(world.mdp, world.reward, world.reward[::-1], discount=0.9)
    >>> bool(out.regret <= out.occupancy_bound <= out.sharp_bound), out.K
    (True, 45.0)
    """

    epic: float
    regret: float
    bound: float
    sharp_bound: float
    occupancy_bound: float
    K: float
    K_occupancy: float
    reward_norm: float
    canonical_std: float
    policy_a: np.ndarray
    policy_b: np.ndarray


def transition_coverage(mdp: MDP) -> np.ndarray:
    """``D(s, a, s') = P(s'|s, a) / (S A)``: the transitions the MDP allows, uniform over ``(s, a)``."""
    S, A = mdp.n_states, mdp.n_actions
    return mdp.transitions.toarray().reshape(S, A, S) / (S * A)


def _ratio_max(numerator: np.ndarray, D: np.ndarray) -> float:
    """``max numerator / D`` over the support of ``numerator`` (``inf`` where ``D`` is 0 there)."""
    reached = numerator > 0
    if np.any(reached & (D <= 0)):
        return float("inf")
    return float(np.max(numerator[reached] / D[reached]))


def epic_regret_bound(
    mdp: MDP,
    reward_a: Any,
    reward_b: Any,
    *,
    discount: float,
    coverage: Any = None,
) -> EPICRegretBound:
    r"""Regret of optimising ``reward_b`` when ``reward_a`` is true, beside EPIC's bounds on it (Gleave et al. 2021).

    Computes ``D_EPIC(R_A, R_B)`` (:func:`epic_distance`, uniform ``D_S``,
    ``D_A``, the correlation under ``coverage``), the optimal policies of both
    rewards (policy iteration on their expectations over ``s'``), the exact
    regret ``G_{R_A}(pi_A) - G_{R_A}(pi_B)`` from ``mdp.initial``, and the
    constants of the paper's Theorem 4.9 (module docstring): the theorem says
    ``regret <= bound``; its proof gives ``regret <= occupancy_bound <=
    sharp_bound``.

    Parameters
    ----------
    mdp : MDP
    reward_a, reward_b : array_like, shape (S,), (S, A) or (S, A, S), or fit results
        ``R_A`` (the reward the regret is measured in) and ``R_B``.
    discount : float
        ``gamma`` in ``[0, 1)``.
    coverage : array_like, shape (S, A, S), optional
        ``D``; default the transitions the MDP allows, ``P(s'|s, a) / (S A)``
        (the paper's gridworld choice).

    Returns
    -------
    EPICRegretBound

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``discount`` not a number.
    ValueError
        ``discount`` not in ``[0, 1)``, a coverage that is not a distribution,
        rewards of the wrong shape, a reward constant up to shaping under the
        coverage (no EPIC distance).
    MemoryError
        When its dense ``(S, A, S)`` arrays cannot fit, at once, with the bytes they need.

    See Also
    --------
    epic_distance : the distance.
    tabular_irl.metrics.expected_value_difference : the regret, for any two policies.

    References
    ----------
    Gleave, Dennis, Legg, Russell & Leike (2021), "Quantifying differences in reward functions", ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.1, initial=(0, 0))
    >>> noisy = world.reward + 0.3 * np.random.default_rng(0).normal(size=16)
    >>> out = epic_regret_bound(world.mdp, world.reward, noisy, discount=0.9)
    >>> bool(0 <= out.regret <= out.occupancy_bound <= out.sharp_bound <= out.bound)
    True
    """
    mdp = check_mdp(mdp)
    gamma = check_discount(discount, allow_one=False)
    S, A = mdp.n_states, mdp.n_actions
    ra, rb = _as_reward(reward_a, "reward_a"), _as_reward(reward_b, "reward_b")
    # dense (S, A, S) arrays at once: P, D, R_A, C(R_A) and a ratio's temporaries
    check_fits(6 * S * A * S * 8, f"the bound's dense (S, A, S) = ({S}, {A}, {S}) arrays",
               "its constants need every transition; use a smaller MDP")
    D = transition_coverage(mdp) if coverage is None else check_joint_distribution(coverage, "coverage", (S, A, S))
    epic = epic_distance(ra, rb, discount=gamma, coverage=D, action_dist=None if ra.ndim > 1 or rb.ndim > 1
                         else np.full(A, 1.0 / A))
    full_a = np.broadcast_to(ra.reshape(ra.shape + (1,) * (3 - ra.ndim)), (S, A, S))
    canonical = canonicalize_reward(full_a, discount=gamma)
    mean = np.sum(D * canonical)
    sigma = float(np.sqrt(np.sum(D * (canonical - mean) ** 2)))
    norm = float(np.sqrt(np.sum(D * full_a**2)))

    P = mdp.transitions.toarray().reshape(S, A, S)
    bar_a, bar_b = _expected(ra, mdp), _expected(rb, mdp)
    policies, returns, K, K_occ = [], [], 0.0, 0.0
    for r in (bar_a, bar_b):
        pi = np.asarray(value_iteration(mdp, r, discount=gamma, method="policy_iteration").policy)
        d = policy_visitation(mdp, pi, None, gamma, np.ascontiguousarray(mdp.initial)).total_state_action
        policies.append(pi)
        returns.append(d)
        K = max(K, _ratio_max(pi[:, :, None] * P, D))
        K_occ = max(K_occ, _ratio_max((1.0 - gamma) * d[:, :, None] * P, D))
    regret = float(np.sum((returns[0] - returns[1]) * bar_a))
    scale = 4.0 * epic / (1.0 - gamma)
    pi_a, pi_b = policies
    readonly(pi_a, pi_b)
    return EPICRegretBound(epic=epic, regret=regret, bound=4.0 * K * norm * scale, sharp_bound=K * sigma * scale,
                           occupancy_bound=K_occ * sigma * scale, K=K, K_occupancy=K_occ, reward_norm=norm,
                           canonical_std=sigma, policy_a=pi_a, policy_b=pi_b)
