"""The one place where user input is checked.

Every public function calls these validators once, at the boundary, and hands
the kernels only what they return: C-contiguous float64 / int64 arrays whose
shapes, ranges and normalisation have been proven. Each validator raises
``TypeError`` (wrong kind of object) or ``ValueError`` (right kind, wrong
value) with a message of the form

    "<argument> must be <expectation>, got <what was received>"

so that a user can fix the call without reading the source.

Representations checked here
----------------------------
transitions
    ``scipy.sparse`` matrix of shape ``(S*A, S)``; row ``s*A + a`` is
    ``P(. | s, a)``: indices in range, entries finite and non-negative, every
    row summing to 1 within ``ROW_SUM_ATOL``. Never densified.
distributions (``initial``)
    length-``S`` finite non-negative vector summing to 1 within ``ROW_SUM_ATOL``.
reward
    ``(S,)`` or ``(S, A)`` finite float, broadcast to ``(S, A)``.
horizon / discount
    ``horizon`` an integer >= 1, ``discount`` a real in ``[0, 1)`` (``[0, 1]``
    together with a horizon); at least one of them. :func:`resolve_model`
    turns them (with ``causal`` and ``temperature``) into one :class:`Model`.
policy
    ``(S, A)`` stationary or ``(T, S, A)`` time-indexed; rows are distributions.
demonstrations
    :class:`~tabular_irl.Trajectories` whose horizon matches the model's and
    whose state and action indices fit the MDP; an index out of range is
    named by trajectory and step (``demos.states[17, 4] = 23 is not a state
    of this MDP (n_states=16)``).
options
    a ``method=`` or other string option is one of a fixed set of names; any
    other value (a non-string too) is a ``ValueError`` that lists them.

Results are made immutable with :func:`readonly`.
"""

from __future__ import annotations

import numbers
import operator
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Collection, NamedTuple

import numpy as np
import scipy.sparse as sp

from . import _passes

if TYPE_CHECKING:  # trajectories.py and mdp.py import this module
    from .mdp import MDP
    from .trajectories import Trajectories

__all__ = [
    "ROW_SUM_ATOL",
    "check_distribution",
    "check_transitions",
    "check_reward",
    "check_features",
    "check_horizon",
    "check_discount",
    "check_horizon_discount",
    "discount_argument",
    "Model",
    "resolve_model",
    "check_temperature",
    "check_policy",
    "check_positive_int",
    "check_indices",
    "check_index_array",
    "check_trajectories",
    "check_trajectory_indices",
    "check_option",
    "check_type",
    "check_index",
    "check_bool",
    "check_callable",
    "readonly",
    "check_finite_array",
    "check_nonnegative_array",
    "check_seed",
    "check_real",
    "check_positive_real",
]

# Rows of P and the initial distribution are accepted when they sum to 1 within
# this tolerance: tight enough to catch a forgotten normalisation, loose enough
# for probabilities read from text files or summed from many small pieces.
ROW_SUM_ATOL = 1e-9

# Time-indexed results are (T, S, A) arrays; past this no machine holds them,
# and the kernels index time with a C integer.
MAX_HORIZON = 2**31 - 1


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    if sp.issparse(value):
        return f"sparse {value.format} matrix of shape {value.shape}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _as_float_array(value: Any, name: str) -> np.ndarray:
    if sp.issparse(value):
        raise TypeError(f"{name} must be a dense array, got {_describe(value)}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like of real numbers, got {_describe(value)}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating)
        or np.issubdtype(arr.dtype, np.integer)
        or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name} must hold real numbers, got {_describe(value)}")
    # not np.ascontiguousarray: it turns a scalar into shape (1,), which would
    # slip past the shape checks (and misreport the shape received)
    return np.asarray(arr, dtype=np.float64, order="C")


