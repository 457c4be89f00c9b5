"""Demonstrations: the ``Trajectories`` type, sampling from a policy, empirical counts.

A trajectory is ``(s_0, a_0, s_1, ..., s_{T-1}, a_{T-1}, s_T)``; ``N`` of them
are stored as ``states (N, T+1)`` and ``actions (N, T)``, int64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._deprecation import DeprecatedUnpacking
from ._features import as_linear_features
from ._logspace import discount_weights
from ._validation import (
    check_discount,
    check_distribution,
    check_finite_array,
    check_horizon,
    check_index_array,
    check_policy,
    check_positive_int,
    check_seed,
    check_trajectories,
    check_trajectory_indices,
)
from .inference import Visitation
from .mdp import MDP, check_mdp

__all__ = ["Trajectories", "sample_trajectories", "empirical_feature_counts", "empirical_visitation"]


@dataclass(frozen=True, eq=False)
class Trajectories:
    """``N`` demonstrations of horizon ``T``.

    Parameters
    ----------
    states : array_like of int, shape (N, T+1)
        ``states[i, t] = s_t`` of trajectory ``i``, including the final ``s_T``.
    actions : array_like of int, shape (N, T)
        ``actions[i, t] = a_t``.

    Shapes and dtypes are checked here; index ranges are checked against an
    MDP when the trajectories are used with one (:meth:`check_against`).
    Both arrays are stored as read-only int64 copies.

    Attributes
    ----------
    n_trajectories : int
        ``N`` (also ``len(demos)``).
    horizon : int
        ``T``, the number of decisions per trajectory.

    See Also
    --------
    sample_trajectories : draws them.
    load_trajectories, save_trajectories : files.

    Examples
    --------
    Two trajectories of two decisions, ``(s_0, a_0, s_1, a_1, s_2)`` each:

    >>> demos = Trajectories(states=[[0, 1, 1], [0, 0, 1]], actions=[[1, 0], [0, 1]])
    >>> len(demos), demos.horizon, demos.states.dtype
    (2, 2, dtype('int64'))
    >>> Trajectories(states=[[0, 1, 1]], actions=[[1, 0, 0]])
    Traceback (most recent call last):
        ...
    ValueError: actions must have shape (N, T) = (1, 2) to match states of shape (N, T+1) = (1, 3), got shape (1, 3)
    """

    states: np.ndarray
    actions: np.ndarray

    def __post_init__(self) -> None:
        states = check_index_array(self.states, "states", 2)
        actions = check_index_array(self.actions, "actions", 2)
        if states.shape[0] < 1:
            raise ValueError(f"states must hold at least one trajectory, got shape {states.shape}")
        if actions.shape != (states.shape[0], states.shape[1] - 1):
            raise ValueError(
                f"actions must have shape (N, T) = ({states.shape[0]}, {states.shape[1] - 1}) to match "
                f"states of shape (N, T+1) = {states.shape}, got shape {actions.shape}"
            )
        if actions.shape[1] < 1:
            raise ValueError(f"trajectories must have at least one decision (T >= 1), got states of shape {states.shape}")
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "actions", actions)

    @property
    def n_trajectories(self) -> int:
        return int(self.states.shape[0])

    @property
    def horizon(self) -> int:
        return int(self.actions.shape[1])

    def __len__(self) -> int:
        return self.n_trajectories

    def check_against(self, mdp: MDP, name: str = "demos") -> None:
        """Raise ``ValueError`` if a state or action index is out of range for ``mdp``.

        The message names the first bad index by trajectory and step, calling
        these trajectories ``name``.

        Examples
        --------
        >>> import numpy as np
        >>> from tabular_irl import MDP
        >>> one_state = MDP.from_dense(np.ones((1, 2, 1)), initial=[1.0])
        >>> Trajectories(states=[[0, 0]], actions=[[1]]).check_against(one_state)
        >>> Trajectories(states=[[0, 3]], actions=[[1]]).check_against(one_state)
        Traceback (most recent call last):
            ...
        ValueError: demos.states[0, 1] = 3 is not a state of this MDP (n_states=1)
        """
        check_trajectory_indices(self, name, mdp.n_states, mdp.n_actions)

    def counts(self, n_states: int, n_actions: int, *, discount: float = 1.0) -> np.ndarray:
        """Mean discounted state-action counts ``(S, A)``: ``mean_i sum_{t<T} gamma^t 1[s_t = s, a_t = a]``.

        Examples
        --------
        >>> demos = Trajectories(states=[[0, 1, 1], [0, 0, 1]], actions=[[1, 0], [0, 1]])
        >>> demos.counts(2, 2).tolist()
        [[0.5, 1.0], [0.5, 0.0]]
        >>> demos.counts(2, 2, discount=0.5).tolist()       # step t weighs 0.5**t
        [[0.5, 0.75], [0.25, 0.0]]
        """
        check_trajectory_indices(self, "demos", n_states, n_actions, of=None)
        N, T = self.actions.shape
        weights = np.broadcast_to(discount_weights(T, discount), (N, T)).ravel() / N
        flat = (self.states[:, :-1] * n_actions + self.actions).ravel()
        return np.bincount(flat, weights=weights, minlength=n_states * n_actions).reshape(n_states, n_actions)

    def start_distribution(self, n_states: int) -> np.ndarray:
        """Empirical distribution of ``s_0``, shape ``(n_states,)``.

        Examples
        --------
        >>> Trajectories(states=[[0, 1], [2, 2]], actions=[[0], [0]]).start_distribution(3).tolist()
        [0.5, 0.0, 0.5]
        """
        return np.bincount(self.states[:, 0], minlength=n_states) / self.n_trajectories


def _row_cumsums(indptr: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Cumulative sums restarted at every CSR row (each row's own running total, exactly).

    One global cumsum would carry the magnitude of all previous rows, losing
    probabilities below ~ulp(number of rows) on large MDPs. The loop runs over
    positions within a row (at most the longest row), vectorised over rows.
    """
    local = np.array(data, dtype=np.float64)
    starts, lengths = indptr[:-1], np.diff(indptr)
    for j in range(1, int(lengths.max(initial=0))):
        rows = starts[lengths > j]
        local[rows + j] += local[rows + j - 1]
    return local


