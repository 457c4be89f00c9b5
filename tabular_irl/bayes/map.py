r"""The maximum a posteriori reward (Choi & Kim 2011), by gradient ascent on the exact log posterior.

``theta_MAP = argmax log p(theta) + log p(demos | theta)`` with
:func:`~tabular_irl.bayes.log_posterior`'s value and exact gradient, by
L-BFGS-B (inside the box when the prior has one). With the Boltzmann
likelihood the gradient jumps where the optimal policy changes (Choi & Kim
show the posterior is piecewise smooth, one piece per optimal policy): the
line search may then stop at a kink short of the tolerance, which is reported
as not converged, never raised.

References
----------
.. [1] J. Choi and K.-E. Kim, "MAP inference for Bayesian inverse reinforcement
   learning", NeurIPS 2011.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.optimize as opt

from .._logspace import soft_max
from .._validation import check_in_box, check_positive_int, check_positive_real, discount_argument
from ..irl._result import warn_not_converged
from ..mdp import MDP
from ..planning import soft_backward, value_iteration
from ._results import MAPResult
from .likelihood import Posterior, make_posterior

__all__ = ["map_irl"]


def likelihood_policy(post: Posterior, theta: np.ndarray) -> np.ndarray:
    """The policy of the likelihood at ``theta``: Boltzmann on ``c Q*``, or the MCE policy of ``c r``."""
    reward, T, gamma = post.reward(theta), post.horizon, post.discount
    discount = discount_argument(T, gamma) if T is not None else gamma
    if post.likelihood == "boltzmann":
        Q = value_iteration(post.mdp, reward, horizon=T, discount=discount).Q
        return soft_max(post.confidence * Q)[1]
    causal = True if post.demo is None else post.demo.causal
    return soft_backward(post.mdp, post.confidence * reward, horizon=T, discount=discount, causal=causal).policy


def map_irl(
    mdp: MDP,
    demos: Any,
    *,
    features: Any = None,
    reward_shape: Any = None,
    horizon: int | None = None,
    discount: float | None = None,
    likelihood: str = "boltzmann",
    confidence: float = 1.0,
    prior: str = "gaussian",
    prior_scale: float = 1.0,
    bounds: Any = None,
    causal: bool = True,
    start: Any = None,
    max_iter: int = 500,
    tol: float = 1e-6,
) -> MAPResult:
    r"""The MAP reward of Bayesian IRL (Choi & Kim 2011) by L-BFGS-B on the exact log posterior.

    Parameters
    ----------
    mdp : MDP
    demos : Trajectories
    features, reward_shape, horizon, discount, likelihood, confidence, prior, prior_scale, bounds, causal
        The posterior, as in :func:`log_posterior` (here the default prior is
        a unit Gaussian: a flat prior has no unique mode, rewards being
        identified only up to shaping).
    start : array_like, shape (d,), optional
        Initial ``theta`` (inside the box); default 0 (the box's centre).
    max_iter : int, default 500
    tol : float, default 1e-6
        Stop when the largest entry of the projected gradient is below ``tol``.

    Returns
    -------
    MAPResult
        The fit result protocol (``theta``, ``reward``, ``policy``,
        ``objective`` = log posterior, ``converged``, ...) plus ``gradient``.

    Warns
    -----
    ConvergenceWarning
        When L-BFGS-B stops short of ``tol`` (then ``converged`` is False).

    Raises
    ------
    ValueError
        On demonstrations, features, bounds or a start that do not fit the MDP
        or the prior (a start outside the box, ``confidence <= 0``), or a bad
        horizon or discount.

    See Also
    --------
    bayesian_irl : the whole posterior, not its mode.

    References
    ----------
    .. [1] J. Choi and K.-E. Kim, "MAP inference for Bayesian inverse
       reinforcement learning", NeurIPS 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> from tabular_irl.bayes import map_irl
    >>> world = gridworld(3, slip=0.1)
    >>> expert = soft_backward(world.mdp, 5 * world.reward, horizon=5)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 30, horizon=5, seed=0)
    >>> fit = map_irl(world.mdp, demos, horizon=5, likelihood="maxent")
    >>> fit.converged, int(np.argmax(fit.theta))                   # the goal, state 8, is the best state
    (True, 8)
    """
    post = make_posterior(mdp, demos, features=features, reward_shape=reward_shape, horizon=horizon,
                          discount=discount, likelihood=likelihood, confidence=confidence, prior=prior,
                          prior_scale=prior_scale, bounds=bounds, causal=causal)
    max_iter = check_positive_int(max_iter, "max_iter")
    tol = check_positive_real(tol, "tol")
    box = post.prior.bounds
    if start is None:
        theta0 = np.full(post.d, 0.0 if box is None else 0.5 * (box[0] + box[1]))
    else:
        theta0 = post.check_theta(start, "start")
        if box is not None:
            check_in_box(theta0, box[0], box[1], "start")
    history: list[float] = []
    last = {"value": np.nan}

    def negative(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = post(theta)
        last["value"] = value
        return -value, -grad

    def record(theta: np.ndarray) -> None:  # L-BFGS-B calls back at the point it evaluated last
        history.append(float(last["value"]))

    res = opt.minimize(negative, theta0, jac=True, method="L-BFGS-B",
                       bounds=None if box is None else [box] * post.d,
                       options={"maxiter": max_iter, "gtol": tol, "ftol": 0.0},
                       callback=record)
    theta = np.asarray(res.x, dtype=np.float64)
    value, grad = post(theta)
    converged = bool(res.success)
    message = str(res.message)
    if not converged:
        message = (f"L-BFGS-B stopped after {res.nit} iterations: {message}. Try a larger max_iter"
                   + (", or the smooth likelihood='maxent' (the Boltzmann posterior has kinks where the "
                      "optimal policy changes)" if post.likelihood == "boltzmann" else ""))
        warn_not_converged(message)
    return MAPResult(theta=theta, reward=post.reward(theta), policy=likelihood_policy(post, theta),
                     objective=float(value), gradient=grad, converged=converged, message=message,
                     n_iter=int(res.nit), method="L-BFGS-B", history={"objective": history})