def check_finite_array(value: Any, name: str, shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a C-contiguous float64 array, checking shape and finiteness.

    ``shape`` entries that are ``None`` match any length.
    """
    arr = _as_float_array(value, name)
    if shape is not None:
        ok = arr.ndim == len(shape) and all(e is None or e == g for e, g in zip(shape, arr.shape))
        if not ok:
            want = "(" + ", ".join("n" if e is None else str(e) for e in shape) + (",)" if len(shape) == 1 else ")")
            raise ValueError(f"{name} must have shape {want}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite, got {arr[bad]} at index {bad if len(bad) != 1 else bad[0]}")
    return arr


def check_nonnegative_array(value: Any, name: str, shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """As :func:`check_finite_array`, and every entry >= 0 (the first negative one is named with its index)."""
    arr = check_finite_array(value, name, shape)
    if np.any(arr < 0):
        bad = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        raise ValueError(f"{name} must be non-negative, got {arr[bad]} at index {bad if len(bad) != 1 else bad[0]}")
    return arr


def check_distribution(value: Any, name: str, size: int) -> np.ndarray:
    """Validate a probability vector of length ``size``; returns float64, read-only."""
    arr = check_nonnegative_array(value, name, (size,))
    total = float(arr.sum())
    if abs(total - 1.0) > ROW_SUM_ATOL:
        raise ValueError(f"{name} must sum to 1, got sum {total!r}")
    return arr


def check_positive_int(value: Any, name: str, minimum: int = 1, maximum: int | None = None, *,
                       maximum_label: str | None = None) -> int:
    """Accept Python or NumPy integers (not bools, not floats) in ``[minimum, maximum]`` (at most ``2**62``).

    ``maximum_label`` says what the maximum is (``"n_states = 5 (successors are distinct)"``).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = operator.index(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum_label or maximum}, got {value}")
    if value > 2**62:  # counts reach C as 64-bit integers
        raise ValueError(f"{name} must be <= 2**62, got {value}")
    return value


def _check_compressed_structure(x: Any, n_major: int, n_minor: int, data_ndim: int, name: str = "transitions") -> int:
    """Prove the ``indptr`` / ``indices`` of a CSR/CSC/BSR matrix before scipy follows them.

    scipy's constructors check only O(1) facts about ``indptr``, and its C
    conversion routines trust the rest: a decreasing or out-of-range
    ``indptr`` makes them write out of bounds (a segfault, not an exception).
    Everything here is plain NumPy. Returns ``nnz`` (``indptr[-1]``).
    """
    indptr, indices, data = x.indptr, x.indices, x.data
    for arr, what in ((indptr, "indptr"), (indices, "indices")):
        if not isinstance(arr, np.ndarray) or arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise ValueError(f"{name}.{what} must be a 1-d integer array, got {_describe(arr)}")
    if not isinstance(data, np.ndarray) or data.ndim != data_ndim:
        raise ValueError(f"{name}.data has the wrong layout, got {_describe(data)}")
    if indptr.size != n_major + 1:
        raise ValueError(f"{name}.indptr must have length {n_major + 1}, got length {indptr.size}")
    indptr = indptr.astype(np.int64)  # unsigned differences would wrap around
    if indptr[0] != 0 or np.any(np.diff(indptr) < 0):
        raise ValueError(f"{name}.indptr must start at 0 and be non-decreasing, "
                         f"got {indptr[:10].tolist()}{'...' if indptr.size > 10 else ''}")
    nnz = int(indptr[-1])
    if nnz > indices.size or nnz > data.shape[0]:
        raise ValueError(f"{name}.indptr ends at {nnz}, beyond the {min(indices.size, data.shape[0])} "
                         "stored indices/values")
    used = indices[:nnz]
    if used.size and (used.min() < 0 or used.max() >= n_minor):
        bad = int(used[(used < 0) | (used >= n_minor)][0])
        raise ValueError(f"{name}.indices must lie in [0, {n_minor}), got {bad}")
    return nnz


def _coo_triplets(x: Any, name: str = "transitions") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, cols, data)`` of a 2-d sparse matrix as int64 / int64 / float64, indices unchecked.

    CSR and CSC are expanded here in NumPy after their structure is proven;
    other formats go through ``coo_array``, whose conversions are safe once
    that is so (BSR: proven first, too).
    """
    n_rows, n_cols = x.shape
    fmt = x.format
    if fmt in ("csr", "csc"):
        n_major, n_minor = (n_rows, n_cols) if fmt == "csr" else (n_cols, n_rows)
        nnz = _check_compressed_structure(x, n_major, n_minor, 1, name)
        major = np.repeat(np.arange(n_major, dtype=np.int64), np.diff(x.indptr.astype(np.int64)))
        minor = np.asarray(x.indices[:nnz], dtype=np.int64)
        data = np.asarray(x.data[:nnz], dtype=np.float64)
        return (major, minor, data) if fmt == "csr" else (minor, major, data)
    if fmt == "bsr":
        R, C = x.blocksize
        if R < 1 or C < 1 or n_rows % R or n_cols % C or x.data.shape[1:] != (R, C):
            raise ValueError(f"{name} has block size {x.blocksize} inconsistent with shape {x.shape}")
        _check_compressed_structure(x, n_rows // R, n_cols // C, 3, name)
    try:
        coo = sp.coo_array(x)
    except Exception as exc:
        raise ValueError(f"{name} is not a well-formed sparse matrix: {exc}") from exc
    rows = np.asarray(coo.coords[0], dtype=np.int64)
    cols = np.asarray(coo.coords[1], dtype=np.int64)
    return rows, cols, np.asarray(coo.data, dtype=np.float64)


def check_transitions(transitions: Any, n_actions: int | None = None) -> tuple[sp.csr_array, int, int]:
    """Validate a sparse ``(S*A, S)`` transition matrix.

    Returns a canonical ``csr_array`` (float64 data, int32/int64 indices,
    sorted indices, duplicates summed, explicit zeros removed) together with
    ``(n_states, n_actions)``.
    """
    if not sp.issparse(transitions):
        raise TypeError(
            "transitions must be a scipy.sparse matrix of shape (S*A, S); "
            f"got {_describe(transitions)} (use MDP.from_dense for a dense (S, A, S) array)"
        )
    if len(transitions.shape) != 2:
        raise ValueError(f"transitions must be 2-d of shape (S*A, S), got shape {transitions.shape}")
    n_rows, n_states = transitions.shape
    if n_states < 1:
        raise ValueError(f"transitions must have at least one column (state), got shape {transitions.shape}")
    if n_actions is None:
        if n_rows % n_states:
            raise ValueError(
                f"transitions must have shape (S*A, S) with S*A a multiple of S={n_states}, "
                f"got shape {transitions.shape}"
            )
        n_actions = n_rows // n_states
    else:
        n_actions = check_positive_int(n_actions, "n_actions")
        if n_rows != n_states * n_actions:
            raise ValueError(
                f"transitions must have shape (S*A, S) = ({n_states * n_actions}, {n_states}) "
                f"for n_actions={n_actions}, got shape {transitions.shape}"
            )
    if n_actions < 1:
        raise ValueError(f"transitions must have at least one action, got shape {transitions.shape}")
    if transitions.dtype == object or not (
        np.issubdtype(transitions.dtype, np.floating) or np.issubdtype(transitions.dtype, np.integer)
        or transitions.dtype == np.bool_
    ):
        raise TypeError(f"transitions must hold real numbers, got dtype {transitions.dtype}")

    rows, cols, data = _coo_triplets(transitions)
    if rows.size and (rows.min() < 0 or rows.max() >= n_rows or cols.min() < 0 or cols.max() >= n_states):
        raise ValueError(f"transitions has an index out of range for shape {transitions.shape}")
    if not np.all(np.isfinite(data)):
        k = int(np.argmax(~np.isfinite(data)))
        s, a = divmod(int(rows[k]), n_actions)
        raise ValueError(
            f"transitions must be finite, got {data[k]} for (s={s}, a={a}) -> s'={int(cols[k])}"
        )
    if np.any(data < 0):
        k = int(np.argmax(data < 0))
        s, a = divmod(int(rows[k]), n_actions)
        raise ValueError(
            f"transitions must be non-negative, got {data[k]} for (s={s}, a={a}) -> s'={int(cols[k])}"
        )
    sums = np.bincount(rows, weights=data, minlength=n_rows)
    bad = np.abs(sums - 1.0) > ROW_SUM_ATOL
    if np.any(bad):
        k = int(np.argmax(bad))
        s, a = divmod(k, n_actions)
        raise ValueError(
            f"transitions row for (s={s}, a={a}) sums to {sums[k]:.12g}, expected 1 "
            f"({int(bad.sum())} row(s) of {n_rows} are not distributions)"
        )
    csr = sp.csr_array((data, (rows, cols)), shape=(n_rows, n_states))
    csr.sum_duplicates()
    csr.eliminate_zeros()
    csr.sort_indices()
    csr.data = np.ascontiguousarray(csr.data, dtype=np.float64)
    return csr, n_states, n_actions


def check_reward(reward: Any, n_states: int, n_actions: int, name: str = "reward") -> np.ndarray:
    """Validate a reward ``(S,)`` or ``(S, A)``; returns a fresh ``(S, A)`` float64 array."""
    arr = _as_float_array(reward, name)
    if arr.shape == (n_states,):
        arr = np.repeat(arr[:, None], n_actions, axis=1)
    elif arr.shape != (n_states, n_actions):
        raise ValueError(
            f"{name} must have shape (S,) = ({n_states},) or (S, A) = ({n_states}, {n_actions}), "
            f"got shape {arr.shape}"
        )
    return check_finite_array(arr, name)


def check_features(features: Any, n_states: int, n_actions: int, name: str = "features") -> np.ndarray:
    """Validate features ``(S, d)`` or ``(S, A, d)``; returns a fresh ``(S, A, d)`` float64 array."""
    arr = _as_float_array(features, name)
    if arr.ndim == 2 and arr.shape[0] == n_states:
        arr = np.repeat(arr[:, None, :], n_actions, axis=1)
    elif not (arr.ndim == 3 and arr.shape[:2] == (n_states, n_actions)):
        raise ValueError(
            f"{name} must have shape (S, d) = ({n_states}, d) or (S, A, d) = "
            f"({n_states}, {n_actions}, d), got shape {arr.shape}"
        )
    if arr.shape[-1] < 1:
        raise ValueError(f"{name} must have at least one feature (d >= 1), got shape {arr.shape}")
    return check_finite_array(arr, name)


def check_horizon(horizon: Any) -> int:
    """``horizon`` as an int in ``[1, MAX_HORIZON]``; a float (even ``3.0``) is a ``TypeError``."""
    if isinstance(horizon, (float, np.floating)):
        raise TypeError(f"horizon must be an integer >= 1, got float {horizon!r} (write {int(horizon)} if you mean it)"
                        if float(horizon).is_integer() else f"horizon must be an integer >= 1, got float {horizon!r}")
    T = check_positive_int(horizon, "horizon")
    if T > MAX_HORIZON:
        raise ValueError(f"horizon must be <= {MAX_HORIZON} (time-indexed arrays are (T, S, A)), got {T}")
    return T


def check_discount(discount: Any, allow_one: bool) -> float:
    """``discount`` as a float in ``[0, 1)``, or ``[0, 1]`` with ``allow_one`` (together with a horizon)."""
    if isinstance(discount, (bool, np.bool_)) or not isinstance(discount, numbers.Real):
        raise TypeError(f"discount must be a real number, got {_describe(discount)}")
    value = float(discount)
    upper_ok = value <= 1.0 if allow_one else value < 1.0
    if not (np.isfinite(value) and value >= 0.0 and upper_ok):
        interval = "[0, 1] (with a horizon)" if allow_one else "[0, 1) (without a horizon, the sum must converge)"
        raise ValueError(f"discount must be in {interval}, got {value!r}")
    return value


def check_horizon_discount(horizon: Any, discount: Any, causal: bool = True) -> tuple[int | None, float]:
    """Resolve the (horizon, discount) pair into ``(T or None, gamma)``.

    ``horizon`` alone: finite, undiscounted (``gamma = 1``). ``discount`` alone:
    infinite, discounted. Both: finite and discounted.
    """
    if horizon is None and discount is None:
        raise ValueError(
            "give horizon (finite episodes), discount (infinite, discounted) or both; got neither"
        )
    T = None if horizon is None else check_horizon(horizon)
    gamma = 1.0 if discount is None else check_discount(discount, allow_one=T is not None)
    check_bool(causal, "causal")
    if not causal and (T is None or gamma < 1.0):
        raise ValueError(
            "causal=False (MaxEnt over whole trajectories) is defined for undiscounted finite "
            f"horizons only, got horizon={horizon!r}, discount={discount!r}: a discount has no "
            "trajectory-distribution meaning there; use causal=True (maximum causal entropy)"
        )
    return T, gamma


def discount_argument(horizon: int | None, gamma: float) -> float | None:
    """The ``discount=`` that :func:`check_horizon_discount` maps back to ``(horizon, gamma)``."""
    return None if horizon is not None and gamma == 1.0 else gamma


class Model(NamedTuple):
    """The model a call asked for, resolved once: what ``(horizon, discount, causal, temperature)`` mean.

    ``horizon`` is ``T`` (``None``: infinite, discounted); ``discount`` is
    ``gamma`` as a float (``1.0`` when undiscounted); ``causal`` a bool;
    ``temperature`` a float > 0, or ``None`` when the call has none.
    """

    horizon: int | None
    discount: float
    causal: bool = True
    temperature: float | None = None

    @property
    def discount_argument(self) -> float | None:
        """The ``discount=`` that resolves back to this model (``None`` for an undiscounted horizon)."""
        return discount_argument(self.horizon, self.discount)


def resolve_model(horizon: Any, discount: Any, *, causal: Any = True, temperature: Any = None) -> Model:
    """Validate ``(horizon, discount, causal, temperature)`` and resolve them into a :class:`Model`.

    As :func:`check_horizon_discount` (``horizon`` alone: finite and
    undiscounted; ``discount`` alone: infinite and discounted; both: finite
    and discounted; ``causal=False`` only for undiscounted finite horizons),
    with ``temperature`` checked by :func:`check_temperature` when given.
    """
    T, gamma = check_horizon_discount(horizon, discount, causal)
    tau = None if temperature is None else check_temperature(temperature)
    return Model(T, gamma, bool(causal), tau)


def check_temperature(temperature: Any) -> float:
    """``temperature`` as a finite float > 0 (the hard maximum is ``value_iteration``, not ``temperature=0``)."""
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature must be a real number > 0, got {_describe(temperature)}")
    value = float(temperature)
    if not (np.isfinite(value) and value > 0.0):
        raise ValueError(f"temperature must be finite and > 0, got {value!r} "
                         "(use value_iteration for the hard maximum)")
    return value


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
    from .trajectories import Trajectories  # trajectories.py imports this module: resolve at call time

    if not isinstance(value, Trajectories):
        raise TypeError(f"{name} must be tabular_irl.Trajectories, got {_describe(value)}")
    if horizon is not None and value.horizon != horizon:
        raise ValueError(f"{name} must have horizon T={horizon}, got trajectories of {value.horizon} decisions")
    if mdp is not None:
        check_trajectory_indices(value, name, mdp.n_states, mdp.n_actions)
    return value


def check_option(value: Any, name: str, options: Collection[str]) -> str:
    """``value`` if it is one of the names ``options``, else a ``ValueError`` that lists them.

    A value that is not a string at all (``None``, a number) is a
    ``ValueError`` too: the argument's type is right in spirit (an option),
    its value is not one of the valid ones.
    """
    if isinstance(value, str) and value in options:
        return value
    got = repr(value) if isinstance(value, str) else _describe(value)
    raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {got}")


def check_type(value: Any, name: str, types: type | tuple[type, ...], expected: str) -> Any:
    """``value`` if it is an instance of ``types``, else ``TypeError("<name> must be <expected>, got ...")``."""
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {expected}, got {_describe(value)}")
    return value


def check_index(value: Any, name: str, upper: int) -> int:
    """One index: a Python or NumPy integer (not a bool) in ``[0, upper)``, as a Python int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = int(value)
    if not 0 <= value < upper:
        raise ValueError(f"{name} must be in [0, {upper}), got {value}")
    return value


