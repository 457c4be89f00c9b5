r"""Maximum entropy IRL (Ziebart et al. 2008) and maximum causal entropy IRL (Ziebart 2010).

The objective of demonstrations ``tau_i`` for a linear reward
``r = features @ theta`` is

.. math::

    L(\theta) = \frac{1}{N} \sum_i \Big[ \sum_{t<T} \gamma^t r_\theta(s^i_t, a^i_t)
                - V_0(s^i_0) \Big] - \frac{\lambda}{2} \lVert\theta\rVert^2

with ``V`` the soft backward pass of the chosen model and the start states the
demonstrations' own. Its gradient is exact:

.. math::

    \nabla L = \bar\phi_{\text{emp}} - \mathbb{E}_\theta[\phi] - \lambda \theta

where the expectation is the causal policy's visitation (``causal=True``) or
the exact posterior marginals of the trajectory distribution
(``causal=False``). The non-causal ``L`` is the log-likelihood of the
demonstrations (less the dynamics' log-probability); the causal one is the MCE
dual. Both are concave in ``theta``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.optimize as opt

from .._progress import check_progress, progress_bar
from .._validation import (
    check_callable,
    check_option,
    check_positive_int,
    check_positive_real,
    readonly,
)
from ..inference import Visitation
from ..mdp import MDP
from ..planning import SoftPlan
from ..trajectories import Trajectories
from ._objective import log_likelihood
from ._maxent_problem import (
    _check_theta,
    _classic_value_and_gradient,
    _Problem,
    classic_maxent_gradient,
    maxent_hessian,
    maxent_hessp,
    maxent_objective,
    reward_gradient,
)
from ._result import attach, warn_not_converged

__all__ = [
    "MaxEntResult",
    "maxent_objective",
    "maxent_hessian",
    "maxent_hessp",
    "maxent_irl",
    "reward_gradient",
    "classic_maxent_gradient",
    "classic_maxent_irl",
]

_METHODS = ("L-BFGS-B", "trust-ncg", "trust-exact", "newton-cg")


@dataclass(frozen=True, eq=False)
class MaxEntResult:
    """Result of :func:`maxent_irl`.

    Attributes
    ----------
    theta : ndarray, shape (d,)
    reward : ndarray, shape (S, A)
        ``features @ theta``.
    plan : SoftPlan
        Soft backward pass of the fitted reward.
    policy : ndarray, shape (T, S, A) or (S, A)
        ``plan.policy``: the fitted model's soft-optimal policy (time-indexed
        with a horizon, stationary without one).
    visitation : Visitation
        Expected visitation of the fitted model from the demonstrations' starts.
    objective : float
        The objective as optimised (``l2`` penalty included).
    log_likelihood : float
        Mean log-probability of the demonstrations given their start states,
        dynamics included (see :func:`tabular_irl.irl.maxent.log_likelihood`).
    gradient : ndarray, shape (d,)
        Gradient of ``objective`` at ``theta``.
    empirical_features, expected_features : ndarray, shape (d,)
        Feature counts of the demonstrations and of the fitted model.
    n_iter, n_eval : int
        Solver iterations and objective evaluations.
    converged : bool
        ``max |gradient| <= tol * scale`` with ``scale = max(1, max |empirical_features|)``.
    message : str
    method : str
    history : dict
        Per iteration (Newton polishing steps included): ``"objective"`` and
        ``"grad_norm"``, the ``max |gradient|`` that ``converged`` tests
        (plot them with :func:`tabular_irl.plotting.plot_convergence`).

    See Also
    --------
    maxent_irl : returns it.
    tabular_irl.irl.FitResult : the protocol it follows.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

    Ziebart, Bagnell & Dey (2010), "Modeling interaction via the principle of maximum causal entropy", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.irl import maxent_irl
    >>> world = gridworld(4, slip=0.1)
    >>> phi = world.feature_sets["coordinates"]  # (S, 2)
    >>> expert = soft_backward(world.mdp, 5 * world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 50, horizon=6, seed=0)
    >>> fit = maxent_irl(world.mdp, phi, demos, horizon=6)
    >>> fit.theta.shape, fit.reward.shape, fit.policy.shape
    ((2,), (16, 5), (6, 16, 5))
    >>> fit.converged, fit.moment_matching_error < 1e-6  # expected = empirical feature counts
    (True, True)
    >>> bool(np.allclose(fit.reward[:, 0], phi @ fit.theta))
    True
    """

    theta: np.ndarray
    reward: np.ndarray
    plan: SoftPlan
    visitation: Visitation
    objective: float
    log_likelihood: float
    gradient: np.ndarray
    empirical_features: np.ndarray
    expected_features: np.ndarray
    n_iter: int
    n_eval: int
    converged: bool
    message: str
    method: str
    history: dict = field(repr=False)
    # The validated problem that hessian() and standard_errors() need is attached by _fit as the
    # non-field attribute _problem (tabular_irl.irl._result.attach): out of repr, eq and the constructor.

    @property
    def policy(self) -> np.ndarray:
        """``plan.policy``, ``(T, S, A)`` or ``(S, A)``: the policy of the result protocol."""
        return self.plan.policy

    def _fitted(self) -> _Problem:
        problem = getattr(self, "_problem", None)
        if problem is None:
            raise AttributeError("this MaxEntResult was not returned by maxent_irl or classic_maxent_irl: "
                                 "the Hessian needs the fitted problem; use maxent_hessian(mdp, features, "
                                 "fit.theta, demos, ...) instead")
        return problem

    @property
    def moment_matching_error(self) -> float:
        """``max |empirical - expected feature counts|`` (0 at the unpenalised optimum)."""
        return float(np.abs(self.empirical_features - self.expected_features).max())

    def hessian(self) -> np.ndarray:
        """Exact Hessian ``(d, d)`` of ``objective`` at ``theta`` (``l2`` included).

        :func:`maxent_hessian` of the fitted problem: symmetric and negative
        semidefinite.

        Returns
        -------
        ndarray, shape (d, d)

        Examples
        --------
        >>> import numpy as np
        >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
        >>> from tabular_irl.irl import maxent_irl
        >>> world = gridworld(4, slip=0.1)
        >>> expert = soft_backward(world.mdp, 5 * world.reward, horizon=6)
        >>> demos = sample_trajectories(world.mdp, expert.policy, 50, horizon=6, seed=0)
        >>> fit = maxent_irl(world.mdp, world.feature_sets["coordinates"], demos, horizon=6)
        >>> H = fit.hessian()
        >>> H.shape, bool(np.array_equal(H, H.T)), bool(np.linalg.eigvalsh(H).max() < 0)  # a strict maximum
        ((2, 2), True, True)
        """
        return self._fitted().hessian(self.theta)

    def standard_errors(self) -> np.ndarray:
        r"""Standard errors of ``theta``, shape ``(d,)``: ``sqrt(diag((-N H)^{-1}))``.

        ``H`` is the Hessian of the per-demonstration objective and ``N`` the
        number of demonstrations, so ``-N H`` is the observed information. For
        the non-causal model with ``l2 = 0`` these are the asymptotic
        maximum-likelihood standard errors; with ``l2 > 0`` they are those of
        the Laplace approximation to the posterior under the Gaussian prior
        the penalty implies. For the causal model the objective is a
        likelihood only for deterministic dynamics; elsewhere read them as the
        curvature of the MCE dual. ``inf`` along directions the
        demonstrations do not determine (a singular Hessian).

        Returns
        -------
        ndarray, shape (d,)

        Examples
        --------
        >>> import numpy as np
        >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
        >>> from tabular_irl.irl import maxent_irl
        >>> world = gridworld(4, slip=0.0)  # deterministic: the causal objective is a likelihood
        >>> expert = soft_backward(world.mdp, 5 * world.reward, horizon=6)
        >>> demos = sample_trajectories(world.mdp, expert.policy, 50, horizon=6, seed=0)
        >>> fit = maxent_irl(world.mdp, world.feature_sets["coordinates"], demos, horizon=6)
        >>> se = fit.standard_errors()
        >>> cov = np.linalg.inv(-demos.n_trajectories * fit.hessian())  # inverse observed information
        >>> se.shape, bool(np.all(np.isfinite(se))), bool(np.allclose(se, np.sqrt(np.diag(cov))))
        ((2,), True, True)
        """
        info = -self._fitted().demo.trajectories.n_trajectories * self.hessian()
        eigval, eigvec = np.linalg.eigh(info)
        tiny = eigval <= max(eigval.max(), 0.0) * 1e-12
        with np.errstate(divide="ignore"):
            inv = np.where(tiny, np.inf, 1.0 / np.where(tiny, 1.0, eigval))
        var = np.where(np.any((eigvec**2 > 1e-20) & tiny[None, :], axis=1), np.inf,
                       (eigvec**2 * np.where(tiny, 0.0, inv)).sum(axis=1))
        return np.sqrt(var)


def _fit(problem: _Problem, theta0, method, max_iter, tol, callback, gradient_fn=None, progress=None,
         desc="maxent_irl") -> MaxEntResult:
    method = check_option(method, "method", _METHODS)
    max_iter = check_positive_int(max_iter, "max_iter")
    tol = check_positive_real(tol, "tol")
    check_callable(callback, "callback")
    progress = check_progress(progress)
    d = problem.d
    theta0 = np.zeros(d) if theta0 is None else _check_theta(theta0, d, "theta0").copy()
    scale = max(1.0, float(np.abs(problem.empirical).max()))
    gtol = tol * scale
    history = {"objective": [], "grad_norm": []}
    n_eval = [0]

    def fun(theta):
        n_eval[0] += 1
        if gradient_fn is None:
            value, grad = problem.value_and_gradient(theta)
        else:
            value, grad = gradient_fn(theta)
        return -value, -grad

    def record(theta, *args):
        value, grad = fun(theta)
        n_eval[0] -= 1  # cached: not a new evaluation
        history["objective"].append(-value)
        history["grad_norm"].append(float(np.abs(grad).max()))
        bar.update(len(history["objective"]), objective=-value, **{"max|gradient|": history["grad_norm"][-1]})
        if callback is not None:
            callback(theta.copy(), -value, -grad)

    options: dict[str, Any] = {"maxiter": max_iter}
    kwargs: dict[str, Any] = {}
    if method == "L-BFGS-B":
        # scipy's defaults (ftol 2.2e-9 relative, gtol 1e-5 absolute) stop far
        # from moment matching; we stop on the gradient and let ftol only catch stalls.
        options.update(gtol=gtol, ftol=0.0, maxcor=30, maxls=50)
    elif method in ("trust-ncg", "trust-exact"):
        options.update(gtol=gtol)
    else:
        options.update(xtol=1e-14)
    if method in ("trust-ncg", "newton-cg"):
        kwargs["hessp"] = lambda th, v: -problem.hessp(th, v)
    elif method == "trust-exact":
        kwargs["hess"] = lambda th: -problem.hessian(th)
    with progress_bar(desc, progress) as bar:
        res = opt.minimize(fun, theta0, jac=True, method=method, options=options, callback=record, **kwargs)
        n_iter, msg = int(res.nit), str(res.message)
        if (method == "L-BFGS-B" and gradient_fn is None and n_iter < max_iter
                and float(np.abs(-res.jac).max()) > gtol):
            # L-BFGS-B stalls where f stops changing in floating point before the
            # gradient is small (flat directions); exact Newton steps finish the job.
            polish = opt.minimize(fun, res.x, jac=True, method="trust-ncg", callback=record,
                                  hessp=lambda th, v: -problem.hessp(th, v),
                                  options={"gtol": gtol, "maxiter": max_iter - n_iter})
            n_iter += int(polish.nit)
            msg = f"{msg}; polished by {polish.nit} trust-ncg iteration(s): {polish.message}"
            res = polish
    theta = np.asarray(res.x, dtype=np.float64)
    value, grad, plan, vis = problem.evaluate(theta)
    if gradient_fn is not None:
        value, grad = gradient_fn(theta)
    grad_max = float(np.abs(grad).max())
    converged = bool(grad_max <= gtol)
    if not converged:
        msg = (f"not converged: max |gradient| = {grad_max:.3g} > tol * scale = {gtol:.3g} after "
               f"{n_iter} iterations ({msg}). Try a larger max_iter, an l2 penalty "
               "(the optimum may lie at infinity when features are never or always seen), or method='trust-ncg'.")
        warn_not_converged(msg, stacklevel=3)
    reward = problem.reward(theta)
    expected = problem.features.contract(vis.total_state_action)
    readonly(theta, reward)
    result = MaxEntResult(
        theta=theta, reward=reward, plan=plan, visitation=vis, objective=float(value),
        log_likelihood=log_likelihood(problem.mdp, reward, plan, problem.demo), gradient=grad.copy(),
        empirical_features=problem.empirical.copy(), expected_features=expected,
        n_iter=n_iter, n_eval=n_eval[0], converged=converged, message=msg, method=method,
        history=history,
    )
    return attach(result, _problem=problem)


def maxent_irl(
    mdp: MDP,
    features: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    causal: bool = True,
    l2: float = 0.0,
    theta0: Any = None,
    method: str = "L-BFGS-B",
    max_iter: int = 1000,
    tol: float = 1e-8,
    callback: Callable[[np.ndarray, float, np.ndarray], Any] | None = None,
    progress: bool | None = None,
) -> MaxEntResult:
    r"""Fit a linear reward by maximising the MaxEnt objective (exact gradients).

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``r(s, a) = features[s, a] @ theta``.
    demos : Trajectories
        With a horizon, their horizon must equal it.
    horizon, discount, causal
        The model: ``causal=True`` is maximum causal entropy IRL (Ziebart
        2010), ``causal=False`` trajectory-level MaxEnt IRL (Ziebart 2008,
        exact posterior gradient; undiscounted finite horizon).
    l2 : float, default 0
        Penalty ``l2 / 2 ||theta||^2``. Needed when the unpenalised optimum
        is at infinity (a feature the demonstrations never, or always, show).
    theta0 : array_like, shape (d,), optional
        Start point (zeros).
    method : {"L-BFGS-B", "trust-ncg", "trust-exact", "newton-cg"}
        ``scipy.optimize.minimize`` method. The Newton-type ones use exact
        Hessian-vector products (``trust-exact``: the full Hessian).
    max_iter : int, default 1000
    tol : float, default 1e-8
        Converged when ``max |gradient| <= tol * max(1, max |empirical
        features|)``: expected feature counts then match the empirical ones to
        ``tol`` of their scale (with ``l2 = 0``).
    callback : callable, optional
        ``callback(theta, objective, gradient)`` after every iteration.
    progress : bool, optional
        Show the iteration, objective and ``max |gradient|`` on ``stderr``
        while fitting (with ``tqdm`` when installed, else plain lines).
        ``None`` (default): only when ``stderr`` is a terminal and the fit
        takes more than a second. ``result.history`` records the same numbers
        either way.

    Returns
    -------
    MaxEntResult
        Not converging is reported (``converged=False``, ``message``) and
        warned about with :class:`ConvergenceWarning`.

    See Also
    --------
    maxent_objective : the objective maximised.
    maxent_hessp : its Hessian-vector products.
    classic_maxent_irl : the rollout gradient of the 2008 paper.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

    Ziebart, Bagnell & Dey (2010), "Modeling interaction via the principle of maximum causal entropy", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward, sample_trajectories
    >>> from tabular_irl.irl import maxent_irl
    >>> world = gridworld(5, slip=0.1)
    >>> expert = soft_backward(world.mdp, 5 * world.reward, horizon=10)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 200, horizon=10, seed=0)
    >>> fit = maxent_irl(world.mdp, world.feature_sets["coordinates"], demos, horizon=10)
    >>> fit.converged, fit.moment_matching_error < 1e-6
    (True, True)
    """
    problem = _Problem(mdp, features, demos, horizon, discount, causal, l2)
    return _fit(problem, theta0, method, max_iter, tol, callback, progress=progress,
                desc="maxent_irl (causal)" if causal else "maxent_irl (non-causal)")


def classic_maxent_irl(
    mdp: MDP,
    features: Any,
    demos: Trajectories,
    *,
    horizon: int,
    l2: float = 0.0,
    theta0: Any = None,
    max_iter: int = 1000,
    tol: float = 1e-8,
    callback=None,
    progress: bool | None = None,
) -> MaxEntResult:
    r"""MaxEnt IRL with the classic rollout gradient (:func:`classic_maxent_gradient`).

    L-BFGS-B on the exact non-causal objective ``L(theta) - l2/2 ||theta||^2``
    with the rollout gradient ``g(theta) - l2 theta`` in place of its true
    gradient. Exact only for deterministic dynamics, where it is
    :func:`maxent_irl` with ``causal=False``. With stochastic dynamics the
    rollout gradient is not the gradient of the value the line search
    evaluates, so the solver typically stops early with ``converged=False``
    (and a :class:`ConvergenceWarning`); at best it reaches the point where
    the rolled-out, not the true, feature counts match. ``gradient`` in the
    result is the rollout gradient, while ``visitation`` and
    ``expected_features`` are the exact posterior ones (so
    ``moment_matching_error`` shows the bias).

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
    demos : Trajectories
        Their horizon must equal ``horizon``.
    horizon : int
        ``T >= 1`` (undiscounted).
    l2, theta0, max_iter, tol, callback, progress
        As in :func:`maxent_irl`; ``theta0`` has shape ``(d,)``.

    Returns
    -------
    MaxEntResult
        With ``method="L-BFGS-B"``.

    See Also
    --------
    maxent_irl : exact gradients of either model.
    classic_maxent_gradient : the direction it follows.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

    Examples
    --------
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.irl import classic_maxent_irl
    >>> world = gridworld(4, slip=0.0)  # deterministic: the classic gradient is exact
    >>> expert = soft_backward(world.mdp, 5 * world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 50, horizon=6, seed=0)
    >>> fit = classic_maxent_irl(world.mdp, world.feature_sets["coordinates"], demos, horizon=6)
    >>> fit.converged, fit.theta.shape, fit.moment_matching_error < 1e-6
    (True, (2,), True)
    """
    problem = _Problem(mdp, features, demos, horizon, None, False, l2)

    def gradient_fn(theta):
        value, grad = _classic_value_and_gradient(problem, theta)
        return value - 0.5 * problem.l2 * float(theta @ theta), grad - problem.l2 * theta

    return _fit(problem, theta0, "L-BFGS-B", max_iter, tol, callback, gradient_fn=gradient_fn, progress=progress,
                desc="classic_maxent_irl")
