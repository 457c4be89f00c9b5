"""The ``MDP`` type: validated, immutable sparse dynamics and a start distribution.

Transitions are a ``scipy.sparse.csr_array`` of shape ``(S*A, S)`` whose row
``s*A + a`` holds ``P(. | s, a)``. An episode that ends early is modelled by an
absorbing state (self-loop, zero reward), never by a row of zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._validation import check_distribution, check_finite_array, check_transitions

__all__ = ["MDP", "check_mdp"]

_LAYOUTS = {
    # layout -> axes permutation that brings the array to (S, A, S')
    "sas": (0, 1, 2),  # P[s, a, s'] (ours, imitation)
    "ass": (1, 0, 2),  # P[a, s, s'] (pymdptoolbox)
    "ssa": (0, 2, 1),  # P[s, s', a] (irl-maxent)
}


def _readonly_csr(csr: sp.csr_array) -> sp.csr_array:
    # Own copies first: a read-only array that is a view of a writeable one can
    # have its flag turned back on, an owner cannot be reached through views.
    csr.data, csr.indices, csr.indptr = csr.data.copy(), csr.indices.copy(), csr.indptr.copy()
    for arr in (csr.data, csr.indices, csr.indptr):
        arr.flags.writeable = False
    return csr


def _readonly_view(arr: np.ndarray) -> np.ndarray:
    """A read-only view of a read-only array: its flag cannot be turned back on."""
    view = arr.view()
    view.flags.writeable = False
    return view


def _public_csr(csr: sp.csr_array) -> sp.csr_array:
    """A new ``csr_array`` over read-only views of ``csr``'s arrays (no copy).

    The MDP hands these out instead of its own matrix, so reassigning an
    attribute of what a user got (``mdp.transitions.indices = ...``) cannot
    reach the arrays the kernels read without bounds checks.
    """
    out = sp.csr_array((_readonly_view(csr.data), _readonly_view(csr.indices), _readonly_view(csr.indptr)),
                       shape=csr.shape, copy=False)
    out.has_canonical_format = True
    return out


class MDP:
    """A finite MDP: sparse transitions ``P`` of shape ``(S*A, S)`` and an initial distribution.

    Parameters
    ----------
    transitions : scipy.sparse matrix, shape (S*A, S)
        Row ``s*A + a`` is ``P(. | s, a)``. Every row must be a probability
        distribution (non-negative, finite, summing to 1 within 1e-9). The
        input is copied; duplicates are summed, explicit zeros dropped.
    initial : array_like, shape (S,)
        Start-state distribution.
    n_actions : int, optional
        Number of actions ``A``; inferred as ``rows / columns`` when omitted.

    Attributes
    ----------
    transitions : scipy.sparse.csr_array, shape (S*A, S)
        Canonical read-only CSR matrix (sorted indices, float64 data).
    initial : ndarray, shape (S,)
        Read-only start distribution.
    n_states, n_actions : int

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> P = sp.csr_array(np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]))
    >>> mdp = MDP(P, initial=[1.0, 0.0])
    >>> mdp.n_states, mdp.n_actions
    (2, 2)
    """

    __slots__ = ("_transitions", "_transitions_t", "_initial", "_n_states", "_n_actions", "_parts", "__weakref__")

    def __init__(self, transitions: Any, initial: Any, n_actions: int | None = None) -> None:
        csr, n_states, n_actions = check_transitions(transitions, n_actions)
        init = check_distribution(initial, "initial", n_states).copy()
        init.flags.writeable = False
        object.__setattr__(self, "_transitions", _readonly_csr(csr))
        object.__setattr__(self, "_initial", init)
        object.__setattr__(self, "_n_states", n_states)
        object.__setattr__(self, "_n_actions", n_actions)
        object.__setattr__(self, "_transitions_t", None)
        object.__setattr__(self, "_parts", {})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"MDP is immutable; cannot set {name!r}")

    # -- read-only views -------------------------------------------------
    @property
    def transitions(self) -> sp.csr_array:
        """Read-only ``(S*A, S)`` CSR matrix; row ``s*A + a`` is ``P(. | s, a)``."""
        return _public_csr(self._transitions)

    @property
    def transitions_t(self) -> sp.csr_array:
        """Read-only transpose ``(S, S*A)`` in CSR form, built once on first use.

        The forward passes gather each next state's mass over its predecessors
        through this matrix, which keeps them free of write races.
        """
        if self._transitions_t is None:
            t = self._transitions.T.tocsr()
            t.sort_indices()
            object.__setattr__(self, "_transitions_t", _readonly_csr(sp.csr_array(t)))
        return _public_csr(self._transitions_t)

    @property
    def initial(self) -> np.ndarray:
        """Read-only start distribution, shape ``(S,)``."""
        return _readonly_view(self._initial)

    @property
    def n_states(self) -> int:
        return self._n_states

    @property
    def n_actions(self) -> int:
        return self._n_actions

    @property
    def nnz(self) -> int:
        """Number of stored non-zero transition probabilities."""
        return int(self._transitions.nnz)

    def _kernel_parts(self, transpose: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(indptr, indices, data)`` of P (or of P^T), with one index dtype for both; cached."""
        if transpose not in self._parts:
            if transpose:
                self.transitions_t  # built once, on first use
            csr = self._transitions_t if transpose else self._transitions
            big = max(self.n_states * self.n_actions, self.nnz) >= np.iinfo(np.int32).max
            itype = np.int64 if big else np.int32
            self._parts[transpose] = tuple(
                _readonly_view(np.ascontiguousarray(a, dtype=t))
                for a, t in ((csr.indptr, itype), (csr.indices, itype), (csr.data, np.float64))
            )
        return self._parts[transpose]

    def __repr__(self) -> str:
        return f"MDP(n_states={self.n_states}, n_actions={self.n_actions}, nnz={self.nnz})"

    def to_dense(self) -> np.ndarray:
        """Dense ``P[s, a, s']`` of shape ``(S, A, S)`` (for small MDPs and tests)."""
        return self._transitions.toarray().reshape(self.n_states, self.n_actions, self.n_states)

    def with_initial(self, initial: Any) -> MDP:
        """The same dynamics with another start distribution."""
        return MDP(self._transitions, initial, self.n_actions)

    def is_deterministic(self) -> bool:
        """True when every ``(s, a)`` has exactly one successor."""
        return bool(np.all(np.diff(self._transitions.indptr) == 1))

    # -- constructors ----------------------------------------------------
    @classmethod
    def from_dense(cls, P: Any, initial: Any, layout: str = "sas") -> MDP:
        """Build an MDP from a dense transition array.

        Parameters
        ----------
        P : array_like, shape (S, A, S) for ``layout="sas"``
            Transition probabilities. Other layouts: ``"ass"`` means
            ``P[a, s, s']`` (pymdptoolbox), ``"ssa"`` means ``P[s, s', a]``
            (irl-maxent).
        initial : array_like, shape (S,)
        layout : {"sas", "ass", "ssa"}
        """
        if not isinstance(layout, str) or layout not in _LAYOUTS:
            raise ValueError(f"layout must be one of {sorted(_LAYOUTS)}, got {layout!r}")
        arr = check_finite_array(P, "P")
        if arr.ndim != 3:
            raise ValueError(f"P must be a 3-d array in layout {layout!r}, got shape {arr.shape}")
        arr = np.transpose(arr, _LAYOUTS[layout])
        S, A, S2 = arr.shape
        if S != S2:
            raise ValueError(
                f"P in layout {layout!r} must index states on two axes of equal length, got shape {np.shape(P)}"
            )
        return cls(sp.csr_array(arr.reshape(S * A, S)), initial, n_actions=A)

    @classmethod
    def from_gymnasium(cls, P_dict: Mapping | Sequence, initial: Any = None) -> tuple[MDP, np.ndarray]:
        """Read Gymnasium's toy-text ``env.unwrapped.P`` and return ``(mdp, reward)``.

        ``P_dict[s][a]`` is a list of ``(prob, next_state, reward, terminated)``.
        Duplicate successors are summed. Transitions flagged ``terminated`` are
        redirected to an added absorbing state (last index ``S``, self-loop,
        zero reward), so the MDP has ``S + 1`` states.

        Parameters
        ----------
        P_dict : mapping or sequence, ``P_dict[s][a] -> [(p, s', r, done), ...]``
        initial : array_like, shape (S,) or (S+1,), optional
            Start distribution over the original states (for example
            ``env.unwrapped.initial_state_distrib``); uniform over the original
            states when omitted.

        Returns
        -------
        mdp : MDP with ``S + 1`` states
        reward : ndarray, shape (S+1, A)
            Expected immediate reward ``sum_k p_k r_k`` per ``(s, a)``; zero in
            the absorbing state.
        """
        if not isinstance(P_dict, (Mapping, Sequence)) or isinstance(P_dict, (str, bytes)) or len(P_dict) == 0:
            raise TypeError(f"P_dict must be a non-empty mapping state -> action -> transitions, got {type(P_dict).__name__}")
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
                if not isinstance(actions[a], (Sequence, np.ndarray)):
                    raise TypeError(f"P_dict[{s}][{a}] must be a list of (prob, next_state, reward, terminated), "
                                    f"got {type(actions[a]).__name__}")
                for item in actions[a]:
                    if not isinstance(item, (Sequence, np.ndarray)) or len(item) < 4:
                        raise ValueError(
                            f"P_dict[{s}][{a}] entries must be (prob, next_state, reward, terminated), got {item!r}"
                        )
                    p, nxt, r, done = item[:4]
                    if isinstance(nxt, (bool, np.bool_)) or not (isinstance(nxt, (int, np.integer)) and 0 <= nxt < S):
                        raise ValueError(f"P_dict[{s}][{a}] next_state must be an integer in [0, {S}), got {nxt!r}")
                    try:
                        p, r = float(p), float(r)
                    except (TypeError, ValueError) as exc:
                        raise TypeError(f"P_dict[{s}][{a}] probability and reward must be real numbers, "
                                        f"got {item!r}") from exc
                    if not (np.isfinite(p) and np.isfinite(r)):
                        raise ValueError(f"P_dict[{s}][{a}] has a non-finite probability or reward: {item!r}")
                    rows.append(s * A + a)
                    cols.append(absorbing if done else int(nxt))
                    vals.append(p)
                    reward[s, a] += p * r
        for a in range(A):
            rows.append(absorbing * A + a)
            cols.append(absorbing)
            vals.append(1.0)
        P = sp.csr_array((np.asarray(vals), (np.asarray(rows), np.asarray(cols))), shape=((S + 1) * A, S + 1))
        if initial is None:
            init = np.full(S + 1, 1.0 / S)
            init[absorbing] = 0.0
        else:
            init = check_finite_array(initial, "initial")
            if init.shape == (S,):
                init = np.append(init, 0.0)
            elif init.shape != (S + 1,):
                raise ValueError(f"initial must have shape (S,) = ({S},) or (S+1,) = ({S + 1},) "
                                 f"(with the absorbing state), got shape {init.shape}")
        return cls(P, init, n_actions=A), reward


def check_mdp(mdp: Any) -> MDP:
    """``mdp`` itself if it is an :class:`MDP`, else a ``TypeError`` naming it."""
    if not isinstance(mdp, MDP):
        raise TypeError(f"mdp must be a tabular_irl.MDP, got {type(mdp).__name__}")
    return mdp