def _sample_rows(local_cum: np.ndarray, starts: np.ndarray, ends: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw of one entry per row: a binary search inside each row's own cumsum."""
    target = u * local_cum[ends - 1]
    lo, hi = starts.copy(), ends - 1  # the answer lies in [lo, hi]
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        right = local_cum[mid] <= target  # strictly beyond mid
        lo = np.where(right & (lo < hi), mid + 1, lo)
        hi = np.where(~right & (lo < hi), mid, hi)
    return lo


def sample_trajectories(
    mdp: MDP,
    policy: Any,
    n: int,
    *,
    horizon: int,
    seed: int | np.random.Generator | None = None,
    initial: Any = None,
) -> Trajectories:
    """Sample ``n`` trajectories of ``horizon`` decisions from ``policy`` under ``mdp``.

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A)
    n : int
        Number of trajectories (>= 1).
    horizon : int
    seed : int, Generator or None
        Same seed, same trajectories.
    initial : array_like, shape (S,), optional
        Start distribution (``mdp.initial`` by default).

    Returns
    -------
    Trajectories

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``seed`` neither an integer nor a Generator; the
        message names it.
    ValueError
        ``policy``, ``n``, ``horizon`` or ``initial`` out of range, of the wrong
        shape or not finite.

    See Also
    --------
    Trajectories : what it returns.
    visitation : the exact expectation of the samples' visits.

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward, sample_trajectories
    >>> world = gridworld(4, 4)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=5)
    >>> demos = sample_trajectories(world.mdp, plan.policy, 3, horizon=5, seed=0)
    >>> demos.states.shape, demos.actions.shape
    ((3, 6), (3, 5))
    """
    check_mdp(mdp)
    T = check_horizon(horizon)
    n = check_positive_int(n, "n")
    pi = check_policy(policy, mdp.n_states, mdp.n_actions, T)
    rng = check_seed(seed)
    init = mdp.initial if initial is None else check_distribution(initial, "initial", mdp.n_states)
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.transitions
    p_cum = _row_cumsums(P.indptr.astype(np.int64), P.data)
    indptr = P.indptr.astype(np.int64)

    states = np.empty((n, T + 1), dtype=np.int64)
    actions = np.empty((n, T), dtype=np.int64)
    init_cum = np.cumsum(init)
    states[:, 0] = np.minimum(np.searchsorted(init_cum, rng.random(n) * init_cum[-1], side="right"), S - 1)
    # never start in a zero-probability state because of rounding at the top of the CDF
    states[:, 0] = np.where(init[states[:, 0]] > 0, states[:, 0], np.flatnonzero(init)[-1])
    for t in range(T):
        pt = pi if pi.ndim == 2 else pi[t]
        s = states[:, t]
        a_cum = np.cumsum(pt[s], axis=1)
        a = (a_cum < rng.random(n)[:, None] * a_cum[:, -1:]).sum(axis=1)
        a = np.minimum(a, A - 1)
        # rounding can land on a zero-probability action at the top: step back to the last positive one
        bad = pt[s, a] <= 0
        if np.any(bad):
            last_pos = A - 1 - np.argmax(pt[s[bad], ::-1] > 0, axis=1)
            a[bad] = last_pos
        actions[:, t] = a
        rows = s * A + a
        j = _sample_rows(p_cum, indptr[rows], indptr[rows + 1], rng.random(n))
        states[:, t + 1] = P.indices[j]
    return Trajectories(states, actions)


def empirical_feature_counts(demos: Trajectories, features: Any, *, discount: float | None = None) -> np.ndarray:
    r"""Mean over trajectories of :math:`\sum_{t<T} \gamma^t \phi(s_t, a_t)`.

    Parameters
    ----------
    demos : Trajectories
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``S`` and ``A`` are taken from ``features`` (with ``(S, d)`` any action
        index is accepted).
    discount : float, optional
        ``gamma`` in ``[0, 1]``; undiscounted when omitted.

    Returns
    -------
    ndarray, shape (d,)

    Raises
    ------
    TypeError
        ``demos`` of the wrong type; the message names it.
    ValueError
        ``demos``, ``features`` or ``discount`` out of range, of the wrong shape
        or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    expected_feature_counts : the exact expectation under a policy.
    tabular_irl.trajectories.empirical_visitation : the empirical visitation.

    Examples
    --------
    With one-hot state features the counts are the mean visits of each state
    before the last one (``s_T`` is not counted):

    >>> import numpy as np
    >>> demos = Trajectories(states=[[0, 1, 1], [0, 0, 1]], actions=[[1, 0], [0, 1]])
    >>> empirical_feature_counts(demos, np.eye(2)).tolist()
    [1.5, 0.5]
    >>> empirical_feature_counts(demos, np.eye(2), discount=0.5).tolist()
    [1.25, 0.25]
    """
    check_trajectories(demos, "demos")
    shape = getattr(features, "shape", None)
    if shape is None:
        shape = check_finite_array(features, "features").shape
    if len(shape) not in (2, 3):
        raise ValueError(f"features must have shape (S, d) or (S, A, d), got shape {tuple(shape)}")
    S = shape[0]
    A = shape[1] if len(shape) == 3 else int(demos.actions.max()) + 1
    phi = as_linear_features(features, S, A)
    gamma = 1.0 if discount is None else check_discount(discount, allow_one=True)
    return phi.contract(demos.counts(S, A, discount=gamma))


class _EmpiricalVisitation(DeprecatedUnpacking, Visitation):
    """The :class:`~tabular_irl.Visitation` of :func:`empirical_visitation`; ``D, mu = ...`` still unpacks."""

    _unpacking = ("state", "state_action")


def empirical_visitation(demos: Trajectories, n_states: int, n_actions: int) -> Visitation:
    """Empirical visitation of demonstrations: ``(T+1, S)`` state and ``(T, S, A)`` state-action frequencies.

    ``state[t, s]`` is the fraction of trajectories with ``s_t = s`` and
    ``state_action[t, s, a]`` the fraction with ``(s_t, a_t) = (s, a)``: the
    empirical twins of :func:`~tabular_irl.visitation`'s fields, returned as
    the same :class:`~tabular_irl.Visitation` (``total_state_action`` is
    their sum over ``t``, undiscounted, so it sums to ``T``). It used to be
    the tuple ``(D, mu)``; unpacking it that way still works for one release,
    with a ``DeprecationWarning``.

    Parameters
    ----------
    demos : Trajectories
        ``N`` trajectories of horizon ``T``.
    n_states, n_actions : int
        ``S`` and ``A`` of the MDP the indices refer to.

    Returns
    -------
    Visitation
        ``state (T+1, S)``, ``state_action (T, S, A)``,
        ``total_state_action (S, A)``, ``horizon = T``, ``discount = 1``.

    Raises
    ------
    TypeError
        ``demos`` not a :class:`Trajectories`.
    ValueError
        A state or action index outside ``[0, S)`` or ``[0, A)``.

    See Also
    --------
    tabular_irl.visitation : the exact expected visitation of a policy.
    empirical_feature_counts : the empirical feature counts of demonstrations.

    Examples
    --------
    >>> demos = Trajectories(states=[[0, 1, 1], [0, 0, 1]], actions=[[1, 0], [0, 1]])
    >>> vis = empirical_visitation(demos, 2, 2)
    >>> vis.state.tolist()
    [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    >>> vis.state_action.shape, vis.state_action.sum(axis=(1, 2)).tolist()
    ((2, 2, 2), [1.0, 1.0])
    >>> float(vis.total_state_action.sum())  # T = 2 steps
    2.0
    """
    check_trajectories(demos, "demos")
    check_trajectory_indices(demos, "demos", n_states, n_actions, of=None)
    N, T = demos.n_trajectories, demos.horizon
    D = np.zeros((T + 1, n_states))
    mu = np.zeros((T, n_states, n_actions))
    # integer counts first, one division last: 1/N added N times is not exactly 1
    np.add.at(D, (np.broadcast_to(np.arange(T + 1), (N, T + 1)), demos.states), 1.0)
    np.add.at(mu, (np.broadcast_to(np.arange(T), (N, T)), demos.states[:, :-1], demos.actions), 1.0)
    D /= N
    mu /= N
    return _EmpiricalVisitation(D, mu, mu.sum(axis=0), T, 1.0)


# counts of demonstrated actions and their maximum-likelihood policy (rl's cloning, approx's sampler)

def step_action_counts(demos: Trajectories, S: int, A: int, T: int | None) -> np.ndarray:
    """Demonstrated counts ``n_t(s, a)`` ``(T, S, A)`` of the first ``T`` steps, or ``n(s, a)`` ``(S, A)`` of all.

    Trusted: ``demos`` already checked against ``S`` and ``A``. Shared by behavioural cloning
    (:mod:`tabular_irl.rl`) and :func:`tabular_irl.approx.empirical_policy`.
    """
    if T is None:
        flat = (demos.states[:, :-1] * A + demos.actions).ravel()
        return np.bincount(flat, minlength=S * A).reshape(S, A).astype(np.float64)
    t = np.broadcast_to(np.arange(T), (demos.n_trajectories, T))
    flat = ((t * S + demos.states[:, :T]) * A + demos.actions[:, :T]).ravel()
    return np.bincount(flat, minlength=T * S * A).reshape(T, S, A).astype(np.float64)


def action_frequencies(counts: np.ndarray, smoothing: float) -> np.ndarray:
    """``(n + alpha) / (sum_a n + A alpha)`` per row; uniform on rows without counts (and ``alpha = 0``)."""
    A = counts.shape[-1]
    num = counts + smoothing
    den = num.sum(axis=-1, keepdims=True)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0 / A)
