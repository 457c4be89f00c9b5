r"""Identity checks a user can run on their own MDP, reward and features.

Every exact pass of the package satisfies identities that can be verified
independently of how it was computed. The functions here recompute each
identity by a different route (plain NumPy/SciPy on the sparse matrix, central
finite differences, a second exact recursion) and return the measured error as
a :class:`CheckResult`; none of them raises on a failed identity, so a report
lists every check. They live in :mod:`~tabular_irl.checks.identities`,
:mod:`~tabular_irl.checks.derivatives` and :mod:`~tabular_irl.checks.covariance`
(the result type and the tolerance model in ``_result``); import them from here.

========================================  =============================================================
check                                      identity
========================================  =============================================================
:func:`check_bellman`                      ``Q_t = r + gamma P V_{t+1}`` (causal) or
                                           ``r + tau log P exp(V_{t+1}/tau)`` (non-causal),
                                           ``V_t = tau logsumexp(Q_t / tau)``, ``pi = exp((Q - V)/tau)``
:func:`check_occupancy`                    ``D_0 = initial``, ``mu_t = D_t pi_t``,
                                           ``D_{t+1} = P^T mu_t``, rows sum to 1
                                           (discounted: ``d = initial + gamma P^T d(s, a)``,
                                           ``sum d = 1 / (1 - gamma)``)
:func:`check_posterior`                    the posterior marginals are a flow of the posterior chain
                                           ``rho_t(s'|s,a) ∝ P(s'|s,a) exp(V_{t+1}(s')/tau)``
:func:`check_log_partition_gradient`       ``d log_partition / d r = expected visitation``
                                           (``d / d theta = expected feature counts``), by central
                                           differences along random directions
:func:`check_objective_gradient`           MaxEnt objective gradient (empirical minus expected
                                           feature counts) = central differences
:func:`check_hessian_covariance`           non-causal: ``d^2 log_partition = E_{s0} Cov(F | s0)``,
                                           forward-mode Hessian against the exact count covariance
:func:`check_causal_noncausal`             deterministic dynamics: causal = non-causal (values and
                                           visitation); stochastic: ``V_noncausal >= V_causal`` (Jensen)
:func:`check_gradient`                     any ``fun(x) -> (value, gradient)`` against central differences
========================================  =============================================================

:func:`run_all_checks` runs all that apply to a model (the non-causal ones need
an undiscounted finite horizon); ``tabular-irl check MDP_FILE`` prints them.

Cost. Nothing is enumerated and no Jacobian is formed: the gradient checks
differentiate along a few random directions (two backward passes each), the
Hessian check projects the features onto a few random directions ``u_j`` and
compares the ``k x k`` matrices ``u_i^T H u_j`` (``k`` forward-mode products)
with the exact covariance of the projected counts, obtained from their first
and second moments under the posterior Markov chain
(``O(T (nnz(P) + S A k) k)``). :func:`run_all_checks` costs about 40
backward passes and a dozen forward passes.

Error units. Finite-difference directions are scaled so that the return (or
feature count) they perturb lies in ``[-1, 1]`` along every trajectory; the
derivative being checked is then at most 1 in magnitude and errors are
absolute in those units (equivalently, relative to the largest possible
derivative). Value identities are measured relative to the value scale
``max(1, max |Q|)``, probabilities absolutely.

References
----------
.. [1] Ziebart, Maas, Bagnell, Dey. Maximum entropy inverse reinforcement learning. AAAI 2008
       (the non-causal model: its log partition, posterior marginals and Hessian).
.. [2] Ziebart, Bagnell, Dey. Modeling interaction via the principle of maximum causal entropy.
       ICML 2010 (the causal model: soft Bellman equations, gradient = expected visitation).

Examples
--------
>>> from tabular_irl import gridworld
>>> from tabular_irl.checks import run_all_checks
>>> world = gridworld(4, slip=0.2)
>>> results = run_all_checks(world.mdp, world.features, horizon=5, reward=world.reward, seed=0)
>>> all(r.passed for r in results), len(results)
(True, 10)
>>> print(results[0])  # doctest: +ELLIPSIS
[pass] soft Bellman residuals (causal): error ...
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._deprecation import renamed_arguments
from .._validation import check_horizon_discount, check_positive_int, check_reward, check_seed, discount_argument
from ..irl._common import features_for
from ..mdp import MDP, check_mdp
from ..planning import soft_backward
from ..trajectories import sample_trajectories
from ._result import EXACT_TOL, FD_TOL, CheckResult, unit_scale
from .covariance import check_hessian_covariance
from .derivatives import check_gradient, check_log_partition_gradient, check_objective_gradient
from .identities import check_bellman, check_causal_noncausal, check_occupancy, check_posterior

__all__ = [
    "CheckResult",
    "check_bellman",
    "check_occupancy",
    "check_posterior",
    "check_log_partition_gradient",
    "check_objective_gradient",
    "check_hessian_covariance",
    "check_causal_noncausal",
    "check_gradient",
    "run_all_checks",
]


@renamed_arguments(n_demos="n")
def run_all_checks(
    mdp: MDP,
    features: Any = None,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    reward: Any = None,
    seed: int | np.random.Generator | None = None,
    tol: float = FD_TOL,
    exact_tol: float = EXACT_TOL,
    n_directions: int = 3,
    n: int = 20,
) -> list[CheckResult]:
    r"""Run every identity check that applies to the model; return the results in order.

    Causal model (always): Bellman residuals, visitation flow and sums of the
    soft-optimal policy, ``grad log_partition = expected visitation`` (or
    features), the MaxEnt objective's gradient. Non-causal model (undiscounted
    finite horizon only): Bellman residuals, posterior flow, gradient of the
    log partition and of the objective, Hessian = covariance, and the
    causal/non-causal comparison. Temperature 1.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d), optional
        Linear features for the feature forms of the gradient, objective and
        Hessian checks; one-hot state features (sparse identity) when omitted.
    horizon, discount
        The model, as in :func:`~tabular_irl.soft_backward` (at least one).
    reward : array_like, shape (S,) or (S, A), optional
        The reward at which everything is checked; a seeded ``N(0, 1)`` ``(S, A)``
        reward when omitted.
    seed : int or Generator, optional
        Draws the random reward, directions, parameters and demonstrations.
    tol : float, default 1e-6
        Tolerance of the finite-difference checks (plus their rounding bound).
    exact_tol : float, default 1e-9
        Tolerance of the exact identities.
    n_directions : int, default 3
        Random directions per finite-difference and Hessian check.
    n : int, default 20
        Demonstrations sampled from the soft-optimal policy for the objective checks
        (``T`` decisions, or ``ceil(1 / (1 - discount))`` without a horizon).
        Formerly ``n_demos`` (deprecated).

    Returns
    -------
    list of CheckResult

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``seed`` neither an integer nor a Generator; the
        message names it.
    ValueError
        ``features``, ``horizon``, ``discount``, ``reward``, ``tol``,
        ``exact_tol``, ``n_directions`` or ``n`` out of range, of the wrong
        shape or not finite.

    See Also
    --------
    check_bellman, check_occupancy, check_posterior, check_log_partition_gradient,
    check_objective_gradient, check_hessian_covariance, check_causal_noncausal

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> results = run_all_checks(world.mdp, horizon=4, seed=0)
    >>> [r.passed for r in results].count(True) == len(results)
    True
    """
    mdp = check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount)
    rng = check_seed(seed)
    S, A = mdp.n_states, mdp.n_actions
    r = rng.standard_normal((S, A)) if reward is None else check_reward(reward, S, A)
    phi_input = sp.identity(S, format="csr") if features is None else features
    phi = features_for(mdp, phi_input)
    n_directions = check_positive_int(n_directions, "n_directions")
    n = check_positive_int(n, "n")
    noncausal = T is not None and gamma == 1.0
    discount = discount_argument(T, gamma)
    fd = dict(n_directions=n_directions, seed=rng, tol=tol)

    plan = soft_backward(mdp, r, horizon=T, discount=discount)
    theta = rng.standard_normal(phi.d)
    theta *= unit_scale(phi.reward(theta), 1.0)  # a reward in [-1, 1]
    demo_T = T if T is not None else max(1, math.ceil(1.0 / (1.0 - gamma)))
    demos = sample_trajectories(mdp, plan.policy, n, horizon=demo_T, seed=rng)

    results = [
        check_bellman(mdp, r, horizon=T, discount=discount, tol=exact_tol),
        check_occupancy(mdp, plan.policy, horizon=T, discount=discount, tol=exact_tol),
        check_log_partition_gradient(mdp, r, features=features, horizon=T, discount=discount, **fd),
        check_objective_gradient(mdp, phi_input, theta, demos, horizon=T, discount=discount, **fd),
    ]
    if noncausal:
        results += [
            check_bellman(mdp, r, horizon=T, causal=False, tol=exact_tol),
            check_posterior(mdp, r, horizon=T, tol=exact_tol),
            check_log_partition_gradient(mdp, r, features=features, horizon=T, causal=False, **fd),
            check_objective_gradient(mdp, phi_input, theta, demos, horizon=T, causal=False, **fd),
            check_hessian_covariance(mdp, r, features, horizon=T, n_directions=n_directions, seed=rng,
                                     tol=exact_tol),
            check_causal_noncausal(mdp, r, horizon=T, tol=exact_tol),
        ]
    return results
