"""Policies (and softmax logits), index arrays and demonstrations: indices out of range named by position."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _passes

if TYPE_CHECKING:  # trajectories.py and mdp.py import this package
    from ..mdp import MDP
    from ..trajectories import Trajectories

from .scalars import ROW_SUM_ATOL, _as_float_array, _describe, check_finite_array, check_nonnegative_array, readonly



def check_policy(policy: Any, n_states: int, n_actions: int, horizon: int | None, name: str = "policy") -> np.ndarray:
    """Validate a policy: ``(S, A)`` stationary, or ``(T, S, A)`` with a horizon.

    Returns float64 ``(S, A)`` or ``(T, S, A)``; rows must be distributions.
    Messages name the argument as ``name`` (``expert_policy``, ``policies[2]``, ...).
    """
    arr = _as_float_array(policy, name)
    if arr.shape == (n_states, n_actions):
        pass
    elif horizon is not None and arr.shape == (horizon, n_states, n_actions):
        pass
    else:
        want = f"(S, A) = ({n_states}, {n_actions})"
        if horizon is not None:
            want += f" or (T, S, A) = ({horizon}, {n_states}, {n_actions})"
        raise ValueError(f"{name} must have shape {want}, got shape {arr.shape}")
    if arr.size == 0 or _passes.rows_are_distributions(arr.reshape(-1, n_actions), ROW_SUM_ATOL):
        return arr
    # slow path: find and name the offending entry
    arr = check_nonnegative_array(arr, name)
    sums = arr.sum(axis=-1)
    bad = np.abs(sums - 1.0) > ROW_SUM_ATOL
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"(t={idx[0]}, s={idx[1]})" if arr.ndim == 3 else f"(s={idx[0]})"
        raise ValueError(f"{name} row for {where} sums to {sums[idx]:.12g}, expected 1")
    return arr  # a row at the edge of the tolerance, summed in another order: accept it


def check_indices(value: np.ndarray, name: str, upper: int, kind: str, of: str | None = "this MDP") -> None:
    """``ValueError`` unless every entry of the integer array ``value`` lies in ``[0, upper)``.

    The message names the first bad entry by its position and says what it
    should have been: ``demos.states[17, 4] = 23 is not a state of this MDP
    (n_states=16)`` for ``kind="state"``; ``of=None`` when there is no MDP
    (``... is not a state in [0, 16)``).
    """
    if value.size and (value.min() < 0 or value.max() >= upper):
        where = tuple(int(i) for i in np.argwhere((value < 0) | (value >= upper))[0])
        article = "an" if kind[:1] in "aeiou" else "a"
        expected = f"in [0, {upper})" if of is None else f"of {of} (n_{kind}s={upper})"
        raise ValueError(f"{name}[{', '.join(map(str, where))}] = {int(value[where])} is not {article} {kind} "
                         f"{expected}")


def check_index_array(value: Any, name: str, ndim: int) -> np.ndarray:
    """``value`` as a read-only C-contiguous int64 copy of ``ndim`` dimensions (ranges unchecked).

    Floats are refused even when they hold whole numbers (the message says how
    to cast), and so are bools.
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise TypeError(f"{name} must be a rectangular integer array, got {type(value).__name__}: {exc}") from exc
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and arr.size and np.all(np.isfinite(arr)) \
                and np.all(arr == np.round(arr)):
            raise TypeError(f"{name} must be an integer array, got dtype {arr.dtype} "
                            f"(cast with .astype(int) if the values are indices)")
        raise TypeError(f"{name} must be an integer array, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} must be indices (< 2**63), got {int(arr.max())}")
    return readonly(np.array(arr, dtype=np.int64, copy=True, order="C"))


def check_trajectory_indices(value: Trajectories, name: str, n_states: int, n_actions: int,
                             of: str | None = "this MDP") -> None:
    """``ValueError`` naming the trajectory and step of the first state or action index out of range."""
    check_indices(value.states, f"{name}.states", n_states, "state", of)
    check_indices(value.actions, f"{name}.actions", n_actions, "action", of)


def check_trajectories(value: Any, name: str, mdp: MDP | None = None, horizon: int | None = None) -> Trajectories:
    """``value`` as demonstrations: ``Trajectories`` of horizon ``horizon`` (if given) whose indices fit ``mdp`` (if given).

    The one check of demonstrations: every function taking them calls it, so
    a wrong type, a wrong horizon and an index out of range read the same
    everywhere, naming the argument as ``name``.

    Raises
    ------
    TypeError
        ``value`` is not a :class:`~tabular_irl.Trajectories`.
    ValueError
        Its horizon is not ``horizon``, or a state / action index is not one
        of ``mdp`` (the message names trajectory and step).
    """
    from ..trajectories import Trajectories  # trajectories.py imports this module: resolve at call time

    if not isinstance(value, Trajectories):
        raise TypeError(f"{name} must be tabular_irl.Trajectories, got {_describe(value)}")
    if horizon is not None and value.horizon != horizon:
        raise ValueError(f"{name} must have horizon T={horizon}, got trajectories of {value.horizon} decisions")
    if mdp is not None:
        check_trajectory_indices(value, name, mdp.n_states, mdp.n_actions)
    return value


# --------------------------------------------------------------------------
# tabular_irl.rl: softmax policies given by logits
# (a block of its own at the end of the module, added with the rl subpackage)
# --------------------------------------------------------------------------

def check_logits(logits: Any, n_states: int, n_actions: int, horizon: int | None, name: str = "logits",
                 copy: bool = True) -> np.ndarray:
    """Validate the logits of a softmax policy: ``(S, A)`` stationary, or ``(T, S, A)`` with a horizon.

    Returns a C-contiguous float64 array, a fresh one unless ``copy=False`` (a
    caller that only reads them); every entry must be finite (a ``-inf`` logit
    is an action the policy can never learn to take again).
    """
    arr = _as_float_array(logits, name)
    if arr.shape == (n_states, n_actions) or (horizon is not None and arr.shape == (horizon, n_states, n_actions)):
        return check_finite_array(np.array(arr) if copy else arr, name)
    want = f"(S, A) = ({n_states}, {n_actions})"
    if horizon is not None:
        want += f" or (T, S, A) = ({horizon}, {n_states}, {n_actions})"
    else:
        want += " (time-indexed (T, S, A) logits need horizon=T)"
    raise ValueError(f"{name} must have shape {want}, got shape {arr.shape}")
