r"""Derivatives checked against central finite differences along random directions.

:func:`check_gradient` (any ``fun(x) -> (value, gradient)``),
:func:`check_log_partition_gradient` (``d log_partition / d r`` is the expected
visitation, ``d / d theta`` the expected feature counts) and
:func:`check_objective_gradient` (the MaxEnt objective's gradient, empirical
minus expected feature counts). No Jacobian is formed: each direction costs
two evaluations (two backward passes), and a wrong entry anywhere in a
gradient shows in every direction. Directions are scaled so that the return
they perturb lies in ``[-1, 1]``; the step and the rounding allowance come
from :mod:`tabular_irl.checks._result`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._deprecation import reordered_arguments
from .._validation import (
    check_finite_array,
    check_horizon_discount,
    check_positive_int,
    check_positive_real,
    check_seed,
    check_temperature,
)
from ..inference import expected_feature_counts, posterior_marginals, visitation
from ..irl._common import features_for
from ..irl.maxent import maxent_objective
from ..mdp import MDP, check_mdp
from ..planning import soft_backward
from ..trajectories import Trajectories
from ._result import (
    EPS,
    FD_TOL,
    CheckResult,
    effective_horizon,
    fd_allowance,
    fd_step,
    make_result,
    random_directions,
    resolve_model,
    scaled_directions,
)

__all__ = ["check_gradient", "check_log_partition_gradient", "check_objective_gradient"]


def _directional_error(f: Callable[[np.ndarray], float], x: np.ndarray, directions: np.ndarray,
                       analytic: np.ndarray, h: float) -> np.ndarray:
    """``|(f(x + h v) - f(x - h v)) / 2h - analytic|`` for each direction ``v``."""
    fd = np.array([(f(x + h * v) - f(x - h * v)) / (2.0 * h) for v in directions])
    return np.abs(fd - analytic)


def _return_directions_result(name: str, f: Callable[[np.ndarray], float], x: np.ndarray, directions: np.ndarray,
                              analytic: np.ndarray, *, H: float, Q: np.ndarray, tau: float, tol: float,
                              against: str, note: str = "") -> CheckResult:
    """Central differences of ``f`` along directions that change every return by at most 1 per unit step.

    The step and the allowance added to ``tol`` come from the error bound of
    :func:`~tabular_irl.checks._result.fd_allowance` for ``H`` effective backups of
    values up to ``M = max(1, max |Q|)`` at temperature ``tau``.
    """
    M = max(1.0, float(np.abs(Q).max()))
    h = fd_step(H, M, tau)
    errors = _directional_error(f, x, directions, analytic, h)
    return make_result(name, float(np.max(errors)), tol + fd_allowance(h, H, M, tau),
                       f"max over {len(directions)} random directions (return change in [-1, 1] per unit step) of "
                       f"|central difference - {against}|, step {h:.2e}{note}")


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

    Raises
    ------
    TypeError
        ``seed`` neither an integer nor a Generator; the message names it.
    ValueError
        ``fun``, ``x``, ``n_directions``, ``step``, ``tol`` or ``name`` out of
        range, of the wrong shape or not finite.

    See Also
    --------
    check_log_partition_gradient, check_objective_gradient : the same test for
        the package's own gradients, with steps and allowances from their error bound.

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
    h = EPS ** (1.0 / 3.0) * max(1.0, float(np.abs(x).max(initial=0.0))) if step is None \
        else check_positive_real(step, "step")
    value, grad = fun(x)
    grad = check_finite_array(grad, "gradient returned by fun", x.shape)
    value = float(value)
    directions = random_directions(rng, n, x.shape)
    directions /= np.sqrt((directions.reshape(n, -1) ** 2).sum(axis=1)).reshape((n,) + (1,) * x.ndim)
    analytic = np.array([float(np.sum(grad * v)) for v in directions])
    errors = _directional_error(lambda y: float(fun(y)[0]), x, directions, analytic, h)
    scale = max(1.0, float(np.sqrt(np.sum(grad * grad))))
    allowance = 4.0 * EPS * max(1.0, abs(value)) / h / scale
    return make_result(name, float(np.max(errors)) / scale, tol + allowance,
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

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``seed`` neither an integer nor a Generator,
        ``causal`` not True or False; the message names it.
    ValueError
        ``reward``, ``features``, ``horizon``, ``discount``, ``temperature``,
        ``n_directions`` or ``tol`` out of range, of the wrong shape or not
        finite.

    See Also
    --------
    tabular_irl.soft_backward, tabular_irl.visitation, tabular_irl.posterior_marginals
    check_hessian_covariance : the second derivative.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> check_log_partition_gradient(world.mdp, world.reward, horizon=6, causal=False, seed=0).passed
    True
    """
    mdp, T, gamma, r = resolve_model(mdp, reward, horizon, discount, causal)
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
    H = effective_horizon(T, gamma)
    if phi is None:
        _, tables = scaled_directions(rng, n, r.shape, H)
        analytic = np.array([float(np.sum(vis.total_state_action * v)) for v in tables])
        what = "expected state-action visitation"
    else:
        u, tables = scaled_directions(rng, n, (phi.d,), H, phi.reward)
        analytic = u @ expected_feature_counts(vis, features)
        what = "expected feature counts"

    def log_partition(x: np.ndarray) -> float:
        return soft_backward(mdp, x, horizon=horizon, discount=discount, causal=causal,
                             temperature=tau).log_partition

    model = "causal rollout" if causal else "non-causal posterior marginals"
    return _return_directions_result(f"d log_partition / d {'r' if phi is None else 'theta'} = {what} ({model})",
                                     log_partition, r, tables, analytic, H=H, Q=plan.Q, tau=tau, tol=tol,
                                     against="analytic")


