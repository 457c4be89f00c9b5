"""Backward passes: soft (maximum entropy) planning and hard value iteration.

Conventions (see the package docs): ``V`` is ``(T+1, S)`` with ``V[T] = 0``;
``Q`` and ``policy`` are ``(T, S, A)``. Without a horizon (discounted, infinite)
they are stationary: ``V (S,)``, ``Q (S, A)``, ``policy (S, A)``, computed by
value iteration (the compiled kernel) or by policy iteration (Newton's method,
``tabular_irl._policy_iteration``), chosen with ``method=``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _passes
from ._blasfree import dot
from ._lazy import LazyArrays
from ._policy_iteration import choose_method, policy_iteration
from ._progress import check_progress, progress_bar
from ._validation import (
    check_horizon_discount,
    check_option,
    check_positive_int,
    check_positive_real,
    check_reward,
    check_temperature,
)
from .mdp import MDP, check_mdp

__all__ = ["SoftPlan", "soft_backward", "value_iteration", "ConvergenceWarning"]

METHODS = ("value_iteration", "policy_iteration", "auto")


from .exceptions import ConvergenceWarning


@dataclass(frozen=True, eq=False, init=False)
class SoftPlan:
    """Result of a backward pass.

    Attributes
    ----------
    V : ndarray, shape (T+1, S) or (S,)
        Soft (or hard) state values, ``V[t, s]``; ``V[T] = 0``.
    Q : ndarray, shape (T, S, A) or (S, A)
        State-action values ``Q[t, s, a]``. With a horizon it is formed on
        first access (one more sweep of backups of ``V``, the same bits as
        the pass itself would have kept) and cached: a plan that nobody asks
        for ``Q`` holds ``V`` only.
    policy : ndarray, shape (T, S, A) or (S, A)
        ``policy[t, s, a] = exp((Q[t, s, a] - V[t, s]) / temperature)``; for the
        hard plan (``temperature == 0``) one-hot on the first maximising action.
        Formed on first access like ``Q``; :func:`~tabular_irl.visitation`
        takes the plan itself and never needs it.
    log_partition : float
        ``initial @ V[0]`` (``initial @ V`` when stationary). For the
        non-causal model this is ``E_{s0}[log Z(s0)]`` (times ``temperature``);
        for the hard plan it is the optimal expected return.
    horizon : int or None
    discount : float
        ``1.0`` for undiscounted finite horizons.
    causal : bool
    temperature : float
        ``0.0`` marks the plan of the hard maximum, :func:`value_iteration`.
    n_iter : int
        Backward sweeps performed (``T`` for finite horizons); for
        ``method == "policy_iteration"`` the policy evaluations (sparse LU
        solves), each followed by one Bellman backup.
    error_bound : float
        Bound on ``max |V - V*|`` (0 for finite horizons, where V is exact).
    converged : bool
    method : str or None
        ``"value_iteration"`` or ``"policy_iteration"`` for discounted
        (stationary) plans, the method that actually ran (``"auto"`` resolved);
        ``None`` for finite horizons.

    See Also
    --------
    soft_backward : returns it.
    value_iteration : the hard-maximum plan.
    visitation : rolls a plan forward.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward
    >>> world = gridworld(4, slip=0.2)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=5)
    >>> plan.V.shape, plan.Q.shape, plan.policy.shape
    ((6, 16), (5, 16, 5), (5, 16, 5))
    >>> bool(np.allclose(plan.V[:-1], np.log(np.exp(plan.Q).sum(axis=2))))   # V = logsumexp_a Q
    True
    >>> bool(np.isclose(plan.log_partition, world.mdp.initial @ plan.V[0])), plan.method
    (True, None)
    >>> stationary = soft_backward(world.mdp, world.reward, discount=0.9, method="policy_iteration")
    >>> stationary.V.shape, stationary.method, stationary.converged, bool(stationary.error_bound <= 1e-10)
    ((16,), 'policy_iteration', True, True)
    """

    V: np.ndarray
    log_partition: float
    horizon: int | None
    discount: float
    causal: bool
    temperature: float
    n_iter: int
    error_bound: float
    converged: bool
    method: str | None = None
    _lazy: LazyArrays | None = field(default=None, repr=False, compare=False)

    def __init__(self, V: np.ndarray, Q: np.ndarray | None = None, policy: np.ndarray | None = None,
                 log_partition: float = 0.0, horizon: int | None = None, discount: float = 1.0, causal: bool = True,
                 temperature: float = 1.0, n_iter: int = 0, error_bound: float = 0.0, converged: bool = True,
                 method: str | None = None, *, source=None, _lazy: LazyArrays | None = None) -> None:
        """``Q`` and ``policy`` may be None when ``source = (mdp, reward (S, A))`` of a finite plan is given:
        they are then formed from ``V`` on first access. (``_lazy``: carried over by ``dataclasses.replace``.)"""
        values = dict(V=V, log_partition=log_partition, horizon=horizon, discount=discount, causal=causal,
                      temperature=temperature, n_iter=n_iter, error_bound=error_bound, converged=converged,
                      method=method)
        for name, value in values.items():
            object.__setattr__(self, name, value)
        if _lazy is None:
            _lazy = LazyArrays({"V": V, "Q": Q, "policy": policy}, None if source is None else _former(source, self))
        object.__setattr__(self, "_lazy", _lazy)
        # the lean paths (visitation(mdp, plan)) need the plan as the pass made it: not after a replace()
        object.__setattr__(self, "_source", source)

    @property
    def Q(self) -> np.ndarray:
        return self._lazy.get("Q")

    @property
    def policy(self) -> np.ndarray:
        return self._lazy.get("policy")

    @property
    def stationary(self) -> bool:
        return self.horizon is None

    @property
    def mode(self) -> int:
        """The kernels' backup mode of this plan (``_passes.MODE_*``)."""
        return _passes.mode_of(self.causal, self.temperature)

    @property
    def _tau(self) -> float:
        """The temperature the kernels ran with (1.0 for the hard plan, where it is unused)."""
        return self.temperature if self.temperature > 0 else 1.0


