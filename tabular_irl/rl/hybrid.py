r"""Improving RL with demonstrations: pretrain then finetune, and imitation as an auxiliary loss.

``pretrain_finetune`` (Algorithm 33 of the notes): initialise the policy by
behavioural cloning, then ascend the return by policy gradients, exact or
sampled. With small sampled batches the first steps often *lose* return (the
noisy gradient undoes what the demonstrations taught before it improves on
them): every iterate's return is evaluated exactly, so the dip is measured.

``hybrid_objective`` (§6.5.4): the return plus ``lam`` times the
log-likelihood of every demonstrated step,

.. math::

    L(\theta) = J(\theta) + \lambda \sum_i \sum_t \log \pi_\theta(a_t^i \mid s_t^i),
    \qquad
    \nabla L = \nabla J + \lambda\, (n - N \pi_\theta),

``n(s, a)`` the demonstrated counts and ``N(s) = sum_a n(s, a)``. At
``lam = 0`` its maximiser is the optimal policy; as ``lam -> infinity`` the
log-likelihood dominates and the maximiser tends to behavioural cloning on
the demonstrated states.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import scipy.optimize

from .._validation import check_positive_int, check_positive_real, check_seed
from ..irl._common import check_demos
from ..irl._result import warn_not_converged
from ..mdp import MDP
from ..trajectories import Trajectories, sample_trajectories
from ._policies import Problem, log_softmax, policy_return, resolve, softmax
from ._results import PolicyOptimizationResult, freeze
from ..trajectories import step_action_counts
from .cloning import behavior_cloning
from .gradients import exact_gradient, reinforce_gradient

__all__ = ["hybrid_objective", "hybrid_policy_optimization", "pretrain_finetune"]


def demo_counts(problem: Problem, demos: Any, time_indexed: bool) -> np.ndarray:
    """Validated demonstrations as the counts the log-likelihood needs: ``(T, S, A)`` of the first ``T`` steps
    for time-indexed logits, ``(S, A)`` of all steps for stationary ones."""
    demos = check_demos(demos, problem.mdp, None)
    if time_indexed and demos.horizon < problem.T:
        raise ValueError(f"demos must have at least T={problem.T} steps for time-indexed logits, got trajectories "
                         f"of {demos.horizon} decisions (use stationary (S, A) logits)")
    return step_action_counts(demos, *problem.shape, problem.T if time_indexed else None)


def log_likelihood(theta: np.ndarray, counts: np.ndarray) -> tuple[float, np.ndarray]:
    """``(sum n log softmax(theta), n - N softmax(theta))``: the demonstrations' log-likelihood and its gradient."""
    return (float(np.sum(counts * log_softmax(theta))),
            counts - counts.sum(axis=-1, keepdims=True) * softmax(theta))


def _hybrid(problem: Problem, theta: np.ndarray, counts: np.ndarray, lam: float) -> tuple[float, np.ndarray, float, float]:
    """``(L, grad L, J, log-likelihood)`` of validated logits."""
    J, grad_J = exact_gradient(problem, theta)
    ll, grad_ll = log_likelihood(theta, counts)
    return J + lam * ll, grad_J + lam * grad_ll, J, ll


