r"""EPIC: a distance between rewards that ignores potential shaping and positive rescaling.

Gleave et al. (2021) compare two rewards by first mapping each to a canonical
representative of its equivalence class under potential shaping,

.. math::

    C(R)(s, a, s') = R(s, a, s') + \mathbb{E}\big[\gamma R(s', A, S') - R(s, A, S')
                     - \gamma R(S, A, S')\big], \qquad S, S' \sim D_S,\ A \sim D_A,

(independent), and then taking the Pearson distance
:math:`\sqrt{(1 - \rho)/2}` of the two canonical rewards under a coverage
distribution over ``(s, a, s')``. With :math:`m(x) = \mathbb{E}[R(x, A, S')]`
the canonical reward is :math:`R(s, a, s') + \gamma m(s') - m(s) - \gamma\,
\mathbb{E}_{D_S}[m]`: shaping by any potential and adding a constant leave it
unchanged, and a positive factor scales it, so the distance is 0 for
equivalent rewards, symmetric, in ``[0, 1]`` and satisfies the triangle
inequality (it is a Euclidean distance between standardised vectors).

Rewards are ``(S,)`` (``R(s)``), ``(S, A)`` (``R(s, a)``) or ``(S, A, S)``
(``R(s, a, s')``). Everything is exact (no sampling). Memory: with the default
coverage ``D_S × D_A × D_S`` and rewards of shape ``(S,)`` or ``(S, A)`` the
canonical rewards separate into a ``(s, a)`` part and an independent ``s'``
part, and the covariance is computed in ``O(S A)``; otherwise the
``(S, A, S)`` sums are taken over blocks of states of at most
:data:`BLOCK_ENTRIES` entries, so nothing larger than the inputs is ever formed.

Rewards on a known MDP (``mdp=``). The paper's rewards are ``R(s, a, s')``;
an ``(S, A)`` reward read as ``R(s, a, s') = R(s, a)`` is then *not*
shaping-equivalent to ``R + gamma P Phi - Phi`` (the expected shaping that
leaves every policy's value on the MDP unchanged up to ``-Phi(s_0)``, and
that IRL recovers rewards only up to: AIRL's ``f = log pi_E = r + gamma P V -
V``), because ``gamma ((P Phi)(s, a) - Phi(s'))`` is not a potential shaping.
On an MDP an ``(S, A)`` reward stands for the class of ``R(s, a, s')`` with
``E_{s' ~ P(.|s, a)} R(s, a, s') = R(s, a)`` (all give every policy the same
returns); :func:`lift_reward` picks the member

.. math::

    L(R)(s, a, s') = R(s, a) + \gamma (P V^\pi)(s, a) - \gamma V^\pi(s'),
    \qquad \pi(a \mid s) = D_A(a),

with ``V^pi`` the exact value of the policy that plays ``D_A`` in every
state. Since ``V^pi`` of ``R + gamma P Phi - Phi`` is ``V^pi - Phi``, the lift
turns expected shaping into potential shaping exactly,
``L(R + gamma P Phi - Phi) = L(R) + gamma Phi(s') - Phi(s)``, so EPIC of
lifted rewards is invariant to both. ``L(R)`` is itself a potential shaping
(``Phi = -V^pi``) of the advantage ``A^pi(s, a) = Q^pi(s, a) - V^pi(s)``, whose
``D_A``-mean is zero in every state: its canonical reward is ``A^pi(s, a)``
itself, independent of ``s'``. So with ``mdp=`` the distance is the Pearson
distance of the two rewards' ``D_A``-policy advantages over the coverage's
``(s, a)`` marginal, and a coverage restricted to the transitions the MDP
allows (``D_S(s) D_A(a) P(s'|s, a)``) gives the same value as the default.
An ``(S, A, S)`` reward on an MDP is first reduced to its expectation
``E_{s'} R(s, a, s')`` (what the MDP sees of it). This is a choice of
representative, not the paper's: it ties the comparison to the MDP's
dynamics (as the dynamics-aware comparison of Wulfe et al. 2022 does), where
the paper's EPIC is deliberately dynamics-free.

References
----------
.. [1] A. Gleave, M. Dennis, S. Legg, S. Russell and J. Leike, "Quantifying
   differences in reward functions", ICLR 2021.
.. [2] B. Wulfe, L. Ellis, J. Mercat, R. McAllister and A. Gaidon,
   "Dynamics-aware comparison of learned reward functions", ICLR 2022.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _passes
from ._logspace import row_ids
from ._memory import check_fits
from ._validation import (
    _as_float_array,
    check_distribution,
    check_finite_array,
    check_joint_distribution,
    check_policy,
    check_real,
)
from .inference import policy_visitation
from .mdp import MDP, check_mdp

__all__ = ["canonicalize_reward", "epic_distance", "lift_reward"]

# (s, a, s') entries formed at a time by the blocked sums.
BLOCK_ENTRIES = 2**22

# A canonical reward whose standard deviation under the coverage is at most this
# fraction of its largest magnitude is constant (rounding noise, not a shape).
CONSTANT_RTOL = 1e-12


def _as_reward(reward: Any, name: str) -> np.ndarray:
    """A finite ``(S,)``, ``(S, A)`` or ``(S, A, S)`` array; a fit result gives its ``reward``."""
    if hasattr(reward, "reward") and not isinstance(reward, np.ndarray):
        reward = reward.reward  # a fitted model (the result protocol) or a Problem
    arr = check_finite_array(_as_float_array(reward, name), name)
    if arr.ndim == 0 or arr.ndim > 3 or (arr.ndim == 3 and arr.shape[2] != arr.shape[0]) or arr.size == 0:
        raise ValueError(f"{name} must have shape (S,), (S, A) or (S, A, S), got shape {arr.shape}")
    return arr


def _sizes(rewards: list[np.ndarray], action_dist: Any, names: list[str], mdp: Any = None) -> tuple[int, int]:
    """``(S, A)`` shared by the rewards (``A`` from a state-action reward, ``mdp``, ``action_dist``, or 1)."""
    S = rewards[0].shape[0]
    A = None
    for r, name in zip(rewards, names):
        if r.shape[0] != S:
            raise ValueError(f"{name} must have S = {S} states like {names[0]}, got shape {r.shape}")
        if r.ndim >= 2:
            if A is not None and r.shape[1] != A:
                raise ValueError(f"{name} must have A = {A} actions like the other reward, got shape {r.shape}")
            A = r.shape[1]
    if A is None and isinstance(mdp, MDP):
        A = mdp.n_actions
    if A is None:
        A = 1 if action_dist is None else len(np.atleast_1d(action_dist))
    return S, A


def _distributions(S: int, A: int, discount: Any, state_dist: Any, action_dist: Any, mdp: Any,
                   policy: Any) -> tuple[float, np.ndarray, np.ndarray]:
    """Validated ``(gamma, D_S, D_A)``: given, uniform, or a policy's normalised occupancy on ``mdp``."""
    gamma = check_real(discount, "discount", 0.0, 1.0)
    if policy is not None and mdp is None:
        raise ValueError("policy= needs mdp= (its occupancy on the MDP gives D_S and D_A); got policy without mdp")
    if mdp is not None:
        check_mdp(mdp)
        if (mdp.n_states, mdp.n_actions) != (S, A):
            raise ValueError(f"mdp must have (S, A) = ({S}, {A}) like the rewards, "
                             f"got ({mdp.n_states}, {mdp.n_actions})")
        if not gamma < 1.0:
            raise ValueError(f"discount must be < 1 with mdp= (the lift's values, an occupancy), got {gamma!r}")
    if policy is not None:
        if state_dist is not None or action_dist is not None:
            raise ValueError("give mdp= and policy= or state_dist= / action_dist=, not both")
        pi = check_policy(policy, S, A, None)
        d = policy_visitation(mdp, pi, None, gamma, np.ascontiguousarray(mdp.initial)).total_state_action
        d = d / d.sum()
        return gamma, d.sum(axis=1), d.sum(axis=0)
    D_S = np.full(S, 1.0 / S) if state_dist is None else check_distribution(state_dist, "state_dist", S)
    D_A = np.full(A, 1.0 / A) if action_dist is None else check_distribution(action_dist, "action_dist", A)
    return gamma, D_S, D_A


