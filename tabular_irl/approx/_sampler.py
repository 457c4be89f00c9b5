"""Sampler policies: a mixture of policies with an exact trajectory density, and checks shared by the estimators.

A sampler draws a trajectory as ``s_0 ~ initial``, ``a_t ~ q_t(.|s_t)``,
``s_{t+1} ~ P(.|s_t, a_t)``. Only the policy part of its density,
``log q(a_0, ..., a_{T-1} | s_0, ..., s_T) = log sum_k alpha_k prod_t pi_{k,t}(a_t|s_t)``,
enters an importance weight: the dynamics and the start distribution cancel
(see :mod:`tabular_irl.approx._importance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp

from .._validation import (
    _as_float_array,
    _describe,
    check_distribution,
    check_horizon,
    check_nonnegative_array,
    check_policy,
    check_positive_int,
    check_positive_real,
    check_seed,
    check_trajectories,
    check_trajectory_indices,
    readonly,
)
from ..mdp import MDP, check_mdp
from ..trajectories import Trajectories, action_frequencies, sample_trajectories, step_action_counts

__all__ = ["PolicyMixture", "as_sampler", "empirical_policy", "check_sample_weights"]


def _policy_shape(policy: Any, name: str) -> np.ndarray:
    arr = _as_float_array(policy, name)
    if arr.ndim not in (2, 3) or arr.shape[-1] < 1 or arr.shape[-2] < 1 or (arr.ndim == 3 and arr.shape[0] < 1):
        raise ValueError(f"{name} must have shape (S, A) or (T, S, A), got shape {arr.shape}")
    return arr


@dataclass(frozen=True, eq=False)
class PolicyMixture:
    r"""A mixture of policies, sampled and scored at the trajectory level.

    A trajectory is drawn by first picking component ``k`` with probability
    ``weights[k]`` and then following ``policies[k]`` for the whole episode,
    so the policy part of its density is

    .. math::

        q(\tau) = \sum_k \alpha_k \prod_{t<T} \pi_{k,t}(a_t \mid s_t)

    (times the dynamics and the start distribution, which importance weights
    do not need). Weighting samples by :math:`1 / q` with this mixture density
    is the *balance heuristic* of multiple importance sampling.

    Parameters
    ----------
    policies : sequence of array_like, each shape (S, A) or (T, S, A)
        ``policies[k][t, s, a] = pi_{k,t}(a | s)``; rows are distributions.
    weights : array_like, shape (K,), optional
        Mixture weights ``alpha`` (a distribution); uniform by default.

    See Also
    --------
    importance_sampled_gradient : takes it as ``sampler``.
    empirical_policy : a behaviour-cloned component.

    Examples
    --------
    >>> import numpy as np
    >>> stay, move = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    >>> mix = PolicyMixture([stay, move], [0.25, 0.75])
    >>> from tabular_irl import Trajectories
    >>> mix.log_prob(Trajectories([[0, 0, 0]], [[1, 1]])).round(6)  # log(0.75 * 1 * 1)
    array([-0.287682])
    """

    policies: tuple[np.ndarray, ...]
    weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        if isinstance(self.policies, np.ndarray) or not isinstance(self.policies, (list, tuple)):
            raise TypeError(f"policies must be a list or tuple of policy arrays, got {_describe(self.policies)}")
        if len(self.policies) < 1:
            raise ValueError("policies must hold at least one policy, got an empty sequence")
        arrays = [_policy_shape(p, f"policies[{k}]") for k, p in enumerate(self.policies)]
        S, A = arrays[0].shape[-2:]
        horizons = {a.shape[0] for a in arrays if a.ndim == 3}
        if len(horizons) > 1:
            raise ValueError(f"policies must share one horizon T, got time-indexed policies with T in {sorted(horizons)}")
        T = horizons.pop() if horizons else None
        checked = []
        for k, arr in enumerate(arrays):
            if arr.shape[-2:] != (S, A):
                raise ValueError(f"policies[{k}] must have (S, A) = ({S}, {A}) like policies[0], "
                                 f"got shape {arr.shape}")
            checked.append(readonly(np.array(check_policy(arr, S, A, T, name=f"policies[{k}]"), dtype=np.float64)))
        K = len(checked)
        weights = np.full(K, 1.0 / K) if self.weights is None else check_distribution(self.weights, "weights", K)
        weights = readonly(np.array(weights, dtype=np.float64))
        object.__setattr__(self, "policies", tuple(checked))
        object.__setattr__(self, "weights", weights)

    @property
    def n_states(self) -> int:
        return int(self.policies[0].shape[-2])

    @property
    def n_actions(self) -> int:
        return int(self.policies[0].shape[-1])

    @property
    def horizon(self) -> int | None:
        """``T`` of the time-indexed components, ``None`` when all are stationary."""
        for p in self.policies:
            if p.ndim == 3:
                return int(p.shape[0])
        return None

    def check_against(self, mdp: MDP, horizon: int, name: str = "sampler") -> None:
        """``ValueError`` unless the policies fit ``mdp`` and ``horizon``.

        Examples
        --------
        >>> import numpy as np
        >>> from tabular_irl import gridworld
        >>> PolicyMixture([np.full((9, 5), 0.2)]).check_against(gridworld(3).mdp, horizon=4)  # fits: no error
        """
        if (self.n_states, self.n_actions) != (mdp.n_states, mdp.n_actions):
            raise ValueError(f"{name} policies must have (S, A) = ({mdp.n_states}, {mdp.n_actions}) of the MDP, "
                             f"got ({self.n_states}, {self.n_actions})")
        if self.horizon is not None and self.horizon != horizon:
            raise ValueError(f"{name} policies must be time-indexed over horizon T={horizon}, "
                             f"got T={self.horizon}")

    def log_prob(self, trajectories: Trajectories) -> np.ndarray:
        r"""``log q(tau_i)`` of each trajectory, policy part only, shape ``(N,)``.

        ``-inf`` for a trajectory that no component can produce.

        Examples
        --------
        >>> import numpy as np
        >>> from tabular_irl import Trajectories
        >>> left, right = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
        >>> PolicyMixture([left, right]).log_prob(Trajectories([[0, 0, 0], [0, 0, 0]], [[0, 0], [0, 1]])).round(6)
        array([-0.693147,      -inf])
        """
        check_trajectories(trajectories, "trajectories", horizon=self.horizon)
        check_trajectory_indices(trajectories, "trajectories", self.n_states, self.n_actions,
                                 of="the sampler's policies")
        return _log_prob(self.policies, self.weights, trajectories.states[:, :-1], trajectories.actions)

    def sample(self, mdp: MDP, n: int, *, horizon: int, seed: int | np.random.Generator | None = None,
               initial: Any = None) -> Trajectories:
        """``n`` i.i.d. trajectories from the mixture (component counts multinomial, order shuffled).

        Arguments as in :func:`tabular_irl.sample_trajectories`.

        Examples
        --------
        >>> import numpy as np
        >>> from tabular_irl import gridworld
        >>> world = gridworld(3)
        >>> mix = PolicyMixture([np.full((9, 5), 0.2), np.eye(5)[np.full(9, 4)]], [0.5, 0.5])  # uniform or stay
        >>> mix.sample(world.mdp, 6, horizon=3, seed=0).states.shape
        (6, 4)
        """
        mdp = check_mdp(mdp)
        T = check_horizon(horizon)
        n = check_positive_int(n, "n")
        self.check_against(mdp, T)
        rng = check_seed(seed)
        counts = rng.multinomial(n, self.weights)
        states, actions = [], []
        for pk, nk in zip(self.policies, counts):
            if nk:
                tr = sample_trajectories(mdp, pk, int(nk), horizon=T, seed=rng, initial=initial)
                states.append(tr.states)
                actions.append(tr.actions)
        order = rng.permutation(n)
        return Trajectories(np.concatenate(states)[order], np.concatenate(actions)[order])


def _log_prob(policies: tuple[np.ndarray, ...], weights: np.ndarray, s: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``log sum_k w_k prod_t pi_k[t, s_t, a_t]`` for validated ``s (N, T)``, ``a (N, T)``."""
    steps = np.arange(s.shape[1])
    per = np.empty((len(policies), s.shape[0]))
    with np.errstate(divide="ignore"):
        for k, pk in enumerate(policies):
            p = pk[steps, s, a] if pk.ndim == 3 else pk[s, a]
            per[k] = np.log(p).sum(axis=1) + np.log(weights[k])
    return logsumexp(per, axis=0) if len(policies) > 1 else per[0]