def hybrid_objective(
    mdp: MDP,
    reward: Any,
    logits: Any,
    demos: Trajectories,
    lam: float,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
) -> tuple[float, np.ndarray]:
    r"""The return plus ``lam`` times the demonstrations' log-likelihood, and its exact gradient.

    ``L(theta) = J(theta) + lam sum_i sum_t log pi_theta(a_t^i | s_t^i)``: a sum
    over every demonstrated step of every demonstration, not a mean (module
    docstring). Time-indexed logits score the first ``T`` steps of each
    demonstration with ``pi_t``; stationary logits score all steps.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    logits : array_like, shape (T, S, A) or (S, A)
    demos : Trajectories
    lam : float
        ``lambda >= 0``.
    horizon, discount, initial
        As in :func:`policy_gradient`.

    Returns
    -------
    value : float
    grad : ndarray, shape of ``logits``

    Raises
    ------
    ValueError
        ``lam < 0``; demonstrations out of range or too short for time-indexed logits.

    See Also
    --------
    hybrid_policy_optimization : its maximiser.
    policy_gradient, behavior_cloning : the two limits.

    References
    ----------
    Rajeswaran et al. (2018). Learning complex dexterous manipulation with deep
    reinforcement learning and demonstrations (DAPG). RSS.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories
    >>> from tabular_irl.rl import policy_gradient
    >>> world = gridworld(3)
    >>> demos = sample_trajectories(world.mdp, np.full((9, 5), 0.2), 10, horizon=4, seed=0)
    >>> logits = np.zeros((9, 5))
    >>> L, grad = hybrid_objective(world.mdp, world.reward, logits, demos, 0.5, horizon=4)
    >>> J, _ = policy_gradient(world.mdp, world.reward, logits, horizon=4)
    >>> bool(abs((L - J) - 0.5 * 40 * np.log(0.2)) < 1e-12)  # 10 demos x 4 steps, each of probability 1/5
    True
    """
    problem = resolve(mdp, reward, horizon, discount, initial)
    theta = problem.logits(logits)
    lam = check_positive_real(lam, "lam", allow_zero=True)
    value, grad, _, _ = _hybrid(problem, theta, demo_counts(problem, demos, theta.ndim == 3), lam)
    return value, grad


def _initial_logits(problem: Problem, logits0: Any, time_indexed: bool) -> np.ndarray:
    if logits0 is not None:
        return problem.logits(logits0, "logits0")
    S, A = problem.shape
    return np.zeros((problem.T, S, A) if time_indexed else (S, A))


def _result(problem: Problem, theta: np.ndarray, objective: float, history: dict, n_iter: int, converged: bool,
            message: str, method: str) -> PolicyOptimizationResult:
    pi = softmax(theta)
    return freeze(PolicyOptimizationResult(theta=theta, reward=problem.reward, policy=pi, value=history["value"][-1],
                                           objective=objective, converged=converged, message=message, n_iter=n_iter,
                                           method=method, history=history))


def ascend(step: Callable[[np.ndarray], tuple[float, np.ndarray, dict]], theta: np.ndarray, n_iter: int, lr: float,
           history: dict) -> np.ndarray:
    """Gradient ascent ``theta += lr * g`` for ``n_iter`` steps; ``step(theta) -> (objective, g, record)``
    and every record (of the iterate before the step, then of the last) is appended to ``history``."""
    for k in range(n_iter + 1):
        objective, grad, record = step(theta)
        record = dict(iteration=k, objective=objective, **record)
        for key, value in record.items():
            history.setdefault(key, []).append(value)
        if k < n_iter:
            theta = theta + lr * grad
    return theta


