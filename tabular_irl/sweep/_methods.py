"""The sweep's adapters for methods whose result is not a fit of the result protocol.

Each adapter runs a package method and returns a :class:`SweepFit`: the
protocol's ``reward (S, A)``, ``policy``, ``converged``, ``n_iter``,
``objective`` and ``message``, plus ``extra``, fields the row records beside
the metrics. All randomness comes from the cell's seed.

* ``gail``: :func:`tabular_irl.rl.gail`, the GAIL policy loop (Ho & Ermon
  2016) on the demonstrations, each discriminator fitted on them and the
  policy's exact occupancy. GAIL learns a policy, not a reward (its
  discriminator's cost changes at every iteration); the row's reward is the
  one the returned policy is soft-optimal for, ``r(s, a) = log pi(a|s)``
  (its soft values are then 0 for any discount), so that the reward metrics
  measure what GAIL implies. ``extra``: the final JS divergence ``gail_js``
  between the demonstrations' and the policy's occupancies.
  (:func:`tabular_irl.approx.airl`, the ``airl`` method, is the adversarial
  method that fits a reward.)
* ``importance_maxent``: trajectory-level MaxEnt IRL with the
  importance-sampled log partition of guided cost learning (Finn, Levine &
  Abbeel 2016; :func:`tabular_irl.approx.importance_sampled_gradient`):
  ``n_samples`` trajectories are drawn once, from the demonstrations' start
  states, with the cell's seed, from ``sampler`` (``"uniform"``, or
  ``"demos"``: the demonstrations' empirical policy smoothed by one count);
  L-BFGS-B then maximises the estimated objective less ``l2/2 ||theta||^2``,
  whose exact gradient, for fixed samples, is the self-normalised estimate.
  Undiscounted finite horizons only (the non-causal model). ``extra``: the
  effective sample size of the weights at the optimum, ``is_ess``.
* ``bayesian``: :func:`tabular_irl.bayes.bayesian_irl` (Ramachandran & Amir
  2007), small by default: one HMC chain (10 leapfrog steps of
  ``0.4 / sqrt(n_demos)``) of 50 burn-in and 100 kept draws, started at the
  MAP reward (:func:`tabular_irl.bayes.map_irl`), under the MaxEnt (causal)
  likelihood and a Gaussian prior; every option of ``bayesian_irl`` can be
  set (``start = "map"`` is the default, or give a point). The reward is the
  posterior mean's, the policy the likelihood's policy for it.
  ``converged``: split-R̂ of every coordinate below 1.01; ``objective``: the
  mean log posterior of the draws; ``n_iter``: the draws made. ``extra``:
  ``acceptance_rate``, ``ess`` (the smallest coordinate's effective sample
  size) and ``rhat`` (the largest split-R̂).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.optimize
from scipy.special import logsumexp

from .._features import as_linear_features
from ..approx import empirical_policy, importance_sampled_gradient
from ..bayes import bayesian_irl, map_irl
from ..bayes.likelihood import make_posterior
from ..bayes.map import likelihood_policy
from ..planning import soft_backward
from ..rl import gail
from ..trajectories import sample_trajectories

__all__ = ["DIAGNOSTICS", "SweepFit", "fit_gail", "fit_importance_maxent", "fit_bayesian", "GAIL_OPTIONS",
           "IMPORTANCE_MAXENT_OPTIONS", "BAYESIAN_OPTIONS"]


# the extra row fields the adapters add (each only in its method's rows)
DIAGNOSTICS = ("gail_js", "is_ess", "acceptance_rate", "ess", "rhat")


@dataclass(frozen=True, eq=False)
class SweepFit:
    """The result protocol's fields a row needs, and ``extra`` fields for the row."""

    reward: np.ndarray
    policy: np.ndarray
    converged: bool
    n_iter: int
    objective: float | None
    message: str
    extra: dict[str, Any] = field(default_factory=dict)


def _adversarial_discount(gamma: float | None, options: dict) -> float:
    # the adversarial methods are discounted: an undiscounted cell uses the LP default (cells._LP_DISCOUNT)
    from .cells import _LP_DISCOUNT

    return options.pop("discount", _LP_DISCOUNT if gamma is None or gamma >= 1.0 else gamma)


# rl.gail's options a spec may set: not its "reward" (it would report the true reward) nor its start
GAIL_OPTIONS = ("n_iter", "policy_step", "tol", "n_policy_samples", "step_size", "discount")


def fit_gail(world: Any, demos: Any, T: int, gamma: float | None, seed: int, options: dict) -> SweepFit:
    """``gail``: the module docstring."""
    options = dict(options)
    discount = _adversarial_discount(gamma, options)
    run = gail(world.mdp, demos, discount=discount, horizon=T, seed=seed, **options)
    log_policy = run.theta - logsumexp(run.theta, axis=1, keepdims=True)  # finite: the logits are
    return SweepFit(reward=log_policy, policy=run.policy, converged=run.converged, n_iter=run.n_iter,
                    objective=run.objective, message=run.message, extra={"gail_js": float(run.history["js"][-1])})


