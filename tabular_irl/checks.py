r"""Identity checks a user can run on their own MDP, reward and features.

Every exact pass of the package satisfies identities that can be verified
independently of how it was computed. The functions here recompute each
identity by a different route (plain NumPy/SciPy on the sparse matrix, central
finite differences, a second exact recursion) and return the measured error as
a :class:`CheckResult`; none of them raises on a failed identity, so a report
lists every check.

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
                                           forward-mode Hessian against an exact covariance recursion
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
with the exact covariance of the projected counts, obtained by a backward
recursion of conditional means and covariances over the posterior Markov chain
(``O(T nnz(P) k^2)``). :func:`run_all_checks` costs about 40 backward passes
and a dozen forward passes: on one core of the (shared, 2-core) development
machine 1.2 s for a 32 x 32 slippery gridworld with ``T = 32`` and 6 s for
64 x 64 (4096 states) with ``T = 50``.

Error units. Finite-difference directions are scaled so that the return (or
feature count) they perturb lies in ``[-1, 1]`` along every trajectory; the
derivative being checked is then at most 1 in magnitude and errors are
absolute in those units (equivalently, relative to the largest possible
derivative). Value identities are measured relative to the value scale
``max(1, max |Q|)``, probabilities absolutely.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._logspace import discount_weights, log_expectation, row_ids, soft_max
from ._validation import (
    check_distribution,
    check_finite_array,
    check_horizon_discount,
    check_positive_int,
    check_positive_real,
    check_reward,
    check_seed,
    check_temperature,
    discount_argument,
)
from .inference import expected_feature_counts, posterior_marginals, visitation
from .irl._common import features_for
from .irl._objective import directional_counts
from .irl.maxent import maxent_objective
from .mdp import MDP, check_mdp
from .planning import SoftPlan, soft_backward
from .trajectories import Trajectories, sample_trajectories

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

_EPS = float(np.finfo(np.float64).eps)

# Default tolerances, with their reasons:
# - exact identities recomputed in another order differ by a few ulps per
#   backup or flow step; 1e-9 (relative to the value scale, absolute for
#   probabilities) leaves room for ~1e6 accumulated rounding steps and still
#   catches any wrong term (errors of 1e-3 and up).
EXACT_TOL = 1e-9
# - central differences along a direction whose derivative is at most 1 err
#   by ~h^2 (truncation) + eps * H * M / h (rounding), about 1e-10 .. 1e-8 for
#   the steps chosen below; 1e-6 catches a wrong gradient term of any
#   practical size. The rounding bound itself is added to the tolerance so a
#   long horizon or a large reward scale cannot fail a correct gradient.
FD_TOL = 1e-6


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one identity check.

    Attributes
    ----------
    name : str
        What was checked, in words.
    error : float
        The measured error (its measure, absolute or relative, is in ``detail``);
        ``nan`` counts as failed.
    tolerance : float
        The threshold it was compared with.
    passed : bool
        ``error <= tolerance``.
    detail : str
        How the error was measured, and what else was seen.

    Examples
    --------
    >>> result = CheckResult("rows sum to 1", error=2.2e-16, tolerance=1e-9, passed=True, detail="max |sum - 1|")
    >>> print(result)
    [pass] rows sum to 1: error 2.200e-16 (tol 1e-09); max |sum - 1|
    """

    name: str
    error: float
    tolerance: float
    passed: bool
    detail: str = ""

    def __str__(self) -> str:
        text = f"[{'pass' if self.passed else 'FAIL'}] {self.name}: error {self.error:.3e} (tol {self.tolerance:.3g})"
        return f"{text}; {self.detail}" if self.detail else text


def _worst(errors: dict) -> str:
    """The key of the largest error (a NaN counts as the largest)."""
    return max(errors, key=lambda k: np.inf if np.isnan(errors[k]) else errors[k])


def _result(name: str, error: float, tolerance: float, detail: str) -> CheckResult:
    error = float(error)
    return CheckResult(name=name, error=error, tolerance=float(tolerance),
                       passed=bool(error <= tolerance), detail=detail)


# --------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------
def _model(mdp: Any, reward: Any, horizon: Any, discount: Any, causal: bool = True):
    mdp = check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount, causal)
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    return mdp, T, gamma, r


def _effective_horizon(T: int | None, gamma: float) -> float:
    """``H = sum_{t<T} gamma^t`` (``1 / (1 - gamma)`` without a horizon): the largest total count."""
    if T is None:
        return 1.0 / (1.0 - gamma)
    return float(np.sum(discount_weights(T, gamma)))


