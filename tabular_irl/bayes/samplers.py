r"""Markov chain Monte Carlo over rewards: PolicyWalk, MALA and HMC, each exact in the limit.

All three are Metropolis–Hastings chains whose stationary law is the posterior
of :func:`~tabular_irl.bayes.log_posterior` (computed afresh, with its own
``Q*``, at every proposed reward: nothing is reused from the current point):

``"policywalk"`` (Ramachandran & Amir 2007)
    On the grid ``lo, lo + step, ..., hi`` of every coordinate: move one
    coordinate, chosen uniformly, one step up or down (a move off the box
    proposes the current point), accept with ``min(1, p(y) / p(x))``. The
    proposal is symmetric everywhere, at the boundary too, so the chain is
    reversible with respect to the posterior restricted to the grid
    (:func:`~tabular_irl.bayes.exact_grid_posterior`). Values of visited
    points are cached: a revisit costs nothing and changes nothing.
``"mala"`` (Roberts & Tweedie 1996)
    ``y = x + (step^2 / 2) grad log p(x) + step xi`` with the
    Metropolis–Hastings correction for the asymmetric proposal.
``"hmc"`` (Duane et al. 1987; Neal 2011)
    ``n_leapfrog`` leapfrog steps with unit mass, accepted on the change of
    the Hamiltonian; the step size of each transition is drawn uniformly in
    ``[0.8, 1.2] * step`` (a fixed trajectory length can resonate with the
    posterior's scale). A trajectory leaving the box is rejected.

The Boltzmann likelihood's gradient jumps where the optimal policy changes;
MALA and HMC stay exact there (the proposals are still reversible and the
acceptance step corrects them), they just accept less often.

References
----------
.. [1] D. Ramachandran and E. Amir, "Bayesian inverse reinforcement learning",
   IJCAI 2007.
.. [2] G. O. Roberts and R. L. Tweedie, "Exponential convergence of Langevin
   distributions and their discrete approximations", Bernoulli 2(4), 1996.
.. [3] R. M. Neal, "MCMC using Hamiltonian dynamics", Handbook of Markov Chain
   Monte Carlo, 2011.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .._validation import check_finite_array, check_in_box, check_option, check_positive_int, \
    check_positive_real, check_seed
from ..irl._result import attach
from ..mdp import MDP
from ._diagnostics import effective_sample_size, split_rhat
from ._results import BayesianIRLResult
from .grid import Grid, acceptance, make_grid, propose
from .likelihood import Posterior, make_posterior

__all__ = ["bayesian_irl"]

METHODS = ("policywalk", "mala", "hmc")

# A start that is this close to a grid point (relative to the step) is that grid point.
_ON_GRID_RTOL = 1e-9


def _policywalk(post: Posterior, grid: Grid, x: np.ndarray, n: int, rng: np.random.Generator):
    """``n`` steps of PolicyWalk from the grid index ``x``: ``(points (n, d), log p (n,), accepted)``."""
    cache: dict[int, float] = {}

    def log_p(index: np.ndarray) -> float:
        key = grid.flat(index)
        if key not in cache:
            cache[key] = post(grid.point(index), gradient=False)[0]
        return cache[key]

    moves, u = rng.integers(2 * grid.d, size=n), rng.random(n)
    indices, logs = np.empty((n, grid.d), dtype=np.int64), np.empty(n)
    lx, accepted = log_p(x), 0
    for i in range(n):
        y = propose(x, int(moves[i]), grid.K)
        ly = lx if y is x else log_p(y)
        if u[i] < acceptance(lx, ly):
            x, lx, accepted = y, ly, accepted + 1
        indices[i], logs[i] = x, lx
    return grid.point(indices), logs, accepted


def _mala(post: Posterior, x: np.ndarray, n: int, rng: np.random.Generator, step: float):
    """``n`` steps of the Metropolis-adjusted Langevin algorithm from ``x``."""
    d = x.size
    lx, gx = post(x)
    draws, logs, accepted = np.empty((n, d)), np.empty(n), 0
    noise, u = rng.standard_normal((n, d)), rng.random(n)
    half = 0.5 * step**2

    def log_q(to, frm, g_frm):  # log N(to; frm + half g, step^2 I), up to a constant that cancels
        diff = to - frm - half * g_frm
        return -0.5 * (diff @ diff) / step**2

    for i in range(n):
        y = x + half * gx + step * noise[i]
        ly, gy = post(y)
        if np.isfinite(ly):
            log_ratio = ly - lx + log_q(x, y, gy) - log_q(y, x, gx)
            if np.log(u[i]) < log_ratio:
                x, lx, gx, accepted = y, ly, gy, accepted + 1
        draws[i], logs[i] = x, lx
    return draws, logs, accepted


def _hmc(post: Posterior, x: np.ndarray, n: int, rng: np.random.Generator, step: float, n_leapfrog: int):
    """``n`` Hamiltonian Monte Carlo transitions of ``n_leapfrog`` leapfrog steps from ``x``.

    Each transition draws its step size uniformly in ``[0.8, 1.2] * step``
    (independently of the state, so reversibility holds): a fixed trajectory
    length can resonate with the posterior's scale (near-periodic orbits,
    antithetic means but strongly correlated second moments).
    """
    d = x.size
    lx, gx = post(x)
    draws, logs, accepted = np.empty((n, d)), np.empty(n), 0
    momenta, u, jitter = rng.standard_normal((n, d)), rng.random(n), rng.uniform(0.8, 1.2, size=n)
    for i in range(n):
        p0, eps = momenta[i], step * jitter[i]
        y, gy, ly = x, gx, lx
        p = p0 + 0.5 * eps * gy
        for j in range(n_leapfrog):
            y = y + eps * p
            ly, gy = post(y)
            if not np.isfinite(ly):  # left the box: reject the whole trajectory
                break
            p = p + (eps if j < n_leapfrog - 1 else 0.5 * eps) * gy
        if np.isfinite(ly):
            log_ratio = (ly - 0.5 * p @ p) - (lx - 0.5 * p0 @ p0)
            if np.log(u[i]) < log_ratio:
                x, lx, gx, accepted = y, ly, gy, accepted + 1
        draws[i], logs[i] = x, lx
    return draws, logs, accepted


def _starts(start: Any, n_chains: int, d: int, post: Posterior, grid: Grid | None) -> np.ndarray:
    """``(n_chains, d)`` validated start points: inside the box, on the grid for PolicyWalk, of finite posterior."""
    box = post.prior.bounds
    if start is None:
        centre = np.full(d, 0.0 if box is None else 0.5 * (box[0] + box[1]))
        starts = np.broadcast_to(grid.point(grid.snap(centre)) if grid is not None else centre, (n_chains, d))
    else:
        arr = check_finite_array(start, "start")
        if arr.shape not in ((d,), (n_chains, d)):
            raise ValueError(f"start must have shape (d,) = ({d},) or (n_chains, d) = ({n_chains}, {d}), "
                             f"got shape {arr.shape}")
        starts = np.broadcast_to(arr, (n_chains, d))
        if box is not None:
            check_in_box(starts, box[0], box[1], "start")
        if grid is not None:
            off = np.abs(grid.point(grid.snap(starts)) - starts).max()
            if off > _ON_GRID_RTOL * grid.step:
                raise ValueError(f"start must be a point of the grid lo, lo + step, ..., hi (step={grid.step!r}) "
                                 f"for method='policywalk', got a coordinate {off:.3g} away from it")
    starts = np.array(starts, dtype=np.float64)
    for c, x in enumerate(starts):
        if not np.isfinite(post(x, gradient=False)[0]):
            raise ValueError(f"start of chain {c} has log posterior -inf (the demonstrations are impossible "
                             "there); start elsewhere")
    return starts


def bayesian_irl(
    mdp: MDP,
    demos: Any,
    *,
    features: Any = None,
    reward_shape: Any = None,
    horizon: int | None = None,
    discount: float | None = None,
    likelihood: str = "boltzmann",
    confidence: float = 1.0,
    prior: str = "uniform",
    prior_scale: float = 1.0,
    bounds: Any = None,
    causal: bool = True,
    method: str = "policywalk",
    n_samples: int = 1000,
    burn_in: int = 200,
    step: float,
    n_leapfrog: int = 10,
    n_chains: int = 1,
    start: Any = None,
    seed: Any = None,
) -> BayesianIRLResult:
    r"""Sample the posterior over rewards given demonstrations (Bayesian IRL).

    The posterior is :func:`log_posterior`'s; the chains are PolicyWalk, MALA
    or HMC (module ``tabular_irl.bayes.samplers``), each a
    Metropolis–Hastings chain with that exact posterior as its stationary law.

    Parameters
    ----------
    mdp : MDP
    demos : Trajectories
    features, reward_shape, horizon, discount, likelihood, confidence, prior, prior_scale, bounds, causal
        The posterior, as in :func:`log_posterior`. PolicyWalk needs ``bounds``.
    method : {"policywalk", "mala", "hmc"}, default "policywalk"
    n_samples : int, default 1000
        Draws kept per chain, after ``burn_in`` discarded ones.
    burn_in : int, default 200
        Draws discarded at the start of every chain (``>= 0``).
    step : float
        PolicyWalk: the grid spacing, dividing ``hi - lo``; MALA: the
        Langevin step ``epsilon``; HMC: the leapfrog step (jittered by ``±20 %``).
    n_leapfrog : int, default 10
        Leapfrog steps per HMC transition.
    n_chains : int, default 1
        Independent chains (each its own child of ``seed``); R̂ compares them.
    start : array_like, shape (d,) or (n_chains, d), optional
        Where the chains start: inside the box (a grid point for PolicyWalk).
        Default the centre of the box (snapped to the grid), or 0 without one.
        With the Boltzmann likelihood a reward of 0 makes every action tie, a
        kink of the posterior where MALA's reverse proposal is almost never
        accepted: start MALA and HMC elsewhere (``map_irl(...).theta``, say).
    seed : None, int or numpy.random.Generator

    Returns
    -------
    BayesianIRLResult

    Raises
    ------
    ValueError
        A start outside the box (or off the grid for PolicyWalk), a step larger
        than the box or not dividing it, ``confidence <= 0``, an unknown method.

    See Also
    --------
    exact_grid_posterior : the table PolicyWalk converges to.
    map_irl : the posterior's mode by optimisation.
    value_at_risk : a high-confidence bound on a policy's loss from these samples.

    References
    ----------
    .. [1] D. Ramachandran and E. Amir, "Bayesian inverse reinforcement
       learning", IJCAI 2007.
    .. [2] R. M. Neal, "MCMC using Hamiltonian dynamics", Handbook of Markov
       Chain Monte Carlo, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, sample_trajectories, value_iteration
    >>> from tabular_irl.bayes import bayesian_irl
    >>> world = gridworld(3, slip=0.1)
    >>> expert = value_iteration(world.mdp, world.reward, discount=0.9)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 10, horizon=5, seed=0)
    >>> phi = world.feature_sets["coordinates"]                       # d = 2
    >>> fit = bayesian_irl(world.mdp, demos, features=phi, discount=0.9, bounds=(-1, 1), step=0.25,
    ...                    n_samples=500, n_chains=2, seed=0)
    >>> fit.samples.shape, fit.ess.shape, bool(0 < fit.acceptance_rate <= 1)
    ((1000, 2), (2,), True)
    >>> bool(np.all(fit.mean > 0))         # the goal is at the bottom right: reward grows with row and column
    True
    """
    post = make_posterior(mdp, demos, features=features, reward_shape=reward_shape, horizon=horizon,
                          discount=discount, likelihood=likelihood, confidence=confidence, prior=prior,
                          prior_scale=prior_scale, bounds=bounds, causal=causal)
    method = check_option(method, "method", METHODS)
    n_samples = check_positive_int(n_samples, "n_samples")
    burn_in = check_positive_int(burn_in, "burn_in", minimum=0)
    n_chains = check_positive_int(n_chains, "n_chains")
    n_leapfrog = check_positive_int(n_leapfrog, "n_leapfrog")
    grid = None
    if method == "policywalk":
        if bounds is None:
            raise ValueError("method='policywalk' walks on a grid in a box: give bounds=(lo, hi)")
        grid = make_grid(bounds, step, post.d)
    else:
        step = check_positive_real(step, "step")
        if bounds is not None and step > post.prior.bounds[1] - post.prior.bounds[0]:
            raise ValueError(f"step must be at most the box's width hi - lo = "
                             f"{post.prior.bounds[1] - post.prior.bounds[0]!r}, got {step!r}")
    starts = _starts(start, n_chains, post.d, post, grid)
    rngs = check_seed(seed).spawn(n_chains)
    total = burn_in + n_samples
    chains, logs, accepted = [], [], 0
    began = time.perf_counter()
    for x0, rng in zip(starts, rngs):
        if method == "policywalk":
            draws, lp, acc = _policywalk(post, grid, grid.snap(x0), total, rng)
        elif method == "mala":
            draws, lp, acc = _mala(post, x0, total, rng, step)
        else:
            draws, lp, acc = _hmc(post, x0, total, rng, step, n_leapfrog)
        chains.append(draws[burn_in:])
        logs.append(lp[burn_in:])
        accepted += acc
    seconds = time.perf_counter() - began
    chains_arr = np.stack(chains)
    samples = chains_arr.reshape(-1, post.d)
    log_p = np.concatenate(logs)
    mean = samples.mean(axis=0)
    result = BayesianIRLResult(
        samples=samples, chains=chains_arr, log_posterior=log_p, acceptance_rate=accepted / (n_chains * total),
        mean=mean, map=samples[int(np.argmax(log_p))].copy(),
        ess=effective_sample_size(chains_arr) if n_samples >= 4 else np.ones(post.d),
        rhat=split_rhat(chains_arr) if n_samples >= 4 else np.full(post.d, np.inf),
        reward=post.reward(mean), method=method, step=float(grid.step if grid is not None else step),
        seconds=seconds)
    return attach(result, _posterior=post)