class _PlanArrays:
    """Forms a finite plan's Q or policy from its V (a class, not a closure: plans pickle)."""

    def __init__(self, mdp: MDP, reward: np.ndarray, V: np.ndarray, gamma: float, tau: float, mode: int):
        self.args = (mdp, reward, V, gamma, tau, mode)

    def __call__(self, name: str) -> np.ndarray:
        Q, policy = _passes.plan_arrays(*self.args, keep_q=name == "Q", keep_policy=name == "policy")
        return Q if name == "Q" else policy


def _former(source: tuple, plan: SoftPlan) -> _PlanArrays:
    """``form(name)`` making a finite plan's Q or policy from its V (``source = (mdp, reward (S, A))``)."""
    mdp, reward = source
    return _PlanArrays(mdp, reward, plan.V, plan.discount, plan._tau, plan.mode)


def _check_method(method: Any, T: int | None) -> str | None:
    """``method`` checked: ``None`` for finite horizons, else one of :data:`METHODS`."""
    method = check_option(method, "method", METHODS)
    if T is not None:
        if method == "policy_iteration":
            raise ValueError(
                f"method='policy_iteration' solves discounted, infinite-horizon problems (discount without "
                f"horizon), got horizon={T}: a finite horizon is solved exactly by T backward sweeps; "
                "leave method at its default"
            )
        return None
    return method


