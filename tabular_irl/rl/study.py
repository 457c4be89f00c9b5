"""Studies that return tables: the sampled policy gradient's bias and variance against the exact one."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_policy, check_positive_int, check_seed
from ..approx._study import StudyTable
from ..mdp import MDP
from ..approx._sampler import PolicyMixture
from ..trajectories import sample_trajectories
from ._policies import resolve, softmax
from .gradients import exact_gradient, reinforce_gradient

__all__ = ["gradient_estimator_study"]


def gradient_estimator_study(
    mdp: MDP,
    reward: Any,
    logits: Any,
    expert_policy: Any,
    *,
    horizon: int,
    discount: float | None = None,
    n: int = 10_000,
    baseline: Any = "value",
    seed: int | np.random.Generator | None = None,
) -> StudyTable:
    r"""Bias and variance of :func:`reinforce_gradient` for on-policy, demo-only and fusion sampling.

    For each sampler, ``n`` trajectories are drawn once and scored with
    ``future_ratios=True`` (unbiased) and ``False`` (the lecture's formula):

    * ``"on-policy"``: from ``pi_theta = softmax(logits)``;
    * ``"demos"``: from the expert (off-policy, only demonstrations);
    * ``"fusion"``: from ``(1/2)(pi_theta + expert)`` at the trajectory level.

    Columns: ``sampler``, ``future_ratios``, ``n``; ``bias`` the norm
    ``||mean(terms) - grad||_2`` against the exact gradient
    (:func:`policy_gradient`) with ``bias_se = sqrt(sum SE^2)``, its noise
    level (a bias below a few ``bias_se`` is not measurable at this ``n``);
    ``variance`` the trace of the per-trajectory covariance of the terms
    (the variance of an ``n``-sample estimate is ``variance / n``);
    ``ess`` the effective sample size ``(sum w)^2 / sum w^2`` of the final
    ratios ``w_{0:T-1}``. ``meta`` holds the exact gradient's norm.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    logits : array_like, shape (T, S, A) or (S, A)
    expert_policy : array_like, shape (S, A) or (T, S, A)
        The demonstrator, with full support on the actions ``pi_theta`` takes
        (else off-policy estimates are undefined where it has none).
    horizon : int
    discount : float, optional
    n : int, default 10000
    baseline : None, "value" or array_like
        As in :func:`reinforce_gradient`.
    seed : int, Generator or None

    Returns
    -------
    StudyTable

    Raises
    ------
    ValueError
        On logits, a reward or samplers that do not match ``mdp``, or ``n < 1``.

    See Also
    --------
    reinforce_gradient : the estimator measured.
    policy_gradient : the exact gradient it is measured against.

    References
    ----------
    Owen (2013). Monte Carlo theory, methods and examples, ch. 9 (the fusion
    distribution is the balance heuristic of multiple importance sampling).

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward
    >>> world = gridworld(3)
    >>> expert = soft_backward(world.mdp, 3 * world.reward, horizon=4).policy
    >>> table = gradient_estimator_study(world.mdp, world.reward, np.zeros((9, 5)), expert, horizon=4, n=500, seed=0)
    >>> table.columns
    ('sampler', 'future_ratios', 'n', 'bias', 'bias_se', 'variance', 'ess')
    >>> [row[:2] for row in table.rows][:2]
    [('on-policy', True), ('on-policy', False)]
    """
    problem = resolve(mdp, reward, horizon, discount)
    theta = problem.logits(logits)
    expert = check_policy(expert_policy, *problem.shape, problem.T, "expert_policy")
    n = check_positive_int(n, "n", minimum=2)
    rng = check_seed(seed)
    _, exact = exact_gradient(problem, theta)
    pi = softmax(theta)
    samplers = {"on-policy": (pi, None), "demos": (expert, expert), "fusion": (None, [pi, expert])}
    rows = []
    for name, (draw, behavior) in samplers.items():
        if draw is None:
            samples = PolicyMixture((pi, expert)).sample(problem.mdp, n, horizon=problem.T, seed=rng)
        else:
            samples = sample_trajectories(problem.mdp, draw, n, horizon=problem.T, seed=rng)
        for future in (True, False):
            est = reinforce_gradient(problem.mdp, problem.reward, theta, samples, discount=problem.gamma,
                                     behavior=behavior, future_ratios=future, baseline=baseline)
            w = est.ratios[:, -1]
            rows.append((name, future, n, float(np.linalg.norm(est.estimate - exact)),
                         float(np.sqrt(np.sum(est.standard_error ** 2))),
                         float(np.sum(est.terms.var(axis=0, ddof=1))), float(w.sum() ** 2 / np.sum(w ** 2))))
    return StudyTable(("sampler", "future_ratios", "n", "bias", "bias_se", "variance", "ess"), rows,
                      {"gradient_norm": float(np.linalg.norm(exact)), "horizon": problem.T,
                       "discount": problem.gamma})
