r"""Maximum margin planning (Ratliff, Bagnell & Zinkevich 2006), solved exactly.

For demonstrations ``tau_i`` (``i = 1..N``) with start states ``s0_i`` and a
linear reward ``r = features @ psi``, maximum margin planning minimises

.. math::

    f(\psi) = \tfrac12 \lVert\psi\rVert^2 + \frac{C}{N} \sum_i \xi_i(\psi), \qquad
    \xi_i(\psi) = \max\Big(0,\; \max_\pi \big[\psi \cdot \mu_\pi(s0_i) + L_i(\pi)\big]
                  - \psi \cdot \mu_i\Big)

where ``mu_i = sum_t gamma^t phi(s^i_t, a^i_t)`` are the demonstration's own
(discounted) feature counts, ``mu_pi(s0)`` the exact expected feature counts of
policy ``pi`` started in ``s0`` (:func:`~tabular_irl.visitation` from a
one-hot start), and ``L_i(pi)`` a loss that is *linear in the state-action
visitation*, ``L_i(pi) = sum_{s,a} c_pi(s, a) l_i(s, a)`` with ``c_pi`` the
expected discounted state-action counts from ``s0_i``. The inner maximum is
therefore a value iteration on the loss-augmented reward ``psi . phi + l_i``
(:func:`~tabular_irl.planning.value_iteration`), exact for finite horizons and
to value iteration's ``tol`` (``1e-10``) when discounted. Equivalently, ``f`` is
the structured-SVM quadratic program

.. math::

    \min_{\psi, \xi \ge 0} \tfrac12\lVert\psi\rVert^2 + \frac{C}{N}\sum_i \xi_i
    \quad \text{s.t.}\quad \psi \cdot (\mu_i - \mu_\pi(s0_i)) \ge L_i(\pi) - \xi_i
    \quad \forall i, \pi.

Design choices
--------------
Loss.
    Time-independent tables ``l_i (S, A)``, so that loss-augmented planning is
    the package's own hard backward pass for finite horizons *and* discounted
    problems. ``loss="hamming"``: ``l_i(s, a) = 1`` if demonstration ``i``
    decided in ``s`` (some ``s_t``, ``t < T``) and never took ``a`` there, else
    0; ``L_i(pi)`` is then the expected (discounted) number of steps at which
    the learner stands in a state of the demonstration and acts differently
    from it. The demonstration's own policy has loss 0, and ``L_i <= T``. An
    array ``(S, A)`` is one table for every demonstration, ``(N, S, A)`` one
    per demonstration; entries must be finite and ``>= 0``. (A time-indexed
    loss would need a ``(T, S, A)`` reward, which value iteration does not
    take.)
Demonstrations.
    Each one is its own example, as in the paper: its own counts ``mu_i``, its
    own start state and its own loss. Identical demonstrations (same states
    and actions, hence the same loss unless ``(N, S, A)`` tables are given)
    are merged into one example weighted by their multiplicity, which leaves
    ``f`` unchanged and saves planning; a shared loss table is planned once
    per iteration and rolled out from each distinct start state. Grouping by
    start state instead would average the losses inside the maximum and
    change (loosen) the objective, so it is not done.
The hinge.
    ``xi_i = max(0, ...)``: with stochastic dynamics a lucky demonstration
    can beat every policy's *expected* return, and the bracket is then
    negative; with deterministic dynamics it is always ``>= 0``.

Two solvers
-----------
``method="cutting_plane"`` (exact). Constraint generation: each example keeps
a working set of the loss-augmented policies found so far (their
``mu_i - mu_pi`` and ``L_i(pi)``) plus ``xi_i >= 0``; the restricted QP is
solved in its dual,

.. math::

    \max_{\alpha} \sum_k \alpha_k L_k - \tfrac12 \Big\lVert \sum_k \alpha_k g_k \Big\rVert^2,
    \quad \alpha \ge 0,\ \sum_{k \in W_i} \alpha_k \le C w_i / N,
    \qquad \psi = \sum_k \alpha_k g_k,

by an exact primal active-set method (Nocedal & Wright, Alg. 16.3) over the
product of scaled simplices: each face is minimised by a null-space Newton
step (an SVD of the reduced Hessian's factor; a zero-curvature descent
direction where the face is unbounded), and the method stops when every
bound multiplier is ``>= -1e-12 * scale``. It is warm-started from the
previous round. The restricted duality gap is reported in ``history["qp_gap"]``
(round-off level, ~1e-13 relative). Exact loss-augmented planning at the new
``psi`` then finds each example's most violated constraint; the method stops
when no margin constraint is violated by more than ``tol`` beyond its slack,
``max_i [xi_i(psi) - xi_i^QP] <= tol``. There are finitely many deterministic
policies, so constraint generation terminates.

``method="subgradient"``. :math:`\psi_{k+1} = \psi_k - a_k g_k` with
:math:`g_k = \psi_k + \frac{C}{N}\sum_i [\xi_i > 0](\mu_{\pi_i} - \mu_i)` and the step
schedule ``a_k = 2 / (k + 2)``, ``k = 0, 1, ...``: ``f`` is 1-strongly convex
and this is the ``2 / (lambda (t + 1))`` schedule of strongly convex
subgradient methods (Lacoste-Julien, Schmidt & Bach 2012), with ``O(1/k)``
suboptimality; the best iterate is kept. Since every ``a_k <= 1`` and
``a_0 = 1``, each iterate is a convex combination of dual vertices: the method
is conditional gradient (Frank-Wolfe) on the dual (Bach 2015), which gives a
dual feasible ``alpha`` with ``psi = sum_k alpha_k g_k`` for free and hence a
certified lower bound. (The ``1 / (k + 1)`` schedule reaches the same primal
accuracy, but its certified gap is 50-200 times larger after the same number
of steps on an 8x8 gridworld.)

Both methods report ``lower_bound <= min f <= objective``. ``converged``
certifies ``objective - min f <= C * tol`` (cutting planes: plus the restricted
QP's round-off gap), since the objective gap is at most ``C`` times the mean
violation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._progress import check_progress, progress_bar
from .._validation import (
    check_finite_array,
    check_option,
    check_positive_int,
    check_positive_real,
    readonly,
)
from ..mdp import MDP
from ..planning import policy_plan
from ..trajectories import Trajectories
from ._margin_problem import _Problem, _cutting_plane, _subgradient
from ._result import warn_not_converged

__all__ = ["MMPResult", "max_margin_planning", "mmp_objective", "mmp_margin_violations"]

_METHODS = ("cutting_plane", "subgradient")
# Default stopping tolerances, in units of the margin (reward x discounted steps).
# Constraint generation is exact and reaches round-off; the subgradient method
# converges like 1/k, so its certificate can only be asked for loosely.
_DEFAULT_TOL = {"cutting_plane": 1e-8, "subgradient": 1e-3}
_DEFAULT_MAX_ITER = {"cutting_plane": 500, "subgradient": 1000}


# --------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MMPResult:
    """Result of :func:`max_margin_planning`.

    Attributes
    ----------
    theta : ndarray, shape (d,)
        The weight vector ``psi``.
    reward : ndarray, shape (S, A)
        ``features @ theta``.
    policy : ndarray, shape (T, S, A) or (S, A)
        The optimal (deterministic) policy for ``reward`` by
        :func:`~tabular_irl.value_iteration` in the model fitted: the planner
        whose behaviour the margins are about. Time-indexed with a horizon,
        stationary without one.
    objective : float
        ``1/2 ||theta||^2 + C * mean(slacks)``, evaluated by exact
        loss-augmented planning at ``theta``.
    lower_bound : float
        A certified lower bound on the minimum of the objective (the dual
        value of a feasible ``alpha``); ``gap = objective - lower_bound``.
    slacks : ndarray, shape (N,)
        ``xi_i = max(0, margin_violations[i])`` per demonstration (in the
        order of ``demos``).
    margin_violations : ndarray, shape (N,)
        ``max_pi [theta . mu_pi(s0_i) + L_i(pi)] - theta . mu_i``: by how much
        demonstration ``i`` misses being preferred to every policy by its
        loss (``<= 0``: the margin holds with that much to spare).
    n_iter : int
        Rounds of loss-augmented planning (subgradient steps or
        constraint-generation rounds).
    converged : bool
        See the module docstring: certifies ``objective - min <= C * tol``.
    message : str
    method : str
        ``"cutting_plane"`` or ``"subgradient"``.
    history : dict
        Per iteration: ``"objective"`` (at that iterate), ``"lower_bound"``;
        cutting planes also ``"max_violation"``, ``"n_constraints"`` and
        ``"qp_gap"`` (duality gap of the restricted QP just solved), and
        ``"qp_iter"`` (active-set iterations of each QP solve).

    See Also
    --------
    max_margin_planning : returns it.
    tabular_irl.irl.FitResult : the protocol it follows.

    References
    ----------
    Ratliff, Bagnell & Zinkevich (2006), "Maximum margin planning", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.irl import max_margin_planning
    >>> world = gridworld(4, slip=0.1)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 10, horizon=6, seed=0)
    >>> fit = max_margin_planning(world.mdp, world.features, demos, horizon=6, C=10.0)
    >>> fit.theta.shape, fit.reward.shape, fit.policy.shape, fit.slacks.shape
    ((16,), (16, 5), (6, 16, 5), (10,))
    >>> bool(fit.lower_bound <= fit.objective), fit.gap < 1e-6  # certified optimal
    (True, True)
    >>> bool(np.array_equal(fit.slacks, np.maximum(fit.margin_violations, 0)))
    True
    >>> value = 0.5 * fit.theta @ fit.theta + 10.0 * fit.slacks.mean()  # 1/2 ||theta||^2 + C mean(xi)
    >>> bool(np.isclose(value, fit.objective))
    True
    """

    theta: np.ndarray
    reward: np.ndarray
    policy: np.ndarray
    objective: float
    lower_bound: float
    slacks: np.ndarray
    margin_violations: np.ndarray
    n_iter: int
    converged: bool
    message: str
    method: str
    history: dict = field(repr=False)

    @property
    def gap(self) -> float:
        """Certified optimality gap ``objective - lower_bound`` (>= 0)."""
        return max(0.0, self.objective - self.lower_bound)


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


def mmp_objective(
    mdp: MDP,
    features: Any,
    theta: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    loss: str | Any = "hamming",
    C: float = 1.0,
) -> tuple[float, np.ndarray]:
    r"""The maximum margin planning objective at ``theta`` and a subgradient: ``(value, subgradient)``.

    .. math::

        f(\theta) = \tfrac12 \lVert\theta\rVert^2 + \frac{C}{N} \sum_i \xi_i(\theta),
        \qquad \xi_i(\theta) = \max\Big(0,\; \max_\pi \big[\theta \cdot \mu_\pi(s0_i)
        + L_i(\pi)\big] - \theta \cdot \mu_i\Big),

    with the inner maximum solved exactly by loss-augmented value iteration
    (see the module docstring). The pair is what
    ``scipy.optimize.minimize(..., jac=True)`` expects; the per-demonstration
    margin violations (formerly a third output) are
    :func:`mmp_margin_violations`.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``r(s, a) = features[s, a] @ theta``.
    theta : array_like, shape (d,)
        The weight vector ``psi`` at which to evaluate.
    demos : Trajectories
        ``N`` demonstrations; with a horizon their horizon must equal it.
    horizon, discount, loss, C
        As in :func:`max_margin_planning`: ``loss`` is ``"hamming"`` or an
        array of shape ``(S, A)`` or ``(N, S, A)``.

    Returns
    -------
    value : float
        ``f(theta) = 1/2 ||theta||^2 + C * mean_i xi_i``.
    subgradient : ndarray, shape (d,)
        ``theta + C/N sum_i [xi_i > 0] (mu_pi_i - mu_i)`` with ``pi_i`` the
        loss-augmented optimal policy of demonstration ``i``.

    Raises
    ------
    ValueError
        On demonstrations, features, loss or model arguments that do not fit
        the MDP (messages name the argument).

    See Also
    --------
    max_margin_planning : minimises this objective.
    mmp_margin_violations : the slacks ``xi_i`` before their positive part.

    References
    ----------
    Ratliff, Bagnell & Zinkevich (2006), "Maximum margin planning", ICML.

    Examples
    --------
    At ``theta = 0`` every slack is the largest expected loss a policy can
    incur, so ``f(0) = C * mean_i xi_i``; at the fitted ``theta`` it is the
    fit's objective:

    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.irl import max_margin_planning, mmp_margin_violations, mmp_objective
    >>> world = gridworld(4, slip=0.1)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 10, horizon=6, seed=0)
    >>> value, subgradient = mmp_objective(world.mdp, world.features, np.zeros(16), demos, horizon=6, C=10.0)
    >>> violations = mmp_margin_violations(world.mdp, world.features, np.zeros(16), demos, horizon=6)
    >>> subgradient.shape, violations.shape, bool(np.all(violations > 0))
    ((16,), (10,), True)
    >>> bool(np.isclose(value, 10.0 * violations.mean()))
    True
    >>> fit = max_margin_planning(world.mdp, world.features, demos, horizon=6, C=10.0)
    >>> value, _ = mmp_objective(world.mdp, world.features, fit.theta, demos, horizon=6, C=10.0)
    >>> bool(np.isclose(value, fit.objective))
    True
    """
    problem, psi, b, mu_pi = _loss_augmented_at(mdp, features, theta, demos, horizon, discount, loss, C)
    grad = psi + (problem.weight * (b > 0)) @ (mu_pi - problem.expert)
    return problem.objective(psi, b), grad


def mmp_margin_violations(
    mdp: MDP,
    features: Any,
    theta: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    loss: str | Any = "hamming",
) -> np.ndarray:
    r"""Margin violations ``max_pi [theta @ mu_pi + L_i(pi)] - theta @ mu_i`` of each demonstration, shape ``(N,)``.

    ``xi_i``, the slack of :func:`mmp_objective`, is the positive part.

    Parameters
    ----------
    mdp, features, theta, demos, horizon, discount, loss
        As in :func:`mmp_objective`.

    Returns
    -------
    ndarray, shape (N,)
        In the order of ``demos``.

    Raises
    ------
    ValueError
        As :func:`mmp_objective`.

    See Also
    --------
    mmp_objective : the objective whose slacks these are.

    References
    ----------
    Ratliff, Bagnell & Zinkevich (2006), "Maximum margin planning", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> world = gridworld(3, slip=0.0)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=4)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 3, horizon=4, seed=0)
    >>> mmp_margin_violations(world.mdp, world.features, np.zeros(9), demos, horizon=4).shape
    (3,)
    """
    problem, _, b, _ = _loss_augmented_at(mdp, features, theta, demos, horizon, discount, loss, 1.0)
    return b[problem.inverse]


def _loss_augmented_at(mdp, features, theta, demos, horizon, discount, loss, C) -> tuple:
    """The validated problem, ``psi = theta``, and the loss-augmented violations ``b`` and feature counts ``mu_pi``."""
    problem = _Problem(mdp, features, demos, horizon, discount, loss, C)
    psi = check_finite_array(theta, "theta", (problem.features.d,))
    b, mu_pi, _ = problem.loss_augmented(psi)
    return problem, psi, b, mu_pi


def max_margin_planning(
    mdp: MDP,
    features: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    loss: str | Any = "hamming",
    C: float = 1.0,
    method: str = "cutting_plane",
    max_iter: int | None = None,
    tol: float | None = None,
    progress: bool | None = None,
) -> MMPResult:
    r"""Maximum margin planning (Ratliff, Bagnell & Zinkevich 2006) with exact loss-augmented planning.

    Minimises ``1/2 ||psi||^2 + C * mean_i xi_i(psi)`` with
    ``xi_i = max(0, max_pi [psi . mu_pi(s0_i) + L_i(pi)] - psi . mu_i)``; see
    the module docstring for the loss, the handling of demonstrations and
    the two solvers.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
        ``r(s, a) = features[s, a] @ theta``.
    demos : Trajectories
        ``N`` demonstrations; with a horizon their horizon must equal it.
    horizon, discount
        The model, as in :func:`value_iteration`: feature counts and losses
        weight step ``t`` by ``gamma^t``.
    loss : "hamming" or array_like, shape (S, A) or (N, S, A)
        Per-step loss table ``l_i(s, a) >= 0``; ``"hamming"``: 1 where
        demonstration ``i`` was in ``s`` and never took ``a`` there.
    C : float, default 1.0
        Weight of the mean slack, ``> 0``.
    method : {"cutting_plane", "subgradient"}
        ``"cutting_plane"`` (default): exact constraint generation.
        ``"subgradient"``: steps ``2 / (k + 2)``, best iterate kept.
    max_iter : int, optional
        Rounds of loss-augmented planning (default 500 for cutting planes,
        1000 for the subgradient method).
    tol : float, optional
        Cutting planes: stop when no margin constraint is violated by more
        than ``tol`` beyond its slack (default ``1e-8``). Subgradient: stop
        when the certified gap is ``<= C * tol`` (default ``1e-3``).
    progress : bool, optional
        Show each round's objective, certified gap (and, for cutting planes,
        the largest margin violation) on ``stderr`` while solving (``tqdm``
        when installed, else plain lines). ``None`` (default): only when
        ``stderr`` is a terminal and the solve takes more than a second.
        ``result.history`` records them either way.

    Returns
    -------
    MMPResult
        Not converging is reported (``converged=False``, ``message``) and
        warned about with :class:`ConvergenceWarning`.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type; the message names it.
    ValueError
        ``features``, ``demos``, ``horizon``, ``discount``, ``loss``, ``C``,
        ``method``, ``max_iter`` or ``tol`` out of range, of the wrong shape or
        not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    tabular_irl.irl.mmp_objective : the objective minimised.
    apprenticeship_learning : feature matching without a loss.
    maxent_irl : the maximum entropy alternative.

    References
    ----------
    Ratliff, Bagnell & Zinkevich (2006), "Maximum margin planning", ICML.

    Examples
    --------
    >>> from tabular_irl import gridworld, value_iteration, sample_trajectories
    >>> from tabular_irl.irl.margin import max_margin_planning
    >>> world = gridworld(4, slip=0.1)
    >>> expert = value_iteration(world.mdp, world.reward, horizon=6)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 10, horizon=6, seed=0)
    >>> fit = max_margin_planning(world.mdp, world.features, demos, horizon=6, C=10.0)
    >>> fit.converged, bool(fit.gap < 1e-6), fit.slacks.shape
    (True, True, (10,))
    """
    problem = _Problem(mdp, features, demos, horizon, discount, loss, C)
    method = check_option(method, "method", _METHODS)
    max_iter = _DEFAULT_MAX_ITER[method] if max_iter is None else check_positive_int(max_iter, "max_iter")
    if tol is None:
        tol = _DEFAULT_TOL[method]
    else:
        tol = check_positive_real(tol, "tol")
    progress = check_progress(progress)
    solve = _cutting_plane if method == "cutting_plane" else _subgradient
    with progress_bar(f"max_margin_planning ({method})", progress) as bar:
        psi, b, f, lower, n_iter, converged, message, history = solve(problem, tol, max_iter, bar)
    if not converged:
        warn_not_converged(message)
    theta = np.array(psi, dtype=np.float64)
    reward = problem.features.reward(theta)
    policy = np.array(policy_plan(problem.mdp, reward, hard=True, **problem.vi_kwargs).policy)
    violations = b[problem.inverse]
    slacks = np.maximum(violations, 0.0)
    readonly(theta, reward, policy, violations, slacks)
    return MMPResult(theta=theta, reward=reward, policy=policy, objective=float(f), lower_bound=float(lower),
                     slacks=slacks, margin_violations=violations, n_iter=int(n_iter), converged=bool(converged),
                     message=message, method=method, history=history)
