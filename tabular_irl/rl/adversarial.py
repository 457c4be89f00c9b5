r"""The GAIL policy loop (Ho & Ermon 2016), with every iterate's Jensen-Shannon divergence exact.

(The module is not called ``gail``: ``import tabular_irl.rl.gail as m`` would then
bind the function :func:`gail` re-exported by the package, not the module.)

GAIL's saddle point is

.. math::

    \min_\pi \max_D \; \mathbb{E}_{\rho_E}[\log D] + \mathbb{E}_{\rho_\pi}[\log(1 - D)],

whose inner maximum is ``D* = rho_E / (rho_E + rho_pi)`` with value
``2 JS(rho_E, rho_pi) - log 4`` (:func:`tabular_irl.approx.gail_discriminator`).
By the envelope theorem the derivative of that value in ``rho_pi(s, a)`` is
``log(1 - D*(s, a))``: lowering the JS divergence is maximising the return of
the reward ``r = -log(1 - D)`` with the discriminator held fixed. Each
iteration therefore

1. fits the discriminator: the exact ``D*`` when both occupancies are exact,
   otherwise the logistic regression of :func:`tabular_irl.approx.airl`'s
   discriminator (without the ``log pi`` offset, so ``D = sigmoid(f)``) on the
   expert's and the policy's (sampled) transitions;
2. improves the stationary softmax policy on ``r``: a *soft policy iteration*
   step ``theta += eta * A^pi_r`` (``pi_{k+1} ∝ pi_k exp(eta A_k)``, the
   KL-regularised policy improvement of mirror-descent policy iteration) or
   a plain policy-gradient step ``theta += eta * grad J_r(theta)``.

The step is regularised towards the current policy, not by an entropy bonus:
with a fixed bonus the fixed point would be the entropy-regularised optimum
of ``r``, not the expert, while here the expert (``D* = 1/2``, ``r = log 2``,
every advantage zero) is a fixed point. The exact JS divergence of every
iterate is recorded and the loop stops when it is below ``tol``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit

from .._validation import _describe, check_discount, check_horizon, check_positive_int, check_positive_real, \
    check_seed
from ..approx._adversarial import _Discriminator, _exact_transitions, _sample_transitions
from ..approx._gail import _check_occupancy, _js, _occupancy
from ..approx._sampler import check_trajectories
from ..irl._result import warn_not_converged
from ..mdp import MDP, check_mdp
from ..trajectories import Trajectories, sample_trajectories
from .. import _passes
from ._policies import Problem, evaluate, policy_return, resolve, softmax
from ._results import PolicyOptimizationResult, freeze
from .gradients import exact_gradient

__all__ = ["gail"]

POLICY_STEPS = ("soft_policy_iteration", "policy_gradient")

# D is kept below 1 - 1e-15 so that r = -log(1 - D) stays finite (at most ~34.5) where the policy never goes
_D_MAX = 1.0 - 1e-15


def _mean_advantage(problem: Problem, pi: np.ndarray) -> np.ndarray:
    """``A^pi (S, A)`` of a stationary policy; with a horizon, ``sum_t gamma^t D_t(s) A_t(s, a) / sum_t gamma^t D_t(s)``.

    The natural policy gradient of softmax logits (``grad = occupancy * A``).
    """
    V, Q = evaluate(problem, pi)
    if problem.T is None:
        return Q - V[:, None]
    D, _, _ = _passes.rollout(problem.mdp, pi, problem.T, problem.gamma, problem.initial)
    w = D[:-1] * problem.gamma ** np.arange(problem.T)[:, None]  # (T, S)
    num = np.einsum("ts,tsa->sa", w, Q - V[:-1, :, None])
    den = w.sum(axis=0)
    return np.where(den[:, None] > 0, num / np.where(den > 0, den, 1.0)[:, None], 0.0)


def gail(
    mdp: MDP,
    demos: Any,
    *,
    discount: float,
    horizon: int | None = None,
    n_iter: int = 200,
    policy_step: str = "soft_policy_iteration",
    tol: float = 1e-6,
    n_policy_samples: int | None = None,
    step_size: float = 1.0,
    reward: Any = None,
    logits0: Any = None,
    seed: int | np.random.Generator | None = None,
) -> PolicyOptimizationResult:
    r"""The GAIL policy loop: discriminator, then a policy step on ``-log(1 - D)``, until the JS divergence is small.

    Parameters
    ----------
    mdp : MDP
    demos : Trajectories or array_like, shape (S, A)
        Demonstrations (step ``t`` weighted ``gamma^t``), or the expert's exact
        normalised occupancy (:func:`tabular_irl.approx.occupancy_measure`):
        the infinite-sample limit.
    discount : float
        ``gamma`` in ``[0, 1)``.
    horizon : int, optional
        Occupancies truncated to ``T`` steps (normalised), as in
        :func:`tabular_irl.approx.airl`; also the length of policy samples
        (default: the demonstrations'). Trajectories must then have ``T`` steps.
    n_iter : int, default 200
    policy_step : {"soft_policy_iteration", "policy_gradient"}
        ``theta += step_size * A^pi_r`` or ``theta += step_size * grad J_r``
        (module docstring).
    tol : float, default 1e-6
        Stop when the exact JS divergence (nats) is at most ``tol``.
    n_policy_samples : int, optional
        Fit the discriminator against ``n`` fresh trajectories of the policy
        per iteration instead of its exact occupancy.
    step_size : float, default 1
        ``eta > 0``.
    reward : array_like, shape (S,) or (S, A), optional
        A true reward to report the exact return ``value`` of every iterate with.
    logits0 : array_like, shape (S, A), optional
        Initial logits (zeros: uniform).
    seed : int, Generator or None
        For policy samples.

    Returns
    -------
    PolicyOptimizationResult
        ``history`` per iteration (iteration 0 is the initial policy):
        ``"js"`` (exact, between the expert's occupancy, or the demonstrations'
        empirical one, and the policy's exact occupancy), ``"objective"``
        (``2 JS - log 4``, GAIL's inner value at ``D*``), ``"value"`` (with a
        reward; ``nan`` without). The last ``js`` is the returned policy's.

    Raises
    ------
    ValueError
        An unknown ``policy_step``, an occupancy that is not normalised,
        demonstrations out of range or of another length than ``horizon``,
        ``step_size <= 0``.

    See Also
    --------
    tabular_irl.approx.airl, tabular_irl.approx.gail_discriminator

    References
    ----------
    Ho & Ermon (2016). Generative adversarial imitation learning. NeurIPS.
    Geist, Scherrer & Pietquin (2019). A theory of regularized Markov decision
    processes. ICML.

    Examples
    --------
    >>> from tabular_irl import gridworld, soft_backward
    >>> from tabular_irl.approx import occupancy_measure
    >>> world = gridworld(3, slip=0.1)
    >>> expert = soft_backward(world.mdp, 2 * world.reward, discount=0.8).policy
    >>> run = gail(world.mdp, occupancy_measure(world.mdp, expert, discount=0.8), discount=0.8, tol=1e-8)
    >>> run.converged, run.history["js"][-1] <= 1e-8 < run.history["js"][0]
    (True, True)
    """
    mdp = check_mdp(mdp)
    gamma = check_discount(discount, allow_one=False)
    T = None if horizon is None else check_horizon(horizon)
    S, A = mdp.n_states, mdp.n_actions
    problem = resolve(mdp, np.zeros((S, A)) if reward is None else reward, T, gamma)
    if policy_step not in POLICY_STEPS:
        raise ValueError(f"policy_step must be one of {list(POLICY_STEPS)}, got {_describe(policy_step)}")
    n_iter = check_positive_int(n_iter, "n_iter")
    tol = check_positive_real(tol, "tol")
    eta = check_positive_real(step_size, "step_size")
    rng = check_seed(seed)

    if isinstance(demos, Trajectories):
        demos = check_trajectories(demos, "demos", mdp, None)
        if T is not None and demos.horizon != T:
            # the two occupancies would cover different steps: the expert's could never be matched
            raise ValueError(f"demos must have horizon T={T} (the policy's occupancy covers T steps), "
                             f"got demonstrations of {demos.horizon} steps")
        expert_tr = _sample_transitions(demos, S, A, gamma, False)
        expert_occ = np.bincount(expert_tr.sa, weights=expert_tr.w, minlength=S * A).reshape(S, A)
        sample_len = T if T is not None else demos.horizon
    else:
        expert_occ = _check_occupancy(demos, "demos", S, A)
        expert_tr = _exact_transitions(mdp, expert_occ, False)
        sample_len = T
    exact = n_policy_samples is None and not isinstance(demos, Trajectories)
    if n_policy_samples is not None:
        n_policy_samples = check_positive_int(n_policy_samples, "n_policy_samples")
        if sample_len is None:
            raise ValueError("n_policy_samples needs a sample length: give horizon=T (demos is an occupancy)")
    disc = _Discriminator(mdp, gamma, False, False, 0.0)
    no_offset = np.zeros((S, A))  # D = sigmoid(f): GAIL's discriminator, not AIRL's sigmoid(f - log pi)
    x = np.zeros(disc.size)

    theta = np.zeros((S, A)) if logits0 is None else problem.logits(logits0, "logits0")
    if theta.ndim != 2:
        raise ValueError(f"logits0 must be stationary (S, A) = ({S}, {A}), got shape {theta.shape}")
    history: dict = {"iteration": [], "js": [], "objective": [], "value": []}

    def record(k: int, pi: np.ndarray, occ: np.ndarray) -> float:
        js = _js(expert_occ, occ)
        history["iteration"].append(k)
        history["js"].append(js)
        history["objective"].append(2.0 * js - np.log(4.0))
        history["value"].append(policy_return(problem, pi) if reward is not None else float("nan"))
        return js

    pi = softmax(theta)
    occ = _occupancy(mdp, pi, T, gamma, problem.initial)
    js = record(0, pi, occ)
    k = 0
    while js > tol and k < n_iter:
        k += 1
        if exact:
            tot = expert_occ + occ
            D = np.where(tot > 0, expert_occ / np.where(tot > 0, tot, 1.0), 0.5)
        else:
            if n_policy_samples is None:
                policy_tr = _exact_transitions(mdp, occ, False)
            else:
                policy_tr = _sample_transitions(sample_trajectories(mdp, pi, n_policy_samples, horizon=sample_len,
                                                                    seed=rng, initial=problem.initial),
                                                S, A, gamma, False)
            x, _, _, _ = disc.fit(x, expert_tr, policy_tr, no_offset, 100, 1e-10)
            D = expit(disc.expected_f(x))
        r = -np.log1p(-np.minimum(D, _D_MAX))
        step_problem = Problem(mdp, r, T, gamma, problem.initial)
        if policy_step == "soft_policy_iteration":
            theta = theta + eta * _mean_advantage(step_problem, pi)
        else:
            theta = theta + eta * exact_gradient(step_problem, theta)[1]
        theta -= theta.max(axis=1, keepdims=True)  # the same policy; keeps the logits bounded
        pi = softmax(theta)
        occ = _occupancy(mdp, pi, T, gamma, problem.initial)
        js = record(k, pi, occ)
    converged = js <= tol
    if converged:
        message = f"JS divergence {js:.3g} <= tol={tol:g} after {k} iterations"
    else:
        message = (f"not converged: JS divergence {js:.3g} > tol={tol:g} after n_iter={n_iter} iterations"
                   + ("; increase n_iter or step_size" if exact else
                      " (with samples the discriminator sees noise: JS stalls at the sampling error)"))
        warn_not_converged(message)
    return freeze(PolicyOptimizationResult(
        theta=theta, reward=problem.reward if reward is not None else np.zeros((S, A)), policy=pi,
        value=history["value"][-1], objective=history["objective"][-1], converged=converged, message=message,
        n_iter=k, method=f"gail ({policy_step})", history=history))