def hybrid_policy_optimization(
    mdp: MDP,
    reward: Any,
    demos: Trajectories,
    lam: float,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    initial: Any = None,
    logits0: Any = None,
    n_iter: int = 1000,
    lr: float | None = None,
    tol: float = 1e-9,
) -> PolicyOptimizationResult:
    r"""Maximise :func:`hybrid_objective` over the logits: RL with imitation as an auxiliary loss.

    By L-BFGS on the exact objective and gradient (``lr=None``), or by plain
    gradient ascent ``theta += lr * grad L`` for ``n_iter`` steps. The
    policy is time-indexed with a horizon, stationary without one (or as
    ``logits0``).

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    demos : Trajectories
    lam : float
        ``lambda >= 0``: 0 is pure RL (the optimal policy), large values
        behavioural cloning on the demonstrated states.
    horizon, discount, initial
        As in :func:`policy_gradient`.
    logits0 : array_like, optional
        Starting logits (zeros: the uniform policy).
    n_iter : int, default 1000
        Iterations (L-BFGS's at most, or the ascent's exactly).
    lr : float, optional
        Step size of plain gradient ascent; ``None`` uses L-BFGS.
    tol : float, default 1e-9
        L-BFGS stops when the largest gradient entry is below ``tol``; it has
        converged when that entry is below ``tol * max(1, |L|)`` (a sum over
        many demonstrated steps is large, its gradient no more precise).

    Returns
    -------
    PolicyOptimizationResult
        ``history``: ``"value"`` (exact ``J``), ``"objective"``, ``"log_likelihood"`` per iteration.

    Raises
    ------
    ValueError
        On logits, a reward or demonstrations that do not match ``mdp``,
        ``lam < 0``, ``lr <= 0`` or a bad horizon or discount.

    See Also
    --------
    hybrid_objective

    References
    ----------
    Rajeswaran et al. (2018). Learning complex dexterous manipulation with deep
    reinforcement learning and demonstrations (DAPG). RSS.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> world = gridworld(3)
    >>> demos = sample_trajectories(world.mdp, np.full((9, 5), 0.2), 10, horizon=4, seed=0)
    >>> rl = hybrid_policy_optimization(world.mdp, world.reward, demos, 0.0, horizon=4)
    >>> J_star = float(world.mdp.initial @ value_iteration(world.mdp, world.reward, horizon=4).V[0])
    >>> bool(J_star - rl.value < 1e-4), rl.history["value"][0] < rl.value
    (True, True)
    """
    problem = resolve(mdp, reward, horizon, discount, initial)
    lam = check_positive_real(lam, "lam", allow_zero=True)
    theta = _initial_logits(problem, logits0, problem.T is not None)
    counts = demo_counts(problem, demos, theta.ndim == 3)
    n_iter = check_positive_int(n_iter, "n_iter")
    tol = check_positive_real(tol, "tol")

    def step(x):
        value, grad, J, ll = _hybrid(problem, x, counts, lam)
        return value, grad, dict(value=J, log_likelihood=ll)

    history: dict = {}
    if lr is not None:
        lr = check_positive_real(lr, "lr")
        theta = ascend(step, theta, n_iter, lr, history)
        return _result(problem, theta, history["objective"][-1], history, n_iter, True,
                       f"{n_iter} steps of gradient ascent with lr={lr:g}", "gradient_ascent")

    shape = theta.shape

    def negative(x):
        value, grad, _ = step(x.reshape(shape))
        return -value, -grad.ravel()

    def callback(x):
        value, _, rec = step(x.reshape(shape))
        for key, v in dict(iteration=len(history.get("iteration", [])), objective=value, **rec).items():
            history.setdefault(key, []).append(v)

    callback(theta.ravel())
    out = scipy.optimize.minimize(negative, theta.ravel(), jac=True, method="L-BFGS-B",
                                  options=dict(maxiter=n_iter, gtol=tol, ftol=1e-15, maxcor=30))
    theta = out.x.reshape(shape)
    if history["iteration"][-1] != out.nit:  # the callback misses the last point on some exits
        callback(out.x)
    # the gradient of a sum over many demonstrated steps is only as precise as the objective's size allows
    converged = bool(np.abs(out.jac).max() <= tol * max(1.0, abs(float(out.fun)))) or out.status == 0
    message = f"L-BFGS: {out.message} after {out.nit} iterations (max |grad| {np.abs(out.jac).max():.2g})"
    if not converged:
        warn_not_converged(message + "; increase n_iter")
    return _result(problem, theta, -float(out.fun), history, int(out.nit), converged, message, "L-BFGS-B")


