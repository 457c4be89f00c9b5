"""Gymnasium's toy-text environments as MDPs: the adapter behind :meth:`tabular_irl.MDP.from_gymnasium`.

FrozenLake, CliffWalking and Taxi publish their dynamics as a table
``env.unwrapped.P[s][a] = [(p, s', r, terminated), ...]``. :func:`from_gymnasium`
reads that table (or an environment that has one) into an :class:`~tabular_irl.MDP`
with an added absorbing state for terminated episodes, and the expected reward
``r(s, a)``; the method's docstring states the model and when ``P`` is not the
dynamics.

Gymnasium itself is never imported: environments are recognised by their
attributes (``unwrapped``, ``env``, ``P``), so this module works, and is tested,
without the optional ``[gymnasium]`` extra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._validation import ROW_SUM_ATOL, check_finite_array
from ..mdp import MDP

__all__ = ["from_gymnasium"]


def from_gymnasium(P_dict: Any, initial: Any = None) -> tuple[MDP, np.ndarray]:
    """Read Gymnasium's toy-text dynamics ``P_dict`` (or an environment's); return ``(mdp, reward)``.

    What :meth:`tabular_irl.MDP.from_gymnasium` runs; its docstring is the
    full description (the absorbing state, the expected reward, time limits,
    and the environments refused because ``P`` is not their dynamics).

    Parameters
    ----------
    P_dict : mapping or sequence, or a Gymnasium environment
        ``P_dict[s][a] -> [(p, s', r, terminated), ...]``, or an environment
        whose ``unwrapped.P`` is that table.
    initial : array_like, shape (S,) or (S+1,), optional
        Start distribution; default the environment's
        ``initial_state_distrib``, else uniform over the ``S`` states.

    Returns
    -------
    mdp : MDP
        ``S + 1`` states, ``A`` actions; state ``S`` is absorbing.
    reward : ndarray, shape (S+1, A)
        Expected immediate reward ``r(s, a) = sum_k p_k r_k``.

    Raises
    ------
    TypeError, ValueError
        A malformed table (the message names the entry ``P_dict[s][a]``),
        outcomes whose probabilities do not sum to 1, or an environment
        whose ``P`` is not its dynamics.

    See Also
    --------
    tabular_irl.MDP.from_gymnasium : the public entry point, documented in full.

    Examples
    --------
    One state whose only action ends the episode with reward 1:

    >>> mdp, reward = from_gymnasium({0: {0: [(1.0, 0, 1.0, True)]}})
    >>> mdp.n_states, mdp.to_dense()[0, 0].tolist(), reward.tolist()
    (2, [0.0, 1.0], [[1.0], [0.0]])
    """
    default_initial = None
    if _is_environment(P_dict):
        P_dict, default_initial = _gymnasium_tables(P_dict)
    if not isinstance(P_dict, (Mapping, Sequence)) or isinstance(P_dict, (str, bytes)) or len(P_dict) == 0:
        raise TypeError("P_dict must be a non-empty mapping state -> action -> transitions "
                        f"(or a Gymnasium environment), got {type(P_dict).__name__}")
    S = len(P_dict)
    keys = list(P_dict.keys()) if isinstance(P_dict, Mapping) else list(range(S))
    if set(keys) != set(range(S)):
        raise ValueError(f"P_dict must have states 0..{S - 1} as keys, got {keys[:10]!r}")
    if not isinstance(P_dict[0], (Mapping, Sequence)):
        raise TypeError(f"P_dict[0] must map actions to transition lists, got {type(P_dict[0]).__name__}")
    A = len(P_dict[0])
    if A < 1:
        raise ValueError("P_dict[0] must have at least one action, got none")
    absorbing = S
    rows, cols, vals = [], [], []
    reward = np.zeros((S + 1, A))
    for s in range(S):
        actions = P_dict[s]
        if not isinstance(actions, (Mapping, Sequence)):
            raise TypeError(f"P_dict[{s}] must map actions to transition lists, got {type(actions).__name__}")
        if len(actions) != A:
            raise ValueError(f"P_dict[{s}] must have {A} actions like P_dict[0], got {len(actions)}")
        akeys = list(actions.keys()) if isinstance(actions, Mapping) else list(range(len(actions)))
        if set(akeys) != set(range(A)):
            raise ValueError(f"P_dict[{s}] must have actions 0..{A - 1} as keys, got {akeys!r}")
        for a in range(A):
            outcomes = actions[a]
            if not isinstance(outcomes, (Sequence, np.ndarray)) or isinstance(outcomes, (str, bytes)):
                raise TypeError(f"P_dict[{s}][{a}] must be a list of (prob, next_state, reward, terminated), "
                                f"got {type(outcomes).__name__}")
            total = 0.0
            for item in outcomes:
                p, nxt, r, done = _gymnasium_outcome(item, s, a, S)
                if p < 0:
                    raise ValueError(f"P_dict[{s}][{a}]: transitions must be non-negative, got {p!r} "
                                     f"for (s={s}, a={a}) -> s'={nxt}")
                total += p
                rows.append(s * A + a)
                cols.append(absorbing if done else nxt)
                vals.append(p)
                reward[s, a] += p * r
            if abs(total - 1.0) > ROW_SUM_ATOL:
                raise ValueError(f"P_dict[{s}][{a}]: transitions row for (s={s}, a={a}) sums to {total:.12g}, "
                                 f"expected 1 (over {len(outcomes)} outcome(s))")
    for a in range(A):
        rows.append(absorbing * A + a)
        cols.append(absorbing)
        vals.append(1.0)
    P = sp.csr_array((np.asarray(vals, dtype=np.float64), (np.asarray(rows), np.asarray(cols))),
                     shape=((S + 1) * A, S + 1))
    init = _start_distribution(default_initial if initial is None else initial, S)
    return MDP(P, init, n_actions=A), reward


def _start_distribution(initial: Any, S: int) -> np.ndarray:
    """``initial`` over the ``S + 1`` states (none in the absorbing one); uniform over ``S`` when ``None``.

    The MDP checks that it is a distribution; here only its length is settled.
    """
    if initial is None:
        init = np.full(S + 1, 1.0 / S)
        init[S] = 0.0
        return init
    init = check_finite_array(initial, "initial")
    if init.shape == (S,):
        return np.append(init, 0.0)
    if init.shape != (S + 1,):
        raise ValueError(f"initial must have shape (S,) = ({S},) or (S+1,) = ({S + 1},) "
                         f"(with the absorbing state), got shape {init.shape}")
    return init


# Wrappers that leave a toy-text environment's transitions and rewards alone
# (gymnasium.make adds the first three; TimeLimit's truncation is the horizon).
_TRANSPARENT_WRAPPERS = frozenset({
    "TimeLimit", "OrderEnforcing", "PassiveEnvChecker", "RecordEpisodeStatistics", "RecordVideo",
    "RenderCollection", "HumanRendering",
})


def _is_environment(obj: Any) -> bool:
    """A Gymnasium-style environment: not a table itself, but has ``.unwrapped``."""
    return not isinstance(obj, (Mapping, Sequence, np.ndarray)) and hasattr(obj, "unwrapped")


def _gymnasium_tables(env: Any) -> tuple[Any, Any]:
    """``(P, initial_state_distrib or None)`` of an environment whose ``P`` is its dynamics.

    Refuses what is known to break that: wrappers outside
    ``_TRANSPARENT_WRAPPERS``, and Taxi's fickle passenger.
    """
    base = env.unwrapped
    layer = env
    while layer is not base and hasattr(layer, "env"):
        name = type(layer).__name__
        if name not in _TRANSPARENT_WRAPPERS:
            raise ValueError(
                f"env is wrapped in {name}, which P (read from env.unwrapped) does not model: it may change "
                "observations, actions or rewards; pass env.unwrapped to build the MDP of the bare environment"
            )
        layer = layer.env
    P = getattr(base, "P", None)
    if not isinstance(P, (Mapping, Sequence)):
        raise TypeError(
            f"env must have a tabular transition table env.unwrapped.P (the toy-text environments "
            f"FrozenLake, CliffWalking and Taxi do), got {type(base).__name__} without one"
        )
    if getattr(base, "fickle_passenger", False):
        raise ValueError(
            "env is a Taxi with fickle_passenger=True: its step() changes the destination at random, "
            "which P does not list, so P is not its dynamics; make it with fickle_passenger=False"
        )
    return P, getattr(base, "initial_state_distrib", None)


def _gymnasium_outcome(item: Any, s: int, a: int, S: int) -> tuple[float, int, float, bool]:
    """``(p, s', r, terminated)`` of one entry of ``P_dict[s][a]``, checked."""
    if not isinstance(item, (Sequence, np.ndarray)) or isinstance(item, (str, bytes)) or len(item) < 4:
        raise ValueError(f"P_dict[{s}][{a}] entries must be (prob, next_state, reward, terminated), got {item!r}")
    p, nxt, r, done = item[:4]
    if isinstance(nxt, (bool, np.bool_)) or not (isinstance(nxt, (int, np.integer)) and 0 <= nxt < S):
        raise ValueError(f"P_dict[{s}][{a}] next_state must be an integer in [0, {S}), got {nxt!r}")
    if not isinstance(done, (bool, np.bool_)) and not (isinstance(done, (int, np.integer)) and done in (0, 1)):
        raise TypeError(f"P_dict[{s}][{a}] terminated flag must be a bool, got {done!r} in {item!r}")
    try:
        p, r = float(p), float(r)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"P_dict[{s}][{a}] probability and reward must be real numbers, got {item!r}") from exc
    if not (np.isfinite(p) and np.isfinite(r)):
        raise ValueError(f"P_dict[{s}][{a}] has a non-finite probability or reward: {item!r}")
    return p, int(nxt), r, bool(done)
