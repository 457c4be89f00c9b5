r"""Linear-programming IRL (Ng & Russell 2000, "Algorithms for inverse reinforcement learning").

Given a deterministic policy ``pi`` of a discounted MDP, find a **state** reward
``R`` under which ``pi`` is optimal. Write ``P_pi`` for the ``(S, S)`` matrix
whose row ``s`` is ``P(. | s, pi(s))``, ``P_a`` for the same with action ``a``,
and ``V = (I - gamma P_pi)^{-1} R`` for the value of ``pi``. Then ``pi`` is
optimal iff (the paper's theorem 3)

.. math::

    (P_\pi(s) - P_a(s))\, (I - \gamma P_\pi)^{-1} R \ \ge\ 0
    \qquad \text{for every } s \text{ and } a \ne \pi(s),

since ``Q(s, pi(s)) - Q(s, a) = gamma (P_pi(s) - P_a(s)) V``.

Finite-state LP (section 3.2)
    .. math::

        \max_R \ \sum_{s \in S_0} \min_{a \ne \pi(s)} (P_\pi(s) - P_a(s))(I - \gamma P_\pi)^{-1} R
        \ -\ \lambda \lVert R\rVert_1
        \quad \text{s.t. the optimality constraints above, } |R_s| \le R_{\max}

    (``S_0`` is every state unless ``states=`` is given; the constraints hold
    at every state regardless.)

Large-state LP (section 4), linear reward ``R = features @ alpha``
    .. math::

        \max_\alpha \ \sum_{s \in S_0} \min_{a \ne \pi(s)}
        p\big((P_\pi(s) - P_a(s))\, V^\pi_\alpha\big) \ -\ \lambda \lVert\alpha\rVert_1
        \quad \text{s.t. } |\alpha_i| \le R_{\max}

    with ``p(x) = x`` for ``x >= 0`` and ``2x`` otherwise: a linear reward may
    not be able to make ``pi`` optimal, so violations are penalised instead of
    forbidden. The paper has ``R_max = 1`` and ``lambda = 0``. Values are exact
    here (the paper estimates them by Monte Carlo over sampled states).

Formulation
-----------
Neither LP is solved in the paper's form, whose constraint matrix
``(P_pi - P_a)(I - gamma P_pi)^{-1}`` is dense (``S (A-1) x S``, the size
that limits the paper's form to a few thousand states). Since
``I - gamma P_pi`` is invertible, the value ``V`` is taken as a variable
beside the reward, tied to it by the sparse equality ``(I - gamma P_pi) V = R``.
Every constraint is then a row of the sparse matrix ``P``: the finite-state
LP has ``4 S`` variables (``R^+, R^-, V, t``), ``S`` equality rows,
``S (A-1)`` inequality rows and ``O(nnz(P))`` non-zeros, and no ``S x S``
matrix is ever formed. The minimum over actions and the absolute value are
linearised the standard way: ``t_s <= (P_pi(s) - P_a(s)) V`` for every
``a != pi(s)`` with the bound ``t_s >= 0``, which also enforces optimality,
and ``R = R^+ - R^-`` with ``0 <= R^\pm <= R_max``.

The features variant has ``z_s <= p(x) = min(x, 2x)`` as two rows per
``(s in S_0, a != pi(s))``. With few features (``2 (d+1) <~ 10``, say) the
columns ``(I - gamma P_pi)^{-1} features`` are solved for once by sparse LU
and the LP is the dense ``(2 len(S_0) (A-1), 2 d + len(S_0))`` one; with
many sparse features (one-hot) ``V`` is a variable tied to
``features @ alpha`` as above. The smaller of the two (by non-zeros) is
solved. Both by ``scipy.optimize.linprog`` with HiGHS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.optimize import linprog

from .._validation import (
    ROW_SUM_ATOL,
    _as_dense_array,
    _describe,
    check_discount,
    check_indices,
    check_option,
    check_policy,
    check_real,
    check_type,
    readonly,
)
from ..mdp import MDP
from ._common import check_mdp, features_for
from ._result import attach, renamed, warn_not_converged

__all__ = ["LPIRLResult", "lp_irl"]

_METHODS = ("highs", "highs-ds", "highs-ipm")

# HiGHS accepts a point whose constraints are violated by up to its feasibility
# tolerance (1e-7 by default). The optimality constraints are the point of LP
# IRL, so they are held 1000 times tighter; the user's ``options`` win.
_DEFAULT_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}

# linprog's status codes, and what to do about each. Both programmes are feasible
# (R = 0, alpha = 0) and bounded in exact arithmetic, so 2-4 mean numerical trouble.
_NUMERICAL = ("; the programme is feasible (R = 0) and bounded in exact arithmetic, so this is numerical trouble: "
              "try method='highs-ds' or 'highs-ipm', rescaled features, or a discount further from 1")
_ADVICE = {
    1: "; raise options['time_limit'] (seconds) or options['maxiter'], or solve a smaller problem "
       "(the features variant, or fewer states=)",
    2: _NUMERICAL,
    3: _NUMERICAL,
    4: _NUMERICAL,
}


@dataclass(frozen=True, eq=False)
class LPIRLResult:
    """Result of :func:`lp_irl`.

    Attributes
    ----------
    theta : ndarray, shape (d,) or (S,)
        The programme's variables: ``alpha`` of the features variant
        (``state_reward = features @ theta``), or the state reward ``R``
        itself for the finite-state LP (its features are one-hot states).
    reward : ndarray, shape (S, A)
        ``state_reward`` broadcast over actions (the result protocol's shape).
    policy : ndarray, shape (S, A)
        The given deterministic policy ``pi``, one-hot: the policy the reward
        is fitted to make optimal (``margins`` say where it is).
    state_reward : ndarray, shape (S,)
        The state reward ``R`` (``features @ alpha`` for the features variant).
    margins : ndarray, shape (S,)
        ``Q(s, pi(s)) - max_{a != pi(s)} Q(s, a)`` under ``reward`` (``Q`` of
        the given policy, exact): ``pi`` is optimal iff every margin is
        ``>= 0``, and ``pi(s)`` is the unique greedy action where the margin
        is positive. It is ``gamma`` times the paper's per-state term, so
        every margin is 0 when ``discount == 0`` (a state reward then leaves
        all actions tied). A state where another action has the same
        transitions as ``pi(s)`` (an absorbing goal, a bump into a wall)
        has margin 0.
    objective : float
        The LP's objective evaluated at the returned reward (equal to the
        optimum up to the solver's tolerance): the sum over ``states`` of the
        paper's per-state term (through ``p`` for the features variant) minus
        ``l1`` times ``||state_reward||_1`` (``||theta||_1``).
    converged : bool
        HiGHS reported an optimal solution. When it did not (an iteration or
        time limit, numerical trouble), the result holds the feasible point
        ``R = 0`` (``theta = 0``) and a :class:`~tabular_irl.ConvergenceWarning`
        was issued: see :func:`lp_irl`.
    message : str
        The solver's message; when not converged, its status and what to try.
    n_iter : int
        Solver iterations.
    method : str
        The ``linprog`` method (``"highs"``, ``"highs-ds"`` or ``"highs-ipm"``).
    history : dict
        Empty: one linear programme, no iterates to record.
    discount, l1, r_max : float
        The problem solved.
    states : ndarray of int64, shape (n,)
        The states whose terms the objective sums (every state by default).
    success, status, alpha
        Deprecated (for one release): ``converged``; the ``linprog`` status
        code (0 when converged, now in ``message``); ``theta`` of the features
        variant (``None`` for the finite-state LP).

    See Also
    --------
    lp_irl : returns it.
    tabular_irl.irl.FitResult : the protocol it follows.

    References
    ----------
    Ng & Russell (2000), "Algorithms for inverse reinforcement learning", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, value_iteration
    >>> from tabular_irl.irl import lp_irl
    >>> world = gridworld(3, slip=0.2)
    >>> expert = value_iteration(world.mdp, world.reward, discount=0.9).policy  # (S, A) one-hot
    >>> fit = lp_irl(world.mdp, expert, discount=0.9, l1=0.5)
    >>> fit.state_reward.shape, fit.reward.shape, fit.margins.shape, fit.states.tolist()
    ((9,), (9, 5), (9,), [0, 1, 2, 3, 4, 5, 6, 7, 8])
    >>> fit.converged, fit.min_margin >= 0, bool(np.abs(fit.state_reward).max() <= fit.r_max)
    (True, True, True)
    >>> bool(np.array_equal(fit.policy, expert)), bool(np.array_equal(fit.theta, fit.state_reward))
    (True, True)

    The expert's policy is optimal for the learned reward:

    >>> learned = value_iteration(world.mdp, fit.reward, discount=0.9).policy
    >>> bool(np.array_equal(learned.argmax(axis=1), expert.argmax(axis=1)))
    True
    """

    theta: np.ndarray
    reward: np.ndarray
    policy: np.ndarray
    state_reward: np.ndarray
    margins: np.ndarray
    objective: float
    converged: bool
    message: str
    n_iter: int
    method: str
    history: dict = field(repr=False)
    discount: float
    l1: float
    r_max: float
    states: np.ndarray

    # The old names, for one release. lp_irl attaches _status (linprog's code) and _alpha (theta of
    # the features variant, None for the finite-state LP) as non-field attributes.
    success = renamed("success", "converged")
    status = renamed("status", "converged", lambda self: getattr(self, "_status", None))
    alpha = renamed("alpha", "theta", lambda self: getattr(self, "_alpha", None))

    @property
    def min_margin(self) -> float:
        """``margins.min()``: ``>= 0`` exactly when the policy is optimal under ``reward``."""
        return float(self.margins.min())


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------
def _check_deterministic_policy(policy: Any, n_states: int, n_actions: int) -> np.ndarray:
    """``(S,)`` int64 actions from ``(S,)`` integer actions or an ``(S, A)`` one-hot policy."""
    want = f"(S,) = ({n_states},) actions or an (S, A) = ({n_states}, {n_actions}) one-hot policy"
    arr = _as_dense_array(policy, "policy", f"a dense array of {want}", want)
    if arr.ndim == 1:
        if arr.shape != (n_states,):
            raise ValueError(f"policy must be {want}, got shape {arr.shape}")
        if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"policy given as (S,) actions must hold integers, got {_describe(arr)}")
        actions = arr.astype(np.int64)
        check_indices(actions, "policy", n_actions, "action")
        return actions
    if arr.ndim != 2 or arr.shape != (n_states, n_actions):
        raise ValueError(f"policy must be {want}, got shape {arr.shape}")
    probs = check_policy(arr, n_states, n_actions, None)
    top = probs.max(axis=1)
    stochastic = top < 1.0 - ROW_SUM_ATOL
    if np.any(stochastic):
        s = int(np.argmax(stochastic))
        raise ValueError(
            f"LP IRL needs a deterministic policy, got a stochastic policy: row for (s={s}) has largest "
            f"probability {top[s]:.6g}, expected a one-hot row ({int(stochastic.sum())} such row(s)); "
            "pass policy.argmax(axis=1) to use its most likely actions"
        )
    return probs.argmax(axis=1).astype(np.int64)


def _check_states(states: Any, n_states: int) -> np.ndarray:
    """Sorted int64 state indices from ``None`` (all), integer indices or an ``(S,)`` bool mask."""
    if states is None:
        return np.arange(n_states, dtype=np.int64)
    try:
        arr = np.asarray(states)
    except Exception as exc:
        raise TypeError(f"states must be integer state indices or an (S,) bool mask, got {_describe(states)}") from exc
    if arr.dtype == np.bool_:
        if arr.shape != (n_states,):
            raise ValueError(f"states given as a bool mask must have shape (S,) = ({n_states},), got shape {arr.shape}")
        out = np.flatnonzero(arr).astype(np.int64)
    elif np.issubdtype(arr.dtype, np.integer) and arr.ndim == 1:
        out = arr.astype(np.int64)
        check_indices(out, "states", n_states, "state")
        if np.unique(out).size != out.size:
            raise ValueError("states must not repeat a state (each state's term is counted once), "
                             f"got {out.size} entries for {np.unique(out).size} distinct states")
        out = np.sort(out)
    else:
        raise TypeError(f"states must be a 1-d array of integer state indices or an (S,) bool mask, "
                        f"got {_describe(arr)}")
    if out.size == 0:
        raise ValueError("states must select at least one state, got none")
    return out


def _check_options(method: Any, options: Any) -> dict:
    check_option(method, "method", _METHODS)
    if options is None:
        return dict(_DEFAULT_OPTIONS)
    check_type(options, "options", Mapping, "a mapping of linprog HiGHS options or None")
    return {**_DEFAULT_OPTIONS, **options}


# --------------------------------------------------------------------------
# The LP
# --------------------------------------------------------------------------
def _policy_matrices(mdp: MDP, pi: np.ndarray, gamma: float) -> tuple[sp.csc_array, sp.csr_array]:
    """``K = I - gamma P_pi`` ``(S, S)`` and ``D`` ``(S (A-1), S)``, row ``s (A-1) + k`` = ``P_pi(s) - P_a(s)``.

    ``a`` runs over the actions other than ``pi(s)`` in increasing order.
    """
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.transitions
    pi_rows = np.arange(S, dtype=np.int64) * A + pi
    others = np.nonzero(np.arange(A)[None, :] != pi[:, None])[1].reshape(S, A - 1)
    other_rows = (np.arange(S, dtype=np.int64)[:, None] * A + others).ravel()
    P_pi = sp.csr_array(P[pi_rows])
    D = sp.csr_array(P[np.repeat(pi_rows, A - 1)] - P[other_rows])
    K = sp.csc_array(sp.eye_array(S, format="csr") - gamma * P_pi)
    return K, D


def _selector(n_states: int, n_rows_per_state: int, states: np.ndarray) -> sp.csr_array:
    """``(S * n_rows_per_state, len(states))``: 1 where a row belongs to the ``j``-th selected state."""
    n0 = states.size
    rows = (states[:, None] * n_rows_per_state + np.arange(n_rows_per_state)[None, :]).ravel()
    cols = np.repeat(np.arange(n0), n_rows_per_state)
    return sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(n_states * n_rows_per_state, n0))


def _solve(c, A_ub, b_ub, A_eq, b_eq, bounds, method, options):
    """``(x, status, message, n_iter)``: ``x`` is ``None`` unless the solve reached the optimum.

    Short of it, the message gives the status and suggests a fix.
    """
    res = linprog(c, A_ub=sp.csr_array(A_ub), b_ub=b_ub, A_eq=None if A_eq is None else sp.csr_array(A_eq),
                  b_eq=b_eq, bounds=bounds, method=method, options=options)
    status, message, n_iter = int(res.status), str(res.message), int(getattr(res, "nit", 0) or 0)
    if status != 0 or res.x is None:
        message = (f"LP IRL: linprog(method={method!r}) stopped without an optimum (status {status}): "
                   f"{message.rstrip('.')}{_ADVICE.get(status, _NUMERICAL)}. Returned the feasible point "
                   "R = 0 (theta = 0), under which every action ties")
        return None, status, message, n_iter
    return np.asarray(res.x, dtype=np.float64), status, message, n_iter


def lp_irl(
    mdp: MDP,
    policy: Any,
    *,
    horizon: Any = None,
    discount: float,
    features: Any = None,
    states: Any = None,
    l1: float = 0.0,
    r_max: float = 1.0,
    method: str = "highs",
    options: Mapping | None = None,
) -> LPIRLResult:
    r"""LP IRL (Ng & Russell 2000): a state reward that makes a deterministic policy optimal.

    See the module docstring for the two linear programmes and how they are
    solved.

    Parameters
    ----------
    mdp : MDP
        At least two actions.
    policy : array_like, shape (S,) of int or (S, A) one-hot
        The deterministic policy ``pi`` to explain: an action per state, or
        one-hot rows (e.g. ``value_iteration(...).policy``). A stochastic
        policy is a ``ValueError``.
    discount : float
        ``gamma`` in ``[0, 1)``. With ``gamma = 0`` every action ties under any
        state reward; the LP then picks a reward whose next-state reward
        favours ``pi`` (the limit ``gamma -> 0+``) and all ``margins`` are 0.
    features : array_like or sparse matrix, shape (S, d), optional
        State features: the large-state variant (section 4) with the linear
        reward ``R = features @ alpha`` and the penalty
        ``p(x) = x if x >= 0 else 2 x``. Without them, the finite-state LP
        (section 3.2) over ``R`` itself.
    states : array_like of int, or bool mask of shape (S,), optional
        ``S_0``, the states whose terms the objective sums (default: all
        states; the paper's sampled states in section 4). In the finite-state
        LP the optimality constraints still hold at every state.
    l1 : float, default 0
        ``lambda >= 0``, the weight of ``||R||_1`` (``||alpha||_1``) subtracted
        from the objective: larger values give sparser, "simpler" rewards and
        ``||reward||_1`` never grows with it. In the finite-state LP any
        ``l1 > 2 len(states) / (1 - discount)`` gives ``R = 0``, which makes
        ``pi`` (weakly) optimal with every margin 0.
    r_max : float, default 1
        Bound ``|R_s| <= r_max`` (finite-state) or ``|alpha_i| <= r_max``
        (features; the paper's 1). Only the scale: the LP is homogeneous in
        ``(R, r_max)`` when ``l1`` scales with it.
    horizon : None
        Not supported: the paper's programme is for infinite-horizon
        discounted MDPs. Any other value is a ``ValueError``.
    method : {"highs", "highs-ds", "highs-ipm"}
        ``scipy.optimize.linprog`` method.
    options : mapping, optional
        HiGHS options for ``linprog`` (e.g. ``{"time_limit": 60}``); the
        feasibility tolerances default to 1e-10 (HiGHS: 1e-7).

    Returns
    -------
    LPIRLResult
        ``theta``, ``reward`` ``(S, A)``, ``state_reward`` ``(S,)``,
        ``margins`` and the solver's report. When the solver stops without an
        optimum (at an iteration or time limit, where ``linprog`` returns no
        point, or reporting the problem infeasible, unbounded or numerically
        difficult, none of which the programmes can be in exact arithmetic)
        the result has ``converged=False``, the feasible point ``R = 0``
        (``theta = 0``), and a ``message`` that gives the solver's status and
        suggests a fix; a :class:`~tabular_irl.ConvergenceWarning` says the same.

    Raises
    ------
    ValueError
        For bad input.

    See Also
    --------
    max_margin_planning : margins from demonstrations.
    maxent_irl : the maximum entropy alternative.

    Notes
    -----
    Sizes: the finite-state LP has ``4 S`` variables (``R^+, R^-, V, t``),
    ``S`` equality and ``S (A-1)`` inequality rows with about
    ``2 nnz(P) (A-1) / A`` non-zeros, whatever the size of ``S`` (no dense
    ``S x S`` matrix; the paper's form needs ``S^2 (A-1)`` entries). HiGHS'
    simplex solves an 8 x 8 gridworld in milliseconds, 32 x 32 in about a
    second and 64 x 64 (4096 states) in tens of seconds; beyond that, use the
    features variant or ``options={"time_limit": ...}``. The features
    variant has ``2 len(states) (A-1)`` inequality rows and either
    ``2 d + len(states)`` variables (a dense ``(I - gamma P_pi)^{-1}
    features``, for few features) or ``2 d + S + len(states)`` (sparse, for
    many). Reported ``margins`` and ``objective`` are recomputed from the
    returned reward with a sparse LU solve of ``(I - gamma P_pi) V = R``.
    The solution need not be unique (with ``l1 = 0`` it often is not):
    HiGHS returns one optimal vertex. A margin of 0 is a tie: ``pi(s)`` is
    one of several optimal actions there, so a planner's tie-breaking may
    pick another (the paper's objective does not ask for strict margins).

    References
    ----------
    Ng & Russell (2000), "Algorithms for inverse reinforcement learning", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, value_iteration
    >>> from tabular_irl.irl.lp import lp_irl
    >>> world = gridworld(5, slip=0.3)
    >>> expert = value_iteration(world.mdp, world.reward, discount=0.9).policy
    >>> fit = lp_irl(world.mdp, expert, discount=0.9, l1=0.5)
    >>> fit.converged, fit.min_margin >= 0, int(fit.state_reward.argmax()) == 24
    (True, True, True)
    """
    mdp = check_mdp(mdp)
    if horizon is not None:
        raise ValueError(
            f"horizon is not supported by LP IRL, got horizon={horizon!r}: the programme of Ng & Russell (2000) "
            "characterises optimality of a stationary policy in an infinite-horizon discounted MDP; "
            "give discount in [0, 1) only"
        )
    gamma = check_discount(discount, allow_one=False)
    S, A = mdp.n_states, mdp.n_actions
    if A < 2:
        raise ValueError(f"mdp must have at least two actions for LP IRL (every policy is optimal), got n_actions={A}")
    pi = _check_deterministic_policy(policy, S, A)
    l1 = check_real(l1, "l1", low=0.0)
    r_max = check_real(r_max, "r_max", low=0.0)
    if r_max == 0.0:
        raise ValueError("r_max must be > 0, got 0.0")
    lf = None
    if features is not None:
        lf = features_for(mdp, features)
        if lf.per_action:
            raise ValueError(f"features must be state features of shape (S, d) = ({S}, d): LP IRL learns a state "
                             f"reward R(s), got shape {lf.phi.shape}")
    S0 = _check_states(states, S)
    opts = _check_options(method, options)

    K, D = _policy_matrices(mdp, pi, gamma)
    lu = spla.splu(K)  # I - gamma P_pi is invertible (spectral radius of gamma P_pi <= gamma < 1)
    n0, m = S0.size, A - 1
    if lf is None:
        # x = [R+ (S), R- (S), V (S), t (n0)]: min l1 (R+ + R-) - sum t
        eye = sp.eye_array(S, format="csr")
        A_eq = sp.hstack([-eye, eye, K, sp.csr_array((S, n0))])
        # t_s - D_sa V <= 0 (s in S0) and -D_sa V <= 0 (elsewhere); t >= 0 makes the former imply the latter
        A_ub = sp.hstack([sp.csr_array((S * m, 2 * S)), -D, _selector(S, m, S0)])
        lo = np.concatenate([np.zeros(2 * S), np.full(S, -np.inf), np.zeros(n0)])
        hi = np.concatenate([np.full(2 * S, r_max), np.full(S + n0, np.inf)])
        c = np.concatenate([np.full(2 * S, l1), np.zeros(S), -np.ones(n0)])
        b_eq = np.zeros(S)
        n_pos = S
    else:
        d = lf.d
        phi = sp.csr_array(lf.phi)
        rows = (S0[:, None] * m + np.arange(m)[None, :]).ravel()
        D0 = D[rows]  # the rows of the states in S0
        sel = _selector(n0, m, np.arange(n0))
        # z_s <= p(x_sa) = min(x_sa, 2 x_sa): two rows per (s in S0, a != pi(s)), x_sa = D_sa V
        reduced_nnz = 2 * n0 * m * (d + 1)
        sparse_nnz = K.nnz + 2 * phi.nnz + 2 * (D0.nnz + n0 * m)
        if reduced_nnz <= sparse_nnz:
            # few features: x_sa = H_sa alpha with H = D0 (I - gamma P_pi)^{-1} features, dense (n0, d)
            # x = [a+ (d), a- (d), z (n0)]
            H = D0 @ lu.solve(phi.toarray())
            A_ub = sp.vstack([sp.hstack([-H, H, sel]), sp.hstack([-2.0 * H, 2.0 * H, sel])])
            A_eq = b_eq = None
            lo = np.concatenate([np.zeros(2 * d), np.full(n0, -np.inf)])
            hi = np.concatenate([np.full(2 * d, r_max), np.full(n0, np.inf)])
            c = np.concatenate([np.full(2 * d, l1), -np.ones(n0)])
        else:
            # many (sparse) features: V a variable, (I - gamma P_pi) V = features @ alpha
            # x = [a+ (d), a- (d), V (S), z (n0)]
            A_eq, b_eq = sp.hstack([-phi, phi, K, sp.csr_array((S, n0))]), np.zeros(S)
            zeros = sp.csr_array((n0 * m, 2 * d))
            A_ub = sp.vstack([sp.hstack([zeros, -D0, sel]), sp.hstack([zeros, -2.0 * D0, sel])])
            lo = np.concatenate([np.zeros(2 * d), np.full(S + n0, -np.inf)])
            hi = np.concatenate([np.full(2 * d, r_max), np.full(S + n0, np.inf)])
            c = np.concatenate([np.full(2 * d, l1), np.zeros(S), -np.ones(n0)])
        n_pos = d
    bounds = np.column_stack([lo, hi])
    x, status, message, n_iter = _solve(c, A_ub, np.zeros(A_ub.shape[0]), A_eq, b_eq, bounds, method, opts)
    converged = x is not None
    if not converged:
        warn_not_converged(message)

    # The reward from its bounded parts (within [-r_max, r_max] exactly); margins and objective from an
    # exact solve with it, not from the LP's V (which satisfies the equality only to the tolerance).
    # Without an optimum, R = 0 (theta = 0): feasible for both programmes.
    theta = np.clip(x[:n_pos] - x[n_pos:2 * n_pos], -r_max, r_max) if converged else np.zeros(n_pos)
    state_reward = theta.copy() if lf is None else np.asarray(lf.phi @ theta, dtype=np.float64).reshape(S)
    V = lu.solve(state_reward)
    terms = (D @ V).reshape(S, m).min(axis=1)  # the paper's min_a (P_pi(s) - P_a(s)) V
    gained = terms[S0] if lf is None else np.where(terms[S0] >= 0, terms[S0], 2.0 * terms[S0])
    objective = float(gained.sum()) - l1 * float(np.abs(theta).sum())
    margins = gamma * terms
    reward = np.repeat(state_reward[:, None], A, axis=1)
    policy = np.zeros((S, A))
    policy[np.arange(S), pi] = 1.0
    readonly(theta, reward, policy, state_reward, margins, S0)
    result = LPIRLResult(theta=theta, reward=reward, policy=policy, state_reward=state_reward, margins=margins,
                         objective=objective, converged=converged, message=message, n_iter=n_iter, method=method,
                         history={}, discount=gamma, l1=l1, r_max=r_max, states=S0)
    return attach(result, _status=status, _alpha=None if lf is None else theta)
