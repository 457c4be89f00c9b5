r"""Monte-Carlo feature expectations and visitation, and the exact moments they estimate.

The estimator is a weighted mean over trajectories,

.. math::

    \hat C = \sum_j \bar c_j\, C(\tau_j), \qquad
    C(\tau) = \sum_{t<T} \gamma^t \phi(s_t, a_t), \qquad
    \bar c_j = c_j / \textstyle\sum_i c_i,

with ``c_j = 1`` for ``n`` rollouts (the plain sample mean). Any other
non-negative weights are accepted, so that weighting *every* trajectory of a
tiny MDP by its probability gives the exact expectation: the
infinite-sample limit, testable to rounding. The mean-squared error of the
plain mean is exactly ``trace(Cov[C]) / n``; :func:`feature_count_moments`
computes ``Cov[C]`` without sampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._deprecation import renamed_arguments
from .._features import LinearFeatures, as_linear_features
from .._logspace import discount_weights
from .._validation import (
    _describe,
    check_discount,
    check_distribution,
    check_horizon,
    check_policy,
    check_positive_int,
    check_trajectories,
)
from ..inference import Visitation, visitation_of_counts
from ..mdp import MDP, check_mdp
from ..trajectories import Trajectories, sample_trajectories
from ._chain import chain_moments, dense_features
from ._sampler import check_sample_weights

__all__ = [
    "SampledFeatureExpectations",
    "FeatureCountMoments",
    "weighted_feature_expectations",
    "sampled_feature_expectations",
    "feature_count_moments",
]


@dataclass(frozen=True, eq=False)
class SampledFeatureExpectations:
    """Monte-Carlo (weighted) visitation and feature counts of a set of trajectories.

    Attributes
    ----------
    visitation : Visitation
        ``state (T+1, S)``, ``state_action (T, S, A)`` and
        ``total_state_action (S, A)`` (``sum_t gamma^t state_action[t]``),
        weighted means of the indicators over the trajectories; usable
        wherever an exact :class:`~tabular_irl.Visitation` is.
    feature_counts : ndarray, shape (d,) or None
        ``sum_j cbar_j C(tau_j)``; ``None`` without features.
    standard_error : ndarray, shape (d,) or None
        Standard error of each component,
        ``sqrt(n_eff / (n_eff - 1) * sum_j cbar_j^2 (C_j - C_hat)^2)`` with
        ``n_eff = 1 / sum_j cbar_j^2`` (for equal weights: the sample standard
        deviation over ``sqrt(n)``); ``inf`` when ``n_eff <= 1``.
    n_trajectories : int
    effective_sample_size : float
        Kish's ``1 / sum_j cbar_j^2`` (``n`` for equal weights).

    See Also
    --------
    sampled_feature_expectations, weighted_feature_expectations : return it.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP, Trajectories
    >>> coin = MDP.from_dense(np.full((2, 1, 2), 0.5), initial=[1.0, 0.0])
    >>> est = weighted_feature_expectations(coin, Trajectories([[0, 0], [0, 1]], [[0], [0]]),
    ...                                     features=np.eye(2), sample_weights=[3.0, 1.0])
    >>> est.feature_counts.tolist(), est.effective_sample_size, est.visitation.state[1].tolist()
    ([1.0, 0.0], 1.6, [0.75, 0.25])
    """

    visitation: Visitation
    feature_counts: np.ndarray | None
    standard_error: np.ndarray | None
    n_trajectories: int
    effective_sample_size: float


@dataclass(frozen=True, eq=False)
class FeatureCountMoments:
    r"""Exact mean and covariance of the per-trajectory feature count ``C = sum_t gamma^t phi(s_t, a_t)``.

    Attributes
    ----------
    mean : ndarray, shape (d,)
        ``E[C]``, the expected feature counts.
    covariance : ndarray, shape (d, d)
        ``Cov[C]``.

    See Also
    --------
    feature_count_moments : returns it.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> coin = MDP.from_dense(np.full((2, 1, 2), 0.5), initial=[1.0, 0.0])
    >>> m = feature_count_moments(coin, [[1.0], [1.0]], np.eye(2), horizon=3)
    >>> m.mean.tolist(), m.total_variance
    ([2.0, 1.0], 1.0)
    """

    mean: np.ndarray
    covariance: np.ndarray

    @property
    def total_variance(self) -> float:
        """``trace(Cov[C]) = E ||C - E C||^2``."""
        return float(np.trace(self.covariance))

    def rmse(self, n: int | np.ndarray) -> float | np.ndarray:
        """Root-mean-squared error ``sqrt(trace(Cov) / n)`` of the mean of ``n`` rollouts (exact, any ``n``).

        Examples
        --------
        >>> FeatureCountMoments(mean=np.zeros(2), covariance=np.eye(2)).rmse([2, 8]).tolist()
        [1.0, 0.5]
        """
        return np.sqrt(self.total_variance / np.asarray(n, dtype=np.float64))


def _trajectory_feature_counts(tr: Trajectories, features: LinearFeatures, gamma: float) -> np.ndarray:
    """``C_j = sum_t gamma^t phi(s_t^j, a_t^j)`` for every trajectory, shape ``(N, d)``."""
    N, T = tr.actions.shape
    S, A = features.n_states, features.n_actions
    rows = np.repeat(np.arange(N), T)
    w = np.tile(discount_weights(T, gamma), N)
    if features.per_action:
        cols = (tr.states[:, :-1] * A + tr.actions).ravel()
        M = sp.csr_array((w, (rows, cols)), shape=(N, S * A))
        return np.asarray(M @ features.phi.reshape(S * A, -1), dtype=np.float64)
    M = sp.csr_array((w, (rows, tr.states[:, :-1].ravel())), shape=(N, S))
    out = M @ features.phi
    return np.asarray(out.toarray() if sp.issparse(out) else out, dtype=np.float64)


def _weighted_visitation(tr: Trajectories, cbar: np.ndarray, S: int, A: int, gamma: float) -> Visitation:
    N, T = tr.actions.shape
    D = np.zeros((T + 1, S))
    mu = np.zeros((T, S, A))
    np.add.at(D, (np.broadcast_to(np.arange(T + 1), (N, T + 1)), tr.states), np.broadcast_to(cbar[:, None], (N, T + 1)))
    np.add.at(mu, (np.broadcast_to(np.arange(T), (N, T)), tr.states[:, :-1], tr.actions),
              np.broadcast_to(cbar[:, None], (N, T)))
    return visitation_of_counts(D, mu, T, gamma)


def _summary(C: np.ndarray, cbar: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted mean, its standard error and Kish's effective sample size."""
    mean = cbar @ C
    n_eff = float(1.0 / np.sum(cbar**2))
    if n_eff <= 1.0 + 1e-12:
        return mean, np.full(C.shape[1], np.inf), n_eff
    var = (cbar**2) @ (C - mean) ** 2 * (n_eff / (n_eff - 1.0))
    return mean, np.sqrt(var), n_eff