def check_bool(value: Any, name: str) -> bool:
    """A Python or NumPy bool, as a Python bool; ``TypeError`` for anything else (``0``, ``"yes"``, ``None``)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def check_callable(value: Any, name: str, allow_none: bool = True) -> None:
    """``TypeError`` unless ``value`` is callable (or ``None`` when ``allow_none``)."""
    if not (callable(value) or (allow_none and value is None)):
        raise TypeError(f"{name} must be callable{' or None' if allow_none else ''}, got {_describe(value)}")


def readonly(*arrays: np.ndarray | None) -> Any:
    """Mark each array read-only (``None`` is skipped): results are immutable.

    Returns what it was given, as ``numpy.atleast_1d`` does: the array itself
    for one argument, a tuple for several, so that ``x = readonly(np.array(...))``
    reads in one line.
    """
    for a in arrays:
        if a is not None:
            a.flags.writeable = False
    return arrays[0] if len(arrays) == 1 else arrays


def check_seed(seed: Any) -> np.random.Generator:
    """``seed`` (``None``, a non-negative int or a ``Generator``) as a ``numpy.random.Generator``.

    A ``Generator`` is used as given (and advanced); an int gives a fresh,
    reproducible one; ``None`` draws fresh entropy from the OS.
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be None, a non-negative int or a numpy.random.Generator, got {_describe(seed)}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {int(seed)}")
    return np.random.default_rng(int(seed))


