r"""Empowerment: the channel capacity from ``n``-step action sequences to the resulting state.

For a state :math:`s`, the ``n``-step empowerment is

.. math::

    \mathfrak{E}_n(s) = \max_{p(a_1, \dots, a_n)} I(S_{t+n}; A_t, \dots, A_{t+n-1} \mid s_t = s),

the capacity of the channel :math:`W(s' \mid \mathbf{a}) = \Pr(s_{t+n} = s' \mid s_t = s, \mathbf{a})`
over the :math:`A^n` open-loop action sequences. It is computed by the
Blahut--Arimoto algorithm, which brackets the capacity at every iteration:
with :math:`q = p W` and :math:`D_{\mathbf a} = \mathrm{KL}(W_{\mathbf a} \,\|\, q)`,

.. math::

    \sum_{\mathbf a} p(\mathbf a) D_{\mathbf a} = I(p) \;\le\; C \;\le\; \max_{\mathbf a} D_{\mathbf a},

and stops when the two bounds are ``tol`` apart. The channel of each state
is formed from the sparse transitions one step at a time and kept only on
the states it reaches: at most ``A^n`` rows, never more than
:data:`MAX_CHANNEL_ENTRIES` entries ``A^n * S``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import rel_entr

from .._validation import check_base, check_indices, check_positive_int, check_positive_real
from ..exceptions import ConvergenceWarning
from ..mdp import MDP, check_mdp

__all__ = ["EmpowermentResult", "empowerment", "MAX_CHANNEL_ENTRIES"]

# A^n action sequences times S states: the size of the n-step channel of one state
# before it is restricted to the states it reaches (8e7 float64 entries = 640 MB).
MAX_CHANNEL_ENTRIES = 80_000_000


@dataclass(frozen=True, eq=False)
class EmpowermentResult:
    """Per-state empowerment with its Blahut--Arimoto bracket.

    Attributes
    ----------
    value : ndarray, shape (len(states),)
        The empowerment (the lower bound ``I(p)`` of the final input distribution).
    lower, upper : ndarray, shape (len(states),)
        The capacity bracket; ``upper - lower <= tol`` where converged.
    input_distribution : ndarray, shape (len(states), A**n_steps)
        The capacity-achieving distribution over action sequences
        ``(a_1, ..., a_n)`` (index ``sum_k a_k A^(n-k)``, ``a_1`` most significant).
    states : ndarray of int, shape (len(states),)
    n_steps : int
    n_iter : ndarray of int, shape (len(states),)
        Blahut--Arimoto iterations per state.
    converged : bool
        Every state's bracket is within ``tol``.

    See Also
    --------
    empowerment : makes it.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import empowerment
    >>> emp = empowerment(gridworld(3, slip=0.0, goals=[]).mdp, states=[4])
    >>> round(float(emp.value[0]), 10), round(float(np.log(5)), 10)    # the centre reaches 5 cells
    (1.6094379124, 1.6094379124)
    >>> emp.input_distribution.shape, bool(emp.upper[0] - emp.lower[0] <= 1e-12)
    ((1, 5), True)
    """

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    input_distribution: np.ndarray
    states: np.ndarray
    n_steps: int
    n_iter: np.ndarray
    converged: bool


def _channel(mdp: MDP, s: int, n_steps: int, per_action: list[sp.csr_array]) -> tuple[np.ndarray, np.ndarray]:
    """``(W (A^n, k), reached (k,))``: the n-step channel of state ``s`` on the ``k`` states it reaches."""
    rows = sp.csr_array(([1.0], ([0], [s])), shape=(1, mdp.n_states))
    for _ in range(n_steps):
        # row i*A + a: the distribution after the sequence i followed by action a
        nxt = [rows @ Pa for Pa in per_action]
        rows = sp.csr_array(sp.vstack(nxt, format="csr")[_interleave(rows.shape[0], len(per_action))])
    reached = np.unique(rows.indices)
    return rows[:, reached].toarray(), reached


def _interleave(n_rows: int, n_actions: int) -> np.ndarray:
    """Row order taking ``vstack([X P_0, ..., X P_{A-1}])`` to ``i*A + a``."""
    return (np.arange(n_actions)[None, :] * n_rows + np.arange(n_rows)[:, None]).ravel()


def blahut_arimoto(W: np.ndarray, tol: float, max_iter: int) -> tuple[np.ndarray, float, float, int]:
    """``(p, lower, upper, n_iter)``: Blahut--Arimoto on the channel ``W (X, Y)`` (rows distributions)."""
    # identical inputs are one input to the capacity: solve on the distinct rows, split their weight evenly
    distinct, inverse, counts = np.unique(W, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    p = np.full(distinct.shape[0], 1.0 / distinct.shape[0])
    lower = upper = 0.0
    for it in range(1, max_iter + 1):
        q = p @ distinct
        D = rel_entr(distinct, q[None, :]).sum(axis=1)  # KL(W_x || q); finite since q > 0 wherever W_x > 0
        lower, upper = max(0.0, float(p @ D)), float(D.max())
        if upper - lower <= tol:
            break
        p = p * np.exp(D - upper)
        p /= p.sum()
    return p[inverse] / counts[inverse], lower, upper, it


def empowerment(mdp: Any, n_steps: int = 1, *, states: Any = None, tol: float = 1e-12, max_iter: int = 100_000,
                base: float | None = None) -> EmpowermentResult:
    r"""Per-state ``n``-step empowerment, the capacity of the action-sequence -> state channel.

    See the module :mod:`tabular_irl.rewardfree.empowerment` for the
    definition and the Blahut--Arimoto bracket. Closed forms: in a
    deterministic MDP the empowerment is the log of the number of distinct
    states reachable in exactly ``n`` steps; a state whose two actions form
    a binary symmetric channel with flip probability ``p`` has
    :math:`\log 2 - H_b(p)`.

    Parameters
    ----------
    mdp : MDP
    n_steps : int, default 1
        Length ``n`` of the action sequences.
    states : array_like of int, optional
        The states to evaluate; all by default.
    tol : float, default 1e-12
        Width of the capacity bracket at which to stop (nats).
    max_iter : int, default 100_000
        Most Blahut--Arimoto iterations per state; reaching it warns
        ``ConvergenceWarning`` and reports the bracket.
    base : float, optional
        Base of the logarithm of the values reported.

    Returns
    -------
    EmpowermentResult
        ``value``, ``lower``, ``upper`` per state, ``input_distribution``.

    Raises
    ------
    ValueError
        If ``A**n_steps * S`` exceeds :data:`MAX_CHANNEL_ENTRIES`, or a state
        index is out of range.

    See Also
    --------
    mutual_information : the quantity maximised over input distributions.

    References
    ----------
    .. [1] A. S. Klyubin, D. Polani, C. L. Nehaniv. "Empowerment: A Universal
       Agent-Centric Measure of Control." IEEE CEC 2005.
    .. [2] R. Blahut. "Computation of Channel Capacity and Rate-Distortion
       Functions." IEEE Trans. Information Theory 18(4), 1972; S. Arimoto,
       "An Algorithm for Computing the Capacity of Arbitrary Discrete
       Memoryless Channels", same issue.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import empowerment
    >>> world = gridworld(5, slip=0.0, goals=[])
    >>> emp = empowerment(world.mdp, n_steps=2, states=[12, 0])     # the centre and a corner
    >>> np.exp(emp.value).round(6).tolist()                          # cells within 2 moves
    [13.0, 6.0]
    >>> slippery = empowerment(gridworld(5, slip=0.3, goals=[]).mdp, states=[12])
    >>> bool(0 < slippery.value[0] < np.log(5)), bool(slippery.upper[0] - slippery.lower[0] <= 1e-12)
    (True, True)
    """
    mdp = check_mdp(mdp)
    n_steps = check_positive_int(n_steps, "n_steps")
    tol = check_positive_real(tol, "tol")
    max_iter = check_positive_int(max_iter, "max_iter")
    base = check_base(base)
    S, A = mdp.n_states, mdp.n_actions
    if A ** n_steps * S > MAX_CHANNEL_ENTRIES:
        raise ValueError(f"n_steps={n_steps} gives A**n_steps * S = {A}**{n_steps} * {S} = {A ** n_steps * S} "
                         f"channel entries per state, more than MAX_CHANNEL_ENTRIES = {MAX_CHANNEL_ENTRIES}; "
                         "use fewer steps")
    if states is None:
        chosen = np.arange(S, dtype=np.int64)
    else:
        chosen = np.atleast_1d(np.asarray(states))
        if chosen.ndim != 1 or chosen.dtype.kind not in "iu":
            raise TypeError(f"states must be a 1-d array of state indices, got dtype {chosen.dtype}")
        chosen = chosen.astype(np.int64)
        check_indices(chosen, "states", S, "state")
    P = mdp.transitions
    per_action = [sp.csr_array(P[a::A]) for a in range(A)]
    k = chosen.size
    lower, upper, n_iter = np.zeros(k), np.zeros(k), np.zeros(k, dtype=np.int64)
    inputs = np.zeros((k, A ** n_steps))
    for i, s in enumerate(chosen):
        W, _ = _channel(mdp, int(s), n_steps, per_action)
        inputs[i], lower[i], upper[i], n_iter[i] = blahut_arimoto(W, tol, max_iter)
    converged = bool(np.all(upper - lower <= tol))
    if not converged:
        worst = int(np.argmax(upper - lower))
        warnings.warn(f"empowerment: Blahut-Arimoto stopped after max_iter={max_iter} iterations with a capacity "
                      f"bracket of {upper[worst] - lower[worst]:.3g} > tol={tol:.3g} (state {int(chosen[worst])}); "
                      "increase max_iter or tol", ConvergenceWarning, stacklevel=2)
    scale = 1.0 if base is None else 1.0 / np.log(base)
    return EmpowermentResult(value=lower * scale, lower=lower * scale, upper=upper * scale,
                             input_distribution=inputs, states=chosen, n_steps=n_steps, n_iter=n_iter,
                             converged=converged)
