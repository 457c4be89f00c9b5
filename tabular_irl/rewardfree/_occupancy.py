r"""The polytope of state marginals as flow constraints on occupancy measures.

Normalised occupancies ``z`` have one entry per state-action pair that a
policy can reach (per time step with a horizon):

* finite horizon: :math:`z_t(s, a) = \frac{\gamma^t}{Z} \Pr(s_t = s, a_t = a)`, with
  :math:`\sum_a z_0(s, a) = \rho(s) / Z` and
  :math:`\sum_a z_{t+1}(s', a) = \gamma \sum_{s, a} P(s' \mid s, a)\, z_t(s, a)`;
* discounted: :math:`z(s, a) = (1 - \gamma) \sum_t \gamma^t \Pr(s_t = s, a_t = a)`, with
  :math:`\sum_a z(s', a) - \gamma \sum_{s, a} P(s' \mid s, a)\, z(s, a) = (1 - \gamma) \rho(s')`.

Every ``z >= 0`` meeting them is the occupancy of the Markov policy
``z_t(s, a) / sum_b z_t(s, b)`` (Puterman 1994, section 6.9), and the state
marginal is ``d = M z``, the sum over actions (and times). So
``{M z : A z = b, z >= 0}`` is exactly the polytope of achievable marginals.

States the objective forbids (a target that is 0 there) are removed with
every action that may lead to them: what is left are the policies that avoid
them with certainty, empty when the start already cannot
(:func:`avoidable`). State-action pairs no policy reaches are dropped, so
that the uniformly random policy over the remaining actions is a strictly
positive feasible point, where an interior-point method starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .. import _passes
from ._model import Model

__all__ = ["Flow", "allowed_actions", "flow"]


@dataclass(frozen=True)
class Flow:
    """``A z = b``, ``d = M z`` over the kept pairs ``index`` (flat into ``(T, S, A)`` or ``(S, A)``).

    ``states`` are the states some kept pair sits in (the rows of ``M``);
    ``offsets (L + 1,)`` where the flow rows of each time step start (rows
    are ordered by step; one step when discounted);
    ``z0`` is the occupancy of the uniformly random policy over the allowed
    actions (strictly positive, feasible up to rounding); ``allowed`` the
    boolean ``(T, S, A)`` or ``(S, A)`` mask of actions that keep away from
    forbidden states.
    """

    A: sp.csr_array
    b: np.ndarray
    M: sp.csr_array
    index: np.ndarray
    states: np.ndarray
    z0: np.ndarray
    allowed: np.ndarray
    offsets: np.ndarray


def _leads_outside(model: Model, inside: np.ndarray) -> np.ndarray:
    """``(S, A)``: whether ``(s, a)`` reaches a state outside ``inside`` with positive probability."""
    S, A = model.mdp.n_states, model.mdp.n_actions
    P = model.mdp.transitions
    return ((P > 0).astype(np.int64) @ (~inside).astype(np.int64)).reshape(S, A) > 0


def allowed_actions(model: Model, forbidden: np.ndarray) -> np.ndarray:
    """Actions from which ``forbidden`` states can be avoided with certainty: ``(T, S, A)`` or ``(S, A)``.

    With a horizon, backward from ``T`` (``s_T`` is not counted, so every
    state is safe there): a state is safe at ``t`` if it is not forbidden and
    some action leads only to states safe at ``t + 1``. Discounted: the
    largest such set, a fixed point (at most ``S`` rounds).
    """
    S, A = model.mdp.n_states, model.mdp.n_actions
    keep = ~forbidden[:, None]
    if model.horizon is None:
        safe = ~forbidden
        while True:
            allowed = keep & ~_leads_outside(model, safe)
            now = allowed.any(axis=1)
            if np.array_equal(now, safe):
                return allowed
            safe = now
    out = np.zeros((model.horizon, S, A), dtype=bool)
    safe = np.ones(S, dtype=bool)
    for t in range(model.horizon - 1, -1, -1):
        out[t] = keep & ~_leads_outside(model, safe)
        safe = out[t].any(axis=1)
    return out


def flow(model: Model, allowed: np.ndarray) -> Flow | None:
    """The flow constraints of the policies using only ``allowed`` actions; ``None`` if the start cannot."""
    S, A = model.mdp.n_states, model.mdp.n_actions
    T, gamma = model.horizon, model.discount
    P = sp.csr_array(model.mdp.transitions)
    init = model.initial
    layers = 1 if T is None else T
    allowed = allowed.reshape(layers, S, A)
    start = init > 0
    if np.any(start & ~allowed[0].any(axis=1)):
        return None
    # kept pairs by boolean propagation (exact, whatever the weights), z0 from the uniform policy's exact
    # visitation (floored, should a weight underflow: the interior-point method allows an infeasible start)
    hits = (P > 0).astype(np.int64)
    kept = np.zeros((layers, S, A), dtype=bool)
    here = start
    for t in range(layers):
        kept[t] = here[:, None] & allowed[t]
        if T is None:  # the closure: grow until nothing new is reached
            while True:
                grown = here | ((hits.T @ kept[0].ravel().astype(np.int64)) > 0)
                if np.array_equal(grown, here):
                    break
                here = grown
                kept[0] = here[:, None] & allowed[0]
        elif t + 1 < layers:
            here = (hits.T @ kept[t].ravel().astype(np.int64)) > 0
    uniform = np.ascontiguousarray(allowed / np.maximum(allowed.sum(axis=2, keepdims=True), 1))
    if T is None:
        D = (1.0 - gamma) * _passes.occupancy(model.mdp, uniform[0], gamma, init)[None]
    else:
        D = _passes.rollout(model.mdp, uniform, T, gamma, init)[0][:T]
        D = D * (gamma ** np.arange(T))[:, None] / model.normaliser
    z_full = np.maximum(D[..., None] * uniform, np.finfo(np.float64).tiny)
    index = np.flatnonzero(kept)
    n = index.size
    t_of, sa_of = np.divmod(index, S * A)
    s_of = sa_of // A
    row_of = np.full(layers * S, -1)
    reached = kept.any(axis=2).ravel()
    row_of[reached] = np.arange(int(reached.sum()))
    m = int(reached.sum())
    own = sp.csr_array((np.ones(n), (row_of[t_of * S + s_of], np.arange(n))), shape=(m, n))
    succ = sp.coo_array(P[sa_of])  # (n, S): P(s' | s, a) of each kept pair
    nxt = t_of[succ.row] + (0 if T is None else 1)
    live = nxt < layers  # s_T has no row
    rows = row_of[nxt[live] * S + succ.col[live]]
    inflow = sp.csr_array((gamma * succ.data[live], (rows, succ.row[live])), shape=(m, n))
    A_mat = sp.csr_array(own - inflow)
    b = np.zeros(m)
    first = row_of[:S] >= 0
    scale = (1.0 - gamma) if T is None else 1.0 / model.normaliser
    b[row_of[:S][first]] = scale * init[first]
    states, col = np.unique(s_of, return_inverse=True)
    M = sp.csr_array((np.ones(n), (col, np.arange(n))), shape=(states.size, n))
    offsets = np.unique(np.concatenate([[0], np.cumsum(reached.reshape(layers, S).sum(axis=1))]))
    return Flow(A_mat, b, M, index, states, z_full.ravel()[index], allowed if T is not None else allowed[0],
                offsets)