def check_real(value: Any, name: str, low: float | None = None, high: float | None = None, *,
               open_low: bool = False, open_high: bool = False) -> float:
    """A finite real number (not a bool) in ``[low, high]``, as a Python float.

    ``open_low`` / ``open_high`` exclude the bound itself (``(0, 1]`` is
    ``low=0, high=1, open_low=True``).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out!r}")
    below = low is not None and (out <= low if open_low else out < low)
    above = high is not None and (out >= high if open_high else out > high)
    if below or above:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f"{'(' if open_low else '['}{lo}, {hi}{')' if open_high else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {out!r}")
    return out


def check_positive_real(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """A finite real number (not a bool) > 0 (>= 0 with ``allow_zero``), as a Python float."""
    op = ">=" if allow_zero else ">"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number {op} 0, got {_describe(value)}")
    out = float(value)
    if not (np.isfinite(out) and (out >= 0.0 if allow_zero else out > 0.0)):
        raise ValueError(f"{name} must be a finite number {op} 0, got {value!r}")
    return out


# ==========================================================================
# Figures' arguments: counts, file names, loosely typed arrays of numbers,
# grid layouts and per-cell values, a policy at one time step, state paths,
# per-iteration histories and study tables. Used by tabular_irl.plotting;
# general enough for any consumer of grids, fits and tables.
# ==========================================================================

__all__ += [
    "check_count",
    "check_real_half_open",
    "check_path",
    "check_finite_numbers",
    "as_state_values",
    "check_grid",
    "check_grid_problem",
    "check_grid_values",
    "check_policy_at",
    "check_state_paths",
    "check_history",
    "check_table",
]


def check_count(value: Any, name: str) -> int:
    """An integer >= 1 (a size or a number of items), Python or NumPy, not a bool or a float.

    :func:`check_positive_int` with messages that state the bound in both
    cases (``"n must be an integer >= 1, got 0"``).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 1, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {int(value)}")
    return check_positive_int(value, name)  # the upper bound every count shares


