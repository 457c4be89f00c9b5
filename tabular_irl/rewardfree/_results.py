"""Results of the reward-free methods: small frozen dataclasses with named fields.

These are not fitted reward models, so they do not follow the ``FitResult``
protocol of :mod:`tabular_irl.irl._result`; they share its habits: named
fields, ``converged`` and ``message`` where a tolerance is involved, and a
``ConvergenceWarning`` (never an exception) when it does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MarginalOptimum", "ExplorationResult"]


@dataclass(frozen=True, eq=False)
class MarginalOptimum:
    """The exact optimum of a concave (convex) function of the state marginal over all policies.

    Returned by :func:`~tabular_irl.rewardfree.max_state_entropy` (maximise
    ``H(d)``) and :func:`~tabular_irl.rewardfree.min_state_marginal_kl`
    (minimise ``KL(d || target)``), with a duality-gap certificate.

    Attributes
    ----------
    value : float
        The objective at ``marginal``: ``H(d)`` or ``KL(d || target)``.
    marginal : ndarray, shape (S,)
        The optimal state marginal ``d``.
    policy : ndarray, shape (T, S, A) or (S, A)
        A Markov policy whose state marginal is ``marginal``.
    gap : float
        Duality gap: the optimum lies in ``[lower, upper]``,
        an interval of width ``gap``.
    lower, upper : float
        Bounds on the optimal value (``value`` is one of them).
    policies : tuple of ndarray
        Policies mixed at the optimum: ``(policy,)`` from the interior-point
        method; the deterministic vertices (and the uniform start policy if it
        kept weight) if Frank--Wolfe gave the answer.
    weights : ndarray, shape (K,)
        Their mixture weights.
    n_iter : int
        Iterations (interior-point steps, plus Frank--Wolfe's hard planning
        passes if it fell back).
    converged : bool
        ``gap <= tol``.
    message : str

    See Also
    --------
    max_state_entropy, min_state_marginal_kl : make it.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import max_state_entropy
    >>> opt = max_state_entropy(gridworld(3, goals=[]).mdp, horizon=4)
    >>> opt.converged, bool(opt.upper - opt.lower <= 1e-10), opt.marginal.shape
    (True, True, (9,))
    """

    value: float
    marginal: np.ndarray
    policy: np.ndarray
    gap: float
    lower: float
    upper: float
    policies: tuple
    weights: np.ndarray
    n_iter: int
    converged: bool
    message: str


@dataclass(frozen=True, eq=False)
class ExplorationResult:
    """An iterative reward-free method's mixture of policies and its exact curves.

    Returned by :func:`~tabular_irl.rewardfree.maxent_exploration` and
    :func:`~tabular_irl.rewardfree.state_marginal_matching`.

    Attributes
    ----------
    policies : tuple of ndarray, each (T, S, A) or (S, A)
        The policies of the mixture (the uniform start policy first while it
        keeps weight).
    weights : ndarray, shape (K,)
        Mixture weights (drawn once per episode).
    marginal : ndarray, shape (S,)
        The mixture's exact state marginal.
    value : float
        Its entropy (exploration) or ``KL(marginal || target)`` (matching).
    history : ndarray, shape (n_iter,)
        ``value`` after each iteration, computed exactly.
    gap : float
        Frank--Wolfe gap at ``marginal``: an upper bound on the distance of
        ``value`` to the optimum (``inf`` while a reachable state is never
        visited; ``nan`` for the naive scheme, which is not Frank--Wolfe).
    gap_history : ndarray, shape (n_iter,)
        The gap at the start of each iteration.
    n_iter : int
    step : str
        The step rule that ran (``"naive"`` for naive matching).
    planner : str
        ``"hard"`` or ``"soft"``.

    See Also
    --------
    maxent_exploration, state_marginal_matching : make it.
    max_state_entropy : the exact optimum it approaches.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import maxent_exploration
    >>> res = maxent_exploration(gridworld(3, goals=[]).mdp, horizon=4, n_iter=5)
    >>> res.history.shape, len(res.policies) == res.weights.size
    ((5,), True)
    """

    policies: tuple
    weights: np.ndarray
    marginal: np.ndarray
    value: float
    history: np.ndarray
    gap: float
    gap_history: np.ndarray
    n_iter: int
    step: str
    planner: str
