r"""The log posterior of a reward given demonstrations, with its exact gradient.

A reward ``r = features @ theta`` (``features=None``: one parameter per state,
or per state-action pair with ``reward_shape=(S, A)``) has the unnormalised
log posterior ``log p(theta) + log p(demos | theta)`` with

``likelihood="boltzmann"`` (Ramachandran & Amir 2007)
    Every demonstrated pair is a Boltzmann choice on the optimal values,

    .. math::

        \log p(\text{demos} \mid \theta) = \sum_{i, t} c\, Q^*_t(s_t^i, a_t^i)
            - \log \sum_b \exp\big(c\, Q^*_t(s_t^i, b)\big),

    ``c`` the ``confidence`` and ``Q*`` the hard plan of
    :func:`~tabular_irl.value_iteration` (stationary when discounted). For the
    optimal policy ``pi*`` held fixed, ``Q*`` is linear in the reward, so the
    gradient exists wherever ``pi*`` is unique (almost everywhere) and is
    exact: a weight ``m (S, A)`` on ``Q*`` reaches the reward as
    ``m + gamma * counts of pi* started from P^T m`` (the discounted occupancy
    of :func:`~tabular_irl._passes.occupancy`, or its finite-horizon forward
    rollout).
``likelihood="maxent"``
    The MaxEnt / MCE model the package fits: ``N`` times
    :func:`~tabular_irl.maxent_objective` at the reward ``c * r``, whose
    gradient is ``N c`` (empirical minus expected counts). For the causal
    model this is the MCE dual, the causal log-likelihood in expectation over
    the dynamics (exactly so for deterministic dynamics).

Priors on ``theta`` (independent coordinates): ``"uniform"`` on the box
``bounds = (lo, hi)``, ``"gaussian"`` with standard deviation ``prior_scale``,
``"laplace"`` with scale ``prior_scale``. Each contributes its normalised log
density, so the posterior is unnormalised only by ``log p(demos)``.

References
----------
.. [1] D. Ramachandran and E. Amir, "Bayesian inverse reinforcement learning",
   IJCAI 2007.
.. [2] B. D. Ziebart, J. A. Bagnell and A. K. Dey, "Modeling interaction via the
   principle of maximum causal entropy", ICML 2010.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .. import _passes
from .._features import LinearFeatures, as_linear_features
from .._logspace import soft_max
from .._validation import (
    check_bounds,
    check_finite_array,
    check_horizon_discount,
    check_option,
    check_positive_real,
    discount_argument,
)
from ..irl import _objective
from ..irl._common import check_demos
from ..mdp import MDP, check_mdp
from ..planning import value_iteration

__all__ = ["log_posterior"]

LIKELIHOODS = ("boltzmann", "maxent")
PRIORS = ("uniform", "gaussian", "laplace")


def parameter_features(mdp: MDP, features: Any, reward_shape: Any) -> LinearFeatures:
    """The linear map ``theta -> r (S, A)``: ``features``, or one-hot per state (or state-action pair)."""
    S, A = mdp.n_states, mdp.n_actions
    if features is not None:
        if reward_shape is not None:
            raise ValueError("give features or reward_shape, not both: features fix the reward's parameters")
        return as_linear_features(features, S, A)
    shape = (S,) if reward_shape is None else reward_shape
    if isinstance(shape, list):
        shape = tuple(shape)
    if shape == (S,):
        return as_linear_features(sp.identity(S, format="csr"), S, A)
    if shape == (S, A):
        return as_linear_features(np.eye(S * A).reshape(S, A, S * A), S, A)
    raise ValueError(f"reward_shape must be (S,) = ({S},) or (S, A) = ({S}, {A}), got {reward_shape!r}")


@dataclass(frozen=True, eq=False)
class Prior:
    """Independent prior on every coordinate of ``theta``: its log density and gradient."""

    kind: str
    scale: float
    bounds: tuple[float, float] | None

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        d = theta.size
        if self.bounds is not None:
            lo, hi = self.bounds
            if np.any(theta < lo) or np.any(theta > hi):
                return -np.inf, np.zeros(d)
        if self.kind == "uniform":
            if self.bounds is None:  # improper and flat: only proper with a proper likelihood
                return 0.0, np.zeros(d)
            return -d * np.log(self.bounds[1] - self.bounds[0]), np.zeros(d)
        b = self.scale
        if self.kind == "gaussian":
            return float(-0.5 * theta @ theta / b**2 - d * np.log(b * np.sqrt(2 * np.pi))), -theta / b**2
        return float(-np.abs(theta).sum() / b - d * np.log(2 * b)), -np.sign(theta) / b


def make_prior(prior: Any, prior_scale: Any, bounds: Any) -> Prior:
    """A validated :class:`Prior`; ``"uniform"`` needs ``bounds``, the others accept them as a truncation."""
    kind = check_option(prior, "prior", PRIORS)
    scale = check_positive_real(prior_scale, "prior_scale")
    box = None if bounds is None else check_bounds(bounds)
    if kind == "uniform" and box is None:
        raise ValueError("prior='uniform' needs bounds=(lo, hi): rewards are identified only up to shifts and "
                         "scale, so a flat prior on all of R^d gives no proper posterior")
    return Prior(kind, scale, box)


@dataclass(frozen=True, eq=False)
class Posterior:
    """A validated posterior problem: ``posterior(theta) -> (log p(theta | demos) + const, gradient)``.

    Built once by :func:`make_posterior`; the samplers and :func:`map_irl` call
    it many times.
    """

    mdp: MDP
    features: LinearFeatures
    horizon: int | None
    discount: float
    likelihood: str
    confidence: float
    prior: Prior
    counts: np.ndarray  # boltzmann: pair counts (T, S, A) or (S, A); maxent: unused
    demo: Any  # maxent: irl._objective.Demonstrations
    n_demos: int
    transitions_t: Any = None  # P^T (S, S*A), kept: MDP.transitions_t builds a fresh public view per access

    @property
    def d(self) -> int:
        return self.features.d

    def check_theta(self, theta: Any, name: str = "theta") -> np.ndarray:
        return check_finite_array(theta, name, (self.d,))

    def reward(self, theta: np.ndarray) -> np.ndarray:
        """``r = features @ theta``, shape ``(S, A)``."""
        return self.features.reward(theta)

    def __call__(self, theta: np.ndarray, gradient: bool = True) -> tuple[float, np.ndarray | None]:
        """``(log posterior, gradient (d,))``; the gradient is None with ``gradient=False`` (PolicyWalk)."""
        lp, grad = self.prior(theta)
        if not np.isfinite(lp):
            return -np.inf, grad if gradient else None
        reward = self.features.reward(theta)
        if self.likelihood == "boltzmann":
            ll, g_r = self._boltzmann(reward, gradient)
        else:
            ll, g_r = self._maxent(reward)
        return lp + ll, grad + self.features.contract(g_r) if gradient else None

    def _maxent(self, reward: np.ndarray) -> tuple[float, np.ndarray]:
        c, N = self.confidence, self.n_demos
        value, g = _objective.value_and_gradient(self.mdp, c * reward, self.demo)
        return N * value, (N * c) * g

    def _boltzmann(self, reward: np.ndarray, gradient: bool = True) -> tuple[float, np.ndarray | None]:
        mdp, c, T, gamma = self.mdp, self.confidence, self.horizon, self.discount
        if T is None:
            # Howard's policy iteration evaluates pi* exactly (sparse LU): Q* to rounding, not to a tolerance
            plan = value_iteration(mdp, reward, discount=gamma, method="policy_iteration")
        else:
            plan = value_iteration(mdp, reward, horizon=T, discount=discount_argument(T, gamma))
        Q, pi_star, N = plan.Q, plan.policy, self.counts
        VB, pi_b = soft_max(c * Q)
        n_s = N.sum(axis=-1)
        value = float(np.sum(N * (c * Q)) - np.sum(n_s * VB))
        if not gradient:
            return value, None
        # the weight on Q*, split into its non-negative parts so that each is an occupancy's start mass
        plus, minus = c * N, c * n_s[..., None] * pi_b
        PT = self.transitions_t
        return value, (_q_star_adjoint(mdp, PT, pi_star, plus, T, gamma)
                       - _q_star_adjoint(mdp, PT, pi_star, minus, T, gamma))


def _q_star_adjoint(mdp: MDP, PT: Any, pi_star: np.ndarray, weight: np.ndarray, T: int | None,
                    gamma: float) -> np.ndarray:
    r"""``d/dr sum weight * Q*`` for the policy ``pi*`` held fixed, shape ``(S, A)``; ``weight >= 0``.

    ``Q*_t = r + gamma P V*_{t+1}`` and ``V*_{t+1} = Q*_{t+1}`` at ``pi*``: the
    weight passes through ``P^T`` to the next step's states and on along
    ``pi*``, i.e. the expected discounted counts of ``pi*`` started from the
    (unnormalised) mass ``gamma P^T weight``.
    """
    S, A = mdp.n_states, mdp.n_actions
    if T is None:
        start = gamma * (PT @ weight.ravel())
        return weight + _passes.occupancy(mdp, pi_star, gamma, start)[:, None] * pi_star
    grad = np.zeros((S, A))
    D = np.zeros(S)
    for t in range(T):
        flow = weight[t] + D[:, None] * pi_star[t]
        grad += flow
        D = gamma * (PT @ flow.ravel())
    return grad


def make_posterior(mdp: MDP, demos: Any, *, features: Any = None, reward_shape: Any = None,
                   horizon: Any = None, discount: Any = None, likelihood: Any = "boltzmann",
                   confidence: Any = 1.0, prior: Any = "uniform", prior_scale: Any = 1.0,
                   bounds: Any = None, causal: bool = True) -> Posterior:
    """Validate everything once and return the :class:`Posterior` callable."""
    check_mdp(mdp)
    likelihood = check_option(likelihood, "likelihood", LIKELIHOODS)
    c = check_positive_real(confidence, "confidence")
    phi = parameter_features(mdp, features, reward_shape)
    box_prior = make_prior(prior, prior_scale, bounds)
    if likelihood == "maxent":
        demo = _objective.prepare_demonstrations(mdp, demos, horizon, discount, causal)
        return Posterior(mdp, phi, demo.horizon, demo.discount, likelihood, c, box_prior, np.zeros(0), demo,
                         demos.n_trajectories)
    T, gamma = check_horizon_discount(horizon, discount)
    demos = check_demos(demos, mdp, T)
    S, A = mdp.n_states, mdp.n_actions
    flat = demos.states[:, :-1] * A + demos.actions  # (N, T) pair index
    if T is None:
        counts = np.bincount(flat.ravel(), minlength=S * A).astype(np.float64).reshape(S, A)
    else:
        steps = np.broadcast_to(np.arange(T), flat.shape)
        counts = np.bincount((steps * S * A + flat).ravel(), minlength=T * S * A).astype(np.float64).reshape(T, S, A)
    return Posterior(mdp, phi, T, gamma, likelihood, c, box_prior, counts, None, demos.n_trajectories,
                     mdp.transitions_t)


def log_posterior(
    mdp: MDP,
    demos: Any,
    theta: Any,
    *,
    features: Any = None,
    reward_shape: Any = None,
    horizon: int | None = None,
    discount: float | None = None,
    likelihood: str = "boltzmann",
    confidence: float = 1.0,
    prior: str = "uniform",
    prior_scale: float = 1.0,
    bounds: Any = None,
    causal: bool = True,
) -> tuple[float, np.ndarray]:
    r"""Unnormalised log posterior of the reward parameters and its exact gradient.

    ``log p(theta) + log p(demos | theta)`` with the likelihoods and priors of
    the module ``tabular_irl.bayes.likelihood``.

    Parameters
    ----------
    mdp : MDP
    demos : Trajectories
        With a horizon, their horizon must equal it.
    theta : array_like, shape (d,)
        Reward parameters: ``r = features @ theta``.
    features : array_like or sparse, shape (S, d) or (S, A, d), optional
        ``None``: one parameter per state (``d = S``), or per state-action
        pair (``d = S * A``, ``theta`` in row-major ``(s, a)`` order) with
        ``reward_shape=(S, A)``.
    reward_shape : tuple, optional
        ``(S,)`` (default) or ``(S, A)``; only without ``features``.
    horizon, discount
        The model, as in :func:`~tabular_irl.value_iteration`.
    likelihood : {"boltzmann", "maxent"}, default "boltzmann"
    confidence : float, default 1.0
        ``c > 0``: the Boltzmann inverse temperature (``"maxent"``: the reward is ``c r``).
    prior : {"uniform", "gaussian", "laplace"}, default "uniform"
    prior_scale : float, default 1.0
        Standard deviation (Gaussian) or scale (Laplace).
    bounds : (lo, hi), optional
        The box of the uniform prior (required there); with the other priors
        it truncates them to the box.
    causal : bool, default True
        The model of ``likelihood="maxent"`` (as in :func:`~tabular_irl.maxent_objective`).

    Returns
    -------
    value : float
        ``-inf`` outside the box.
    gradient : ndarray, shape (d,)
        Exact (zero outside the box). For ``"boltzmann"`` it is the gradient
        where the optimal policy is unique, a one-sided one at ties (ties go
        to the lowest action, as in :func:`~tabular_irl.value_iteration`).

    Raises
    ------
    ValueError
        A bad option, ``confidence <= 0``, a uniform prior without bounds.

    See Also
    --------
    bayesian_irl : samples this posterior.
    map_irl : maximises it.

    References
    ----------
    .. [1] D. Ramachandran and E. Amir, "Bayesian inverse reinforcement
       learning", IJCAI 2007.
    .. [2] J. Choi and K.-E. Kim, "MAP inference for Bayesian inverse
       reinforcement learning", NeurIPS 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.bayes import log_posterior
    >>> world = gridworld(3, slip=0.1)
    >>> expert = value_iteration(world.mdp, world.reward, discount=0.9)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 5, horizon=4, seed=0)
    >>> value, grad = log_posterior(world.mdp, demos, np.zeros(9), discount=0.9, bounds=(-1, 1))
    >>> bool(np.isclose(value, -20 * np.log(5) - 9 * np.log(2))), grad.shape   # 20 pairs, 5 actions tie at 0
    (True, (9,))
    """
    post = make_posterior(mdp, demos, features=features, reward_shape=reward_shape, horizon=horizon,
                          discount=discount, likelihood=likelihood, confidence=confidence, prior=prior,
                          prior_scale=prior_scale, bounds=bounds, causal=causal)
    value, grad = post(post.check_theta(theta))
    return float(value), grad