@renamed_arguments(trajectories="demos")
def weighted_feature_expectations(
    mdp: MDP,
    demos: Trajectories,
    *,
    features: Any = None,
    discount: float | None = None,
    sample_weights: Any = None,
) -> SampledFeatureExpectations:
    r"""Visitation and feature counts of trajectories as a weighted mean (the estimator's core).

    .. math::

        \hat D_t(s) = \sum_j \bar c_j 1[s^j_t = s], \quad
        \hat\mu_t(s, a) = \sum_j \bar c_j 1[s^j_t = s, a^j_t = a], \quad
        \hat C = \sum_j \bar c_j \sum_{t<T} \gamma^t \phi(s^j_t, a^j_t).

    Parameters
    ----------
    mdp : MDP
    demos : Trajectories
        ``N`` trajectories of horizon ``T``: demonstrations, or any sample
        (of a policy, of a sampler). Formerly ``trajectories`` (deprecated).
    features : array_like or sparse matrix, shape (S, d) or (S, A, d), optional
    discount : float, optional
        ``gamma`` in ``[0, 1]`` weighting step ``t`` by ``gamma^t`` (in
        ``total_state_action`` and the feature counts); undiscounted by default.
    sample_weights : array_like, shape (N,), optional
        Non-negative weights ``c_j`` (normalised here); equal by default.
        Weighting every trajectory by its probability gives the exact
        expectation.

    Returns
    -------
    SampledFeatureExpectations

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``demos`` of the wrong type;
        the message names it.
    ValueError
        ``demos``, ``features``, ``discount`` or ``sample_weights`` out of
        range, of the wrong shape or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    sampled_feature_expectations : draws the trajectories first.
    tabular_irl.empirical_feature_counts : the plain mean of demonstrations.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP, Trajectories
    >>> coin = MDP.from_dense(np.full((2, 1, 2), 0.5), initial=[1.0, 0.0])
    >>> both = Trajectories([[0, 0], [0, 1]], [[0], [0]])
    >>> weighted_feature_expectations(coin, both, features=np.eye(2)).visitation.state[1]
    array([0.5, 0.5])
    """
    mdp = check_mdp(mdp)
    tr = check_trajectories(demos, "demos", mdp, None)
    gamma = 1.0 if discount is None else check_discount(discount, allow_one=True)
    c = check_sample_weights(sample_weights, tr.n_trajectories)
    cbar = c / c.sum()
    vis = _weighted_visitation(tr, cbar, mdp.n_states, mdp.n_actions, gamma)
    if features is None:
        return SampledFeatureExpectations(vis, None, None, tr.n_trajectories, float(1.0 / np.sum(cbar**2)))
    lf = as_linear_features(features, mdp.n_states, mdp.n_actions)
    mean, se, n_eff = _summary(_trajectory_feature_counts(tr, lf, gamma), cbar)
    return SampledFeatureExpectations(vis, mean, se, tr.n_trajectories, n_eff)