def check_real_half_open(value: Any, name: str, low: float, high: float) -> float:
    """A finite real number (not a bool) in ``[low, high)``, as a Python float."""
    out = check_real(value, name)
    if not low <= out < high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}), got {out!r}")
    return out


def check_path(value: Any, name: str = "path") -> str | os.PathLike:
    """A file name: ``str`` or ``os.PathLike`` (returned as given)."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file name (str or os.PathLike), got {_describe(value)}")
    return value


def check_finite_numbers(value: Any, name: str) -> np.ndarray:
    """``value`` as a finite float64 array of any shape, converting whatever NumPy converts to floats.

    Lenient where :func:`check_finite_array` is strict: for arguments that
    are only shown, never computed with, an object array of numbers (from a
    DataFrame, say) is as good as a float one.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}") from None
    return check_finite_array(arr, name)


def as_state_values(arr: np.ndarray, n_states: int) -> np.ndarray:
    """An ``(S, k)`` table whose columns are all equal (a state reward broadcast over actions) as ``(S,)``.

    Anything else is returned unchanged.
    """
    if arr.ndim == 2 and arr.shape[0] == n_states and arr.shape[1] >= 1 \
            and np.array_equal(arr, np.broadcast_to(arr[:, :1], arr.shape)):
        return arr[:, 0]
    return arr


