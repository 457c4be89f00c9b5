r"""High-confidence performance bounds from posterior samples (Brown & Niekum 2018).

For a policy ``pi`` and each posterior sample ``theta_i`` with reward ``r_i``,
the loss of ``pi`` against the optimal policy of ``r_i`` is the expected
value difference

.. math::

    L_i = \max_{\pi'} J_{r_i}(\pi') - J_{r_i}(\pi)
        = \langle C_{\pi^*_i} - C_\pi,\ r_i \rangle \ge 0,

with ``C`` the exact expected discounted state-action counts from
``initial`` and ``pi*_i`` the optimal policy of ``r_i``
(:func:`~tabular_irl.value_iteration`). The losses are a sample of the
posterior distribution of the loss; their empirical ``alpha``-quantile is the
``alpha``-value at risk: with posterior probability ``alpha`` the policy loses
at most that much. ``C_pi`` is computed once; each distinct sample costs one
planning pass (PolicyWalk's chains repeat points often, and repeats are
computed once).

References
----------
.. [1] D. S. Brown and S. Niekum, "Efficient probabilistic performance bounds
   for inverse reinforcement learning", AAAI 2018.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _passes
from .._validation import check_horizon_discount, check_policy, check_probability, discount_argument
from ..inference import _start
from ..mdp import MDP, check_mdp
from ..planning import value_iteration
from ._results import BayesianIRLResult, ValueAtRisk

__all__ = ["value_at_risk"]


def value_at_risk(
    result: BayesianIRLResult,
    mdp: MDP,
    policy: Any,
    *,
    alpha: float = 0.95,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
) -> ValueAtRisk:
    r"""The posterior distribution of a policy's expected value difference and its ``alpha``-VaR.

    Parameters
    ----------
    result : BayesianIRLResult
        Posterior samples from :func:`bayesian_irl` (their rewards are
        ``features @ theta`` with the features of that call).
    mdp : MDP
        The MDP the policy acts in (the samples' own or another with the same
        ``S`` and ``A``).
    policy : array_like, shape (S, A) or (T, S, A)
        The policy to bound.
    alpha : float, default 0.95
        In ``(0, 1)``.
    horizon, discount : optional
        The evaluation model; default the posterior's own.
    initial : array_like, shape (S,), optional
        Start distribution; default ``mdp.initial``.

    Returns
    -------
    ValueAtRisk
        ``value_at_risk``, ``losses (n,)`` (one per sample), ``mean``, ``alpha``.

    Raises
    ------
    ValueError
        ``alpha`` outside ``(0, 1)``, a policy that is not one, a result not from
        :func:`bayesian_irl`.

    See Also
    --------
    tabular_irl.metrics.expected_value_difference : the same loss for one known reward.

    References
    ----------
    .. [1] D. S. Brown and S. Niekum, "Efficient probabilistic performance
       bounds for inverse reinforcement learning", AAAI 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.bayes import bayesian_irl, value_at_risk
    >>> world = gridworld(3, slip=0.1)
    >>> expert = value_iteration(world.mdp, world.reward, discount=0.9)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 10, horizon=5, seed=0)
    >>> fit = bayesian_irl(world.mdp, demos, features=world.feature_sets["coordinates"], discount=0.9,
    ...                    bounds=(-1, 1), step=0.25, n_samples=500, seed=0)
    >>> good = value_at_risk(fit, world.mdp, expert.policy)
    >>> bad = value_at_risk(fit, world.mdp, np.full((9, 5), 0.2))          # a random walk
    >>> bool(0 <= good.value_at_risk < bad.value_at_risk), good.losses.shape
    (True, (500,))
    """
    post = getattr(result, "_posterior", None)
    if not isinstance(result, BayesianIRLResult) or post is None:
        raise TypeError(f"result must be a BayesianIRLResult from bayesian_irl, got {type(result).__name__}")
    check_mdp(mdp)
    S, A = post.mdp.n_states, post.mdp.n_actions
    if (mdp.n_states, mdp.n_actions) != (S, A):
        raise ValueError(f"mdp must have (S, A) = ({S}, {A}) like the posterior's, got ({mdp.n_states}, "
                         f"{mdp.n_actions})")
    alpha = check_probability(alpha, "alpha")
    if horizon is None and discount is None:
        T, gamma = post.horizon, post.discount
    else:
        T, gamma = check_horizon_discount(horizon, discount)
    pi = check_policy(policy, S, A, T)
    init = _start(mdp, initial)
    counts = _passes.expected_counts(mdp, pi, T, gamma, init)
    unique, inverse = np.unique(result.samples, axis=0, return_inverse=True)
    losses_unique = np.empty(len(unique))
    for k, theta in enumerate(unique):
        r = post.reward(theta)
        best = value_iteration(mdp, r, horizon=T, discount=discount_argument(T, gamma) if T is not None else gamma,
                               method="policy_iteration" if T is None else "value_iteration")
        best_counts = _passes.expected_counts(mdp, best.policy, T, gamma, init)
        # no policy beats the optimal one: a negative loss is rounding, clipped
        losses_unique[k] = max(float(np.sum((best_counts - counts) * r)), 0.0)
    losses = losses_unique[np.asarray(inverse).ravel()]
    var = float(np.quantile(losses, alpha, method="inverted_cdf"))
    return ValueAtRisk(value_at_risk=var, losses=losses, mean=float(losses.mean()), alpha=alpha)
