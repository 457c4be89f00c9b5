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
    together with a horizon); at least one of them.
policy
    ``(S, A)`` stationary or ``(T, S, A)`` time-indexed; rows are distributions.
"""

from __future__ import annotations

import numbers
import operator
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import _passes

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
    "check_temperature",
    "check_policy",
    "check_positive_int",
    "check_indices",
    "check_finite_array",
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


def check_distribution(value: Any, name: str, size: int) -> np.ndarray:
    """Validate a probability vector of length ``size``; returns float64, read-only."""
    arr = check_finite_array(value, name, (size,))
    if np.any(arr < 0):
        i = int(np.argmax(arr < 0))
        raise ValueError(f"{name} must be non-negative, got {arr[i]} at index {i}")
    total = float(arr.sum())
    if abs(total - 1.0) > ROW_SUM_ATOL:
        raise ValueError(f"{name} must sum to 1, got sum {total!r}")
    return arr


def check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """Accept Python or NumPy integers (not bools, not floats) in ``[minimum, 2**62]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = operator.index(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
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
    if isinstance(horizon, (float, np.floating)):
        raise TypeError(f"horizon must be an integer >= 1, got float {horizon!r} (write {int(horizon)} if you mean it)"
                        if float(horizon).is_integer() else f"horizon must be an integer >= 1, got float {horizon!r}")
    T = check_positive_int(horizon, "horizon")
    if T > MAX_HORIZON:
        raise ValueError(f"horizon must be <= {MAX_HORIZON} (time-indexed arrays are (T, S, A)), got {T}")
    return T


def check_discount(discount: Any, allow_one: bool) -> float:
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
    if not isinstance(causal, (bool, np.bool_)):
        raise TypeError(f"causal must be True or False, got {_describe(causal)}")
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


def check_temperature(temperature: Any) -> float:
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature must be a real number > 0, got {_describe(temperature)}")
    value = float(temperature)
    if not (np.isfinite(value) and value > 0.0):
        raise ValueError(f"temperature must be finite and > 0, got {value!r} (use value_iteration for the hard max)")
    return value


def check_policy(policy: Any, n_states: int, n_actions: int, horizon: int | None) -> np.ndarray:
    """Validate a policy: ``(S, A)`` stationary, or ``(T, S, A)`` with a horizon.

    Returns float64 ``(S, A)`` or ``(T, S, A)``; rows must be distributions.
    """
    arr = _as_float_array(policy, "policy")
    if arr.shape == (n_states, n_actions):
        pass
    elif horizon is not None and arr.shape == (horizon, n_states, n_actions):
        pass
    else:
        want = f"(S, A) = ({n_states}, {n_actions})"
        if horizon is not None:
            want += f" or (T, S, A) = ({horizon}, {n_states}, {n_actions})"
        raise ValueError(f"policy must have shape {want}, got shape {arr.shape}")
    if arr.size == 0 or _passes.rows_are_distributions(arr.reshape(-1, n_actions), ROW_SUM_ATOL):
        return arr
    # slow path: find and name the offending entry
    arr = check_finite_array(arr, "policy")
    if np.any(arr < 0):
        idx = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        raise ValueError(f"policy must be non-negative, got {arr[idx]} at index {idx}")
    sums = arr.sum(axis=-1)
    bad = np.abs(sums - 1.0) > ROW_SUM_ATOL
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"(t={idx[0]}, s={idx[1]})" if arr.ndim == 3 else f"(s={idx[0]})"
        raise ValueError(f"policy row for {where} sums to {sums[idx]:.12g}, expected 1")
    return arr  # a row at the edge of the tolerance, summed in another order: accept it


def check_indices(value: Any, name: str, upper: int, upper_name: str) -> None:
    """Check an integer array lies in ``[0, upper)``."""
    if value.size and (value.min() < 0 or value.max() >= upper):
        bad = value[(value < 0) | (value >= upper)][0]
        raise ValueError(f"{name} must lie in [0, {upper}) ({upper_name}), got {int(bad)}")


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


def check_real(value: Any, name: str, low: float | None = None, high: float | None = None) -> float:
    """A finite real number (not a bool) in ``[low, high]``, as a Python float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out!r}")
    if (low is not None and out < low) or (high is not None and out > high):
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {out!r}")
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


# --------------------------------------------------------------------------
# rewardfree: validators of tabular_irl.rewardfree (distributions of any shape,
# logarithm bases, named choices). Kept in this block at the end of the module.
# --------------------------------------------------------------------------

def check_probabilities(value: Any, name: str, axis: int | None = -1, *, ndim: int | None = None) -> np.ndarray:
    """Validate an array whose slices along ``axis`` are probability distributions.

    ``axis=None``: the whole array is one distribution (a joint table). Entries
    must be finite and non-negative and every slice must sum to 1 within
    ``ROW_SUM_ATOL``; ``ndim`` fixes the number of dimensions. Returns float64.
    """
    arr = check_finite_array(value, name)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-d, got shape {arr.shape}")
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty array of probabilities, got shape {arr.shape}")
    if np.any(arr < 0):
        idx = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        raise ValueError(f"{name} must be non-negative, got {arr[idx]} at index {idx if len(idx) > 1 else idx[0]}")
    if axis is None:
        total = float(arr.sum())
        if abs(total - 1.0) > ROW_SUM_ATOL:
            raise ValueError(f"{name} must sum to 1, got sum {total!r}")
        return arr
    try:
        sums = arr.sum(axis=axis)
    except np.exceptions.AxisError as exc:
        raise ValueError(f"axis={axis!r} is out of range for {name} of shape {arr.shape}") from exc
    bad = np.abs(sums - 1.0) > ROW_SUM_ATOL
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0]) if np.ndim(sums) else ()
        where = f" (slice {idx} along axis {axis})" if idx else ""
        raise ValueError(f"{name} must sum to 1 along axis {axis}{where}, got sum {float(sums[idx])!r}")
    return arr


def check_base(base: Any) -> float | None:
    """The base of a logarithm: ``None`` (natural, nats) or a real > 0 other than 1."""
    if base is None:
        return None
    value = check_positive_real(base, "base")
    if value == 1.0:
        raise ValueError("base must be a real > 0 other than 1 (2 for bits, None for nats), got 1")
    return value


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of the strings ``choices``, else a ``ValueError`` listing them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {_describe(value)}")
    return value