def check_grid(grid: Any, name: str = "grid") -> Any:
    """The :class:`~tabular_irl.envs.GridGeometry` of ``grid``.

    ``grid`` is a geometry (``world.grid``), a problem that has one
    (``world``), or a ``(rows, cols)`` pair: the gridworld's five actions,
    no walls, no goals.
    """
    # imported here: envs itself imports this module
    from .envs._problem import GridGeometry
    from .envs.gridworld import ACTION_DELTAS, ACTION_NAMES

    if isinstance(grid, GridGeometry):
        return grid
    if hasattr(grid, "grid") and hasattr(grid, "mdp"):  # a Problem
        if not isinstance(grid.grid, GridGeometry):
            raise ValueError(f"{name} must have a grid layout; got the problem {getattr(grid, 'name', '?')!r}, "
                             "which has none (grid is None: not a grid environment)")
        return grid.grid
    if isinstance(grid, (tuple, list)) and len(grid) == 2:
        rows = check_count(grid[0], f"{name}[0] (rows)")
        cols = check_count(grid[1], f"{name}[1] (cols)")
        return GridGeometry((rows, cols), np.zeros((rows, cols), dtype=bool), (), ACTION_NAMES, ACTION_DELTAS)
    raise TypeError(f"{name} must be a GridGeometry (world.grid), a problem with a grid (world) or a (rows, cols) "
                    f"pair, got {_describe(grid)}")