def pretrain_finetune(
    mdp: MDP,
    reward: Any,
    demos: Trajectories,
    *,
    horizon: int | None = None,
    discount: float | None = None,
    n_iter: int,
    lr: float,
    n_per_iter: int | None = None,
    smoothing: float = 0.1,
    baseline: Any = None,
    initial: Any = None,
    seed: int | np.random.Generator | None = None,
) -> PolicyOptimizationResult:
    r"""Pretrain by behavioural cloning, then finetune by policy-gradient ascent (Algorithm 33).

    The logits start at ``log pi_BC`` (:func:`behavior_cloning` with
    ``smoothing``, time-indexed when ``horizon`` is given and the demos
    allow it); each of ``n_iter`` steps is ``theta += lr * g`` with ``g`` the
    exact gradient (``n_per_iter=None``) or the REINFORCE estimate from
    ``n_per_iter`` fresh trajectories of the current policy. Every iterate's
    return is exact.

    Parameters
    ----------
    mdp : MDP
    reward : array_like, shape (S,) or (S, A)
    demos : Trajectories
    horizon, discount
        As in :func:`policy_gradient`; sampled finetuning needs a horizon.
    n_iter : int
    lr : float
        Step size ``> 0``.
    n_per_iter : int, optional
        Trajectories per sampled gradient; exact gradients when None.
    smoothing : float, default 0.1
        Of the cloning, ``> 0`` (an action never demonstrated would otherwise
        get the logit ``log 0``, which no gradient step can undo).
    baseline : None, "value" or array_like
        Of the sampled gradient (:func:`reinforce_gradient`).
    initial : array_like, shape (S,), optional
    seed : int, Generator or None

    Returns
    -------
    PolicyOptimizationResult
        ``history["value"][0]`` is the cloned policy's return.

    Raises
    ------
    ValueError
        ``lr <= 0``, ``smoothing <= 0``, ``n_per_iter`` without a horizon.

    See Also
    --------
    behavior_cloning, policy_gradient, reinforce_gradient

    References
    ----------
    Rajeswaran et al. (2018). Learning complex dexterous manipulation with deep
    reinforcement learning and demonstrations (DAPG). RSS.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> world = gridworld(3)
    >>> expert = soft_backward(world.mdp, 2 * world.reward, horizon=4).policy
    >>> demos = sample_trajectories(world.mdp, expert, 20, horizon=4, seed=0)
    >>> fit = pretrain_finetune(world.mdp, world.reward, demos, horizon=4, n_iter=20, lr=2.0)
    >>> values = fit.history["value"]
    >>> bool(values[-1] > values[0]), fit.method
    (True, 'exact')
    """
    problem = resolve(mdp, reward, horizon, discount, initial)
    n_iter = check_positive_int(n_iter, "n_iter", minimum=0)
    lr = check_positive_real(lr, "lr")
    if check_positive_real(smoothing, "smoothing", allow_zero=True) == 0.0:
        raise ValueError("smoothing must be > 0 for pretraining (log 0 is not a logit), got 0.0")
    if n_per_iter is not None:
        n_per_iter = check_positive_int(n_per_iter, "n_per_iter", minimum=2)
        if problem.T is None:
            raise ValueError("n_per_iter needs a horizon: sampled trajectories are finite (give horizon=T)")
    rng = check_seed(seed)
    bc = behavior_cloning(problem.mdp, demos, horizon=problem.T, smoothing=smoothing)
    theta = np.log(bc.policy)

    def step(x):
        if n_per_iter is None:
            J, grad = exact_gradient(problem, x)
            return J, grad, dict(value=J)
        pi = softmax(x)
        samples = sample_trajectories(problem.mdp, pi, n_per_iter, horizon=problem.T, seed=rng,
                                      initial=problem.initial)
        grad = reinforce_gradient(problem.mdp, problem.reward, x, samples, discount=problem.gamma,
                                  baseline=baseline).estimate
        J = policy_return(problem, pi)
        return J, grad, dict(value=J)

    history: dict = {}
    theta = ascend(step, theta, n_iter, lr, history)
    method = "exact" if n_per_iter is None else "reinforce"
    return _result(problem, theta, history["value"][-1], history, n_iter, True,
                   f"{n_iter} steps of {method} policy-gradient ascent with lr={lr:g}", method)