def sampled_feature_expectations(
    mdp: MDP,
    policy: Any,
    n: int,
    *,
    horizon: int,
    features: Any = None,
    discount: float | None = None,
    seed: int | np.random.Generator | None = None,
    initial: Any = None,
) -> SampledFeatureExpectations:
    r"""Monte-Carlo estimate of visitation and expected feature counts from ``n`` rollouts of ``policy``.

    Draws ``n`` trajectories with :func:`~tabular_irl.sample_trajectories` and
    averages them (:func:`weighted_feature_expectations` with equal weights).
    Unbiased, with mean-squared error ``trace(Cov[C]) / n`` (see
    :func:`feature_count_moments`): the ``1 / sqrt(n)`` rate.

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A)
    n : int
        Number of rollouts (>= 1).
    horizon : int
    features : array_like or sparse matrix, shape (S, d) or (S, A, d), optional
    discount : float, optional
        ``gamma`` in ``[0, 1]``; undiscounted by default.
    seed : int, Generator or None
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial`` by default).

    Returns
    -------
    SampledFeatureExpectations

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``seed`` neither an integer nor a Generator; the
        message names it.
    ValueError
        ``policy``, ``n``, ``horizon``, ``features``, ``discount`` or
        ``initial`` out of range, of the wrong shape or not finite.

    See Also
    --------
    weighted_feature_expectations : the weighted mean of given trajectories.
    feature_count_moments : the exact mean and covariance.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.1)
    >>> est = sampled_feature_expectations(world.mdp, np.full((16, 5), 0.2), 500, horizon=6,
    ...                                    features=world.features, seed=0)
    >>> est.feature_counts.shape, round(float(est.feature_counts.sum()), 9)  # one-hot: T visits
    ((16,), 6.0)
    """
    mdp = check_mdp(mdp)
    tr = sample_trajectories(mdp, policy, n, horizon=horizon, seed=seed, initial=initial)
    return weighted_feature_expectations(mdp, tr, features=features, discount=discount)


def feature_count_moments(
    mdp: MDP,
    policy: Any,
    features: Any,
    *,
    horizon: int,
    discount: float | None = None,
    initial: Any = None,
) -> FeatureCountMoments:
    r"""Exact mean and covariance of ``C = sum_{t<T} gamma^t phi(s_t, a_t)`` under ``policy``.

    .. math::

        E[C C^\top] = \sum_t \sum_{s,a} \mu_t(s, a) \big[\gamma^{2t} \phi\phi^\top
            + \gamma^t (\phi G_t^\top + G_t \phi^\top)\big](s, a),

    with :math:`\mu_t` the forward visitation and
    :math:`G_t(s, a) = E[\sum_{t' > t} \gamma^{t'} \phi(s_{t'}, a_{t'}) \mid s_t = s, a_t = a]`
    from one backward recursion over the sparse ``P``. Cost
    ``O(T (nnz + S A d) d)``; features are densified to ``(S*A, d)``.

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A)
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
    horizon : int
    discount : float, optional
        ``gamma`` in ``[0, 1]``; undiscounted by default.
    initial : array_like, shape (S,), optional

    Returns
    -------
    FeatureCountMoments

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``policy``, ``features``, ``horizon``, ``discount`` or ``initial`` out
        of range, of the wrong shape or not finite.

    See Also
    --------
    sampled_feature_expectations : the Monte-Carlo estimate whose error it predicts.
    tabular_irl.expected_feature_counts : the mean alone.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import MDP
    >>> coin = MDP.from_dense(np.full((2, 1, 2), 0.5), initial=[1.0, 0.0])
    >>> m = feature_count_moments(coin, [[1.0], [1.0]], np.eye(2), horizon=2)
    >>> m.mean, m.covariance  # s_0 = 0, s_1 a fair coin
    (array([1.5, 0.5]), array([[ 0.25, -0.25],
           [-0.25,  0.25]]))
    """
    mdp = check_mdp(mdp)
    T = check_horizon(horizon)
    gamma = 1.0 if discount is None else check_discount(discount, allow_one=True)
    pi = check_policy(policy, mdp.n_states, mdp.n_actions, T)
    init = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    lf = as_linear_features(features, mdp.n_states, mdp.n_actions)
    phi = dense_features(lf, mdp.n_states, mdp.n_actions)
    mean, second, _ = chain_moments(mdp, pi, None, init, phi, discount_weights(T, gamma))
    cov = second - np.outer(mean, mean)
    cov = 0.5 * (cov + cov.T)
    return FeatureCountMoments(mean=mean, covariance=cov)


def check_ns(ns: Any, name: str = "ns") -> np.ndarray:
    """A non-empty increasing sequence of sample sizes >= 1, as int64."""
    if isinstance(ns, (int, np.integer)) or not hasattr(ns, "__len__"):
        raise TypeError(f"{name} must be a sequence of integers, got {_describe(ns)}")
    if len(ns) < 1:
        raise ValueError(f"{name} must hold at least one sample size, got an empty sequence")
    out = np.array([check_positive_int(v, f"{name}[{i}]") for i, v in enumerate(ns)], dtype=np.int64)
    if np.any(np.diff(out) <= 0):
        raise ValueError(f"{name} must be strictly increasing, got {out.tolist()}")
    return out