def as_sampler(sampler: Any, mdp: MDP, horizon: int, name: str = "sampler") -> PolicyMixture:
    """A policy array ``(S, A)`` / ``(T, S, A)`` or a :class:`PolicyMixture`, checked against ``mdp`` and ``horizon``."""
    if not isinstance(sampler, PolicyMixture):
        # an array: checked under the sampler's own name (a mixture checks its components itself)
        sampler = PolicyMixture((check_policy(sampler, mdp.n_states, mdp.n_actions, horizon, name=name),))
    sampler.check_against(mdp, horizon, name)
    return sampler


def check_sample_weights(sample_weights: Any, n: int) -> np.ndarray:
    """Non-negative finite ``(n,)`` weights with a positive sum, as given (not normalised); ones when ``None``."""
    if sample_weights is None:
        return np.ones(n)
    c = check_nonnegative_array(sample_weights, "sample_weights", (n,))
    if not c.sum() > 0:
        raise ValueError("sample_weights must have a positive sum, got all zeros")
    return c


def empirical_policy(demos: Trajectories, n_states: int, n_actions: int, *, smoothing: float = 0.0) -> np.ndarray:
    r"""Time-indexed behaviour-cloned policy of demonstrations, shape ``(T, S, A)``.

    .. math::

        \hat\pi_t(a \mid s) = \frac{n_t(s, a) + \epsilon}{n_t(s) + A \epsilon},

    with ``n_t(s, a)`` the number of demonstrations in ``s`` taking ``a`` at
    step ``t`` and ``epsilon`` = ``smoothing``; uniform where ``n_t(s) = 0``.
    Mixed with a policy of full support it gives the "mixture with the
    demonstrations" sampler of guided cost learning (Finn et al. 2016).

    Parameters
    ----------
    demos : Trajectories
        ``N`` demonstrations of horizon ``T``.
    n_states, n_actions : int
        ``S`` and ``A``; every state and action index of ``demos`` must be below them.
    smoothing : float, default 0.0
        ``epsilon >= 0``, added to every count (Laplace smoothing).

    Returns
    -------
    ndarray, shape (T, S, A)
        ``policy[t, s, a]``; every row sums to 1.

    Raises
    ------
    TypeError
        ``demos`` is not ``Trajectories``; ``n_states`` / ``n_actions`` not
        integers; ``smoothing`` not a real number.
    ValueError
        An index of ``demos`` out of range (named by trajectory and step), or
        ``smoothing`` negative or not finite.

    See Also
    --------
    PolicyMixture : mix it with a policy of full support to sample from it.

    References
    ----------
    Finn, Levine & Abbeel (2016), "Guided cost learning: deep inverse optimal
    control via policy optimization", ICML.

    Examples
    --------
    >>> from tabular_irl import Trajectories
    >>> demos = Trajectories([[0, 1], [0, 0]], [[1], [1]])
    >>> empirical_policy(demos, 2, 2)[0]
    array([[0. , 1. ],
           [0.5, 0.5]])
    """
    check_trajectories(demos, "demos")
    S = check_positive_int(n_states, "n_states")
    A = check_positive_int(n_actions, "n_actions")
    eps = check_positive_real(smoothing, "smoothing", allow_zero=True)
    check_trajectory_indices(demos, "demos", S, A, of=None)
    return action_frequencies(step_action_counts(demos, S, A, demos.horizon), eps)
