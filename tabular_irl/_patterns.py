"""Shared probability patterns: one copy of each distinct block of P for the kernels.

On a slippery gridworld every interior state moves with the same
probabilities to its neighbours: its ``A x L`` block of ``P`` (under shared
support, ``csrc/_products.h``) is bitwise equal to that of every other
interior state, and a 256 x 256 grid has a handful of distinct blocks among
65,536. The kernels' products stream ``P``'s values once per time step (13 MB
there) and are bound by that stream; with the distinct blocks stored once
(a few hundred bytes, in cache) and one offset per state (for ``P``) or per
run of ``A`` entries (for ``P^T``), they read the same values from a smaller
place. The values, and so every result, are the same bit for bit: a block
joins a class only when its bytes are equal.

:func:`classes` finds the distinct blocks (``None`` when they do not repeat
enough to pay -- at most a quarter of the stored values may remain -- or when
``P`` is small enough to stay in cache anyway); :func:`patterns` and
:func:`transposed_patterns` lay them out for the products with ``P`` and
``P^T``. ``MDP._pattern_parts`` caches all three.
"""

from __future__ import annotations

import numpy as np

# P smaller than this stays in cache: nothing to gain from the offsets
MIN_BYTES = 2 << 20
# the distinct blocks must hold at most this fraction of the stored values
MAX_FRACTION = 0.25


def _state_blocks(indptr: np.ndarray, n_states: int, n_actions: int) -> tuple[np.ndarray, np.ndarray]:
    """Each state's block start in ``data`` and its number of successors ``L`` (shared support)."""
    first = np.asarray(indptr[:-1:n_actions], dtype=np.int64)
    width = np.asarray(indptr[1::n_actions], dtype=np.int64) - first
    return first, width


# states per chunk while hashing and comparing blocks: the temporaries stay a few MB whatever the MDP's size
CHUNK = 1 << 15


def _block_hashes(raw: np.ndarray, starts: np.ndarray, width: int, chunk: int) -> np.ndarray:
    """One multiply-add hash (uint64, wrapping) of each block ``raw[start : start + width]``, chunk by chunk."""
    weights = (np.random.default_rng(0).integers(1, 2**62, size=width, dtype=np.int64) | 1).astype(np.uint64)
    keys = np.empty(len(starts), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c0 in range(0, len(starts), chunk):
            cells = raw[starts[c0:c0 + chunk, None] + np.arange(width)].astype(np.uint64)
            keys[c0:c0 + chunk] = (cells * weights).sum(axis=1, dtype=np.uint64)
    return keys


def _unique_blocks(raw: np.ndarray, starts: np.ndarray, width: int, chunk: int = CHUNK
                   ) -> tuple[np.ndarray, np.ndarray]:
    """``(distinct blocks (k, width) of bit patterns, class of each block)``, byte-exact.

    Sorting the blocks as records is slow (seconds for 65,536 blocks of 25);
    a hash per block and a 1-d unique take milliseconds. Every block is then
    compared with its class's first block, chunk by chunk: a hash collision
    (never seen) falls back to the exact sort of the rows.
    """
    _, first, inverse = np.unique(_block_hashes(raw, starts, width, chunk), return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    offsets = np.arange(width)
    unique = raw[starts[first, None] + offsets]
    for c0 in range(0, len(starts), chunk):
        if not np.array_equal(raw[starts[c0:c0 + chunk, None] + offsets], unique[inverse[c0:c0 + chunk]]):
            unique, inverse = np.unique(raw[starts[:, None] + offsets], axis=0, return_inverse=True)
            return unique, inverse.ravel()
    return unique, inverse


def classes(indptr: np.ndarray, data: np.ndarray, n_states: int, n_actions: int
            ) -> tuple[np.ndarray, list[np.ndarray], np.ndarray] | None:
    """``(class of each state (S,), the distinct blocks (flat A*L each), block offsets)`` or None.

    Blocks are compared by their bytes (``-0.0`` and ``0.0`` differ), so a
    state's class block holds exactly its own values.
    """
    S, A = n_states, n_actions
    if data.size * 8 < MIN_BYTES or S == 0:
        return None
    first, width = _state_blocks(indptr, S, A)
    label = np.empty(S, dtype=np.int64)
    blocks: list[np.ndarray] = []
    n_classes = 0
    raw = data.view(np.int64)
    for L in np.unique(width):
        states = np.flatnonzero(width == L)
        unique, inverse = _unique_blocks(raw, first[states], A * int(L))
        label[states] = n_classes + inverse
        blocks.extend(unique.view(np.float64))
        n_classes += len(unique)
        if sum(b.size for b in blocks) > MAX_FRACTION * data.size:
            return None
    offsets = np.zeros(n_classes + 1, dtype=np.int64)
    np.cumsum([b.size for b in blocks], out=offsets[1:])
    return label, blocks, offsets


def patterns(found: tuple[np.ndarray, list[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(poff (S,), pdata)``: state ``s``'s row-major ``A x L`` block of P is ``pdata[poff[s]:][:A*L]``."""
    label, blocks, offsets = found
    return np.ascontiguousarray(offsets[label]), np.concatenate(blocks)


def transposed_patterns(found: tuple[np.ndarray, list[np.ndarray], np.ndarray], indptr: np.ndarray,
                        succ: np.ndarray, t_data: np.ndarray, pred: np.ndarray, n_states: int, n_actions: int
                        ) -> tuple[np.ndarray, np.ndarray] | None:
    """``(toff (nnz/A,), tdata)``: run ``c`` of P^T (predecessor ``pred[c]``) is ``tdata[toff[c]:][:A]``.

    ``tdata`` holds each distinct block transposed (``L x A``), so the ``A``
    probabilities of one successor are contiguous; the runs of P^T follow
    (successor, predecessor) order, which is checked, as are the values.
    """
    S, A = n_states, n_actions
    label, blocks, offsets = found
    first, width = _state_blocks(indptr, S, A)
    tblocks = [b.reshape(A, -1).T.ravel() for b in blocks]
    state = np.repeat(np.arange(S, dtype=np.int64), width)
    position = np.arange(state.size, dtype=np.int64) - np.repeat(first // A, width)
    order = np.lexsort((state, np.asarray(succ, dtype=np.int64)))  # by successor, then predecessor
    if not np.array_equal(state[order], pred):
        return None
    toff = offsets[label[state[order]]] + position[order] * A
    tdata = np.concatenate(tblocks)
    raw, runs = t_data.view(np.int64), tdata.view(np.int64)
    for c0 in range(0, len(toff), CHUNK):  # every run's values, byte for byte, a chunk at a time
        if not np.array_equal(runs[toff[c0:c0 + CHUNK, None] + np.arange(A)].ravel(), raw[c0 * A:(c0 + CHUNK) * A]):
            return None
    return np.ascontiguousarray(toff), tdata
