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

from .._deprecation import reordered_arguments
from .._features import as_linear_features
from .._progress import check_progress, progress_bar
from .._validation import (
    check_callable,
    check_finite_array,
    check_option,
    check_positive_int,
    check_positive_real,
    check_reward,
    readonly,
)
from ..inference import Visitation, policy_visitation
from ..mdp import MDP
from ..planning import SoftPlan, policy_plan
from ..trajectories import Trajectories
from ._objective import (
    Demonstrations,
    directional_counts,
    evaluate,
    value_and_gradient,
    log_likelihood,
    prepare_demonstrations,
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


def _check_l2(l2: Any) -> float:
    return check_positive_real(l2, "l2", allow_zero=True)


def _check_theta(theta: Any, d: int, name: str = "theta") -> np.ndarray:
    return check_finite_array(theta, name, (d,))


class _Problem:
    """Validated inputs of one MaxEnt fit; caches the last evaluation."""

    def __init__(self, mdp, features, demos, horizon, discount, causal, l2):
        self.demo: Demonstrations = prepare_demonstrations(mdp, demos, horizon, discount, causal)
        self.mdp: MDP = mdp
        self.features = as_linear_features(features, mdp.n_states, mdp.n_actions)
        self.l2 = _check_l2(l2)
        self.empirical = self.features.contract(self.demo.counts)
        self._cache_key: bytes | None = None
        self._cache: tuple | None = None
        self._lean_key: bytes | None = None
        self._lean: tuple | None = None
        self._scratch: dict = {}  # the gradient's large arrays, reused by every iteration

    @property
    def d(self) -> int:
        return self.features.d

    def reward(self, theta: np.ndarray) -> np.ndarray:
        return self.features.reward(theta)

    def _penalised(self, theta: np.ndarray, value: float, grad_r: np.ndarray) -> tuple[float, np.ndarray]:
        grad = self.features.contract(grad_r)
        if self.l2:  # skipped at 0: 0 * inf would turn a huge theta into NaN
            grad = grad - self.l2 * theta
            value -= 0.5 * self.l2 * float(theta @ theta)
        return value, grad

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """``(value, gradient)`` of the penalised objective, memory-lean (no plan is kept)."""
        key = theta.tobytes()
        if key == self._cache_key:
            return self._cache[:2]
        if key != self._lean_key:
            self._lean_key = key
            self._lean = self._penalised(theta, *value_and_gradient(self.mdp, self.reward(theta), self.demo,
                                                                    self._scratch))
        return self._lean

    def evaluate(self, theta: np.ndarray):
        """``(value, gradient, plan, vis)`` of the penalised objective at ``theta``."""
        key = theta.tobytes()
        if key != self._cache_key:
            value, grad_r, plan, vis = evaluate(self.mdp, self.reward(theta), self.demo)
            self._cache_key, self._cache = key, (*self._penalised(theta, value, grad_r), plan, vis)
        return self._cache

    def hessp(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        _, _, plan, vis = self.evaluate(theta)
        dC = directional_counts(self.mdp, plan, vis, self.reward(v))
        return -self.features.contract(dC) - self.l2 * v

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        H = np.column_stack([self.hessp(theta, e) for e in np.eye(self.d)])
        return 0.5 * (H + H.T)  # symmetric up to rounding; make it exactly so


def maxent_objective(
    mdp: MDP,
    features: Any,
    theta: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    causal: bool = True,
    l2: float = 0.0,
) -> tuple[float, np.ndarray]:
    r"""MaxEnt objective and its exact gradient.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``r(s, a) = features[s, a] @ theta``; state features may be a
        ``scipy.sparse`` matrix (e.g. one-hot features of a large grid).
    theta : array_like, shape (d,)
    demos : Trajectories
        With a horizon, their horizon must equal it.
    horizon, discount, causal
        The model, as in :func:`soft_backward`.
    l2 : float, default 0
        Penalty ``l2 / 2 * ||theta||^2`` subtracted from the objective.

    Returns
    -------
    value : float
        ``L(theta)`` (see the module docstring).
    gradient : ndarray, shape (d,)
        Empirical minus expected feature counts, minus ``l2 * theta``.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type, ``causal`` not True or
        False; the message names it.
    ValueError
        ``features``, ``theta``, ``demos``, ``horizon``, ``discount`` or ``l2``
        out of range, of the wrong shape or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    maxent_irl : maximises it.
    maxent_hessp, maxent_hessian : second derivatives.
    reward_gradient : the gradient with respect to the reward table.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

    Ziebart, Bagnell & Dey (2010), "Modeling interaction via the principle of maximum causal entropy", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward, sample_trajectories
    >>> from tabular_irl.irl import maxent_objective
    >>> world = gridworld(4, 4, slip=0.1)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, plan.policy, 20, horizon=6, seed=0)
    >>> value, grad = maxent_objective(world.mdp, world.features, np.zeros(16), demos, horizon=6)
    >>> grad.shape
    (16,)
    """
    problem = _Problem(mdp, features, demos, horizon, discount, causal, l2)
    value, grad = problem.value_and_gradient(_check_theta(theta, problem.d))
    return value, grad.copy()


@reordered_arguments(("mdp", "features", "theta", "demos", "v"),
                     is_old=lambda args: bool(args) and isinstance(args[0], MDP))
def maxent_hessp(theta: Any, v: Any, mdp: MDP, features: Any, demos: Trajectories, *, horizon: int | None = None,
                 discount: float | None = None, causal: bool = True, l2: float = 0.0) -> np.ndarray:
    r"""Exact Hessian-vector product :math:`\nabla^2 L(\theta) v`, shape ``(d,)``.

    The arguments come in SciPy's ``hessp(x, p, *args)`` order: ``theta``
    and the direction ``v`` first, then what ``args=`` would carry, so
    ``maxent_hessp(theta, v, mdp, features, demos)`` is a Hessian-vector
    product that :func:`scipy.optimize.minimize` can call. The old order
    ``maxent_hessp(mdp, features, theta, demos, v)`` still works, with a
    ``DeprecationWarning``.

    Since :math:`\nabla L = \bar\phi_{\text{emp}} - \mathbb{E}_\theta[\phi] - \lambda\theta`,

    .. math::

        \nabla^2 L(\theta)\, v = -\frac{d}{d\epsilon}\,
        \mathbb{E}_{\theta + \epsilon v}[\phi]\Big|_{\epsilon=0} - \lambda v,

    the directional derivative of the expected feature counts, computed by
    forward-mode differentiation of the backward and forward passes along
    the reward direction ``features @ v`` (one extra pass pair, no finite
    differences).

    Parameters
    ----------
    theta : array_like, shape (d,)
        The point.
    v : array_like, shape (d,)
        The direction.
    mdp, features, demos, horizon, discount, causal, l2
        As in :func:`maxent_objective`: ``features`` of shape ``(S, d)`` or
        ``(S, A, d)``.

    Returns
    -------
    ndarray, shape (d,)

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type, ``causal`` not True or
        False; the message names it.
    ValueError
        ``theta``, ``v``, ``features``, ``demos``, ``horizon``, ``discount`` or
        ``l2`` out of range, of the wrong shape or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    maxent_hessian : the full matrix.
    maxent_objective : value and gradient.
    scipy.optimize.minimize : takes it as ``hessp``.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

    Ziebart, Bagnell & Dey (2010), "Modeling interaction via the principle of maximum causal entropy", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.irl import maxent_hessp, maxent_objective
    >>> world = gridworld(4, slip=0.2)
    >>> phi = world.feature_sets["coordinates"]  # (S, 2)
    >>> demos = sample_trajectories(world.mdp, soft_backward(world.mdp, world.reward, horizon=5).policy,
    ...                             20, horizon=5, seed=0)
    >>> theta, v = np.array([0.5, -1.0]), np.array([1.0, 2.0])
    >>> hv = maxent_hessp(theta, v, world.mdp, phi, demos, horizon=5)
    >>> h = 1e-5  # central difference of the exact gradient along v
    >>> g_plus = maxent_objective(world.mdp, phi, theta + h * v, demos, horizon=5)[1]
    >>> g_minus = maxent_objective(world.mdp, phi, theta - h * v, demos, horizon=5)[1]
    >>> hv.shape, bool(np.allclose(hv, (g_plus - g_minus) / (2 * h), atol=1e-7))
    ((2,), True)
    """
    problem = _Problem(mdp, features, demos, horizon, discount, causal, l2)
    return problem.hessp(_check_theta(theta, problem.d), _check_theta(v, problem.d, "v"))


def maxent_hessian(mdp, features, theta, demos, *, horizon=None, discount=None, causal=True, l2=0.0) -> np.ndarray:
    r"""Exact Hessian :math:`\nabla^2 L(\theta)`, shape ``(d, d)`` (``d`` Hessian-vector products).

    Column ``j`` is :func:`maxent_hessp` along the unit vector ``e_j``; the
    result is symmetrised. Negative semidefinite (the objective is concave).
    For the non-causal model it is minus the feature-count covariance of the
    trajectory distribution given the start states, averaged over the
    demonstrations' starts, minus ``l2 * I``:

    .. math::

        \nabla^2 L(\theta) = -\frac{1}{N} \sum_i
        \operatorname{Cov}_\theta\big[\Phi(\tau) \mid s_0 = s^i_0\big] - \lambda I,
        \qquad \Phi(\tau) = \sum_{t<T} \phi(s_t, a_t).

    Parameters
    ----------
    mdp, features, theta, demos, horizon, discount, causal, l2
        As in :func:`maxent_objective`: ``features`` of shape ``(S, d)`` or
        ``(S, A, d)``, ``theta`` of shape ``(d,)``.

    Returns
    -------
    ndarray, shape (d, d)

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type, ``causal`` not True or
        False; the message names it.
    ValueError
        ``features``, ``theta``, ``demos``, ``horizon``, ``discount`` or ``l2``
        out of range, of the wrong shape or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    maxent_hessp : one Hessian-vector product.
    maxent_objective : value and gradient.
    tabular_irl.checks.check_hessian_covariance : Hessian = feature covariance.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.irl import maxent_hessian, maxent_hessp
    >>> world = gridworld(4, slip=0.2)
    >>> phi = world.feature_sets["coordinates"]  # (S, 2)
    >>> demos = sample_trajectories(world.mdp, soft_backward(world.mdp, world.reward, horizon=5).policy,
    ...                             20, horizon=5, seed=0)
    >>> theta = np.array([0.5, -1.0])
    >>> H = maxent_hessian(world.mdp, phi, theta, demos, horizon=5, l2=0.1)
    >>> H.shape, bool(np.array_equal(H, H.T)), bool(np.linalg.eigvalsh(H).max() <= -0.1 + 1e-12)
    ((2, 2), True, True)
    >>> hv = maxent_hessp(theta, np.array([1.0, 0.0]), world.mdp, phi, demos, horizon=5, l2=0.1)
    >>> bool(np.allclose(H[:, 0], hv))
    True
    """
    problem = _Problem(mdp, features, demos, horizon, discount, causal, l2)
    return problem.hessian(_check_theta(theta, problem.d))


def reward_gradient(
    mdp: MDP,
    reward: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    causal: bool = True,
) -> tuple[float, np.ndarray]:
    r"""Objective and its gradient with respect to the reward table ``r(s, a)``.

    The objective ``L`` of the module docstring with ``r`` itself as the
    parameter (no features, no penalty). Its gradient is the empirical
    (discounted) count of ``(s, a)`` minus its expected count,

    .. math::

        \frac{\partial L}{\partial r(s, a)} = \frac{1}{N} \sum_i \sum_{t<T}
        \gamma^t [s^i_t = s, a^i_t = a] - \sum_{t<T} \gamma^t \Pr{}_r(s_t = s, a_t = a),

    with the expected counts those of the model from the demonstrations'
    start states (the causal policy's visitation, or the non-causal
    posterior marginals), so any differentiable reward model
    ``r = f_w(...)`` is trained by the chain rule ``dL/dw = sum_{s,a} dL/dr(s, a) df/dw`` (deep MaxEnt IRL,
    Wulfmeier et al. 2015).

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
        ``r(s)`` (broadcast over actions) or ``r(s, a)``.
    demos : Trajectories
        With a horizon, their horizon must equal it.
    horizon, discount, causal
        The model, as in :func:`soft_backward`.

    Returns
    -------
    value : float
        ``L(r)``.
    gradient : ndarray, shape (S, A)
        ``dL/dr(s, a)``. (Sum it over actions for a state-only reward model.)

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type, ``causal`` not True or
        False; the message names it.
    ValueError
        ``reward``, ``demos``, ``horizon`` or ``discount`` out of range, of the
        wrong shape or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    maxent_objective : the same objective in feature space.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

    Ziebart, Bagnell & Dey (2010), "Modeling interaction via the principle of maximum causal entropy", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.irl import maxent_objective, reward_gradient
    >>> world = gridworld(4, slip=0.2)
    >>> demos = sample_trajectories(world.mdp, soft_backward(world.mdp, world.reward, horizon=5).policy,
    ...                             20, horizon=5, seed=0)
    >>> phi, theta = world.feature_sets["coordinates"], np.array([0.5, -1.0])  # (S, 2), (2,)
    >>> value, grad = reward_gradient(world.mdp, phi @ theta, demos, horizon=5)
    >>> grad.shape, bool(abs(grad.sum()) < 1e-12)  # both counts sum to T
    ((16, 5), True)

    The chain rule through ``r = phi @ theta`` gives :func:`maxent_objective`'s gradient:

    >>> value_theta, grad_theta = maxent_objective(world.mdp, phi, theta, demos, horizon=5)
    >>> bool(np.isclose(value, value_theta)), bool(np.allclose(grad.sum(axis=1) @ phi, grad_theta))
    (True, True)
    """
    demo = prepare_demonstrations(mdp, demos, horizon, discount, causal)
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    value, grad, _, _ = evaluate(mdp, r, demo)
    return value, grad


def classic_maxent_gradient(
    mdp: MDP, features: Any, theta: Any, demos: Trajectories, *, horizon: int
) -> tuple[float, np.ndarray]:
    r"""The Ziebart-2008 algorithm as most implementations run it.

    Non-causal backward pass, then its policy rolled forward under the *true*
    dynamics ``P``. The value is the exact non-causal objective; the gradient

    .. math::

        g(\theta) = \bar\phi_{\text{emp}} - \sum_{t<T} \sum_{s,a}
        D^{\text{roll}}_t(s)\, \pi^{\text{nc}}_t(a \mid s)\, \phi(s, a),

    empirical minus rolled-out feature counts (``D^roll`` the state
    visitation of the non-causal policy ``pi^nc`` under ``P`` from the
    demonstrations' starts), is exact **only for deterministic dynamics**:
    with stochastic dynamics the rollout ignores that the trajectory
    distribution also reweights the outcomes of ``P``, and the gradient is
    biased (compare :func:`maxent_objective` with ``causal=False``).

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``r(s, a) = features[s, a] @ theta``.
    theta : array_like, shape (d,)
    demos : Trajectories
        Their horizon must equal ``horizon``.
    horizon : int
        ``T >= 1`` (the non-causal model is undiscounted, finite-horizon).

    Returns
    -------
    value : float
        The exact non-causal ``L(theta)`` (no penalty).
    gradient : ndarray, shape (d,)
        ``g(theta)`` above.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type; the message names it.
    ValueError
        ``features``, ``theta``, ``demos`` or ``horizon`` out of range, of the
        wrong shape or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    maxent_objective : the exact gradient of the non-causal objective.
    classic_maxent_irl : the fit that follows this gradient.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

    Examples
    --------
    On deterministic dynamics it is the exact gradient; with slip it is not:

    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.irl import classic_maxent_gradient, maxent_objective
    >>> theta = np.array([0.5, -1.0])
    >>> for slip in (0.0, 0.3):
    ...     world = gridworld(4, slip=slip)
    ...     phi = world.feature_sets["coordinates"]  # (S, 2)
    ...     expert = soft_backward(world.mdp, 5 * world.reward, horizon=5)
    ...     demos = sample_trajectories(world.mdp, expert.policy, 20, horizon=5, seed=0)
    ...     value, grad = classic_maxent_gradient(world.mdp, phi, theta, demos, horizon=5)
    ...     exact_value, exact_grad = maxent_objective(world.mdp, phi, theta, demos, horizon=5, causal=False)
    ...     print(slip, bool(np.isclose(value, exact_value)), bool(np.allclose(grad, exact_grad)))
    0.0 True True
    0.3 True False
    """
    problem = _Problem(mdp, features, demos, horizon, None, False, 0.0)
    return _classic_value_and_gradient(problem, _check_theta(theta, problem.d))


def _classic_value_and_gradient(problem: _Problem, theta: np.ndarray) -> tuple[float, np.ndarray]:
    reward = problem.reward(theta)
    demo = problem.demo
    plan = policy_plan(problem.mdp, reward, horizon=demo.horizon, causal=False)
    vis = policy_visitation(problem.mdp, plan.policy, demo.horizon, 1.0, demo.start)
    value = float(np.sum(demo.counts * reward) - demo.start @ plan.V[0])
    return value, problem.empirical - problem.features.contract(vis.total_state_action)


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