IMPORTANCE_MAXENT_OPTIONS = ("n_samples", "sampler", "l2", "max_iter", "tol")
_SAMPLERS = ("uniform", "demos")


def fit_importance_maxent(world: Any, demos: Any, T: int, gamma: float | None, seed: int,
                          options: dict) -> SweepFit:
    """``importance_maxent``: the module docstring."""
    options = {"n_samples": 1000, "sampler": "uniform", "l2": 0.01, "max_iter": 200, "tol": 1e-6, **options}
    if gamma is not None:
        raise ValueError(f"method 'importance_maxent' is the undiscounted trajectory model: remove "
                         f"discount={gamma} from its cells")
    if options["sampler"] not in _SAMPLERS:
        raise ValueError(f"method 'importance_maxent' option 'sampler' must be one of "
                         f"{', '.join(map(repr, _SAMPLERS))}, got {options['sampler']!r}")
    mdp = world.mdp
    S, A = mdp.n_states, mdp.n_actions
    sampler = (np.full((S, A), 1.0 / A) if options["sampler"] == "uniform"
               else empirical_policy(demos, S, A, smoothing=1.0))
    # a stream of its own: the demonstrations were drawn from the seed itself
    samples = sample_trajectories(mdp, sampler, options["n_samples"], horizon=T,
                                  seed=np.random.default_rng([seed, 1]), initial=demos.start_distribution(S))
    features = as_linear_features(world.features, S, A)
    l2 = float(options["l2"])

    def negative(theta: np.ndarray) -> tuple[float, np.ndarray]:
        est = importance_sampled_gradient(mdp, world.features, theta, demos, samples, sampler, horizon=T)
        return (-est.objective + 0.5 * l2 * float(theta @ theta), -np.asarray(est.gradient) + l2 * theta)

    res = scipy.optimize.minimize(negative, np.zeros(features.d), jac=True, method="L-BFGS-B",
                                  options={"maxiter": options["max_iter"], "gtol": options["tol"]})
    reward = features.reward(res.x)
    ess = importance_sampled_gradient(mdp, world.features, res.x, demos, samples, sampler,
                                      horizon=T).effective_sample_size
    policy = soft_backward(mdp, reward, horizon=T, causal=False).policy
    return SweepFit(reward=reward, policy=policy, converged=bool(res.success), n_iter=int(res.nit),
                    objective=-float(res.fun), message=str(res.message), extra={"is_ess": float(ess)})


BAYESIAN_OPTIONS = ("likelihood", "confidence", "prior", "prior_scale", "bounds", "method", "n_samples", "burn_in",
                    "step", "n_leapfrog", "n_chains", "start")
# split-R̂ below this for every coordinate: the usual bar (tabular_irl.bayes.BayesianIRLResult)
_RHAT_BAR = 1.01
# HMC's leapfrog step by default: STEP_SCALE / sqrt(n_demos), as the posterior's width shrinks like
# 1 / sqrt(n_demos); 0.4 kept HMC's acceptance between 0.5 and 0.95 on objectworld 8x8 (horizon 16,
# 2 to 128 demonstrations)
STEP_SCALE = 0.4


def fit_bayesian(world: Any, demos: Any, T: int, gamma: float | None, seed: int, options: dict) -> SweepFit:
    """``bayesian``: the module docstring."""
    options = {"likelihood": "maxent", "prior": "gaussian", "method": "hmc", "n_samples": 100, "burn_in": 50,
               "step": STEP_SCALE / np.sqrt(demos.n_trajectories), "start": "map", **options}
    posterior = {k: options.pop(k) for k in ("likelihood", "confidence", "prior", "prior_scale", "bounds")
                 if k in options}
    model = dict(features=world.features, horizon=T, discount=gamma, **posterior)
    if isinstance(options["start"], str) and options["start"] == "map":
        # the chains start at the posterior's mode: a reward of 0 is a kink of the Boltzmann likelihood,
        # and burn-in from the mode is short
        options["start"] = map_irl(world.mdp, demos, **model).theta
    fit = bayesian_irl(world.mdp, demos, seed=seed, **model, **options)
    post = make_posterior(world.mdp, demos, **model)
    ess, rhat = float(np.min(fit.ess)), float(np.max(fit.rhat))
    converged = bool(np.all(fit.rhat < _RHAT_BAR))
    n_chains, n_kept = fit.chains.shape[:2]
    message = (f"{fit.method}: {n_chains} chain(s) of {n_kept} draws after {options['burn_in']} burn-in, "
               f"acceptance {fit.acceptance_rate:.3f}, smallest ESS {ess:.3g}, largest split-R-hat {rhat:.4g} "
               f"({'<' if converged else '>='} {_RHAT_BAR})")
    return SweepFit(reward=np.asarray(fit.reward), policy=likelihood_policy(post, fit.mean), converged=converged,
                    n_iter=int(n_chains * (options["burn_in"] + n_kept)), objective=float(np.mean(fit.log_posterior)),
                    message=message,
                    extra={"acceptance_rate": float(fit.acceptance_rate), "ess": ess, "rhat": rhat})
