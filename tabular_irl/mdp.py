"""The ``MDP`` type: validated, immutable sparse dynamics and a start distribution.

Transitions are a ``scipy.sparse.csr_array`` of shape ``(S*A, S)`` whose row
``s*A + a`` holds ``P(. | s, a)``. An episode that ends early is modelled by an
absorbing state (self-loop, zero reward), never by a row of zeros.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from . import _patterns
from ._validation import (
    check_distribution,
    check_finite_array,
    check_option,
    check_transitions,
    check_type,
    readonly,
)

__all__ = ["MDP", "check_mdp"]

_LAYOUTS = {
    # layout -> axes permutation that brings the array to (S, A, S')
    "sas": (0, 1, 2),  # P[s, a, s'] (ours, imitation)
    "ass": (1, 0, 2),  # P[a, s, s'] (pymdptoolbox)
    "ssa": (0, 2, 1),  # P[s, s', a] (irl-maxent)
}


def _own_readonly_csr(csr: sp.csr_array) -> sp.csr_array:
    """``csr`` with private read-only copies of its three arrays (what :func:`readonly` alone cannot give).

    Own copies first: a read-only array that is a view of a writeable one can
    have its flag turned back on, an owner cannot be reached through views.
    """
    csr.data, csr.indices, csr.indptr = csr.data.copy(), csr.indices.copy(), csr.indptr.copy()
    readonly(csr.data, csr.indices, csr.indptr)
    return csr


def _readonly_view(arr: np.ndarray) -> np.ndarray:
    """A new read-only view of a read-only array: its flag cannot be turned back on, the owner's stays off."""
    return readonly(arr.view())