@reordered_arguments(("mdp", "features", "demos", "theta"),
                     is_old=lambda args: len(args) > 2 and isinstance(args[2], Trajectories),
                     old_defaults={"theta": None})
def check_objective_gradient(
    mdp: MDP,
    features: Any,
    theta: Any,
    demos: Trajectories,
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
    theta : array_like, shape (d,), or None
        Point of the check (zeros when None).
    demos : Trajectories
        Demonstrations of the objective. The order was ``(mdp, features,
        demos, theta)`` before; that call still works, with a
        ``DeprecationWarning``.
    horizon, discount, causal, l2
        As in :func:`~tabular_irl.maxent_objective`.
    n_directions : int, default 3
    seed : int or Generator, optional
    tol : float, default 1e-6

    Returns
    -------
    CheckResult
        ``error = max_k |central difference - gradient . u_k|`` (scaled units).

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type, ``seed`` neither an
        integer nor a Generator, ``causal`` not True or False; the message names
        it.
    ValueError
        ``features``, ``theta``, ``demos``, ``horizon``, ``discount``, ``l2``,
        ``n_directions`` or ``tol`` out of range, of the wrong shape or not
        finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    tabular_irl.maxent_objective : the objective checked.
    check_log_partition_gradient : the same test for the log partition alone.

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward, sample_trajectories
    >>> world = gridworld(4, slip=0.2)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=5)
    >>> demos = sample_trajectories(world.mdp, plan.policy, 10, horizon=5, seed=0)
    >>> check_objective_gradient(world.mdp, world.features, None, demos, horizon=5, seed=0).passed
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
    H = effective_horizon(T, gamma)
    u, _ = scaled_directions(rng, n, (phi.d,), H, phi.reward)
    plan = soft_backward(mdp, phi.reward(theta), horizon=horizon, discount=discount, causal=causal)
    model = "causal" if causal else "non-causal"
    return _return_directions_result(
        f"MaxEnt objective gradient = empirical - expected feature counts = finite differences ({model})",
        lambda th: objective(th)[0], theta, u, u @ grad, H=H, Q=plan.Q, tau=1.0, tol=tol,
        against="gradient . u", note=f", {demos.n_trajectories} demonstrations")