def _expected(r: np.ndarray, mdp: MDP) -> np.ndarray:
    """``E_{s' ~ P(.|s, a)} R(s, a, s')``, shape ``(S, A)`` (an ``(S,)`` reward broadcast over actions)."""
    S, A = mdp.n_states, mdp.n_actions
    if r.ndim == 1:
        return np.repeat(r[:, None], A, axis=1)
    if r.ndim == 2:
        return r
    P = mdp.transitions
    rows = row_ids(P)
    values = r.reshape(S * A, S)[rows, P.indices] * P.data
    return np.bincount(rows, weights=values, minlength=S * A).reshape(S, A)


def _policy_values(r: np.ndarray, mdp: MDP, gamma: float, D_A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(R(s, a) expected, V^pi (S,))`` of the policy playing ``D_A`` everywhere: ``(I - gamma P_pi) V = r_pi``."""
    S, A = mdp.n_states, mdp.n_actions
    rbar = _expected(r, mdp)
    pi = np.ascontiguousarray(np.broadcast_to(D_A, (S, A)))
    return rbar, _passes.policy_values(mdp, pi, gamma, rbar @ D_A)


def _advantage(r: np.ndarray, mdp: MDP, gamma: float, D_A: np.ndarray) -> np.ndarray:
    """``A^pi = R + gamma P V^pi - V^pi``, shape ``(S, A)``: shaping-equivalent to :func:`lift_reward`'s lift."""
    rbar, V = _policy_values(r, mdp, gamma, D_A)
    S, A = rbar.shape
    return rbar + gamma * (mdp.transitions @ V).reshape(S, A) - V[:, None]


def _state_mean(r: np.ndarray, D_S: np.ndarray, D_A: np.ndarray) -> np.ndarray:
    """``m(x) = E[R(x, A, S')]``, shape ``(S,)``."""
    if r.ndim == 1:
        return r
    if r.ndim == 2:
        return r @ D_A
    return (r @ D_S) @ D_A


def _block(r: np.ndarray, rows: slice, A: int) -> np.ndarray:
    """``R(s, a, s')`` for the states ``rows``, shape ``(len, A, S)`` (a broadcast view for smaller rewards)."""
    S = r.shape[0]
    part = r[rows]
    if r.ndim == 1:
        return np.broadcast_to(part[:, None, None], (part.shape[0], A, S))
    if r.ndim == 2:
        return np.broadcast_to(part[:, :, None], (part.shape[0], A, S))
    return part


def _canonical_block(r, m, shift, rows, A, gamma):
    return _block(r, rows, A) + gamma * m[None, None, :] - m[rows, None, None] - shift


def lift_reward(reward: Any, mdp: MDP, *, discount: float, action_dist: Any = None) -> np.ndarray:
    r"""An ``(S, A)`` reward on ``mdp`` as an ``R(s, a, s')`` that turns expected shaping into potential shaping.

    .. math::

        L(R)(s, a, s') = \bar R(s, a) + \gamma (P V^\pi)(s, a) - \gamma V^\pi(s'),

    with ``bar R(s, a) = E_{s' ~ P} R(s, a, s')`` (``R`` itself for an
    ``(S,)`` or ``(S, A)`` reward) and ``V^pi`` the exact discounted value of
    the policy ``pi(a|s) = D_A(a)`` for ``bar R``. It has the same expectation
    over ``s'`` as ``R`` (so every policy has the same returns under both), and
    ``L(R + gamma P Phi - Phi) = L(R) + gamma Phi(s') - Phi(s)`` exactly: the
    MDP's expected shaping (the reward changes IRL cannot identify) becomes
    the potential shaping EPIC ignores. :func:`epic_distance` and
    :func:`canonicalize_reward` with ``mdp=`` compare lifted rewards (see the
    module docstring for why this representative).

    Parameters
    ----------
    reward : array_like, shape (S,), (S, A) or (S, A, S), or a fit result
        ``R(s)``, ``R(s, a)`` or ``R(s, a, s')`` (a result's ``reward`` is used).
    mdp : MDP
        Its transitions ``P`` and ``S``, ``A``.
    discount : float
        ``gamma`` in ``[0, 1)``.
    action_dist : array_like, shape (A,), optional
        ``D_A``, the policy whose values lift the reward; default uniform.

    Returns
    -------
    ndarray, shape (S, A, S)
        ``L(R)[s, a, s']`` (dense: ``S^2 A`` floats).

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`.
    ValueError
        ``discount`` not in ``[0, 1)``, ``action_dist`` not a distribution,
        shapes that do not match the MDP.
    MemoryError
        When the ``(S, A, S)`` result cannot fit (``TABULAR_IRL_MEMORY_LIMIT``
        or the system's available memory), at once, with the bytes it needs.

    See Also
    --------
    epic_distance : with ``mdp=``, the distance of lifted rewards.

    References
    ----------
    .. [1] A. Gleave, M. Dennis, S. Legg, S. Russell and J. Leike, "Quantifying
       differences in reward functions", ICLR 2021.
    .. [2] A. Y. Ng, D. Harada and S. Russell, "Policy invariance under reward
       transformations: theory and application to reward shaping", ICML 1999.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import random_mdp
    >>> from tabular_irl.metrics import lift_reward
    >>> mdp = random_mdp(4, 2, 3, seed=0).mdp
    >>> r, phi = np.arange(8.0).reshape(4, 2), np.array([1.0, -2.0, 0.5, 3.0])
    >>> P = mdp.transitions.toarray().reshape(4, 2, 4)
    >>> shaped = r + 0.9 * P @ phi - phi[:, None]                    # expected shaping
    >>> lifted, lifted_shaped = lift_reward(r, mdp, discount=0.9), lift_reward(shaped, mdp, discount=0.9)
    >>> bool(np.allclose(lifted_shaped, lifted + 0.9 * phi[None, None, :] - phi[:, None, None]))
    True
    >>> bool(np.allclose((P * lifted).sum(axis=2), r))               # same expectation over s'
    True
    """
    r = _as_reward(reward, "reward")
    mdp = check_mdp(mdp)
    S, A = _sizes([r], action_dist, ["reward"], mdp)
    gamma, _, D_A = _distributions(S, A, discount, None, action_dist, mdp, None)
    check_fits(S * A * S * 8, f"the lifted reward (S, A, S) = ({S}, {A}, {S})",
               "epic_distance(..., mdp=mdp) compares lifted rewards without forming them")
    rbar, V = _policy_values(r, mdp, gamma, D_A)
    PV = (mdp.transitions @ V).reshape(S, A)
    return np.ascontiguousarray((rbar + gamma * PV)[:, :, None] - gamma * V[None, None, :])


def canonicalize_reward(
    reward: Any,
    *,
    discount: float,
    state_dist: Any = None,
    action_dist: Any = None,
    mdp: MDP | None = None,
    policy: Any = None,
) -> np.ndarray:
    r"""The EPIC canonical reward ``C(R)(s, a, s')``, shape ``(S, A, S)``.

    .. math::

        C(R)(s, a, s') = R(s, a, s') + \gamma m(s') - m(s) - \gamma\, \mathbb{E}_{S \sim D_S}[m(S)],
        \qquad m(x) = \mathbb{E}_{A \sim D_A, S' \sim D_S}[R(x, A, S')].

    Potential shaping ``R + gamma Phi(s') - Phi(s)`` and constants leave it
    unchanged.

    Parameters
    ----------
    reward : array_like, shape (S,), (S, A) or (S, A, S), or a fit result
        ``R(s)``, ``R(s, a)`` or ``R(s, a, s')`` (a result's ``reward`` is used).
    discount : float
        ``gamma`` in ``[0, 1]``.
    state_dist : array_like, shape (S,), optional
        ``D_S``; default uniform.
    action_dist : array_like, shape (A,), optional
        ``D_A``; default uniform. For an ``(S,)`` reward it sets ``A`` (default 1).
    mdp : MDP, optional
        The reward is compared as ``mdp`` sees it: canonicalised after
        :func:`lift_reward` (``discount < 1``), so that expected shaping
        ``R + gamma P Phi - Phi`` is ignored too. The result is then the
        ``D_A``-policy advantage ``A^pi(s, a)`` broadcast over ``s'``.
    policy : array_like, shape (S, A), optional
        With ``mdp``: ``D_S`` and ``D_A`` are the state and action marginals
        of the policy's normalised discounted occupancy on ``mdp``.

    Returns
    -------
    ndarray, shape (S, A, S)

    Raises
    ------
    ValueError
        Distributions that are not distributions, shapes that do not match.

    See Also
    --------
    epic_distance

    References
    ----------
    .. [1] A. Gleave, M. Dennis, S. Legg, S. Russell and J. Leike, "Quantifying
       differences in reward functions", ICLR 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl.metrics import canonicalize_reward
    >>> r = np.array([[1.0, 0.0], [0.0, 2.0]])                       # R(s, a)
    >>> phi = np.array([3.0, -1.0])                                  # a potential
    >>> shaped = r[:, :, None] + 0.9 * phi[None, None, :] - phi[:, None, None]
    >>> bool(np.allclose(canonicalize_reward(r, discount=0.9), canonicalize_reward(shaped, discount=0.9)))
    True
    """
    r = _as_reward(reward, "reward")
    S, A = _sizes([r], action_dist, ["reward"], mdp)
    gamma, D_S, D_A = _distributions(S, A, discount, state_dist, action_dist, mdp, policy)
    if mdp is not None:
        r = _advantage(r, mdp, gamma, D_A)
    m = _state_mean(r, D_S, D_A)
    return np.ascontiguousarray(_canonical_block(r, m, gamma * (D_S @ m), slice(None), A, gamma))


def _pearson(var_a: float, var_b: float, cov: float, scale_a: float, scale_b: float) -> float:
    for var, scale, which in ((var_a, scale_a, "reward_a"), (var_b, scale_b, "reward_b")):
        if var <= (CONSTANT_RTOL * scale) ** 2:
            raise ValueError(f"{which} is constant up to potential shaping under the coverage (its canonical "
                             "reward has zero variance): the EPIC distance is undefined for it")
    rho = float(np.clip(cov / np.sqrt(var_a * var_b), -1.0, 1.0))
    return float(np.sqrt((1.0 - rho) / 2.0))


def _separable_moments(ra, rb, ma, mb, D_S, D_A, gamma):
    """Variances and covariance under ``D_S × D_A × D_S`` of rewards without ``s'``: ``O(S A)``.

    ``C(s, a, s') = U(s, a) + gamma m(s') - const`` with ``U = R - m(s)``, and
    ``(s, a)`` is independent of ``s'``: the moments add.
    """
    A = D_A.size
    w = D_S[:, None] * D_A[None, :]
    Ua = np.broadcast_to(ra if ra.ndim == 2 else ra[:, None], (ra.shape[0], A)) - ma[:, None]
    Ub = np.broadcast_to(rb if rb.ndim == 2 else rb[:, None], (rb.shape[0], A)) - mb[:, None]
    Ua, Ub = Ua - np.sum(w * Ua), Ub - np.sum(w * Ub)
    ca, cb = ma - D_S @ ma, mb - D_S @ mb
    var_a = np.sum(w * Ua**2) + gamma**2 * (D_S @ ca**2)
    var_b = np.sum(w * Ub**2) + gamma**2 * (D_S @ cb**2)
    cov = np.sum(w * Ua * Ub) + gamma**2 * (D_S @ (ca * cb))
    return var_a, var_b, cov


def _blocked_moments(ra, rb, ma, mb, D_S, D_A, gamma, coverage):
    """Variances and covariance under a coverage ``(S, A, S)`` (or the product), summed block by block."""
    S, A = D_S.size, D_A.size
    shift_a, shift_b = gamma * (D_S @ ma), gamma * (D_S @ mb)
    rows_per_block = max(1, BLOCK_ENTRIES // (A * S))
    blocks = [slice(i, min(i + rows_per_block, S)) for i in range(0, S, rows_per_block)]

    def weights(rows):
        if coverage is not None:
            return coverage[rows]
        return D_S[rows, None, None] * D_A[None, :, None] * D_S[None, None, :]

    def canonical(rows):
        return (_canonical_block(ra, ma, shift_a, rows, A, gamma), _canonical_block(rb, mb, shift_b, rows, A, gamma))

    mean_a = mean_b = 0.0
    for rows in blocks:  # two passes: means first, then centred moments (no cancellation)
        w = weights(rows)
        Ca, Cb = canonical(rows)
        mean_a += np.sum(w * Ca)
        mean_b += np.sum(w * Cb)
    var_a = var_b = cov = 0.0
    for rows in blocks:
        w = weights(rows)
        Ca, Cb = canonical(rows)
        Ca, Cb = Ca - mean_a, Cb - mean_b
        var_a += np.sum(w * Ca * Ca)
        var_b += np.sum(w * Cb * Cb)
        cov += np.sum(w * Ca * Cb)
    return var_a, var_b, cov


def epic_distance(
    reward_a: Any,
    reward_b: Any,
    *,
    discount: float,
    state_dist: Any = None,
    action_dist: Any = None,
    coverage: Any = None,
    mdp: MDP | None = None,
    policy: Any = None,
) -> float:
    r"""EPIC pseudometric between two rewards (Gleave et al. 2021), computed exactly.

    .. math::

        D_{\mathrm{EPIC}}(R_a, R_b) = \sqrt{\frac{1 - \rho\big(C(R_a), C(R_b)\big)}{2}},

    with :func:`canonicalize_reward`'s ``C`` and ``rho`` the Pearson
    correlation of the two canonical rewards over ``(s, a, s')`` drawn from the
    coverage distribution (default ``D_S × D_A × D_S``). Zero exactly when the
    rewards agree up to potential shaping and a positive factor (on the
    coverage's support); symmetric; in ``[0, 1]``; satisfies the triangle
    inequality.

    Parameters
    ----------
    reward_a, reward_b : array_like, shape (S,), (S, A) or (S, A, S), or fit results
        An ``(S,)`` reward is ``R(s)``, ``(S, A)`` is ``R(s, a)``; a fitted
        model's ``reward`` is used (so ``epic_distance(fit, world.reward, ...)``
        compares a fit with the truth in one call).
    discount : float
        ``gamma`` in ``[0, 1]`` of the shaping ``gamma Phi(s') - Phi(s)`` to ignore.
    state_dist, action_dist : array_like, optional
        The canonicalisation's ``D_S (S,)`` and ``D_A (A,)``; default uniform.
    coverage : array_like, shape (S, A, S), optional
        The distribution of ``(s, a, s')`` the correlation is taken under,
        separate from ``D_S`` and ``D_A`` (e.g. only the transitions an MDP
        allows, ``initial``-free: ``P(s'|s, a) / (S A)``). Default
        ``D_S × D_A × D_S``.
    mdp : MDP, optional
        Compare the rewards as ``mdp`` sees them (``discount < 1``): each is
        replaced by :func:`lift_reward`'s ``R(s, a, s')``, so the distance is
        also zero for the MDP's expected shaping ``R + gamma P Phi - Phi``
        (what IRL leaves unidentified; AIRL's ``f = log pi_E`` is one). It
        equals the Pearson distance of the ``D_A``-policy advantages
        ``A^pi(s, a)`` over the coverage's ``(s, a)`` marginal, so a coverage
        on the transitions the MDP allows gives the same value as the default.
        Use it to score an IRL result against the truth:
        ``epic_distance(fit, true_reward, discount=gamma, mdp=mdp)``.
    policy : array_like, shape (S, A), optional
        With ``mdp``: ``D_S`` and ``D_A`` from the policy's normalised
        occupancy (as in :func:`canonicalize_reward`).

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    ValueError
        A reward that is constant up to shaping under the coverage (it has no
        EPIC distance); distributions or a coverage that do not sum to one;
        mismatched shapes.

    See Also
    --------
    canonicalize_reward
    lift_reward : how ``mdp=`` reads a reward.
    reward_correlation : Pearson correlation without canonicalisation.

    References
    ----------
    .. [1] A. Gleave, M. Dennis, S. Legg, S. Russell and J. Leike, "Quantifying
       differences in reward functions", ICLR 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl.metrics import epic_distance
    >>> r = np.array([[1.0, 0.0], [0.0, 0.0]])
    >>> round(epic_distance(r, 3 * r + 5, discount=0.0), 12)                      # rescaled and shifted
    0.0
    >>> round(epic_distance(r, np.array([[1.0, 0.0], [1.0, 0.0]]), discount=0.0), 6)   # sin(pi / 8)
    0.382683
    """
    ra, rb = _as_reward(reward_a, "reward_a"), _as_reward(reward_b, "reward_b")
    S, A = _sizes([ra, rb], action_dist, ["reward_a", "reward_b"], mdp)
    gamma, D_S, D_A = _distributions(S, A, discount, state_dist, action_dist, mdp, policy)
    scale_a, scale_b = max(np.abs(ra).max(), 1e-300), max(np.abs(rb).max(), 1e-300)
    if mdp is not None:  # the lift is shaping-equivalent to the advantage: its canonical reward is the same
        ra, rb = _advantage(ra, mdp, gamma, D_A), _advantage(rb, mdp, gamma, D_A)
        # the advantage is a difference of values of size |R| / (1 - gamma): its rounding is relative to those
        scale_a, scale_b = scale_a / (1.0 - gamma), scale_b / (1.0 - gamma)
    ma, mb = _state_mean(ra, D_S, D_A), _state_mean(rb, D_S, D_A)
    if coverage is not None:
        coverage = check_joint_distribution(coverage, "coverage", (S, A, S))
    if coverage is None and ra.ndim < 3 and rb.ndim < 3:
        var_a, var_b, cov = _separable_moments(ra, rb, ma, mb, D_S, D_A, gamma)
    else:
        var_a, var_b, cov = _blocked_moments(ra, rb, ma, mb, D_S, D_A, gamma, coverage)
    return _pearson(var_a, var_b, cov, scale_a, scale_b)
