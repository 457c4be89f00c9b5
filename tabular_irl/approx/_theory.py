r"""Exact large-sample bias, variance and efficiency of the importance-sampled estimates.

For one start state ``g``, target ``p(tau | g)`` (non-causal model of reward
``r``) and a single sampler policy ``q``, write ``wbar = p / q`` (so
``E_q[wbar] = 1``). Everything the delta method needs is an expectation under
``p`` or under

.. math::

    p_2(\tau \mid g) \propto \frac{p(\tau \mid g)^2}{q(\tau \mid g)}
        \propto \prod_t P \exp\big(2 r(s_t, a_t) - \log q_t(a_t \mid s_t)\big),

itself a non-causal model (with a time-varying reward), so it is computed
exactly by message passing: ``E_q[wbar^2] = Z_2(g) / Z(g)^2 = 1 + chi^2(p || q)``
and, with ``m = E_p[C]``, ``m_2 = E_{p_2}[C]``, ``M_2 = E_{p_2}[C C^T]``,

.. math::

    n\,\mathrm{Cov}[\hat E_g C] \to (1 + \chi^2_g)\,(M_2 - m_2 m^\top - m m_2^\top + m m^\top), \qquad
    n\,\mathrm{Bias}[\hat E_g C] \to -(1 + \chi^2_g)(m_2 - m),

    n\,\mathrm{Var}[\log \hat Z_g] \to \chi^2_g, \qquad
    n\,\mathrm{Bias}[\log \hat Z_g] \to -\chi^2_g / 2.

Start states combine with weights ``rho(g)`` and expected sample counts
``n q_0(g)``. A mixture sampler has no product form (``p^2 / q`` is not a
chain), so these predictions are for single sampler policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._deprecation import renamed_arguments
from .._features import as_linear_features
from .._validation import check_distribution, check_finite_array, check_horizon, check_policy
from ..mdp import MDP, check_mdp
from ._chain import chain_moments, dense_features, noncausal_chain

__all__ = ["ImportanceSamplingTheory", "importance_sampling_theory"]


@dataclass(frozen=True, eq=False)
class ImportanceSamplingTheory:
    r"""Exact quantities behind the importance-sampled estimates, and their large-``n`` error.

    Attributes
    ----------
    log_partition : float
        Exact ``sum_g rho(g) log Z(g)`` (non-causal model).
    expected_features : ndarray, shape (d,)
        Exact ``sum_g rho(g) E_p[C | g]``.
    start_states, start_weights, sampler_start_weights : ndarray, shape (K,)
        ``g``, ``rho(g)`` and the sampler's ``q_0(g)``.
    chi2 : ndarray, shape (K,)
        ``E_q[(p/q)^2 | g] - 1``, the chi-square divergence of the target from the sampler.
    ess_fraction : float
        Limit of ``effective_sample_size / n``:
        ``1 / sum_g rho(g)^2 (1 + chi2_g) / q_0(g)``.

    See Also
    --------
    importance_sampling_theory : returns it.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3, slip=0.2, initial=(0, 0))
    >>> th = importance_sampling_theory(world.mdp, world.features, 2 * world.reward, np.full((9, 5), 0.2), horizon=5)
    >>> bool(th.chi2[0] > 0), round(th.ess_fraction, 4) == round(1 / (1 + float(th.chi2[0])), 4)
    (True, True)
    """

    log_partition: float
    expected_features: np.ndarray
    start_states: np.ndarray
    start_weights: np.ndarray
    sampler_start_weights: np.ndarray
    chi2: np.ndarray
    ess_fraction: float
    _bias: np.ndarray = field(repr=False)  # (d,): n * bias of the expected features
    _cov: np.ndarray = field(repr=False)  # (d, d): n * covariance of the expected features

    def gradient_bias(self, n: Any) -> np.ndarray:
        """Leading-order bias of the importance-sampled gradient with ``n`` samples, shape ``(d,)`` (or ``(len(n), d)``).

        Examples
        --------
        >>> th = _example_theory()
        >>> bool(np.allclose(th.gradient_bias(100), th.gradient_bias(10) / 10))  # O(1/n)
        True
        """
        return -np.multiply.outer(1.0 / np.asarray(n, dtype=np.float64), self._bias)

    def gradient_covariance(self, n: Any) -> np.ndarray:
        """Leading-order covariance of the gradient estimate, shape ``(d, d)``.

        Examples
        --------
        >>> th = _example_theory()
        >>> th.gradient_covariance(10).shape, bool(np.isclose(np.trace(th.gradient_covariance(10)),
        ...                                                     th.gradient_variance(10)))
        ((9, 9), True)
        """
        return self._cov / float(n)

    def gradient_variance(self, n: Any) -> np.ndarray | float:
        """Leading-order ``trace(Cov)`` of the gradient estimate (``E ||g_hat - E g_hat||^2``).

        Examples
        --------
        >>> th = _example_theory()
        >>> bool(np.isclose(th.gradient_variance(1) / th.gradient_variance(40), 40))
        True
        """
        return np.trace(self._cov) / np.asarray(n, dtype=np.float64)

    def log_partition_bias(self, n: Any) -> np.ndarray | float:
        """Leading-order bias of ``log Z_hat``: ``-sum_g rho(g) chi2_g / (2 n q_0(g))``.

        Examples
        --------
        >>> th = _example_theory()  # one start state
        >>> bool(np.isclose(th.log_partition_bias(10), -th.chi2[0] / 20))
        True
        """
        return -float(np.sum(self.start_weights * self.chi2 / self.sampler_start_weights)) / (
            2.0 * np.asarray(n, dtype=np.float64))

    def log_partition_variance(self, n: Any) -> np.ndarray | float:
        """Leading-order variance of ``log Z_hat``: ``sum_g rho(g)^2 chi2_g / (n q_0(g))``.

        Examples
        --------
        >>> th = _example_theory()  # one start state
        >>> bool(np.isclose(th.log_partition_variance(10), th.chi2[0] / 10))
        True
        """
        return float(np.sum(self.start_weights**2 * self.chi2 / self.sampler_start_weights)) / np.asarray(
            n, dtype=np.float64)


def _example_theory() -> ImportanceSamplingTheory:
    """The small case the method examples use: uniform sampler, 3 x 3 gridworld, theta = 2 * reward."""
    from ..envs import gridworld

    world = gridworld(3, slip=0.2, initial=(0, 0))
    return importance_sampling_theory(world.mdp, world.features, 2 * world.reward, np.full((9, 5), 0.2), horizon=5)


@renamed_arguments(start="initial")
def importance_sampling_theory(
    mdp: MDP,
    features: Any,
    theta: Any,
    sampler: Any,
    *,
    horizon: int,
    initial: Any = None,
    sampler_initial: Any = None,
) -> ImportanceSamplingTheory:
    r"""Exact targets and leading-order bias, variance and ESS of the importance-sampled estimates.

    See the module docstring for the formulas; all are computed by message
    passing (no sampling) in ``O(K T (nnz + S A d) d)`` for ``K`` start states.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
    theta : array_like, shape (d,)
    sampler : array_like, shape (S, A) or (T, S, A)
        A single sampler policy (mixtures have no product-form ``p^2 / q``),
        positive everywhere (otherwise ``chi^2`` is infinite: ``ValueError``).
    horizon : int
    initial : array_like, shape (S,), optional
        ``rho``, the start distribution of the target (the demonstrations'
        start distribution for the gradient); ``mdp.initial`` by default.
        Formerly ``start`` (deprecated).
    sampler_initial : array_like, shape (S,), optional
        ``q_0``, the sampler's start distribution; ``initial`` by default.
        Must cover every state where ``rho > 0``.

    Returns
    -------
    ImportanceSamplingTheory

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``features``, ``theta``, ``sampler``, ``horizon``, ``initial`` or
        ``sampler_initial`` out of range, of the wrong shape or not finite.

    See Also
    --------
    importance_sampled_gradient, importance_sampled_log_partition : the estimators it predicts.

    References
    ----------
    Finn, Levine & Abbeel (2016), "Guided cost learning: deep inverse optimal control via policy optimization", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3, slip=0.2, initial=(0, 0))
    >>> th = importance_sampling_theory(world.mdp, world.features, np.zeros(9), np.full((9, 5), 0.2), horizon=4)
    >>> float(th.chi2[0]), round(th.ess_fraction, 12)  # theta = 0: the uniform policy samples the target exactly
    (0.0, 1.0)
    """
    mdp = check_mdp(mdp)
    T = check_horizon(horizon)
    lf = as_linear_features(features, mdp.n_states, mdp.n_actions)
    th = check_finite_array(theta, "theta", (lf.d,))
    pi = check_policy(sampler, mdp.n_states, mdp.n_actions, T, name="sampler")
    rho = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    q0 = rho if sampler_initial is None else check_distribution(sampler_initial, "sampler_initial", mdp.n_states)
    groups = np.flatnonzero(rho > 0)
    if np.any(q0[groups] <= 0):
        g = int(groups[np.argmax(q0[groups] <= 0)])
        raise ValueError(f"sampler_initial must be positive wherever initial is, got 0 at state {g}")

    S, A = mdp.n_states, mdp.n_actions
    reward = lf.reward(th)
    pi3 = np.broadcast_to(pi, (T, S, A))
    phi = dense_features(lf, S, A)
    ones = np.ones(T)
    V, post_pi, post_k = noncausal_chain(mdp, np.broadcast_to(reward, (T, S, A)))
    if not np.all(pi3 > 0):
        idx = tuple(int(i) for i in np.argwhere(pi3 <= 0)[0])
        raise ValueError(f"sampler must give every action positive probability (the target model does), got 0 at "
                         f"(t, s, a) = {idx}: trajectories through it are never drawn and chi^2 is infinite")
    V2, pi2, k2 = noncausal_chain(mdp, 2.0 * reward[None] - np.log(pi3))
    K, d = groups.shape[0], lf.d
    chi2 = np.empty(K)
    means = np.empty((K, d))
    bias = np.zeros(d)
    cov = np.zeros((d, d))
    for k, g in enumerate(groups):
        e = np.zeros(S)
        e[g] = 1.0
        m, _, _ = chain_moments(mdp, post_pi, post_k, e, phi, ones)
        means[k] = m
        chi2[k] = max(0.0, float(np.expm1(V2[0, g] - 2.0 * V[0, g])))  # >= 0 (Cauchy-Schwarz); clip rounding
        m2, M2, _ = chain_moments(mdp, pi2, k2, e, phi, ones)
        scale = (1.0 + chi2[k]) / q0[g]
        bias += rho[g] * scale * -(m2 - m)
        cov += rho[g] ** 2 * scale * (M2 - np.outer(m2, m) - np.outer(m, m2) + np.outer(m, m))
    weights = rho[groups]
    ess_fraction = float(1.0 / np.sum(weights**2 * (1.0 + chi2) / q0[groups]))
    cov = 0.5 * (cov + cov.T)
    out = ImportanceSamplingTheory(
        log_partition=float(weights @ V[0, groups]), expected_features=weights @ means, start_states=groups,
        start_weights=weights, sampler_start_weights=q0[groups], chi2=chi2, ess_fraction=ess_fraction,
        _bias=bias, _cov=cov)
    return out