def _plan(mdp: MDP, reward: Any, horizon: Any, discount: Any, *, causal: bool, mode: int | None,
          temperature: float, tol: float, max_iter: Any, method: Any = "value_iteration",
          keep_policy: bool = False, progress: Any = None) -> SoftPlan:
    check_mdp(mdp)
    progress = check_progress(progress)
    T, gamma = check_horizon_discount(horizon, discount, causal)
    method = _check_method(method, T)
    if mode is None:  # soft: the model is chosen once ``causal`` is known to be a bool
        mode = _passes.MODE_CAUSAL if causal else _passes.MODE_NONCAUSAL
    r = check_reward(reward, mdp.n_states, mdp.n_actions)
    source = None
    if T is not None:
        # V only: Q and the policy are formed on first access (SoftPlan), if ever
        V, Q, pi = _passes.backward(mdp, r, T, gamma, temperature, mode, keep_policy=keep_policy)
        n_iter, bound, converged, source = T, 0.0, True, (mdp, r)
    else:
        tol = check_positive_real(tol, "tol")
        max_iter = check_positive_int(max_iter, "max_iter")
        hard = mode == _passes.MODE_HARD
        if method == "auto":
            method = choose_method(mdp, mdp.transitions, r, gamma, temperature, hard, float(tol), max_iter)
        desc = f"{'value_iteration' if hard else 'soft_backward'} ({method}, discount {gamma:g})"
        with progress_bar(desc, progress) as bar:
            def report(n_iter: int, bound: float) -> None:
                bar.update(n_iter, error_bound=bound)

            if method == "policy_iteration":
                V, Q, pi, n_iter, bound, converged = policy_iteration(
                    mdp.transitions, r, gamma, temperature, hard, float(tol), max_iter, report=report)
            else:
                V, Q, pi, n_iter, bound, converged = _passes.backward_discounted(
                    mdp, r, gamma, temperature, mode, float(tol), max_iter, report=report)
        _passes.check_finite_values(V, r, T, gamma, temperature)
        if not converged:
            if method == "policy_iteration" and n_iter < max_iter:
                why = (f"policy iteration stalled after {n_iter} policy evaluations with error bound "
                       f"{bound:.3g} > tol={tol:.3g} (rounding: values of magnitude {np.abs(V).max():.3g} "
                       f"at discount {gamma}); increase tol")
            elif method == "policy_iteration":
                why = (f"policy iteration stopped after max_iter={max_iter} policy evaluations with error "
                       f"bound {bound:.3g} > tol={tol:.3g}; increase max_iter")
            else:
                why = (f"value iteration stopped after max_iter={max_iter} sweeps with error bound "
                       f"{bound:.3g} > tol={tol:.3g}; increase max_iter (discount={gamma} converges "
                       f"at rate {gamma} per sweep) or use method='policy_iteration'")
            warnings.warn(why, ConvergenceWarning, stacklevel=3)
    _passes.check_finite_values(V, r, T, gamma, temperature)
    log_partition = dot(mdp.initial, V[0] if T is not None else V)
    return SoftPlan(V, Q, pi, log_partition, T, gamma, bool(causal),
                    temperature if mode != _passes.MODE_HARD else 0.0, int(n_iter), float(bound), bool(converged),
                    method, source=source)


def policy_plan(mdp: MDP, reward: Any, *, horizon: Any = None, discount: Any = None, causal: bool = True,
                temperature: float = 1.0, hard: bool = False) -> SoftPlan:
    """:func:`soft_backward` (or, ``hard``, :func:`value_iteration`) keeping the policy the pass forms.

    For the package's own methods that read ``plan.policy`` at once: one
    sweep instead of the pass plus a second sweep forming the policy from V.
    """
    if hard:
        return _plan(mdp, reward, horizon, discount, causal=True, mode=_passes.MODE_HARD, temperature=1.0,
                     tol=1e-10, max_iter=1_000_000, keep_policy=True)
    return _plan(mdp, reward, horizon, discount, causal=causal, mode=None, temperature=check_temperature(temperature),
                 tol=1e-10, max_iter=1_000_000, keep_policy=True)


