r"""Apprenticeship learning via inverse reinforcement learning (Abbeel & Ng 2004).

The expert is matched in *feature expectations*: for linear rewards
``r = phi @ w`` the expected return of a policy is ``w @ mu(pi)`` with

.. math::

    \mu(\pi) = \sum_{s,a} \sum_t \gamma^t \Pr_\pi(s_t = s, a_t = a)\, \phi(s, a)
    \in \mathbb{R}^d,

so a (mixture of) policies whose feature expectations lie within
:math:`\epsilon` of the expert's :math:`\mu_E` earns, by Cauchy-Schwarz,
within :math:`\epsilon \lVert w \rVert_2` of the expert's return for *every*
such reward:

.. math::

    |w \cdot \mu_E - w \cdot \mu_{\text{mix}}| \le \lVert w \rVert_2\,
    \lVert \mu_E - \mu_{\text{mix}} \rVert_2 .

The algorithm alternates a reward step and a planning step:

1. ``pi_0`` is optimal for ``theta0 @ phi`` (default ``theta0 = 0``: every
   action ties and :func:`~tabular_irl.value_iteration` breaks ties to action
   0, so ``pi_0`` takes action 0 everywhere -- deterministic, no seed).
2. Reward step, from the feature expectations ``mu_0 .. mu_{i-1}`` found so far:

   * ``max_margin``: the quadratic programme
     :math:`\max_{t, \lVert w \rVert_2 \le 1} t` s.t.
     :math:`w \cdot \mu_E \ge w \cdot \mu_j + t` for all ``j``. By minimax
     duality its optimal ``t`` is the Euclidean distance from ``mu_E`` to the
     convex hull of the ``mu_j`` and ``w`` the unit vector from the nearest hull
     point ``x*`` to ``mu_E``; we solve it exactly as that nearest-point problem
     (:func:`min_norm_point`, Wolfe's algorithm). If ``mu_E`` is in the hull,
     ``t = 0`` (and ``w = 0``).
   * ``projection``: the closed form of the paper, ``mu_bar_0 = mu_0`` and

     .. math::

        \bar\mu_{i-1} = \bar\mu_{i-2} + c\,(\mu_{i-1} - \bar\mu_{i-2}), \quad
        c = \frac{(\mu_{i-1} - \bar\mu_{i-2}) \cdot (\mu_E - \bar\mu_{i-2})}
                 {\lVert \mu_{i-1} - \bar\mu_{i-2} \rVert_2^2},

     ``w = mu_E - mu_bar_{i-1}``, ``t = ||w||_2``. We clip ``c`` to ``[0, 1]``
     so that ``mu_bar`` stays a convex combination of the ``mu_j``: for an
     attainable ``mu_E`` (exact expert feature expectations) ``c`` lies there
     anyway; for an empirical or given ``mu_E`` outside the attainable set the
     paper's step could leave the hull. Either way ``t`` never increases.

3. Stop if ``t <= epsilon``. The projection method also stops as soon as the
   exact distance from ``mu_E`` to the hull of the ``mu_j`` (what the result
   reports, never more than its ``t``) is ``<= epsilon``: the paper's test on
   ``t`` alone can run many more iterations after some mixture is already
   close enough. Otherwise plan: ``pi_i`` is the optimal policy for the
   reward ``phi @ (w / ||w||)`` (exact hard value iteration) and ``mu_i`` its
   exact feature expectations (forward pass, no sampling).

The planning step also yields a certificate: every policy has
``w @ mu(pi) <= max_pi w @ mu(pi) = w @ mu_i`` (up to value iteration's error
bound), so ``w @ (mu_E - mu_i)`` with unit ``w`` is a lower bound on the
distance from ``mu_E`` to *every* mixture of policies (the largest such bound
is reported). When it exceeds ``epsilon``, ``mu_E`` is not attainable (an
empirical count from few demonstrations, or features, horizon or discount that
do not match the expert) and no number of iterations can succeed; the loop
then goes on only until the mixture is within ``epsilon`` of that bound, i.e.
within ``epsilon`` of the best any mixture can do. (Both reward steps approach
the point of the attainable set nearest to ``mu_E``: max-margin is a fully
corrective Frank-Wolfe method on ``||mu_E - mu||^2``.)

On exit the mixture weights are recomputed exactly over *all* policies found,
:math:`\lambda = \arg\min_{\lambda \in \Delta} \lVert \mu_E - \sum_j \lambda_j
\mu_j \rVert_2`. The mixture is **not** a Markov policy: it means *draw
policy ``j`` with probability ``lambda_j`` at the start of each episode and
follow it throughout*; its feature expectations (and so its value under any
linear reward) are ``sum_j lambda_j mu_j``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._deprecation import renamed_arguments
from .._progress import check_progress, progress_bar
from .._validation import (
    check_finite_array,
    check_option,
    check_positive_int,
    check_positive_real,
    readonly,
    resolve_model,
)
from .. import _passes
from ..planning import policy_plan
from ._common import (
    check_mdp,
    expert_feature_expectations,
    features_for,
    policy_feature_expectations,
)
from ._qp import _wolfe, min_norm_point
from ._result import warn_not_converged

__all__ = ["ApprenticeshipResult", "apprenticeship_learning", "min_norm_point"]

_METHODS = ("projection", "max_margin")

# --------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ApprenticeshipResult:
    r"""Result of :func:`apprenticeship_learning`.

    Attributes
    ----------
    policies : tuple of ndarray, each shape (S, A) or (T, S, A)
        ``pi_0, pi_1, ...``: deterministic optimal policies, ``(S, A)`` when
        discounted without a horizon, ``(T, S, A)`` with one.
    feature_expectations : ndarray, shape (k, d)
        Exact ``mu_j`` of ``policies[j]`` (one row per policy).
    expert_feature_expectations : ndarray, shape (d,)
        ``mu_E`` as used (empirical from trajectories, or as given).
    margins : ndarray, shape (n_iter,)
        ``t`` of each iteration: the max-margin optimum (distance from
        ``mu_E`` to the hull of the policies found so far) or the projection
        method's ``||mu_E - mu_bar||_2`` (non-increasing).
    theta : ndarray, shape (d,)
        The last reward direction ``w / ||w||_2`` (zeros if ``mu_E`` was
        reached exactly): for max-margin, the expert beats every policy found
        by ``margins[-1]`` under the reward ``features @ theta``.
    reward : ndarray, shape (S, A)
        ``features @ theta``.
    policy : ndarray, shape (S, A) or (T, S, A)
        The Markov policy with the mixture's visitation:
        ``policy[t, s] = sum_j lambda_j D_j[t, s] policies[j][t, s] / sum_j
        lambda_j D_j[t, s]``, with ``D_j`` the state visitation of
        ``policies[j]`` from ``mdp.initial`` (the discounted occupancy when
        stationary), and ``sum_j lambda_j policies[j][t, s]`` where no
        component visits ``s``. Its state-action visitation, and so its
        feature expectations (``mixture_feature_expectations``) and value
        under any reward, are the mixture's: one policy to run or plot instead
        of drawing a component per episode. Stochastic where components differ.
    objective : float
        ``distance``, the quantity the method drives below ``epsilon``.
    mixture_weights : ndarray, shape (k,)
        ``lambda`` minimising ``||mu_E - sum_j lambda_j mu_j||_2`` over the
        simplex (exact, :func:`min_norm_point`). The mixture means: at the
        start of each episode draw ``j`` with probability ``lambda_j`` and
        follow ``policies[j]`` -- not a single Markov policy.
    mixture_feature_expectations : ndarray, shape (d,)
        ``mu_mix = mixture_weights @ feature_expectations``.
    distance : float
        ``||mu_E - mu_mix||_2``.
    distance_lower_bound : float
        A certified lower bound on the distance from ``mu_E`` to the feature
        expectations of *any* policy or mixture of policies (0 when the
        planning steps proved nothing): see the module docstring.
    converged : bool
        ``distance <= epsilon``.
    message : str
    guarantee : str
        Which value guarantee holds for the mixture, in words.
    n_iter : int
        Reward steps performed (``len(margins)``); ``n_iter`` or ``n_iter + 1``
        policies were planned (``pi_0`` included).
    method : str
    history : dict
        Per iteration: ``"margin"`` (as ``margins``) and ``"hull_distance"``
        (from ``mu_E`` to the hull of the policies found so far).
    epsilon : float

    See Also
    --------
    apprenticeship_learning : returns it.
    tabular_irl.irl.FitResult : the protocol it follows.

    References
    ----------
    Abbeel & Ng (2004), "Apprenticeship learning via inverse reinforcement learning", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import expected_feature_counts, gridworld, soft_backward, visitation
    >>> from tabular_irl.irl import apprenticeship_learning
    >>> world = gridworld(4, slip=0.1)
    >>> phi = world.feature_sets["coordinates"]  # (S, 2)
    >>> expert = soft_backward(world.mdp, phi @ [0.6, 0.8], horizon=6).policy
    >>> mu_E = expected_feature_counts(visitation(world.mdp, expert, horizon=6), phi)
    >>> fit = apprenticeship_learning(world.mdp, phi, mu_E, horizon=6)  # the projection method
    >>> k = len(fit.policies)
    >>> fit.policies[0].shape, fit.feature_expectations.shape == (k, 2), fit.mixture_weights.shape == (k,)
    ((6, 16, 5), True, True)
    >>> mix = fit.mixture_weights @ fit.feature_expectations
    >>> bool(np.allclose(mix, fit.mixture_feature_expectations))
    True
    >>> bool(np.isclose(fit.distance, np.linalg.norm(mu_E - mix))), fit.converged, fit.distance <= fit.epsilon
    (True, True, True)
    >>> bool(np.all(np.diff(fit.margins) <= 0))  # projection: ||mu_E - mu_bar|| never grows
    True

    One Markov policy has the mixture's feature expectations:

    >>> mu = expected_feature_counts(visitation(world.mdp, fit.policy, horizon=6), phi)
    >>> fit.policy.shape, bool(np.allclose(mu, fit.mixture_feature_expectations, rtol=0, atol=1e-12))
    ((6, 16, 5), True)
    """

    policies: tuple
    feature_expectations: np.ndarray
    expert_feature_expectations: np.ndarray
    margins: np.ndarray
    theta: np.ndarray
    reward: np.ndarray
    policy: np.ndarray
    objective: float
    mixture_weights: np.ndarray
    mixture_feature_expectations: np.ndarray
    distance: float
    distance_lower_bound: float
    converged: bool
    message: str
    guarantee: str
    n_iter: int
    method: str
    history: dict = field(repr=False)
    epsilon: float


# --------------------------------------------------------------------------
# The algorithm
# --------------------------------------------------------------------------
class _Hull:
    """The nearest point to ``mu_E`` of the hull of a growing list of points (warm-started Wolfe)."""

    def __init__(self, mu_E: np.ndarray) -> None:
        self.mu_E = mu_E
        self.weights = np.zeros(0)
        self.k = 0

    def nearest(self, mus: list) -> tuple[np.ndarray, np.ndarray]:
        """``(weights (k,), point (d,))`` for the points ``mus`` (an extension of the last call's)."""
        P = np.array(mus)
        start = None
        if self.k:
            start = np.zeros(len(mus))
            start[: self.k] = self.weights
        self.weights = _wolfe(P - self.mu_E, start)
        self.k = len(mus)
        return self.weights, self.weights @ P


def _mixture_policy(mdp: Any, policies: list, weights: np.ndarray, T: int | None, gamma: float) -> np.ndarray:
    """The Markov policy whose state-action visitation is the mixture's, shape of ``policies[j]``.

    Drawing ``policies[j]`` with probability ``lambda_j`` per episode visits
    ``(s, a)`` at ``t`` with probability ``sum_j lambda_j D_j[t, s] pi_j[t, s, a]``;
    dividing by the state's ``sum_j lambda_j D_j[t, s]`` gives a Markov policy
    with those same marginals (Puterman 1994, Theorem 5.5.1; with the
    discounted occupancies ``d_j(s)`` for a stationary one). Rows no component
    reaches take ``sum_j lambda_j pi_j[t, s]``.
    """
    return _passes.markov_mixture(mdp, policies, weights, T, gamma, np.ascontiguousarray(mdp.initial))


@renamed_arguments(demos_or_expert_features="demos")
def apprenticeship_learning(
    mdp: Any,
    features: Any,
    demos: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    method: str = "projection",
    epsilon: float = 1e-2,
    max_iter: int = 200,
    theta0: Any = None,
    progress: bool | None = None,
) -> ApprenticeshipResult:
    r"""Apprenticeship learning (Abbeel & Ng 2004): a mixture of optimal policies matching the expert's features.

    Finds policies ``pi_j``, each optimal for some reward ``phi @ w_j``, and
    convex weights ``lambda`` such that the mixture's exact feature
    expectations satisfy :math:`\lVert \mu_E - \sum_j \lambda_j \mu_j
    \rVert_2 \le \epsilon`; then for every reward ``phi @ w`` the mixture's
    expected return is within :math:`\epsilon \lVert w \rVert_2` of the
    expert's. The algorithm, its two reward steps and the stopping
    certificate are described in the module docstring.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``phi(s)`` (broadcast over actions) or ``phi(s, a)``.
    demos : Trajectories or array_like, shape (d,)
        Demonstrations (``mu_E`` is then their empirical feature count
        ``mean_i sum_t gamma^t phi(s_t, a_t)``; with a horizon their horizon
        must equal it) or the expert's feature expectations ``mu_E`` directly.
        Formerly ``demos_or_expert_features`` (deprecated).
    horizon, discount
        The model, as in :func:`~tabular_irl.value_iteration`: ``horizon``
        alone (finite, undiscounted), ``discount`` alone (infinite,
        discounted) or both. Feature expectations sum ``gamma^t phi`` over
        ``t < T`` (all ``t`` when discounted), so ``epsilon`` is in those units.
    method : {"projection", "max_margin"}, default "projection"
        The reward step: the paper's closed-form projection, or the exact
        max-margin quadratic programme.
    epsilon : float, default 0.01
        Target ``||mu_E - mu_mix||_2``, ``> 0``.
    max_iter : int, default 200
        Maximum number of reward steps (each plans at most one policy).
    theta0 : array_like, shape (d,), optional
        Reward weights of the first policy. Default zeros: all actions tie and
        ``pi_0`` takes action 0 in every state (value iteration's tie rule).
    progress : bool, optional
        Show each iteration's ``t`` (``margins``) and the distance from
        ``mu_E`` to the hull of the policies found on ``stderr`` while
        running (``tqdm`` when installed, else plain lines). ``None``
        (default): only when ``stderr`` is a terminal and the run takes more
        than a second.

    Returns
    -------
    ApprenticeshipResult
        Not reaching ``epsilon`` (``max_iter`` exhausted, or ``mu_E`` proven
        unattainable: ``distance_lower_bound > epsilon``) gives
        ``converged=False``, a ``message`` that suggests the fix, and a
        :class:`~tabular_irl.ConvergenceWarning`.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type; the message names it.
    ValueError
        ``features``, ``demos``, ``horizon``, ``discount``, ``method``,
        ``epsilon``, ``max_iter`` or ``theta0`` out of range, of the wrong shape
        or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    max_margin_planning : margins with a structured loss.
    maxent_irl : the maximum entropy alternative.
    tabular_irl.irl.min_norm_point : the exact projection step.

    References
    ----------
    Abbeel & Ng (2004), "Apprenticeship learning via inverse reinforcement learning", ICML.

    Examples
    --------
    >>> from tabular_irl import expected_feature_counts, gridworld, soft_backward, visitation
    >>> world = gridworld(4, slip=0.1)
    >>> phi = world.feature_sets["coordinates"]  # (S, 2): row, column in [0, 1]
    >>> expert = soft_backward(world.mdp, phi @ [0.6, 0.8], horizon=6).policy
    >>> mu_E = expected_feature_counts(visitation(world.mdp, expert, horizon=6), phi)
    >>> fit = apprenticeship_learning(world.mdp, phi, mu_E, horizon=6, method="max_margin", epsilon=1e-3)
    >>> fit.converged, fit.distance <= 1e-3, len(fit.policies), fit.feature_expectations.shape
    (True, True, 3, (3, 2))
    >>> round(float(fit.mixture_weights.sum()), 12)  # pick policy j with probability weights[j]
    1.0
    """
    mdp = check_mdp(mdp)
    model = resolve_model(horizon, discount)
    T, gamma = model.horizon, model.discount
    method = check_option(method, "method", _METHODS)
    eps = check_positive_real(epsilon, "epsilon")
    max_iter = check_positive_int(max_iter, "max_iter")
    progress = check_progress(progress)
    phi = features_for(mdp, features)
    d = phi.d
    theta_init = np.zeros(d) if theta0 is None else check_finite_array(theta0, "theta0", (d,))
    mu_E = expert_feature_expectations(mdp, phi, demos, T, gamma).copy()
    plan_discount = gamma  # with a horizon, 1.0 is allowed and means undiscounted

    def plan(w: np.ndarray):
        p = policy_plan(mdp, phi.reward(w), horizon=T, discount=plan_discount, hard=True)
        mu = policy_feature_expectations(mdp, phi, p.policy, T, gamma)
        return p, mu

    first, mu0 = plan(theta_init)
    policies = [first.policy]
    mus = [mu0]
    margins: list[float] = []
    hull_distances: list[float] = []
    theta = np.zeros(d)
    lower_bound = 0.0
    mu_bar = mu0.copy()
    hull = _Hull(mu_E)
    with progress_bar(f"apprenticeship_learning ({method})", progress) as bar:
        for i in range(max_iter):
            # -- reward step: w and t from mu_0 .. mu_{k-1}
            if method == "projection":
                if i > 0:
                    step = mus[-1] - mu_bar
                    denom = float(step @ step)
                    c = 0.0 if denom <= 0.0 else min(1.0, max(0.0, float(step @ (mu_E - mu_bar)) / denom))
                    mu_bar = mu_bar + c * step
                diff = mu_E - mu_bar
                hull_distance = float(np.linalg.norm(mu_E - hull.nearest(mus)[1]))
            else:
                diff = mu_E - hull.nearest(mus)[1]
                hull_distance = float(np.linalg.norm(diff))
            t = float(np.linalg.norm(diff))
            margins.append(t)
            hull_distances.append(hull_distance)
            bar.update(i + 1, margin=t, **{"hull distance": hull_distance})
            theta = diff / t if t > 0.0 else np.zeros(d)
            if t <= eps or hull_distance <= eps:
                break
            if hull_distance - lower_bound <= eps:  # unattainable, and no mixture is eps closer than this one
                break
            # -- planning step: the optimal policy for phi @ theta, and the certificate
            p, mu = plan(theta)
            policies.append(p.policy)
            mus.append(mu)
            best = max(float(theta @ mu), p.log_partition + p.error_bound)  # >= max_pi theta @ mu(pi)
            lead = float(theta @ mu_E)
            slack = 1e-12 * max(1.0, abs(lead), abs(best))  # rounding of the two dot products
            lower_bound = max(lower_bound, lead - best - slack)

    M = readonly(np.array(mus))
    weights, mixture = hull.nearest(mus)
    weights = np.maximum(weights, 0.0)
    weights /= weights.sum()
    mixture = weights @ M
    distance = float(np.linalg.norm(mu_E - mixture))
    converged = distance <= eps
    n_iter = len(margins)
    used = int(np.count_nonzero(weights))
    guarantee = (f"||mu_E - mu_mix||_2 = {distance:.3g} {'<=' if converged else '>'} epsilon = {eps:.3g}: "
                 f"for any reward features @ w the mixture's expected return is within "
                 f"{distance:.3g} * ||w||_2 of the expert's")
    if converged:
        message = (f"converged after {n_iter} iteration(s): ||mu_E - mu_mix||_2 = {distance:.3g} <= epsilon = "
                   f"{eps:.3g}, a mixture of {used} of the {len(policies)} policies found")
    elif lower_bound > eps:
        best_possible = distance - lower_bound <= eps
        message = (f"not converged: mu_E is not attainable within epsilon = {eps:.3g}: for a reward "
                   f"features @ w with ||w||_2 = 1 the expert's value exceeds every policy's by "
                   f"{lower_bound:.3g}, so no policy or mixture comes closer than {lower_bound:.3g}; this "
                   f"mixture is at {distance:.3g}"
                   + (" (the best possible to within epsilon)" if best_possible else
                      f" after max_iter={max_iter} iterations (increase max_iter to approach the bound)")
                   + f". Increase epsilon above {lower_bound:.3g}, or check that features, horizon and discount "
                   "match the expert (the empirical feature counts of few demonstrations can lie outside the "
                   "attainable set).")
        guarantee += f"; no mixture of policies can come closer to mu_E than {lower_bound:.3g}"
    else:
        message = (f"not converged: ||mu_E - mu_mix||_2 = {distance:.3g} > epsilon = {eps:.3g} after "
                   f"max_iter={max_iter} iterations ({method}). Increase max_iter, or epsilon"
                   + (", or try method='max_margin' (usually far fewer iterations)"
                      if method == "projection" else "") + ".")
    if not converged:
        warn_not_converged(message)
    theta = readonly(np.asarray(theta, dtype=np.float64))
    return ApprenticeshipResult(
        policies=tuple(policies),
        feature_expectations=M,
        expert_feature_expectations=readonly(mu_E),
        margins=readonly(np.array(margins)),
        theta=theta,
        reward=readonly(phi.reward(theta)),
        policy=readonly(_mixture_policy(mdp, policies, weights, T, gamma)),
        objective=distance,
        mixture_weights=readonly(weights),
        mixture_feature_expectations=readonly(mixture),
        distance=distance,
        distance_lower_bound=float(max(lower_bound, 0.0)),
        converged=bool(converged),
        message=message,
        guarantee=guarantee,
        n_iter=n_iter,
        method=method,
        history={"margin": margins, "hull_distance": hull_distances},
        epsilon=eps,
    )