def check_grid_problem(world: Any, name: str = "world") -> Any:
    """The :class:`~tabular_irl.envs.GridGeometry` of a problem that has a grid and an MDP (``gridworld(...)``)."""
    geom = check_grid(world, name)
    if not hasattr(world, "mdp"):
        raise TypeError(f"{name} must be a grid problem such as gridworld(...) (with mdp and grid), "
                        f"got {_describe(world)}")
    return geom


def check_grid_values(values: Any, geom: Any, name: str) -> np.ndarray:
    """``values`` (S,), state-only (S, A) or (rows, cols) on the grid ``geom``, as a new (rows, cols) float array."""
    S = geom.n_states
    arr = as_state_values(check_finite_numbers(values, name), S)
    if arr.shape == (S,):
        return arr.reshape(geom.shape).copy()
    if arr.shape == geom.shape:
        return arr.copy()
    if arr.ndim == 2 and arr.shape[0] == S:
        raise ValueError(f"{name} of shape (S, A) = {arr.shape} depends on the action, and a cell shows one "
                         f"number: pass a state array, e.g. {name}.max(axis=1)")
    hint = ""
    if arr.ndim == 2 and arr.shape[1] == S:
        hint = " (a time-indexed (T+1, S) array: pick a time, values[t], or sum over time, values.sum(axis=0))"
    raise ValueError(f"{name} must have shape (S,) = ({S},) or (rows, cols) = {geom.shape} for this "
                     f"{geom.rows} x {geom.cols} grid, got shape {arr.shape}{hint}")


# A policy that is only shown may come from a file or a computation rounded to
# single precision: rows within this of 1 are distributions enough to draw.
SHOWN_ROW_SUM_ATOL = 1e-5


def check_policy_at(policy: Any, n_states: int, n_actions: int, t: Any, where: str = "") -> np.ndarray:
    """The ``(S, A)`` policy to show at time ``t``.

    ``policy`` is ``(S, A)`` (stationary), ``(T, S, A)`` (its step ``t``,
    negative ``t`` counting from the end) or ``(S,)`` integer actions
    (one-hot). Rows must be distributions within :data:`SHOWN_ROW_SUM_ATOL`.
    ``where`` ends the shape message (e.g. ``" for this 4 x 5 grid"``).
    """
    S, A = n_states, n_actions
    raw = np.asarray(policy)
    if raw.ndim == 1 and raw.dtype.kind in "iu":
        if raw.shape != (S,) or raw.min(initial=0) < 0 or raw.max(initial=0) >= A:
            raise ValueError(f"policy given as actions must have shape (S,) = ({S},) with entries in [0, {A}), "
                             f"got shape {raw.shape}, range [{raw.min(initial=0)}, {raw.max(initial=0)}]")
        return np.eye(A)[raw]
    arr = check_finite_numbers(policy, "policy")
    if arr.ndim == 3:
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, numbers.Integral):
            raise TypeError(f"t must be an integer time index, got {_describe(t)}")
        if not -arr.shape[0] <= t < arr.shape[0]:
            raise ValueError(f"t must be in [0, T) = [0, {arr.shape[0]}) for a (T, S, A) policy, got {t}")
        arr = arr[t]
    if arr.shape != (S, A):
        raise ValueError(f"policy must have shape (S, A) = ({S}, {A}) or (T, S, A) = (T, {S}, {A}){where}, "
                         f"got shape {raw.shape}")
    if np.any(arr < 0) or not np.allclose(arr.sum(axis=1), 1.0, rtol=0.0, atol=SHOWN_ROW_SUM_ATOL):
        raise ValueError("policy rows must be probability distributions over actions (non-negative, summing to 1)")
    return arr