def soft_backward(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    causal: bool = True,
    temperature: float = 1.0,
    tol: float = 1e-10,
    max_iter: int = 1_000_000,
    method: str = "value_iteration",
    progress: bool | None = None,
) -> SoftPlan:
    r"""Soft (maximum entropy) backward pass.

    Every action has weight 1 (no action prior):

    .. math::

        V_t(s) = \tau \log \sum_a \exp(Q_t(s, a) / \tau), \qquad
        \pi_t(a \mid s) = \exp((Q_t(s, a) - V_t(s)) / \tau)

    with ``V_T = 0`` and the backup

    * causal (maximum causal entropy, Ziebart 2010):
      :math:`Q_t = r + \gamma \sum_{s'} P(s' \mid s, a) V_{t+1}(s')`;
    * non-causal (MaxEnt, Ziebart 2008):
      :math:`Q_t = r + \tau \log \sum_{s'} P(s' \mid s, a) \exp(V_{t+1}(s') / \tau)`,
      so that ``exp(V_0(s0) / tau)`` is the partition function of
      ``p(traj | s0) ∝ prod_t P exp(R / tau)``.

    Without a horizon the causal backup is solved for its fixed point
    :math:`V = \tau \log \sum_a \exp((r + \gamma P V) / \tau)`, by

    * ``method="value_iteration"`` (default): the backup iterated from
      ``V = 0``, at a cost of about ``log(tol / max |V|) / log(gamma)`` sweeps;
    * ``method="policy_iteration"``: soft policy iteration, which is Newton's
      method on the equation above. Each iteration evaluates the softmax
      policy :math:`\pi_k` exactly with a sparse LU factorisation,

      .. math::

          V_{k+1} = (I - \gamma P_{\pi_k})^{-1} \bigl(r_{\pi_k} + \tau H(\pi_k)\bigr),
          \qquad \pi_{k+1} = \operatorname{softmax}((r + \gamma P V_{k+1}) / \tau),

      with :math:`P_\pi(s, s') = \sum_a \pi(a \mid s) P(s' \mid s, a)`,
      :math:`r_\pi(s) = \sum_a \pi(a \mid s) r(s, a)` and the entropy
      :math:`H(\pi)(s) = -\sum_a \pi(a \mid s) \log \pi(a \mid s)`; it converges
      quadratically, in a handful of iterations whatever the discount
      (a discount of 0.999 or 0.9999 in seconds on a 256 x 256 gridworld);
    * ``method="auto"``: whichever a deterministic cost model expects to be
      cheaper: the sweeps value iteration needs against a few sparse LU
      factorisations, whose cost is estimated from the fill of the state
      graph (small for local, grid-like dynamics; large for random ones, where
      value iteration wins).

    Both return the result of one exact backup of their last iterate ``V_e``:
    ``Q = r + gamma P V_e``, ``V = tau log sum_a exp(Q / tau)`` and its softmax
    policy, and stop once ``max |V - V*| <= tol`` is guaranteed by the
    contraction bound ``gamma / (1 - gamma) * max |V - V_e|`` (``error_bound``),
    or once that change is at the rounding level of ``V``.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
        ``r(s)`` (broadcast over actions) or ``r(s, a)``.
    horizon : int, optional
        Number of decisions ``T >= 1``.
    discount : float, optional
        ``gamma`` in ``[0, 1)`` without a horizon, ``[0, 1]`` with one.
    causal : bool, default True
        ``False`` selects the non-causal model (undiscounted finite horizon only).
    temperature : float, default 1.0
        ``tau > 0``; ``tau -> 0`` approaches :func:`value_iteration`.
    tol : float, default 1e-10
        Discounted problems stop once ``error_bound <= tol`` (ignored with a horizon).
    max_iter : int, default 1_000_000
        Most sweeps (value iteration) or policy evaluations (policy
        iteration); reaching it issues a :class:`ConvergenceWarning`.
    method : {"value_iteration", "policy_iteration", "auto"}, default "value_iteration"
        Solver of discounted, infinite-horizon problems (above). With a horizon
        the backward pass is exact in ``T`` sweeps: ``"policy_iteration"`` is a
        ``ValueError`` there, ``"auto"`` is accepted.
    progress : bool or None, default None
        Progress of a discounted solve (sweeps or evaluations and the error
        bound) on ``stderr``: ``None`` shows it on a terminal after a second
        and in logs as timestamped lines, a few seconds apart, once the solve
        has run a few seconds
        (``TABULAR_IRL_PROGRESS=0`` silences it); ``True`` always, ``False`` never.

    Returns
    -------
    SoftPlan

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``causal`` not True or False; the message names it.
    ValueError
        ``reward``, ``horizon``, ``discount``, ``temperature``, ``tol``,
        ``max_iter`` or ``method`` out of range, of the wrong shape or not
        finite.

    See Also
    --------
    value_iteration : the hard maximum.
    visitation : rolls the plan forward.
    soft_backward_batch : many rewards at once.

    References
    ----------
    Ziebart, Maas, Bagnell & Dey (2008), "Maximum entropy inverse reinforcement learning", AAAI.

    Ziebart, Bagnell & Dey (2010), "Modeling interaction via the principle of maximum causal entropy", ICML.

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward
    >>> world = gridworld(4, 4)
    >>> plan = soft_backward(world.mdp, world.reward, horizon=10)
    >>> plan.V.shape, plan.policy.shape
    ((11, 16), (10, 16, 5))
    >>> newton = soft_backward(world.mdp, world.reward, discount=0.999, method="policy_iteration")
    >>> sweeps = soft_backward(world.mdp, world.reward, discount=0.999)
    >>> newton.n_iter < 10 < 10_000 < sweeps.n_iter
    True
    >>> bool(abs(newton.V - sweeps.V).max() < 1e-8)
    True
    """
    tau = check_temperature(temperature)
    return _plan(mdp, reward, horizon, discount, causal=causal, mode=None, temperature=tau,
                 tol=tol, max_iter=max_iter, method=method, progress=progress)


