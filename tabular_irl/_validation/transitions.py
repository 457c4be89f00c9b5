"""The sparse transition matrix (proven structure, never densified), rewards and features."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .scalars import ROW_SUM_ATOL, _as_float_array, _describe, check_finite_array, check_positive_int


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
