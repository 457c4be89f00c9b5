"""PolicyWalk vs MALA vs HMC on an 8 x 8 gridworld: acceptance, ESS per second, error of the posterior mean.

Usage::

    python bench/bench_bayes.py                       # about 5 minutes on 2 busy shared cores
    python bench/bench_bayes.py --samples 4000 --out bench/results/bayes.json

The problem: ``gridworld(8)`` (64 states, 5 actions, slip 0.1, goal bottom
right), discount 0.9, 20 demonstrations of 10 steps from a Boltzmann expert
(``softmax(5 Q*)`` of the true reward, so that the posterior sits inside the
box: demonstrations of the optimal policy push every Boltzmann posterior to
the box's edge, larger rewards always explaining them better), the Boltzmann
likelihood with confidence 5 on two features (the goal indicator, the true
reward, and the column coordinate: ``theta_true = (1, 0)``), a uniform prior
on ``[-2, 2]^2``. The truths, computed in the same run:

* PolicyWalk's: the posterior on its grid (step 0.05, 81 x 81 points),
  enumerated exactly (:func:`tabular_irl.bayes.exact_grid_posterior`);
* MALA's and HMC's: the continuous posterior, integrated by the trapezoid
  rule on ``--nodes``^2 nodes of the part of the box where the enumerated
  grid posterior is within ``exp(-30)`` of its largest value (the rest
  carries less than ``1e-9`` of the mass).

Each sampler runs ``--chains`` chains of ``--samples`` draws (PolicyWalk:
``--policywalk-samples``, its steps being cheap) after
``--burn-in`` (fixed seed) from ``START``; reported: acceptance rate, the smallest ESS over
the two coordinates, ESS per second of sampling wall time, the largest
split-R̂, and the largest absolute error of the posterior mean against its
truth (with the Monte Carlo standard error ``sd / sqrt(ESS)`` beside it:
an error within about two of those is what exactness looks like).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from tabular_irl import gridworld, sample_trajectories, value_iteration
from tabular_irl._logspace import soft_max
from tabular_irl.bayes import bayesian_irl, exact_grid_posterior
from tabular_irl.bayes.likelihood import make_posterior


# Every chain starts here, a grid point away from the mode. Not at theta = 0: there every action ties, the
# Boltzmann gradient jumps, and a Langevin proposal from the kink is (correctly) almost never accepted.
START = (0.5, 0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000, help="draws per chain of MALA and HMC")
    parser.add_argument("--policywalk-samples", type=int, default=20000,
                        help="draws per chain of PolicyWalk (cheap: revisited grid points are cached)")
    parser.add_argument("--burn-in", type=int, default=300)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--nodes", type=int, default=121, help="trapezoid nodes per coordinate")
    parser.add_argument("--out", default=None, help="write the table as JSON here")
    args = parser.parse_args()

    world = gridworld(8, slip=0.1)
    Q = value_iteration(world.mdp, world.reward, discount=0.9).Q
    _, expert = soft_max(5.0 * Q)
    demos = sample_trajectories(world.mdp, expert, 20, horizon=10, seed=0)
    features = np.stack([world.reward, world.feature_sets["coordinates"][:, 1]], axis=1)
    kw = dict(features=features, discount=0.9, likelihood="boltzmann", confidence=5.0, bounds=(-2.0, 2.0))

    began = time.perf_counter()
    points, probs = exact_grid_posterior(world.mdp, demos, step=0.05, **kw)
    grid_mean = probs @ points
    grid_sd = np.sqrt(probs @ (points - grid_mean) ** 2)
    enumerate_s = time.perf_counter() - began

    began = time.perf_counter()
    post = make_posterior(world.mdp, demos, **kw)
    alive = points[probs > probs.max() * np.exp(-30.0)]
    lo, hi = np.maximum(alive.min(axis=0) - 0.05, -2.0), np.minimum(alive.max(axis=0) + 0.05, 2.0)
    X, Y = np.meshgrid(np.linspace(lo[0], hi[0], args.nodes), np.linspace(lo[1], hi[1], args.nodes), indexing="ij")
    fine = np.stack([X.ravel(), Y.ravel()], axis=1)
    log_p = np.array([post(x, gradient=False)[0] for x in fine])
    edge = np.ones(args.nodes)
    edge[[0, -1]] = 0.5
    w = np.exp(log_p - log_p.max()) * np.outer(edge, edge).ravel()
    w /= w.sum()
    mean = w @ fine
    sd = np.sqrt(w @ (fine - mean) ** 2)
    integrate_s = time.perf_counter() - began
    print(f"truths: grid posterior mean {grid_mean.round(4).tolist()} (sd {grid_sd.round(4).tolist()}, "
          f"{len(points)} points, {enumerate_s:.1f} s); integrated mean {mean.round(4).tolist()} "
          f"(sd {sd.round(4).tolist()}, {args.nodes}^2 nodes on {lo.round(2).tolist()}..{hi.round(2).tolist()}, "
          f"{integrate_s:.1f} s)")

    runs = [("policywalk", dict(step=0.05, n_samples=args.policywalk_samples), grid_mean, grid_sd),
            ("mala", dict(step=0.1, n_samples=args.samples), mean, sd),
            ("hmc", dict(step=0.06, n_leapfrog=3, n_samples=args.samples), mean, sd)]
    rows = []
    for method, opts, truth, truth_sd in runs:
        fit = bayesian_irl(world.mdp, demos, method=method, burn_in=args.burn_in,
                           n_chains=args.chains, start=START, seed=1, **opts, **kw)
        ess = float(fit.ess.min())
        error = float(np.abs(fit.mean - truth).max())
        se = float((truth_sd / np.sqrt(fit.ess)).max())
        rows.append(dict(method=method, step=fit.step, draws=len(fit.samples), acceptance=fit.acceptance_rate,
                         ess=ess, seconds=fit.seconds, ess_per_second=ess / fit.seconds, rhat=float(fit.rhat.max()),
                         mean_error=error, monte_carlo_se=se))

    header = (f"{'method':<11}{'step':>6}{'draws':>7}{'accept':>8}{'min ESS':>9}{'seconds':>9}{'ESS/s':>8}"
              f"{'max R^':>8}{'|mean err|':>11}{'MC s.e.':>9}")
    print(header)
    for r in rows:
        print(f"{r['method']:<11}{r['step']:>6.3g}{r['draws']:>7}{r['acceptance']:>8.3f}{r['ess']:>9.0f}"
              f"{r['seconds']:>9.1f}{r['ess_per_second']:>8.1f}{r['rhat']:>8.4f}{r['mean_error']:>11.4f}"
              f"{r['monte_carlo_se']:>9.4f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(dict(rows=rows, grid_mean=grid_mean.tolist(), integrated_mean=mean.tolist(),
                           samples=args.samples, chains=args.chains, burn_in=args.burn_in), f, indent=2)


if __name__ == "__main__":
    main()