def _rows_share_support(indptr: np.ndarray, indices: np.ndarray, n_states: int, n_actions: int,
                        chunk: int = 1 << 20) -> bool:
    """Whether rows ``s*A .. s*A+A-1`` of a CSR matrix hold identical index lists, for every ``s``.

    Compares each stored index with the one at the same offset in its state's
    first row, ``chunk`` entries at a time (memory O(chunk), not O(nnz)).
    """
    S, A = n_states, n_actions
    lengths = np.diff(indptr).reshape(S, A)
    if not np.array_equal(lengths, np.broadcast_to(lengths[:, :1], (S, A))):
        return False
    if A == 1:
        return True
    first = np.asarray(indptr[:-1:A], dtype=np.int64)  # where each state's block (and first row) starts
    width = lengths[:, 0].astype(np.int64)
    step = max(1, chunk // (A * max(1, int(width.max(initial=1)))))  # states per chunk
    for s0 in range(0, S, step):
        s1 = min(S, s0 + step)
        counts = A * width[s0:s1]
        state = np.repeat(np.arange(s0, s1), counts)
        offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        here = first[state] + offset
        if not np.array_equal(indices[here], indices[first[state] + offset % width[state]]):
            return False
    return True


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
    transitions_t : scipy.sparse.csr_array, shape (S, S*A)
        Its transpose, read-only, built on first use.
    initial : ndarray, shape (S,)
        Read-only start distribution.
    n_states, n_actions : int
    nnz : int
        Number of stored (non-zero) transition probabilities.

    See Also
    --------
    gridworld, objectworld, random_mdp : ready-made MDPs.
    load_mdp, save_mdp : files.

    Examples
    --------
    Two states, two actions: in state 0, action 0 moves to state 1 and action
    1 stays; state 1 is absorbing.

    >>> import numpy as np, scipy.sparse as sp
    >>> P = sp.csr_array(np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]))
    >>> mdp = MDP(P, initial=[1.0, 0.0])
    >>> mdp
    MDP(n_states=2, n_actions=2, nnz=4)
    >>> mdp.transitions.shape, mdp.transitions_t.shape     # (S*A, S) and (S, S*A)
    ((4, 2), (2, 4))
    >>> mdp.transitions[1 * 2 + 0].toarray().tolist()      # row s*A + a is P(. | s=1, a=0)
    [0.0, 1.0]
    >>> mdp.initial.flags.writeable
    False
    """

    __slots__ = ("_transitions", "_transitions_t", "_initial", "_n_states", "_n_actions", "_parts", "__weakref__")

    def __init__(self, transitions: Any, initial: Any, n_actions: int | None = None) -> None:
        csr, n_states, n_actions = check_transitions(transitions, n_actions)
        init = readonly(check_distribution(initial, "initial", n_states).copy())
        object.__setattr__(self, "_transitions", _own_readonly_csr(csr))
        object.__setattr__(self, "_initial", init)
        object.__setattr__(self, "_n_states", n_states)
        object.__setattr__(self, "_n_actions", n_actions)
        object.__setattr__(self, "_transitions_t", None)
        object.__setattr__(self, "_parts", {})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"MDP is immutable; cannot set {name!r}")

    def __reduce__(self):
        # rebuilt through the constructor (validated again; the canonical CSR arrays keep their bits);
        # the transpose and the kernels' index lists are derived again on first use
        return MDP, (self._transitions, self._initial, self._n_actions)

    # -- read-only views -------------------------------------------------
    @property
    def transitions(self) -> sp.csr_array:
        """Read-only ``(S*A, S)`` CSR matrix; row ``s*A + a`` is ``P(s' | s, a)``."""
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
            object.__setattr__(self, "_transitions_t", _own_readonly_csr(sp.csr_array(t)))
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

    def _shared_support(self) -> bool:
        """True when, for every state, the ``A`` rows of P store the same successor indices in the same order.

        Then the kernels read each successor once for all actions
        (``csrc/_products.h``): slippery gridworlds, FrozenLake and most
        hand-built tabular MDPs qualify; random (Garnet) dynamics do not. Cached.
        """
        if "shared" not in self._parts:
            self._parts["shared"] = _rows_share_support(*self._kernel_parts()[:2], self.n_states, self.n_actions)
        return self._parts["shared"]

    def _shared_parts(self, transpose: bool = False) -> np.ndarray | None:
        """The kernels' compact index lists under shared support (``csrc/_products.h``), else None; cached.

        ``succ`` (P): each state's successor list once, ``nnz / A`` entries;
        ``pred`` (``transpose=True``, P^T): the predecessor state of each run of
        ``A`` consecutive entries in the rows of P^T.
        """
        if not self._shared_support():
            return None
        key = "pred" if transpose else "succ"
        if key not in self._parts:
            S, A = self.n_states, self.n_actions
            if transpose:
                t_indices = self._kernel_parts(transpose=True)[1]
                compact = t_indices[::A] // A
            else:
                indptr, indices, _ = self._kernel_parts()
                first_rows = np.repeat(np.arange(S * A) % A == 0, np.diff(indptr))
                compact = indices[first_rows]
            self._parts[key] = _readonly_view(np.ascontiguousarray(compact))  # the index dtype of the CSR
        return self._parts[key]

    def _pattern_parts(self, transpose: bool = False) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The kernels' shared probability patterns (``tabular_irl/_patterns.py``), ``(None, None)`` without; cached.

        ``(poff, pdata)`` for P, ``(toff, tdata)`` for P^T (``transpose=True``):
        the distinct blocks of P stored once and where each state's (each run's)
        values are in them; the products read the same values, so the same bits.
        """
        key = ("patterns", transpose)
        if key not in self._parts:
            parts = None
            if self._shared_support():
                if "classes" not in self._parts:
                    indptr, _, data = self._kernel_parts()
                    self._parts["classes"] = _patterns.classes(indptr, data, self.n_states, self.n_actions)
                found = self._parts["classes"]
                if found is not None and not transpose:
                    parts = _patterns.patterns(found)
                elif found is not None:
                    parts = _patterns.transposed_patterns(
                        found, self._kernel_parts()[0], self._shared_parts(), self._kernel_parts(transpose=True)[2],
                        self._shared_parts(transpose=True), self.n_states, self.n_actions)
            self._parts[key] = (None, None) if parts is None else tuple(_readonly_view(a) for a in parts)
        return self._parts[key]

    def __repr__(self) -> str:
        return f"MDP(n_states={self.n_states}, n_actions={self.n_actions}, nnz={self.nnz})"

    def to_dense(self) -> np.ndarray:
        """Dense ``P[s, a, s']`` of shape ``(S, A, S)`` (for small MDPs and tests).

        Examples
        --------
        >>> import numpy as np
        >>> mdp = MDP.from_dense(np.full((2, 3, 2), 0.5), initial=[1.0, 0.0])
        >>> mdp.to_dense().shape
        (2, 3, 2)
        """
        return self._transitions.toarray().reshape(self.n_states, self.n_actions, self.n_states)

    def with_initial(self, initial: Any) -> MDP:
        """The same dynamics with another start distribution ``initial`` of shape ``(S,)``.

        Examples
        --------
        >>> import numpy as np
        >>> mdp = MDP.from_dense(np.full((2, 1, 2), 0.5), initial=[1.0, 0.0])
        >>> mdp.with_initial([0.25, 0.75]).initial.tolist()
        [0.25, 0.75]
        """
        return MDP(self._transitions, initial, self.n_actions)

    def is_deterministic(self) -> bool:
        """True when every ``(s, a)`` has exactly one successor.

        Examples
        --------
        >>> import numpy as np
        >>> MDP.from_dense(np.full((2, 1, 2), 0.5), initial=[1.0, 0.0]).is_deterministic()
        False
        >>> MDP.from_dense(np.eye(2)[:, None, :], initial=[1.0, 0.0]).is_deterministic()
        True
        """
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

        Returns
        -------
        MDP
            ``S`` states and ``A`` actions; zero entries are not stored.

        Examples
        --------
        pymdptoolbox's ``P[a, s, s']`` (here: action 0 stays, action 1 switches):

        >>> import numpy as np
        >>> P_ass = np.array([np.eye(2), np.eye(2)[::-1]])
        >>> mdp = MDP.from_dense(P_ass, initial=[1.0, 0.0], layout="ass")
        >>> mdp.n_states, mdp.n_actions, mdp.nnz
        (2, 2, 4)
        >>> mdp.to_dense()[0].tolist()                  # P[s=0, a, s']
        [[1.0, 0.0], [0.0, 1.0]]
        """
        check_option(layout, "layout", sorted(_LAYOUTS))
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
    def from_gymnasium(cls, P_dict: Any, initial: Any = None) -> tuple[MDP, np.ndarray]:
        r"""Read Gymnasium's toy-text dynamics ``env.unwrapped.P``; return ``(mdp, reward)``.

        ``P_dict[s][a]`` is the list of outcomes ``(p, s', r, terminated)`` of
        action ``a`` in state ``s`` (FrozenLake, CliffWalking, Taxi). The MDP
        has ``S + 1`` states: the ``S`` of ``P_dict`` and an added absorbing
        state ``S`` (self-loop under every action, zero reward) that every
        transition flagged ``terminated`` leads to:

        .. math::

            P(s' \mid s, a) = \sum_{k:\ s'_k = s',\ \neg\,\mathrm{term}_k} p_k, \qquad
            P(S \mid s, a) = \sum_{k:\ \mathrm{term}_k} p_k, \qquad
            r(s, a) = \sum_k p_k\, r_k .

        Outcomes with the same successor are summed (FrozenLake's slippery
        moves into a wall, two holes next to a cell).

        Parameters
        ----------
        P_dict : mapping or sequence, or a Gymnasium environment
            ``P_dict[s][a] -> [(p, s', r, terminated), ...]`` with states
            ``0 .. S-1`` and actions ``0 .. A-1`` as keys (dicts) or positions
            (lists). An environment (``gymnasium.make(...)`` or its
            ``.unwrapped``) is accepted too: its ``unwrapped.P`` is read, after
            the checks in the notes.
        initial : array_like, shape (S,) or (S+1,), optional
            Start distribution over the original states (a length ``S + 1``
            one may include the absorbing state). Default: the environment's
            ``initial_state_distrib`` when an environment is given, otherwise
            uniform over the ``S`` original states (pass
            ``env.unwrapped.initial_state_distrib`` to start where the
            environment does).

        Returns
        -------
        mdp : MDP
            ``S + 1`` states, ``A`` actions; state ``S`` is absorbing.
        reward : ndarray, shape (S+1, A)
            Expected immediate reward ``r(s, a)`` of the equation above (0 in
            the absorbing state). Gymnasium's rewards depend on ``s'`` too;
            every policy's expected return is the same under both.

        Raises
        ------
        TypeError, ValueError
            Malformed ``P_dict`` (the message names the entry
            ``P_dict[s][a]``), outcomes of one ``(s, a)`` whose probabilities
            do not sum to 1, or an environment whose ``P`` is not its dynamics
            (see the notes).

        Notes
        -----
        *Terminal transitions.* After a ``terminated`` outcome Gymnasium
        ends the episode, so what ``P`` lists from that successor never
        happens; the absorbing state models exactly that. Which terminal
        cell was entered is not kept (a FrozenLake hole and its goal both
        lead to state ``S``); its reward is, in ``reward[s, a]``. Rows
        ``P`` lists for the terminal cells themselves (FrozenLake's holes and
        goal: ``(1.0, s, 0, True)``) lead to the absorbing state with zero
        reward; they matter only when ``initial`` puts mass there.

        *Time limits.* ``gymnasium.make`` wraps the toy-text environments in
        ``TimeLimit`` (FrozenLake-v1: 100 steps, FrozenLake8x8-v1 and Taxi:
        200), which truncates episodes; ``P`` knows nothing of it. The
        finite horizon ``T = env.spec.max_episode_steps`` models it exactly:
        an episode of ``T`` decisions, parked in the absorbing state after
        termination.

        *When P is not the dynamics.* ``from_gymnasium`` trusts that
        ``step`` samples from ``P``, as FrozenLake, CliffWalking and Taxi do.
        Given an environment, it refuses (``ValueError``) where it knows
        otherwise: Taxi with ``fickle_passenger=True`` (``step`` changes the
        destination at random, which ``P`` does not list), and wrappers that
        may change observations, actions or rewards (anything but
        ``TimeLimit``, ``OrderEnforcing``, ``PassiveEnvChecker``,
        ``RecordEpisodeStatistics``, ``RecordVideo``, ``RenderCollection``,
        ``HumanRendering``): ``P`` is read from ``env.unwrapped`` and does
        not see them. A ``P_dict`` given directly is taken at its word.

        *Rows no episode reaches* are kept as listed: CliffWalking's moves
        out of cliff cells and out of its goal, Taxi's out of states whose
        passenger is already delivered. CliffWalking's cliff is whatever the
        installed version's ``P`` says (Gymnasium 1.4: reward -100 and back
        to the start, not terminal, as in Sutton & Barto's example 6.6).

        See Also
        --------
        tabular_irl.envs.gymnasium.from_gymnasium : the adapter this method runs.

        Examples
        --------
        A two-cell corridor: ``right`` from cell 0 reaches the goal cell 1
        (reward 1, episode over) with probability 0.8 and stays put otherwise;
        ``left`` stays put.

        >>> P = {0: {0: [(1.0, 0, 0.0, False)],
        ...          1: [(0.8, 1, 1.0, True), (0.2, 0, 0.0, False)]},
        ...      1: {0: [(1.0, 1, 0.0, True)], 1: [(1.0, 1, 0.0, True)]}}
        >>> mdp, reward = MDP.from_gymnasium(P, initial=[1.0, 0.0])
        >>> mdp.n_states, mdp.n_actions              # cells 0, 1 and the absorbing state 2
        (3, 2)
        >>> mdp.to_dense()[0, 1].tolist()            # P(. | s=0, right)
        [0.2, 0.0, 0.8]
        >>> reward.tolist()
        [[0.0, 0.8], [0.0, 0.0], [0.0, 0.0]]

        With Gymnasium installed (``pip install "tabular_irl[gymnasium]"``)::

            env = gymnasium.make("FrozenLake-v1", is_slippery=True)
            mdp, reward = MDP.from_gymnasium(env)    # start: the S cell
            plan = value_iteration(mdp, reward, horizon=env.spec.max_episode_steps)
        """
        from .envs.gymnasium import from_gymnasium  # here, not at the top: envs imports mdp

        return from_gymnasium(P_dict, initial)


def check_mdp(mdp: Any) -> MDP:
    """``mdp`` itself if it is an :class:`MDP`, else a ``TypeError`` naming it.

    Examples
    --------
    >>> import numpy as np
    >>> mdp = MDP.from_dense(np.ones((1, 1, 1)), initial=[1.0])
    >>> check_mdp(mdp) is mdp
    True
    >>> check_mdp("gridworld")
    Traceback (most recent call last):
        ...
    TypeError: mdp must be a tabular_irl.MDP, got str 'gridworld'
    """
    return check_type(mdp, "mdp", MDP, "a tabular_irl.MDP")