def check_state_paths(demos: Any, n_states: int, name: str = "demos") -> np.ndarray:
    """The state sequences of ``demos`` (Trajectories, ``(N, T+1)`` or ``(T+1,)`` ints) as ``(N, T+1)`` int64."""
    arr = np.asarray(getattr(demos, "states", demos))
    if arr.dtype.kind not in "iu" or arr.ndim not in (1, 2) or arr.size == 0:
        raise TypeError(f"{name} must be Trajectories or integer state sequences of shape (N, T+1) or (T+1,), "
                        f"got {_describe(demos)}")
    arr = np.atleast_2d(arr).astype(np.int64)
    if arr.min() < 0 or arr.max() >= n_states:
        raise ValueError(f"{name} must hold states in [0, {n_states}) for this grid, got states in "
                         f"[{arr.min()}, {arr.max()}]")
    return arr


def check_history(result: Any, keys: Any, name: str = "result") -> dict[str, np.ndarray]:
    """The per-iteration series of ``result`` named in ``keys``, as 1-d float arrays (in the order of ``keys``).

    ``result`` is a fit (its ``history``: the result protocol,
    :mod:`tabular_irl.irl._result`), a history mapping, or a sequence of
    objective values. A fit whose history is empty (one that records no
    iterates) is a ``TypeError``; a history with none of ``keys`` a
    ``ValueError``.
    """
    if isinstance(result, Mapping):
        history = result
    elif isinstance(getattr(result, "history", None), Mapping):
        history = result.history
    elif isinstance(result, (Sequence, np.ndarray)) and not isinstance(result, str):
        history = {"objective": result}
    else:
        raise TypeError(f"{name} must be a fit result with a history (maxent_irl, max_margin_planning, "
                        f"apprenticeship_learning), a history dict or a sequence of objective values, "
                        f"got {_describe(result)}")
    if not history:
        raise TypeError(f"{name} has an empty history: there are no iterates to show (lp_irl solves a single "
                        "linear programme and records none)")
    out = {key: check_finite_array(history[key], f"history[{key!r}]", (None,)) for key in keys if key in history}
    if not out:
        raise ValueError(f"{name}'s history has none of the series {list(keys)}; got keys {list(history)}")
    return out


def check_table(table: Any, columns: Any, made_by: str, name: str = "table") -> Any:
    """A :class:`~tabular_irl.approx.StudyTable` (anything with its ``columns``) that has ``columns``."""
    present = getattr(table, "columns", None)
    if not isinstance(present, tuple) or not all(c in present for c in columns):
        raise TypeError(f"{name} must be the StudyTable of {made_by}, got {_describe(table)}")
    return table


# --------------------------------------------------------------------------
# tabular_irl.rl: softmax policies given by logits
# (a block of its own at the end of the module, added with the rl subpackage)
# --------------------------------------------------------------------------

def check_logits(logits: Any, n_states: int, n_actions: int, horizon: int | None, name: str = "logits") -> np.ndarray:
    """Validate the logits of a softmax policy: ``(S, A)`` stationary, or ``(T, S, A)`` with a horizon.

    Returns a fresh C-contiguous float64 array; every entry must be finite (a
    ``-inf`` logit is an action the policy can never learn to take again).
    """
    arr = _as_float_array(logits, name)
    if arr.shape == (n_states, n_actions) or (horizon is not None and arr.shape == (horizon, n_states, n_actions)):
        return check_finite_array(np.array(arr), name)
    want = f"(S, A) = ({n_states}, {n_actions})"
    if horizon is not None:
        want += f" or (T, S, A) = ({horizon}, {n_states}, {n_actions})"
    else:
        want += " (time-indexed (T, S, A) logits need horizon=T)"
    raise ValueError(f"{name} must have shape {want}, got shape {arr.shape}")
