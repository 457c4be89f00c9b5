r"""Maximum-entropy exploration (Hazan et al. 2019): the exact optimum and Frank--Wolfe.

:func:`max_state_entropy` solves :math:`\max_d H(d)` over the polytope of
achievable state marginals to a certified duality gap; :func:`maxent_exploration`
is Hazan et al.'s algorithm, Frank--Wolfe whose every iteration plans for the
reward :math:`\nabla H(d_{\text{mix}}) = -\log d_{\text{mix}} - 1` and mixes
the new policy in (see :mod:`tabular_irl.rewardfree._frank_wolfe`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_option, check_positive_int, check_positive_real, check_temperature
from ._exact import METHODS, exact_optimum
from ._frank_wolfe import STEPS, exploration_result, start
from ._model import resolve_model
from ._results import ExplorationResult, MarginalOptimum

__all__ = ["max_state_entropy", "maxent_exploration"]

PLANNERS = ("hard", "soft")


def max_state_entropy(mdp: Any, *, horizon: int | None = None, discount: float | None = None, initial: Any = None,
                      tol: float = 1e-10, max_iter: int = 1000, method: str = "auto") -> MarginalOptimum:
    r"""The exact maximum of the state-marginal entropy over all policies, with a certificate.

    Solves the concave program

    .. math::

        \max_{d \in \mathcal{K}} H(d), \qquad
        \mathcal{K} = \{ p_\pi : \pi \text{ time-indexed (finite horizon) or stationary (discounted)} \},

    over the polytope of achievable state marginals (the linear image of the
    occupancy measures, whose vertices are deterministic policies), by a
    primal-dual interior-point method on the occupancy measures' flow
    constraints (Mehrotra's predictor-corrector with Gondzio's centrality
    correctors; with a horizon the Newton system is factorised block by
    time step in dense BLAS, discounted by sparse LU), with fully-corrective
    Frank--Wolfe as a fallback should it end uncertified more than ``1e-6``
    from the optimum (closer, the bracket is returned with a warning).
    The answer is certified, not trusted: ``lower`` is the entropy of an
    actual policy's exact marginal, ``upper`` a dual bound from one hard
    planning pass (Gibbs' inequality), and it stops once ``upper - lower <=
    tol``. This is the ground truth that
    :func:`maxent_exploration` is measured against.

    Parameters
    ----------
    mdp : MDP
    horizon, discount, initial
        As in :func:`~tabular_irl.rewardfree.state_marginal`. With a horizon
        the optimum is over time-indexed policies (the set stationary ones
        reach is not convex).
    tol : float, default 1e-10
        Duality gap at which to stop (nats).
    max_iter : int, default 1000
        Most interior-point iterations (and Frank--Wolfe iterations, if it
        falls back); ending above ``tol`` warns ``ConvergenceWarning``.
    method : {"auto", "interior-point", "frank-wolfe"}, default "auto"
        ``"auto"``: the interior-point method unless its Newton system is too
        large: with a horizon, when its factor would need more than 2 GiB
        (``8 (2 sum_t n_t^2 + S sum_t n_t)`` bytes, ``n_t`` the states
        reachable at step ``t``: a 32x32 grid at ``T = 64`` needs 0.71 GB;
        the README gives measured times); discounted, above
        12,000 rows (twice the reachable states). Then fully-corrective
        Frank--Wolfe, which is cheap per step but may stall above ``tol`` at
        finite horizons (it warns).

    Returns
    -------
    MarginalOptimum
        ``value`` (the entropy of ``marginal``, the lower bound), ``marginal``,
        ``policy`` (a Markov policy attaining it), ``gap``, ``lower``,
        ``upper``, the vertices ``policies`` and their ``weights``.

    Raises
    ------
    ValueError
        If ``tol`` is not positive, or the model arguments are invalid.

    See Also
    --------
    maxent_exploration, min_state_marginal_kl

    References
    ----------
    .. [1] E. Hazan, S. M. Kakade, K. Singh, A. Van Soest. "Provably Efficient
       Maximum Entropy Exploration." ICML 2019.
    .. [2] M. Frank, P. Wolfe. "An Algorithm for Quadratic Programming."
       Naval Research Logistics Quarterly 3, 1956.
    .. [3] M. Jaggi. "Revisiting Frank-Wolfe: Projection-Free Sparse Convex
       Optimization." ICML 2013 (the duality gap certificate).
    .. [4] S. Mehrotra. "On the Implementation of a Primal-Dual Interior Point
       Method." SIAM Journal on Optimization 2(4), 1992.
    .. [5] J. Gondzio. "Multiple Centrality Corrections in a Primal-Dual Method
       for Linear Programming." Computational Optimization and Applications
       6, 1996.

    Examples
    --------
    A 3x3 grid without slip, 8 decisions from a corner: every cell can be
    covered equally often, so the optimum is ``log 9``.

    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import max_state_entropy, state_entropy
    >>> world = gridworld(3, slip=0.0, goals=[], initial=(0, 0))
    >>> opt = max_state_entropy(world.mdp, horizon=9)
    >>> opt.converged, round(opt.value, 8), round(float(np.log(9)), 8)
    (True, 2.19722458, 2.19722458)
    >>> bool(abs(state_entropy(world.mdp, opt.policy, horizon=9) - opt.value) < 1e-12)
    True
    """
    model = resolve_model(mdp, horizon, discount, initial)
    tol = check_positive_real(tol, "tol")
    max_iter = check_positive_int(max_iter, "max_iter")
    method = check_option(method, "method", METHODS)
    log_q = np.zeros(model.mdp.n_states)
    return exact_optimum(model, log_q, maximise_entropy=True, tol=tol, max_iter=max_iter, what="max_state_entropy",
                         method=method)


def planner_temperature(planner: Any, temperature: Any) -> float:
    """The oracle's temperature: 0 for ``planner="hard"``, ``temperature`` for ``"soft"``."""
    planner = check_option(planner, "planner", PLANNERS)
    tau = check_temperature(temperature)
    return 0.0 if planner == "hard" else tau


def maxent_exploration(mdp: Any, *, horizon: int | None = None, discount: float | None = None, initial: Any = None,
                       n_iter: int = 100, step: str = "fully-corrective", planner: str = "hard",
                       temperature: float = 1.0) -> ExplorationResult:
    r"""Hazan et al.'s maximum-entropy exploration: Frank--Wolfe over policies.

    Start from the uniformly random policy. Iteration ``k`` plans for the
    reward :math:`\nabla H(d_k) = -\log d_k(s) - 1` of the current mixture's
    exact marginal :math:`d_k` (hard planning: the exact oracle; soft: a
    soft-optimal policy at ``temperature``) and mixes the new policy in:

    * ``step="fully-corrective"`` (default): re-optimise the weights of all
      policies collected so far (a small convex problem over the simplex),
      dropping those whose weight falls to zero;
    * ``step="line-search"``: :math:`d_{k+1} = d_k + \eta (v - d_k)`, with
      ``eta`` maximising the entropy exactly;
    * ``step="2/(k+2)"``: Hazan et al.'s schedule :math:`\eta_k = 2 / (k + 2)`;
    * ``step="1/(k+2)"``: the plain average of all iterates.

    Measured on a 10x10 gridworld with a wall, after 100 iterations: the two
    classic schemes are still 0.004-0.05 nats from :func:`max_state_entropy`,
    the fully-corrective one 3e-4 (horizon 20), 1e-5 (horizon 50) and 5e-6
    (discount 0.9) nats: hence the default.

    Parameters
    ----------
    mdp : MDP
    horizon, discount, initial
        As in :func:`~tabular_irl.rewardfree.state_marginal`.
    n_iter : int, default 100
        Iterations (one planning pass each, plus one for the final gap).
    step : {"fully-corrective", "line-search", "2/(k+2)", "1/(k+2)"}
    planner : {"hard", "soft"}, default "hard"
    temperature : float, default 1.0
        Of the soft planner.

    Returns
    -------
    ExplorationResult
        ``policies``, ``weights``, the mixture's exact ``marginal``, its
        entropy ``value``, ``history`` (entropy after each iteration), and the
        Frank--Wolfe ``gap`` (an upper bound on the distance to the optimum).

    Raises
    ------
    ValueError
        For an unknown ``step`` or ``planner`` (the message lists the valid
        names) or invalid model arguments.

    See Also
    --------
    max_state_entropy : the optimum, certified.
    state_entropy_gradient : the same reward, as a gradient with respect to logits.

    References
    ----------
    .. [1] E. Hazan, S. M. Kakade, K. Singh, A. Van Soest. "Provably Efficient
       Maximum Entropy Exploration." ICML 2019 (Algorithm 1).
    .. [2] S. Lacoste-Julien, M. Jaggi. "On the Global Linear Convergence of
       Frank-Wolfe Optimization Variants." NeurIPS 2015 (fully-corrective steps).

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import max_state_entropy, maxent_exploration
    >>> world = gridworld(4, goals=[], walls=[(1, 1)])
    >>> res = maxent_exploration(world.mdp, horizon=6, n_iter=30)
    >>> opt = max_state_entropy(world.mdp, horizon=6)
    >>> bool(opt.value - res.value <= res.gap), bool(res.gap < 1e-6)
    (True, True)
    >>> classic = maxent_exploration(world.mdp, horizon=6, n_iter=30, step="2/(k+2)")
    >>> bool(classic.value < res.value)
    True
    """
    model = resolve_model(mdp, horizon, discount, initial)
    n_iter = check_positive_int(n_iter, "n_iter")
    step = check_option(step, "step", STEPS)
    tau = planner_temperature(planner, temperature)
    fw = start(model, np.zeros(model.mdp.n_states), step=step, temperature=tau)
    gap, _, done = fw.run(n_iter)
    return exploration_result(fw, gap, done, negate=True, planner=planner)
