r"""Tabular Q-learning with a replay buffer, a target table and demonstrations (Algorithm 34, §6.5.3).

Every environment step acts epsilon-greedily on ``Q``, stores the transition
``(s, a, r(s, a), s')`` in a replay buffer of ``buffer_size`` (oldest out
first), then makes ``n_updates`` minibatch updates: ``batch_size``
transitions drawn uniformly (with replacement) from the buffer, targets

.. math::

    y = r(s, a) + b(s, a) + \gamma \max_{a'} \bar Q(s', a')

from the *target table* ``Q̄`` (a copy of ``Q`` refreshed every
``target_update`` environment steps), and ``Q(s, a) += lr * mean_j (y_j - Q(s, a))``
over the batch's samples of each pair (the semi-gradient of the squared TD
error, averaged per pair so that repeated draws of one pair do not overshoot).

With ``demos`` the demonstrated transitions pre-fill the buffer and stay in
it (they are never overwritten: the agent's transitions cycle in the other
``buffer_size`` slots). ``demo_margin = l`` adds DQfD's large-margin loss on
the demonstrated samples of each batch (Hester et al. 2018),

.. math::

    J_E(Q) = \max_a \big[Q(s, a) + l\, 1[a \ne a_E]\big] - Q(s, a_E),

whose subgradient raises ``Q(s, a_E)`` and lowers the maximising ``Q(s, a)``
by one unit each, added to those pairs' averaged TD errors.
``exploration_bonus="count"`` adds ``b(s, a) = beta / sqrt(N(s, a))`` with
``N`` the agent's visits.

Every ``checkpoint`` the exact ``||Q - Q*||_inf`` (``Q*`` from
:func:`~tabular_irl.value_iteration`, solved exactly by policy iteration) and
the exact return of the greedy policy are recorded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_discount, check_positive_int, check_positive_real, check_real, check_seed
from ..irl._common import check_demos
from ..mdp import MDP
from ..planning import value_iteration
from ..trajectories import Trajectories, _row_cumsums
from ._policies import policy_return, resolve
from ._results import QLearningResult, freeze

__all__ = ["q_learning"]


def _greedy(Q: np.ndarray) -> np.ndarray:
    """The one-hot greedy policy of ``Q (S, A)`` (ties to the lowest action)."""
    pi = np.zeros_like(Q)
    pi[np.arange(Q.shape[0]), Q.argmax(axis=1)] = 1.0
    return pi


def _check_options(batch_size: int, buffer_size: int, epsilon: Any, lr: Any, exploration_bonus: Any,
                   demo_margin: Any) -> tuple[float, float, float | None]:
    if batch_size > buffer_size:
        raise ValueError(f"batch_size must be <= buffer_size={buffer_size}, got batch_size={batch_size}")
    eps = check_real(epsilon, "epsilon", 0.0, 1.0)
    rate = check_positive_real(lr, "lr")
    if rate > 1.0:
        # beyond 1 the update overshoots its target: from about 1.9 the table diverges, to NaN by 2
        raise ValueError(f"lr must be <= 1 (Q += lr * (y - Q) overshoots the target y beyond it), got {rate!r}")
    if exploration_bonus not in (None, "count"):
        raise ValueError(f"exploration_bonus must be None or 'count', got {exploration_bonus!r}")
    margin = None if demo_margin is None else check_positive_real(demo_margin, "demo_margin", allow_zero=True)
    return eps, rate, margin


def q_learning(
    mdp: MDP,
    reward: Any,
    *,
    discount: float,
    n_steps: int,
    buffer_size: int,
    batch_size: int,
    n_updates: int = 1,
    target_update: int,
    lr: float,
    epsilon: float,
    demos: Trajectories | None = None,
    demo_margin: float | None = None,
    exploration_bonus: str | None = None,
    bonus_scale: float = 1.0,
    episode_length: int | None = None,
    n_checkpoints: int = 20,
    initial: Any = None,
    seed: int | np.random.Generator | None = None,
) -> QLearningResult:
    r"""Tabular Q-learning with replay, a target table and optional demonstrations (module docstring).

    Episodes start from ``initial`` and last ``episode_length`` steps; the
    agent learns only once the buffer holds ``batch_size`` transitions.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    discount : float
        ``gamma`` in ``[0, 1)``.
    n_steps : int
        Environment steps.
    buffer_size : int
        Slots for the agent's transitions (demonstrations come on top).
    batch_size : int
        ``<= buffer_size``.
    n_updates : int, default 1
        Minibatch updates after each environment step.
    target_update : int
        Refresh the target table every ``target_update`` environment steps.
    lr : float
        In ``(0, 1]``: the update moves ``Q(s, a)`` a fraction ``lr`` of the way to
        its target (beyond 1 it overshoots, and the table diverges).
    epsilon : float
        Exploration rate in ``[0, 1]``.
    demos : Trajectories, optional
        Demonstrations that pre-fill the buffer and stay in it.
    demo_margin : float, optional
        ``l >= 0`` of DQfD's large-margin loss on demonstrated samples.
    exploration_bonus : {None, "count"}
        ``"count"``: reward bonus ``bonus_scale / sqrt(N(s, a))``.
    bonus_scale : float, default 1
        ``beta`` of the count bonus.
    episode_length : int, optional
        Steps per episode (default ``round(1 / (1 - gamma))``).
    n_checkpoints : int, default 20
        History rows after step 0 (the last after the final update).
    initial : array_like, shape (S,), optional
        Start distribution of every episode (``mdp.initial`` by default).
    seed : int, Generator or None
        Same seed, same run.

    Returns
    -------
    QLearningResult
        ``Q``, the greedy ``policy``, ``Q_star`` and ``history`` with
        ``"step"``, ``"q_error"`` (``||Q - Q*||_inf``) and ``"value"`` (exact return
        of the greedy policy) per checkpoint.

    Raises
    ------
    ValueError
        ``batch_size > buffer_size``, ``epsilon`` outside ``[0, 1]``,
        ``lr`` outside ``(0, 1]``, demonstrations out of range, an unknown bonus.

    See Also
    --------
    tabular_irl.value_iteration : the exact Q* each checkpoint is measured against.
    dagger, behavior_cloning : imitation without a reward.

    References
    ----------
    Mnih et al. (2015). Human-level control through deep reinforcement learning. Nature.
    Hester et al. (2018). Deep Q-learning from demonstrations. AAAI.

    Examples
    --------
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3)
    >>> run = q_learning(world.mdp, world.reward, discount=0.8, n_steps=3000, buffer_size=500, batch_size=8,
    ...                  target_update=50, lr=0.5, epsilon=0.5, seed=0)
    >>> run.Q.shape, run.history["step"][0], run.history["step"][-1]
    ((9, 5), 0, 3000)
    >>> bool(run.history["q_error"][-1] < run.history["q_error"][0])
    True
    """
    gamma = check_discount(discount, allow_one=False)
    problem = resolve(mdp, reward, None, gamma, initial)
    mdp, r = problem.mdp, problem.reward
    S, A = problem.shape
    n_steps = check_positive_int(n_steps, "n_steps")
    buffer_size = check_positive_int(buffer_size, "buffer_size")
    batch_size = check_positive_int(batch_size, "batch_size")
    n_updates = check_positive_int(n_updates, "n_updates")
    target_update = check_positive_int(target_update, "target_update")
    n_checkpoints = check_positive_int(n_checkpoints, "n_checkpoints")
    eps, lr, margin = _check_options(batch_size, buffer_size, epsilon, lr, exploration_bonus, demo_margin)
    beta = check_positive_real(bonus_scale, "bonus_scale", allow_zero=True) if exploration_bonus else 0.0
    ep_len = (max(1, round(1.0 / (1.0 - gamma))) if episode_length is None
              else check_positive_int(episode_length, "episode_length"))
    if demos is not None:
        demos = check_demos(demos, mdp, None)
    if margin is not None and demos is None:
        raise ValueError("demo_margin needs demos (the margin is a loss on demonstrated actions)")
    rng = check_seed(seed)

    Q_star = np.asarray(value_iteration(mdp, r, discount=gamma, method="policy_iteration").Q)
    optimal_value = policy_return(problem, _greedy(Q_star))

    # the buffer: demonstrations in [0, n_demo), the agent's transitions cycling in [n_demo, n_demo + buffer_size)
    n_demo = 0 if demos is None else demos.actions.size
    cap = n_demo + buffer_size
    buf_s, buf_a, buf_s2 = (np.zeros(cap, dtype=np.int64) for _ in range(3))
    if demos is not None:
        buf_s[:n_demo] = demos.states[:, :-1].ravel()
        buf_a[:n_demo] = demos.actions.ravel()
        buf_s2[:n_demo] = demos.states[:, 1:].ravel()

    P = mdp.transitions
    indptr = P.indptr.astype(np.int64)
    indices = P.indices.astype(np.int64)
    cum = _row_cumsums(indptr, P.data)
    init_cum = np.cumsum(problem.initial)
    starts = np.flatnonzero(problem.initial)

    def start_state() -> int:
        s = int(np.searchsorted(init_cum, rng.random() * init_cum[-1], side="right"))
        return s if s < S and problem.initial[s] > 0 else int(starts[-1])  # never a zero-probability start

    r_flat = r.ravel()
    Q = np.zeros((S, A))
    Q_flat = Q.ravel()
    Q_target = Q.copy()
    visits = np.zeros(S * A)
    checkpoints = set(np.unique(np.linspace(0, n_steps, n_checkpoints + 1).round().astype(np.int64)).tolist())
    history: dict = {"step": [], "q_error": [], "value": [], "updates": []}

    def record(step: int, updates: int) -> None:
        history["step"].append(step)
        history["q_error"].append(float(np.abs(Q - Q_star).max()))
        history["value"].append(policy_return(problem, _greedy(Q)))
        history["updates"].append(updates)

    record(0, 0)
    explore = rng.random(n_steps) < eps
    random_actions = rng.integers(0, A, n_steps)
    u_next = rng.random(n_steps)
    s, t_episode, filled, pos, n_done = start_state(), 0, 0, 0, 0
    for step in range(1, n_steps + 1):
        a = int(random_actions[step - 1]) if explore[step - 1] else int(Q[s].argmax())
        row = s * A + a
        lo, hi = indptr[row], indptr[row + 1]
        j = min(lo + int(np.searchsorted(cum[lo:hi], u_next[step - 1] * cum[hi - 1], side="right")), hi - 1)
        s2 = int(indices[j])
        k = n_demo + pos
        buf_s[k], buf_a[k], buf_s2[k] = s, a, s2
        pos = (pos + 1) % buffer_size
        filled = min(filled + 1, buffer_size)
        visits[row] += 1.0

        size = n_demo + filled
        if size >= batch_size:
            for idx in rng.integers(0, size, (n_updates, batch_size)):
                bs, ba, bs2 = buf_s[idx], buf_a[idx], buf_s2[idx]
                key = bs * A + ba
                y = r_flat[key] + gamma * Q_target[bs2].max(axis=1)
                if beta:
                    y += beta / np.sqrt(np.maximum(visits[key], 1.0))
                sums = np.bincount(key, weights=y - Q_flat[key], minlength=S * A)
                if margin is not None:
                    demo = idx < n_demo
                    if np.any(demo):
                        ds, da = bs[demo], ba[demo]
                        scores = Q[ds] + margin
                        scores[np.arange(ds.size), da] -= margin
                        best = scores.argmax(axis=1)
                        active = best != da  # J_E > 0: a non-demonstrated action scores higher
                        sums += np.bincount(ds[active] * A + da[active], minlength=S * A)
                        sums -= np.bincount(ds[active] * A + best[active], minlength=S * A)
                counts = np.bincount(key, minlength=S * A)
                Q_flat += lr * sums / np.maximum(counts, 1)
                n_done += 1
        if step % target_update == 0:
            Q_target[:] = Q
        t_episode += 1
        if t_episode == ep_len:
            s, t_episode = start_state(), 0
        else:
            s = s2
        if step in checkpoints:
            record(step, n_done)
    return freeze(QLearningResult(Q=Q, policy=_greedy(Q), Q_star=Q_star, optimal_value=optimal_value,
                                  history=history, n_steps=n_steps, n_updates=n_done))