def value_iteration(
    mdp: MDP,
    reward: Any,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    tol: float = 1e-10,
    max_iter: int = 1_000_000,
    method: str = "value_iteration",
    progress: bool | None = None,
) -> SoftPlan:
    r"""Backward pass with the hard maximum (the ``temperature -> 0`` limit of :func:`soft_backward`).

    :math:`Q_t = r + \gamma P V_{t+1}`, :math:`V_t = \max_a Q_t`, and the
    policy is one-hot on the first maximising action (ties go to the lowest
    action index). Shapes as in :func:`soft_backward`; ``temperature`` of the
    result is 0 and ``log_partition`` is the optimal expected return
    ``initial @ V[0]``.

    Discounted without a horizon, ``method`` chooses the solver as in
    :func:`soft_backward`: ``"value_iteration"`` (default), ``"auto"``, or
    ``"policy_iteration"``, Howard's policy iteration: evaluate the
    deterministic policy :math:`a_k` exactly,
    :math:`V_{k+1} = (I - \gamma P_{a_k})^{-1} r_{a_k}` (sparse LU), improve
    :math:`a_{k+1}(s) = \arg\max_a (r + \gamma P V_{k+1})(s, a)` (keeping
    :math:`a_k(s)` unless another action is better by more than rounding), and
    stop when the policy is stable. Either way the result is one exact backup
    of the last iterate, with the same ``error_bound``.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
        State rewards broadcast over actions.
    horizon : int, optional
        ``T >= 1`` decisions (finite horizon).
    discount : float, optional
        ``gamma``: in ``[0, 1)`` alone (stationary plan), in ``[0, 1]`` with a horizon.
    tol : float, default 1e-10
        Discounted only: stop when the bound on ``max |V - V*|`` is below it.
    max_iter : int, default 1000000
        Discounted only: the most sweeps (or policy evaluations) before giving up;
        a plan that has not converged warns with :class:`ConvergenceWarning` and
        has ``converged=False``.
    method : {"value_iteration", "auto", "policy_iteration"}, default "value_iteration"
        Discounted only: the solver (see above).
    progress : bool or None, default None
        Progress of a discounted solve, as in :func:`soft_backward`.

    Returns
    -------
    SoftPlan
        ``V``, ``Q`` and the one-hot ``policy`` (shapes as in :func:`soft_backward`),
        ``temperature == 0``, ``log_partition = initial @ V[0]``.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``reward``, ``horizon``, ``discount``, ``tol``, ``max_iter`` or
        ``method`` out of range, of the wrong shape or not finite.

    See Also
    --------
    soft_backward : the soft maximum.
    soft_backward_batch : ``hard=True`` for many rewards.

    References
    ----------
    Puterman (1994), "Markov decision processes: discrete stochastic dynamic programming", Wiley.

    Examples
    --------
    >>> from tabular_irl import gridworld, value_iteration
    >>> world = gridworld(4, 4)
    >>> plan = value_iteration(world.mdp, world.reward, discount=0.9)
    >>> float(plan.policy.sum(axis=1).min())
    1.0
    >>> howard = value_iteration(world.mdp, world.reward, discount=0.9, method="policy_iteration")
    >>> bool((howard.policy == plan.policy).all()), bool(abs(howard.V - plan.V).max() < 1e-9)
    (True, True)
    """
    return _plan(mdp, reward, horizon, discount, causal=True, mode=_passes.MODE_HARD,
                 temperature=1.0, tol=tol, max_iter=max_iter, method=method, progress=progress)
