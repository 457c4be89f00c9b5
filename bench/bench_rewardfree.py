"""Run time of the reward-free methods on a gridworld (default 32 x 32, T = 64).

Usage::

    python bench/bench_rewardfree.py                      # 32 x 32, horizon 64, 100 iterations
    python bench/bench_rewardfree.py --size 10 --horizon 30 --json out.json

Times (median of ``--repeat`` runs after one warm-up of a single iteration)
``maxent_exploration`` (fully-corrective, and Hazan's ``2/(k+2)``) and
``state_marginal_matching`` (averaged fully-corrective, and naive) at their
default 100 iterations, with the final entropy / KL and Frank--Wolfe gap of
each, and ``empowerment`` (1 and 2 steps) of every state. Fixed seeds; the
target of the matching is a fixed smooth ramp over the cells.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import tabular_irl as tirl
from tabular_irl import rewardfree as rf


def timed(call, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = call()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--horizon", type=int, default=64)
    parser.add_argument("--n-iter", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", default=None, help="write the results to this file too")
    args = parser.parse_args(argv)
    world = tirl.gridworld(args.size, slip=0.1, goals=[], start=(0, 0))
    mdp, T, n = world.mdp, args.horizon, args.n_iter
    S = mdp.n_states
    target = np.linspace(1.0, 3.0, S)
    target /= target.sum()
    rf.maxent_exploration(mdp, horizon=T, n_iter=1)  # warm-up
    cases = {
        "maxent_exploration fully-corrective": lambda: rf.maxent_exploration(mdp, horizon=T, n_iter=n),
        "maxent_exploration 2/(k+2)": lambda: rf.maxent_exploration(mdp, horizon=T, n_iter=n, step="2/(k+2)"),
        "state_marginal_matching averaged": lambda: rf.state_marginal_matching(mdp, target, horizon=T, n_iter=n),
        "state_marginal_matching naive": lambda: rf.state_marginal_matching(mdp, target, horizon=T, n_iter=n,
                                                                            method="naive"),
        "empowerment 1 step": lambda: rf.empowerment(mdp, 1),
        "empowerment 2 steps": lambda: rf.empowerment(mdp, 2),
    }
    results = {}
    print(f"gridworld {args.size} x {args.size} (S = {S}), horizon {T}, {n} iterations")
    for name, call in cases.items():
        seconds, out = timed(call, args.repeat)
        row = {"seconds": seconds}
        if hasattr(out, "gap"):
            row.update(value=float(out.value), gap=float(out.gap))
        results[name] = row
        extra = "" if "gap" not in row else f"  value {row['value']:.6f}  gap {row['gap']:.3g}"
        print(f"{name:40s} {seconds:8.2f} s{extra}", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"size": args.size, "horizon": T, "n_iter": n, "results": results}, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
