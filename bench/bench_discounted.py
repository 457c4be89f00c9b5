"""Discounted planning: value iteration (compiled sweeps) against policy iteration (Newton, sparse LU).

Usage::

    python bench/bench_discounted.py                          # gridworlds 32..256, discounts 0.9, 0.99, 0.999
    python bench/bench_discounted.py --sizes 32 64 --discounts 0.999 0.9999 --repeat 5
    python bench/bench_discounted.py --garnet 1000 4000       # random (expander) dynamics as well
    python bench/bench_discounted.py --max-sweeps 5000        # cap value iteration; reported if it stops short

For each slippery N x N gridworld (5 actions, ``slip=0.2``, reward 1 in the goal
corner) and discount it solves the soft (temperature 1, :func:`soft_backward`)
and the hard (:func:`value_iteration`) problem both ways, at ``tol=1e-10``:

* ``VI``: ``method="value_iteration"``, the compiled kernel's sweeps, capped at
  ``--max-sweeps`` (a run that stops there is reported as not converged);
* ``PI``: ``method="policy_iteration"``, one sparse LU factorisation of
  ``I - gamma P_pi`` per iteration.

It reports iterations (sweeps or policy evaluations), the median time of
``--repeat`` runs after a warm-up (a single run when the warm-up alone takes
longer than ``--single-run-above`` seconds), whether each converged, the largest
difference of their values relative to ``max |V|`` (checked to be below 1e-9
when both converged), and which method ``method="auto"`` picks. It prints a
table and writes the numbers as JSON (``bench/results/discounted.json``).
Fixed problems, no randomness except the Garnet MDPs' fixed seed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

import tabular_irl  # noqa: E402
from tabular_irl import ConvergenceWarning, gridworld, random_mdp, soft_backward, value_iteration  # noqa: E402
from tabular_irl._policy_iteration import choose_method  # noqa: E402

TOL = 1e-10
AGREEMENT = 1e-9  # relative to max |V|; both are exact up to ~eps / (1 - gamma)


def _timed(fn, repeat: int, single_above: float) -> tuple[float, int, object]:
    """(median seconds, runs timed, result); the warm-up is the only run when it is slow."""
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    if first > single_above:
        return first, 1, result
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), repeat, result


def run_case(name: str, problem, gamma: float, model: str, args) -> dict:
    mdp = problem.mdp
    reward = np.asarray(problem.reward)
    mdp._kernel_parts()  # the kernel's cached CSR arrays: built once per MDP, not per solve
    solve = soft_backward if model == "soft" else value_iteration
    row = {"problem": name, "states": mdp.n_states, "actions": mdp.n_actions, "nnz": mdp.nnz,
           "discount": gamma, "model": model}
    for method, cap in (("value_iteration", args.max_sweeps), ("policy_iteration", 1000)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # reported in the table instead
            seconds, runs, plan = _timed(
                lambda: solve(mdp, reward, discount=gamma, tol=TOL, max_iter=cap, method=method),
                args.repeat, args.single_run_above)
        key = "vi" if method == "value_iteration" else "pi"
        row.update({f"{key}_s": seconds, f"{key}_runs": runs, f"{key}_iter": plan.n_iter,
                    f"{key}_converged": plan.converged, f"{key}_error_bound": plan.error_bound})
        row[f"{key}_V"] = plan.V
    diff = float(np.abs(row.pop("vi_V") - row["pi_V"]).max() / max(1.0, np.abs(row["pi_V"]).max()))
    row.pop("pi_V")
    row["max_rel_diff"] = diff
    if row["vi_converged"] and row["pi_converged"] and diff > AGREEMENT:
        raise AssertionError(f"value and policy iteration disagree by {diff:.3g} on {name}, gamma={gamma}, {model}")
    r2 = np.repeat(reward[:, None], mdp.n_actions, axis=1) if reward.ndim == 1 else reward
    row["auto"] = choose_method(mdp, mdp.transitions, r2, gamma, 1.0, model == "hard", TOL, args.max_sweeps)
    row["speedup"] = row["vi_s"] / row["pi_s"]
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 64, 128, 256])
    parser.add_argument("--discounts", type=float, nargs="+", default=[0.9, 0.99, 0.999])
    parser.add_argument("--models", nargs="+", default=["soft", "hard"], choices=["soft", "hard"])
    parser.add_argument("--garnet", type=int, nargs="*", default=[],
                        help="also Garnet random MDPs with these state counts (4 actions, branching 4)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-sweeps", type=int, default=40_000,
                        help="max_iter of value iteration (0.999 needs ~27,000 sweeps at tol 1e-10)")
    parser.add_argument("--single-run-above", type=float, default=20.0,
                        help="time a single run when the warm-up takes longer than this (seconds)")
    parser.add_argument("--threads", type=int, default=None, help="kernel threads (default: the package's)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "discounted.json")
    args = parser.parse_args(argv)
    if args.threads is not None:
        tabular_irl.set_num_threads(args.threads)

    config = tabular_irl.show_config(print_out=False)
    print(f"tabular_irl {config['version']}  openmp={config['openmp']}  threads={tabular_irl.get_num_threads()}  "
          f"{platform.processor() or platform.machine()}  numpy {np.__version__}  tol={TOL:g}")
    header = (f"{'problem':>12} {'S':>7} {'gamma':>6} {'model':>5} {'VI iter':>8} {'VI s':>9} "
              f"{'PI iter':>7} {'PI s':>8} {'VI/PI':>7} {'rel diff':>9} {'auto':>5}")
    print(header)
    print("-" * len(header))
    problems = [(f"grid {n}x{n}", lambda n=n: gridworld(n, slip=0.2)) for n in args.sizes]
    problems += [(f"garnet {s}", lambda s=s: random_mdp(s, 4, 4, seed=0)) for s in args.garnet]
    rows = []
    for name, build in problems:
        problem = build()
        for gamma in args.discounts:
            for model in args.models:
                row = run_case(name, problem, gamma, model, args)
                rows.append(row)
                vi_iter = f"{row['vi_iter']}{'' if row['vi_converged'] else '*'}"
                pi_iter = f"{row['pi_iter']}{'' if row['pi_converged'] else '*'}"
                print(f"{name:>12} {row['states']:>7} {gamma:>6g} {model:>5} {vi_iter:>8} {row['vi_s']:>9.3f} "
                      f"{pi_iter:>7} {row['pi_s']:>8.3f} {row['speedup']:>7.1f} {row['max_rel_diff']:>9.1e} "
                      f"{'PI' if row['auto'] == 'policy_iteration' else 'VI':>5}", flush=True)
    print(f"seconds are medians of {args.repeat} runs after a warm-up (one run above {args.single_run_above:g} s); "
          f"* = stopped at max_iter before tol; VI/PI = time ratio; rel diff = max |V_VI - V_PI| / max |V|")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"config": config, "python": sys.version, "numpy": np.__version__, "cpu_count": os.cpu_count(),
               "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
               "tol": TOL, "repeat": args.repeat, "max_sweeps": args.max_sweeps, "results": rows}
    args.out.write_text(json.dumps(payload, indent=2, default=float))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
