r"""The MaxEnt problem of one fit: validated inputs, the objective and its exact derivatives.

:class:`_Problem` holds an MDP, linear features and demonstrations reduced to
what the objective needs; on it, ``maxent_objective`` gives ``(L, grad L)``,
``maxent_hessp`` and ``maxent_hessian`` the exact second derivatives (forward
mode through the backward and forward passes), ``reward_gradient`` the
gradient with respect to any reward table, and ``classic_maxent_gradient`` the
Ziebart-2008 gradient as most implementations compute it. The fits
(:mod:`tabular_irl.irl.maxent`) optimise them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._deprecation import reordered_arguments
from .._features import as_linear_features
from .._validation import (
    check_finite_array,
    check_positive_real,
    check_reward,
)
from ..inference import policy_visitation
from ..mdp import MDP
from ..planning import policy_plan
from ..trajectories import Trajectories
from ._objective import (
    Demonstrations,
    directional_counts,
    evaluate,
    value_and_gradient,
    prepare_demonstrations,
)

__all__ = [
    "maxent_objective",
    "maxent_hessian",
    "maxent_hessp",
    "reward_gradient",
    "classic_maxent_gradient",
]

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