def _random_directions(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    return rng.standard_normal((n, *shape))


def _scaled(table: np.ndarray, H: float) -> float:
    """The factor making ``max |table| * H = 1`` (1 for an all-zero table)."""
    top = float(np.abs(table).max()) * H
    return 1.0 / top if top > 0 else 1.0


def _fd_step(H: float, M: float, tau: float = 1.0) -> float:
    """Central-difference step minimising the bound of :func:`_fd_allowance`.

    ``h^2 / (3 tau^2) + 4 eps H M / h`` is smallest at ``h = (6 eps H M tau^2)^(1/3)``: about 1e-4
    for ``H M ~ 1e3`` at temperature 1.
    """
    return float(np.clip((6.0 * _EPS * H * M * tau * tau) ** (1.0 / 3.0), 1e-6, 1e-2))


def _fd_allowance(h: float, H: float, M: float, tau: float = 1.0) -> float:
    """Bound on the central-difference error of an exact derivative: truncation plus rounding.

    Truncation ``h^2 |f3| / 6`` with ``f3`` the third derivative, ``|f3| <= 2 / tau^2``: along a
    direction scaled so that the perturbed return ``X`` lies in ``[-1, 1]``, ``f3`` of
    ``tau log Z(r / tau)`` is the third cumulant of ``X`` over ``tau^2`` (non-causal model), and
    ``|E (X - EX)^3| <= 2 Var X <= 2``;
    the causal log partition, a composition of soft-max backups, has derivatives of the same order.
    Rounding: ``V_0`` accumulates at most a few ulps of ``M = max |Q|`` per backup over ``H``
    effective backups, and the difference quotient divides that by ``h``.
    """
    return h * h / (3.0 * tau * tau) + 4.0 * _EPS * H * M / h


# --------------------------------------------------------------------------
# Bellman residuals
# --------------------------------------------------------------------------
def check_bellman(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    causal: bool = True,
    temperature: float = 1.0,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""Residuals of the soft Bellman equations of :func:`~tabular_irl.soft_backward`'s plan.

    Recomputes every backup from the plan's own ``V_{t+1}`` with SciPy's sparse
    product (not the kernel):

    .. math::

        \hat Q_t = r + \gamma P V_{t+1} \ \text{(causal)}, \quad
        \hat Q_t = r + \tau \log P \exp(V_{t+1} / \tau) \ \text{(non-causal)}, \\
        \hat V_t = \tau \log \textstyle\sum_a \exp(Q_t / \tau), \quad
        \hat\pi_t = \exp((Q_t - V_t) / \tau),

    and ``V_T = 0``. Discounted without a horizon the stationary ``V`` is a fixed
    point only up to value iteration's stopping rule: ``(1 + gamma) * error_bound``
    is added to the tolerance.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    horizon, discount, causal, temperature
        The model, as in :func:`~tabular_irl.soft_backward`.
    tol : float, default 1e-9

    Returns
    -------
    CheckResult
        ``error = max(max |Q - Q_hat|, max |V - V_hat|) / max(1, max |Q|)`` (relative to
        the value scale) or ``max |pi - pi_hat| / max(1, max |Q| / tau)`` (absolute for
        values of order 1: the policy's exponent carries rounding ``eps max |Q| / tau``),
        whichever is larger.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> check_bellman(world.mdp, world.reward, horizon=6, causal=False).passed
    True
    """
    mdp, T, gamma, r = _model(mdp, reward, horizon, discount, causal)
    tau = check_temperature(temperature)
    tol = check_positive_real(tol, "tol")
    plan = soft_backward(mdp, r, horizon=horizon, discount=discount, causal=causal, temperature=tau)
    P = mdp.transitions
    rows = row_ids(P)
    S, A = mdp.n_states, mdp.n_actions
    if T is None:
        V_next, Q, V, pi = plan.V[None], plan.Q[None], plan.V[None], plan.policy[None]
    else:
        V_next, Q, V, pi = plan.V[1:], plan.Q, plan.V[:-1], plan.policy
    value_error = 0.0 if T is None else float(np.abs(plan.V[T]).max())
    policy_error = 0.0
    for t in range(Q.shape[0]):
        if causal:
            cont = gamma * (P @ V_next[t])
        else:
            cont = tau * log_expectation(P, rows, V_next[t] / tau)[0]
        Q_hat = r + cont.reshape(S, A)
        V_hat, pi_hat = soft_max(Q[t], tau)
        value_error = float(np.max([value_error, np.abs(Q[t] - Q_hat).max(), np.abs(V[t] - V_hat).max()]))
        policy_error = float(np.max([policy_error, np.abs(pi[t] - pi_hat).max()]))
    scale = max(1.0, float(np.abs(plan.Q).max()))
    # the exponent (Q - V) / tau of the policy carries rounding ~ eps * max|Q| / tau, and so
    # does pi (relative): |pi - pi_hat| is measured in units of max(1, max |Q| / tau)
    policy_scale = max(1.0, scale / tau)
    error = float(np.max([value_error / scale, policy_error / policy_scale]))
    allowance = (1.0 + gamma) * plan.error_bound / scale
    model = "causal" if causal else "non-causal"
    return _result(f"soft Bellman residuals ({model})", error, tol + allowance,
                   f"max |Q - Q_hat|, |V - V_hat| = {value_error:.3e} relative to max(1, max |Q|) = {scale:.3g}; "
                   f"max |pi - pi_hat| = {policy_error:.3e}"
                   + (f" relative to max(1, max |Q| / tau) = {policy_scale:.3g}" if policy_scale > 1 else "")
                   + (f"; allowance (1 + gamma) * error_bound = {allowance:.2e}" if allowance else ""))


# --------------------------------------------------------------------------
# occupancy flow and sums
# --------------------------------------------------------------------------
def check_occupancy(
    mdp: MDP,
    policy: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""Flow conservation and normalisation of :func:`~tabular_irl.visitation`.

    Finite horizon (``D (T+1, S)``, ``mu (T, S, A)``):

    .. math::

        D_0 = \rho_0, \quad \mu_t(s, a) = D_t(s) \pi_t(a|s), \quad
        D_{t+1}(s') = \sum_{s,a} P(s'|s,a) \mu_t(s, a), \quad \sum_s D_t(s) = 1,

    and ``total_state_action = sum_t gamma^t mu_t``. Discounted without a horizon
    (occupancies ``d (S,)``, ``d (S, A)``):
    :math:`d(s') = \rho_0(s') + \gamma \sum_{s,a} P(s'|s,a) d(s, a)`,
    ``d(s, a) = d(s) pi(a|s)`` and ``sum d = 1 / (1 - gamma)``. Every entry must
    also be non-negative.

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A)
    horizon, discount
        As in :func:`~tabular_irl.visitation`.
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial``).
    tol : float, default 1e-9

    Returns
    -------
    CheckResult
        ``error``: the largest violation, absolute in probability units (divided by
        ``1 / (1 - gamma)`` for discounted occupancies).

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward
    >>> world = gridworld(4, slip=0.2)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=6)
    >>> check_occupancy(world.mdp, plan.policy, horizon=6).passed
    True
    """
    mdp = check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount)
    tol = check_positive_real(tol, "tol")
    init = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    vis = visitation(mdp, policy, horizon=horizon, discount=discount, initial=init)
    pi = np.asarray(policy, dtype=np.float64)
    P = mdp.transitions
    S, A = mdp.n_states, mdp.n_actions
    if T is None:
        d, dsa = vis.state, vis.state_action
        mass = 1.0 / (1.0 - gamma)
        errors = {
            "flow d - initial - gamma P^T d(s,a)": np.abs(d - init - gamma * (P.T @ dsa.ravel())).max() / mass,
            "d(s,a) - d(s) pi(a|s)": np.abs(dsa - d[:, None] * pi).max() / mass,
            "sum d - 1/(1-gamma)": abs(d.sum() - mass) / mass,
            "negative mass": max(0.0, -float(d.min()), -float(dsa.min())) / mass,
            "total - d(s,a)": np.abs(vis.total_state_action - dsa).max() / mass,
        }
    else:
        D, mu = vis.state, vis.state_action
        pi_t = np.broadcast_to(pi, (T, S, A))
        flow = (P.T @ mu.reshape(T, S * A).T).T  # row t: sum_{s,a} P(.|s,a) mu_t(s, a)
        weights = discount_weights(T, gamma)
        errors = {
            "D_0 - initial": np.abs(D[0] - init).max(),
            "mu_t - D_t pi_t": np.abs(mu - D[:-1, :, None] * pi_t).max(),
            "flow D_{t+1} - P^T mu_t": np.abs(D[1:] - flow).max(),
            "row sums - 1": max(np.abs(D.sum(axis=1) - 1.0).max(), np.abs(mu.sum(axis=(1, 2)) - 1.0).max()),
            "negative mass": max(0.0, -float(D.min()), -float(mu.min())),
            "total - sum_t gamma^t mu_t": np.abs(vis.total_state_action - np.tensordot(weights, mu, axes=1)).max()
            / _effective_horizon(T, gamma),
        }
    worst = _worst(errors)
    error = float(errors[worst])
    what = "discounted occupancy" if T is None else "visitation"
    return _result(f"{what} flow and sums", error, tol,
                   f"largest violation: {worst} = {error:.3e} (absolute, probability units"
                   + (", divided by 1/(1-gamma))" if T is None else ")"))


def check_posterior(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int,
    temperature: float = 1.0,
    initial: Any = None,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""The non-causal posterior marginals are the flow of the posterior Markov chain.

    Given the start state the trajectory distribution ``∝ prod_t P exp(r / tau)`` is
    a Markov chain with action law the non-causal policy ``pi_t`` and next-state law

    .. math::

        \rho_t(s' \mid s, a) = \frac{P(s' \mid s, a) \exp(V_{t+1}(s') / \tau)}
                                    {\sum_{s''} P(s'' \mid s, a) \exp(V_{t+1}(s'') / \tau)},

    so :func:`~tabular_irl.posterior_marginals` must satisfy ``D_0 = initial``,
    ``mu_t = D_t pi_t``, ``D_{t+1}(s') = sum_{s,a} rho_t(s'|s,a) mu_t(s, a)`` and
    rows summing to 1, with ``log_partition = initial @ V_0``. (Under ``P`` itself
    the flow holds only for deterministic dynamics: see
    :func:`check_causal_noncausal`.) ``rho_t`` is recomputed here in log space from
    the non-causal values, independently of the kernel's alpha-beta messages.

    Returns
    -------
    CheckResult
        ``error``: the largest violation, absolute (probabilities; ``log_partition``
        relative to ``max(1, |log_partition|)``).

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> check_posterior(world.mdp, world.reward, horizon=6).passed
    True
    """
    mdp, T, _, r = _model(mdp, reward, horizon, None, causal=False)
    tau = check_temperature(temperature)
    tol = check_positive_real(tol, "tol")
    init = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    plan = soft_backward(mdp, r, horizon=T, causal=False, temperature=tau)
    post = posterior_marginals(mdp, r, horizon=T, temperature=tau, initial=init)
    P = mdp.transitions
    rows = row_ids(P)
    D, mu = post.state, post.state_action
    flow_error = 0.0
    for t in range(T):
        rho = log_expectation(P, rows, plan.V[t + 1] / tau)[1]
        chain = sp.csr_array((rho, P.indices, P.indptr), shape=P.shape)
        flow_error = max(flow_error, float(np.abs(D[t + 1] - chain.T @ mu[t].ravel()).max()))
    log_z = float(init @ plan.V[0])
    errors = {
        "D_0 - initial": np.abs(D[0] - init).max(),
        "mu_t - D_t pi_t": np.abs(mu - D[:-1, :, None] * plan.policy).max(),
        "flow D_{t+1} - rho_t^T mu_t": flow_error,
        "row sums - 1": max(np.abs(D.sum(axis=1) - 1.0).max(), np.abs(mu.sum(axis=(1, 2)) - 1.0).max()),
        "negative mass": max(0.0, -float(D.min()), -float(mu.min())),
        "log_partition - initial @ V_0": np.inf if post.log_partition is None
        else abs(post.log_partition - log_z) / max(1.0, abs(log_z)),
        "total - sum_t mu_t": np.abs(post.total_state_action - mu.sum(axis=0)).max() / T,
    }
    worst = _worst(errors)
    error = float(errors[worst])
    return _result("posterior marginals: flow of the posterior chain and sums", error, tol,
                   f"largest violation: {worst} = {error:.3e} (absolute, probability units)")


# --------------------------------------------------------------------------
# gradients by central differences
# --------------------------------------------------------------------------
def _directional_error(f: Callable[[np.ndarray], float], x: np.ndarray, directions: np.ndarray,
                       analytic: np.ndarray, h: float) -> np.ndarray:
    """``|(f(x + h v) - f(x - h v)) / 2h - analytic|`` for each direction ``v``."""
    fd = np.array([(f(x + h * v) - f(x - h * v)) / (2.0 * h) for v in directions])
    return np.abs(fd - analytic)


def check_gradient(
    fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x: Any,
    *,
    n_directions: int = 3,
    step: float | None = None,
    tol: float = FD_TOL,
    seed: int | np.random.Generator | None = None,
    name: str = "gradient = central finite differences",
) -> CheckResult:
    r"""Check ``fun(x) -> (value, gradient)`` against central differences along random directions.

    For unit directions ``v_k`` (Gaussian, normalised)

    .. math::

        e_k = \left| \frac{f(x + h v_k) - f(x - h v_k)}{2h} - \nabla f(x) \cdot v_k \right|

    with ``h = step`` (default ``eps^(1/3) * max(1, max |x|)``, about ``6e-6`` for
    ``|x| <= 1``, which balances the ``h^2 f'''/6`` truncation against the
    ``eps |f| / h`` rounding). Directions instead of coordinates: each costs two
    evaluations whatever the dimension, and a wrong entry anywhere in the
    gradient shows in every direction.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (value, gradient)`` with ``gradient`` of ``x``'s shape.
    x : array_like
        Point of the check (not modified).
    n_directions : int, default 3
    step : float, optional
    tol : float, default 1e-6
    seed : int or Generator, optional
    name : str
        Name of the result.

    Returns
    -------
    CheckResult
        ``error = max_k e_k / max(1, ||gradient||_2)`` (absolute for gradients of norm up
        to 1, relative beyond); the tolerance is ``tol`` plus the rounding bound
        ``4 eps max(1, |f(x)|) / h / max(1, ||gradient||)``.

    Examples
    --------
    >>> import numpy as np
    >>> good = lambda x: (float(np.sum(np.sin(x))), np.cos(x))
    >>> bad = lambda x: (float(np.sum(np.sin(x))), np.cos(x) + 1e-3)
    >>> check_gradient(good, np.zeros(5), seed=0).passed, check_gradient(bad, np.zeros(5), seed=0).passed
    (True, False)
    """
    if not callable(fun):
        raise TypeError(f"fun must be callable, returning (value, gradient), got {type(fun).__name__}")
    x = check_finite_array(x, "x").copy()
    n = check_positive_int(n_directions, "n_directions")
    tol = check_positive_real(tol, "tol")
    rng = check_seed(seed)
    h = _EPS ** (1.0 / 3.0) * max(1.0, float(np.abs(x).max(initial=0.0))) if step is None \
        else check_positive_real(step, "step")
    value, grad = fun(x)
    grad = check_finite_array(grad, "gradient returned by fun", x.shape)
    value = float(value)
    directions = _random_directions(rng, n, x.shape)
    directions /= np.sqrt((directions.reshape(n, -1) ** 2).sum(axis=1)).reshape((n,) + (1,) * x.ndim)
    analytic = np.array([float(np.sum(grad * v)) for v in directions])
    errors = _directional_error(lambda y: float(fun(y)[0]), x, directions, analytic, h)
    scale = max(1.0, float(np.sqrt(np.sum(grad * grad))))
    allowance = 4.0 * _EPS * max(1.0, abs(value)) / h / scale
    return _result(name, float(np.max(errors)) / scale, tol + allowance,
                   f"max over {n} random unit directions of |central difference - gradient . v| / "
                   f"max(1, ||gradient||) (||gradient|| = {scale:.3g}), step {h:.2e}")


def check_log_partition_gradient(
    mdp: MDP,
    reward: Any,
    *,
    features: Any = None,
    horizon: int | None = None,
    discount: float | None = None,
    causal: bool = True,
    temperature: float = 1.0,
    n_directions: int = 3,
    seed: int | np.random.Generator | None = None,
    tol: float = FD_TOL,
) -> CheckResult:
    r"""``grad log_partition = expected visitation`` (or expected features), by central differences.

    ``log_partition(r) = initial @ V_0`` of :func:`~tabular_irl.soft_backward`; its
    gradient is the expected (discounted) state-action count

    .. math::

        \frac{\partial\, \text{log\_partition}}{\partial r(s, a)} = \sum_t \gamma^t \Pr(s_t = s, a_t = a),

    under the rollout of the causal policy (causal) or the exact posterior
    marginals (non-causal; not the non-causal policy rolled forward under ``P``).
    With ``features`` the reward is moved along ``features @ u`` and the derivative
    is ``expected_feature_counts(...) @ u``. Directions are random, scaled so that
    the return they add to any trajectory lies in ``[-1, 1]``; the step minimises a
    bound on truncation plus rounding error, ``h^2 / (3 tau^2) + 4 eps H max|Q| / h``
    with ``H = sum_t gamma^t``, and that bound is added to ``tol``.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
        The point ``r`` of the check.
    features : array_like or sparse matrix, shape (S, d) or (S, A, d), optional
        Check the feature form ``d log_partition / d theta = E[feature counts]``.
    horizon, discount, causal, temperature
        The model, as in :func:`~tabular_irl.soft_backward`.
    n_directions : int, default 3
    seed : int or Generator, optional
    tol : float, default 1e-6

    Returns
    -------
    CheckResult
        ``error = max_k |central difference - analytic|`` in the scaled units above.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> check_log_partition_gradient(world.mdp, world.reward, horizon=6, causal=False, seed=0).passed
    True
    """
    mdp, T, gamma, r = _model(mdp, reward, horizon, discount, causal)
    tau = check_temperature(temperature)
    n = check_positive_int(n_directions, "n_directions")
    tol = check_positive_real(tol, "tol")
    rng = check_seed(seed)
    phi = None if features is None else features_for(mdp, features)
    plan = soft_backward(mdp, r, horizon=horizon, discount=discount, causal=causal, temperature=tau)
    if causal:
        vis = visitation(mdp, plan.policy, horizon=horizon, discount=discount)
    else:
        vis = posterior_marginals(mdp, r, horizon=T, temperature=tau)
    H = _effective_horizon(T, gamma)
    if phi is None:
        directions = _random_directions(rng, n, r.shape)
        directions *= np.array([_scaled(v, H) for v in directions])[:, None, None]
        tables = directions
        analytic = np.array([float(np.sum(vis.total_state_action * v)) for v in directions])
        what = "expected state-action visitation"
    else:
        counts = expected_feature_counts(vis, features)
        u = _random_directions(rng, n, (phi.d,))
        u *= np.array([_scaled(phi.reward(v), H) for v in u])[:, None]
        tables = np.array([phi.reward(v) for v in u])
        analytic = u @ counts
        what = "expected feature counts"
    M = max(1.0, float(np.abs(plan.Q).max()))
    h = _fd_step(H, M, tau)

    def log_partition(x: np.ndarray) -> float:
        return soft_backward(mdp, x, horizon=horizon, discount=discount, causal=causal,
                             temperature=tau).log_partition

    errors = _directional_error(log_partition, r, tables, analytic, h)
    model = "causal rollout" if causal else "non-causal posterior marginals"
    return _result(f"d log_partition / d {'r' if phi is None else 'theta'} = {what} ({model})",
                   float(np.max(errors)), tol + _fd_allowance(h, H, M, tau),
                   f"max over {n} random directions (return change in [-1, 1] per unit step) of "
                   f"|central difference - analytic|, step {h:.2e}")


def check_objective_gradient(
    mdp: MDP,
    features: Any,
    demos: Trajectories,
    theta: Any = None,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    causal: bool = True,
    l2: float = 0.0,
    n_directions: int = 3,
    seed: int | np.random.Generator | None = None,
    tol: float = FD_TOL,
) -> CheckResult:
    r"""The MaxEnt objective's gradient (empirical minus expected feature counts) = central differences.

    :func:`~tabular_irl.maxent_objective` returns ``L(theta)`` and

    .. math::

        \nabla L(\theta) = \bar\phi_{\text{emp}} - \mathbb{E}_\theta[\phi] - \lambda \theta,

    which must equal the derivative of ``L`` itself. Directions ``u`` in ``theta``
    space are random and scaled so that ``features @ u`` changes any return by at
    most 1; step and tolerance as in :func:`check_log_partition_gradient`.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
    demos : Trajectories
    theta : array_like, shape (d,), optional
        Point of the check (zeros).
    horizon, discount, causal, l2
        As in :func:`~tabular_irl.maxent_objective`.
    n_directions : int, default 3
    seed : int or Generator, optional
    tol : float, default 1e-6

    Returns
    -------
    CheckResult
        ``error = max_k |central difference - gradient . u_k|`` (scaled units).

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward, sample_trajectories
    >>> world = gridworld(4, slip=0.2)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=5)
    >>> demos = sample_trajectories(world.mdp, plan.policy, 10, horizon=5, seed=0)
    >>> check_objective_gradient(world.mdp, world.features, demos, horizon=5, seed=0).passed
    True
    """
    mdp = check_mdp(mdp)
    T, gamma = check_horizon_discount(horizon, discount, causal)
    phi = features_for(mdp, features)
    theta = np.zeros(phi.d) if theta is None else check_finite_array(theta, "theta", (phi.d,))
    n = check_positive_int(n_directions, "n_directions")
    tol = check_positive_real(tol, "tol")
    rng = check_seed(seed)

    def objective(th: np.ndarray) -> tuple[float, np.ndarray]:
        return maxent_objective(mdp, features, th, demos, horizon=horizon, discount=discount, causal=causal, l2=l2)

    _, grad = objective(theta)
    H = _effective_horizon(T, gamma)
    u = _random_directions(rng, n, (phi.d,))
    u *= np.array([_scaled(phi.reward(v), H) for v in u])[:, None]
    plan = soft_backward(mdp, phi.reward(theta), horizon=horizon, discount=discount, causal=causal)
    M = max(1.0, float(np.abs(plan.Q).max()))
    h = _fd_step(H, M)
    errors = _directional_error(lambda th: objective(th)[0], theta, u, u @ grad, h)
    model = "causal" if causal else "non-causal"
    return _result(f"MaxEnt objective gradient = empirical - expected feature counts = finite differences ({model})",
                   float(np.max(errors)), tol + _fd_allowance(h, H, M),
                   f"max over {n} random directions (return change in [-1, 1] per unit step) of "
                   f"|central difference - gradient . u|, step {h:.2e}, {demos.n_trajectories} demonstrations")


# --------------------------------------------------------------------------
# Hessian = covariance (non-causal)
# --------------------------------------------------------------------------
def _count_covariance(mdp: MDP, plan: SoftPlan, init: np.ndarray, tables: np.ndarray) -> np.ndarray:
    r"""Exact ``E_{s0 ~ init}[Cov(G | s0)]`` of the counts ``G_j = sum_t tables[j, s_t, a_t]``, shape ``(k, k)``.

    Backward over the posterior chain (actions ``pi_t``, next states ``rho_t``, a sparse
    ``(S*A, S)`` matrix with ``P``'s pattern) with the conditional moments of the
    remaining count, ``m_t(s) = E[G_{>=t} | s_t = s]`` and
    ``M_t(s) = E[G_{>=t} G_{>=t}^T | s_t = s]``:

    .. math::

        n = \rho_t m_{t+1}, \quad m_t = \mathbb{E}_{\pi_t}[\psi + n], \quad
        M_t = \mathbb{E}_{\pi_t}[\psi \psi^T + \psi n^T + n \psi^T + \rho_t M_{t+1}],

    then ``sum_s0 init(s0) (M_0 - m_0 m_0^T)``: one sparse product with ``k + k^2``
    columns per step, ``O(T nnz(P) k^2)``. The final subtraction loses about
    ``eps * max |G|^2``: the caller scales the tables so that ``|G| <= 1``.
    """
    P = mdp.transitions
    rows = row_ids(P)
    S, A = mdp.n_states, mdp.n_actions
    k = tables.shape[0]
    psi = np.moveaxis(tables, 0, -1)  # (S, A, k)
    psi_outer = psi[..., :, None] * psi[..., None, :]  # (S, A, k, k)
    m = np.zeros((S, k))
    M = np.zeros((S, k, k))
    for t in range(plan.horizon - 1, -1, -1):
        rho = sp.csr_array((log_expectation(P, rows, plan.V[t + 1])[1], P.indices, P.indptr), shape=P.shape)
        moments = rho @ np.concatenate([m, M.reshape(S, k * k)], axis=1)  # (S*A, k + k^2)
        n = moments[:, :k].reshape(S, A, k)
        second = moments[:, k:].reshape(S, A, k, k)
        cross = psi[..., :, None] * n[..., None, :]
        pi = plan.policy[t]
        m = np.einsum("sa,sak->sk", pi, psi + n)
        M = np.einsum("sa,sakl->skl", pi, psi_outer + cross + np.swapaxes(cross, -1, -2) + second)
    return np.einsum("s,skl->kl", init, M - m[:, :, None] * m[:, None, :])


def _log_partition_hessian(mdp: MDP, plan: SoftPlan, post, init: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """``u_i^T (d^2 log_partition) u_j`` by forward-mode differentiation (the code behind ``maxent_hessp``)."""
    dC = np.array([directional_counts(mdp, plan, post, v) for v in tables])  # (k, S, A)
    return np.einsum("isa,jsa->ij", tables, dC)


def check_hessian_covariance(
    mdp: MDP,
    reward: Any,
    features: Any = None,
    *,
    horizon: int,
    n_directions: int = 3,
    seed: int | np.random.Generator | None = None,
    initial: Any = None,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""Non-causal model: the Hessian of the log partition is the covariance of the counts.

    For the trajectory distribution :math:`p(\tau \mid s_0) \propto \prod_t P\, e^{R(\tau)}`,
    an exponential family in the reward,

    .. math::

        \nabla^2_r\, \text{log\_partition} = \mathbb{E}_{s_0}\big[\operatorname{Cov}(C \mid s_0)\big],

    ``C`` the state-action counts of a trajectory; so the MaxEnt Hessian
    (:func:`~tabular_irl.maxent_hessp`) is minus the feature covariance given the
    start states. Both sides are exact and computed by different routes: the left
    by forward-mode differentiation of the backward pass and the posterior forward
    pass (the code behind ``maxent_hessp``), the right by a backward recursion of
    conditional means and covariances over the posterior Markov chain
    (:func:`_count_covariance`; the full covariance would need enumeration or
    ``(S A)^2`` memory). Both are projected onto ``k = n_directions`` random
    directions (``features @ u_j``, or reward tables without features), scaled so
    that each projected count lies in ``[-1, 1]``.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    features : array_like or sparse matrix, shape (S, d) or (S, A, d), optional
    horizon : int
        Undiscounted finite horizon (the non-causal model), temperature 1.
    n_directions : int, default 3
    seed : int or Generator, optional
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial``): for the MaxEnt objective, the
        demonstrations' empirical start distribution.
    tol : float, default 1e-9

    Returns
    -------
    CheckResult
        ``error = max_ij |H_ij - Cov_ij|`` (absolute; entries at most 1 in these units).

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> check_hessian_covariance(world.mdp, world.reward, horizon=6, seed=0).passed
    True
    """
    mdp, T, _, r = _model(mdp, reward, horizon, None, causal=False)
    n = check_positive_int(n_directions, "n_directions")
    tol = check_positive_real(tol, "tol")
    rng = check_seed(seed)
    init = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    if features is None:
        tables = _random_directions(rng, n, r.shape)
    else:
        phi = features_for(mdp, features)
        tables = np.array([phi.reward(u) for u in _random_directions(rng, n, (phi.d,))])
    tables *= np.array([_scaled(v, T) for v in tables])[:, None, None]
    plan = soft_backward(mdp, r, horizon=T, causal=False)
    post = posterior_marginals(mdp, r, horizon=T, initial=init)
    hessian = _log_partition_hessian(mdp, plan, post, init, tables)
    covariance = _count_covariance(mdp, plan, init, tables)
    error = float(np.abs(hessian - covariance).max())
    return _result("Hessian of log_partition = count covariance given s_0 (non-causal)", error, tol,
                   f"max |H - Cov| over {n}x{n} projections on random directions (counts in [-1, 1]); "
                   f"largest variance {float(np.diag(covariance).max()):.3e}")


# --------------------------------------------------------------------------
# causal vs non-causal
# --------------------------------------------------------------------------
def check_causal_noncausal(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int,
    temperature: float = 1.0,
    tol: float = EXACT_TOL,
) -> CheckResult:
    r"""Deterministic dynamics: the causal and non-causal models coincide; stochastic: Jensen.

    With deterministic ``P`` the non-causal backup
    ``r + tau log sum_s' P exp(V/tau)`` equals the causal ``r + P V`` (one
    successor), so values, policies and the visitations (causal rollout,
    non-causal rollout, posterior marginals) are equal. With stochastic ``P``,
    ``log E exp >= E log exp`` gives ``V_noncausal >= V_causal``; the detail then
    reports how far rolling the non-causal policy forward under ``P`` is from
    the posterior (total variation of the state distribution, max over ``t``):
    the bias of the classic implementation.

    Returns
    -------
    CheckResult
        Deterministic: ``max(max |V_nc - V_c| / max(1, max |V|), max |visitation differences|)``;
        stochastic: ``max(0, max (V_c - V_nc)) / max(1, max |V|)`` (the violation of Jensen).

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.0)
    >>> check_causal_noncausal(world.mdp, world.reward, horizon=6).passed
    True
    """
    mdp, T, _, r = _model(mdp, reward, horizon, None, causal=False)
    tau = check_temperature(temperature)
    tol = check_positive_real(tol, "tol")
    causal = soft_backward(mdp, r, horizon=T, temperature=tau)
    noncausal = soft_backward(mdp, r, horizon=T, causal=False, temperature=tau)
    scale = max(1.0, float(np.abs(causal.V).max()), float(np.abs(noncausal.V).max()))
    gap = noncausal.V - causal.V
    post = posterior_marginals(mdp, r, horizon=T, temperature=tau)
    rollout = visitation(mdp, noncausal.policy, horizon=T)
    bias = float(0.5 * np.abs(rollout.state - post.state).sum(axis=1).max())
    if mdp.is_deterministic():
        causal_vis = visitation(mdp, causal.policy, horizon=T)
        vis_error = max(float(np.abs(post.state_action - causal_vis.state_action).max()),
                        float(np.abs(rollout.state_action - post.state_action).max()))
        value_error = float(np.abs(gap).max()) / scale
        return _result("deterministic dynamics: causal = non-causal (values and visitation)",
                       max(value_error, vis_error), tol,
                       f"max |V_nc - V_c| / max(1, max |V|) = {value_error:.3e}; max |visitation differences| "
                       f"(causal rollout, non-causal rollout, posterior) = {vis_error:.3e}")
    violation = max(0.0, -float(gap.min())) / scale
    return _result("stochastic dynamics: V_noncausal >= V_causal (Jensen)", violation, tol,
                   f"max (V_c - V_nc)^+ / max(1, max |V|); gap max_t,s (V_nc - V_c) = {float(gap.max()):.3e}; "
                   f"rolling the non-causal policy forward under P is off the posterior by total variation "
                   f"{bias:.3e} (the classic shortcut's bias)")


# --------------------------------------------------------------------------
# everything
# --------------------------------------------------------------------------
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
    n_demos: int = 20,
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
    n_demos : int, default 20
        Demonstrations sampled from the soft-optimal policy for the objective checks
        (``T`` decisions, or ``ceil(1 / (1 - discount))`` without a horizon).

    Returns
    -------
    list of CheckResult

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
    n_demos = check_positive_int(n_demos, "n_demos")
    noncausal = T is not None and gamma == 1.0
    discount = discount_argument(T, gamma)
    fd = dict(n_directions=n_directions, seed=rng, tol=tol)

    plan = soft_backward(mdp, r, horizon=T, discount=discount)
    theta = rng.standard_normal(phi.d)
    theta *= _scaled(phi.reward(theta), 1.0)  # a reward in [-1, 1]
    demo_T = T if T is not None else max(1, math.ceil(1.0 / (1.0 - gamma)))
    demos = sample_trajectories(mdp, plan.policy, n_demos, horizon=demo_T, seed=rng)

    results = [
        check_bellman(mdp, r, horizon=T, discount=discount, tol=exact_tol),
        check_occupancy(mdp, plan.policy, horizon=T, discount=discount, tol=exact_tol),
        check_log_partition_gradient(mdp, r, features=features, horizon=T, discount=discount, **fd),
        check_objective_gradient(mdp, phi_input, demos, theta, horizon=T, discount=discount, **fd),
    ]
    if noncausal:
        results += [
            check_bellman(mdp, r, horizon=T, causal=False, tol=exact_tol),
            check_posterior(mdp, r, horizon=T, tol=exact_tol),
            check_log_partition_gradient(mdp, r, features=features, horizon=T, causal=False, **fd),
            check_objective_gradient(mdp, phi_input, demos, theta, horizon=T, causal=False, **fd),
            check_hessian_covariance(mdp, r, features, horizon=T, n_directions=n_directions, seed=rng,
                                     tol=exact_tol),
            check_causal_noncausal(mdp, r, horizon=T, tol=exact_tol),
        ]
    return results
