"""Benchmark MaxEnt / MCE IRL fits on slippery gridworlds: time, iterations and recovery.

Usage::

    python bench/bench_maxent.py                      # 16x16, 32x32, 64x64
    python bench/bench_maxent.py --sizes 32 --algorithms mce maxent --repeat 3

For each N x N gridworld (slip 0.2, goal reward 1, step reward -0.1, one-hot
features, horizon 2N) demonstrations are sampled from the expert soft-optimal
for twice the true reward; MaxEnt IRL is fitted with exact gradients and the
table reports the median fit time, iterations and evaluations, the moment
matching error, the expected value difference (EVD) of the fitted policy under
the true reward relative to the expert's return, and the reward correlation.
Results are also written as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import tabular_irl
from tabular_irl import gridworld, maxent_irl, sample_trajectories, soft_backward
from tabular_irl.metrics import expected_value_difference, policy_value, reward_correlation

HERE = Path(__file__).resolve().parent


def run_case(size: int, algorithm: str, n_demos: int, l2: float, repeat: int, seed: int) -> dict:
    world = gridworld(size, slip=0.2, step_reward=-0.1)
    T = 2 * size
    expert = soft_backward(world.mdp, 2.0 * np.asarray(world.reward), horizon=T)
    demos = sample_trajectories(world.mdp, expert.policy, n_demos, horizon=T, seed=seed)
    causal = algorithm == "mce"
    times, fit = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        fit = maxent_irl(world.mdp, world.features, demos, horizon=T, causal=causal, l2=l2)
        times.append(time.perf_counter() - t0)
    v_expert = policy_value(world.mdp, expert.policy, world.reward, horizon=T)
    evd = expected_value_difference(world.mdp, world.reward, expert.policy, fit.plan.policy, horizon=T)
    return {
        "size": size, "states": world.mdp.n_states, "horizon": T, "algorithm": algorithm,
        "n_demos": n_demos, "l2": l2, "fit_s": statistics.median(times), "n_iter": fit.n_iter,
        "n_eval": fit.n_eval, "converged": fit.converged,
        "max_abs_gradient": float(np.abs(fit.gradient).max()),
        "moment_matching_error": fit.moment_matching_error,
        "expert_return": v_expert, "evd": evd, "evd_relative": evd / abs(v_expert),
        "reward_correlation": reward_correlation(world.reward, fit.reward[:, 0]),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--algorithms", nargs="+", choices=["mce", "maxent"], default=["mce"])
    parser.add_argument("--n-demos", type=int, default=2000)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "maxent.json")
    args = parser.parse_args(argv)

    config = tabular_irl.show_config(print_out=False)
    print(f"tabular_irl {config['version']}  openmp={config['openmp']}  threads={config['num_threads']}")
    header = (f"{'grid':>9} {'T':>4} {'algo':>6} {'fit s':>8} {'iter':>5} {'eval':>5} {'conv':>5} "
              f"{'max|grad|':>10} {'EVD %':>7} {'corr':>6}")
    print(header)
    print("-" * len(header))
    rows = []
    for size in args.sizes:
        for algorithm in args.algorithms:
            row = run_case(size, algorithm, args.n_demos, args.l2, args.repeat, args.seed)
            rows.append(row)
            print(f"{size:>4}x{size:<4} {row['horizon']:>4} {algorithm:>6} {row['fit_s']:8.2f} {row['n_iter']:>5} "
                  f"{row['n_eval']:>5} {str(row['converged']):>5} {row['max_abs_gradient']:10.2e} "
                  f"{100 * row['evd_relative']:7.2f} {row['reward_correlation']:6.3f}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"config": config, "n_demos": args.n_demos, "results": rows}, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
