"""Run time of every public reward-free method on a gridworld (default 32 x 32, T = 64).

Usage::

    python bench/bench_rewardfree.py                      # 32 x 32, horizon 64; writes bench/results/rewardfree.json
    python bench/bench_rewardfree.py --size 10 --horizon 30 --repeat 1 --out out.json

Times, as a user calls them (median of ``--repeat`` runs, fewer once a
case has run ``--budget`` seconds, after one warm-up call of a cheap method
so that nothing is paid for the first import or allocation; each case in
a forked process stopped after ``--timeout`` seconds and reported as such),
:mod:`tabular_irl.rewardfree`'s

* ``state_entropy_gradient`` of the uniform policy's logits ``(T, S, A)``;
* the certified optima ``max_state_entropy`` and ``min_state_marginal_kl``
  (default ``tol``, ``max_iter``: their final duality gap is reported);
* ``maxent_exploration`` (fully-corrective, and Hazan's ``2/(k+2)``) and
  ``state_marginal_matching`` (averaged fully-corrective, and naive) at
  their default 100 iterations, with the final entropy / KL and gap;
* ``empowerment`` of every state (1 and 2 steps);
* ``skill_discovery`` (4 skills, its default 50 iterations), ``skew_fit``
  (its default 10 iterations) and ``goal_mutual_information`` of
  ``--goals`` goal-reaching policies (value iteration on "at the goal").

The world: ``gridworld(size, slip=0.1, goals=[])`` started in the corner
``(0, 0)``; the matching target is a fixed smooth ramp over the cells. Fixed
seeds; no reference implementation exists to compare against (these are
the only exact implementations), so the table is absolute times.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
import warnings
from queue import Empty

import numpy as np

import tabular_irl as tirl
from tabular_irl import rewardfree as rf
from tabular_irl.exceptions import ConvergenceWarning


def timed(call, repeat: int, budget: float):
    """Median wall time of up to ``repeat`` calls (no new call once ``budget`` seconds are spent), the last result."""
    times, out = [], None
    while len(times) < repeat and sum(times) < budget:
        start = time.perf_counter()
        out = call()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), len(times), out


def _measure(call, repeat: int, budget: float, queue) -> None:
    """In the child process: time ``call``, put its row (or the error) on ``queue``."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            seconds, runs, out = timed(call, repeat, budget)
        queue.put({"seconds": seconds, "runs": runs, **summary(out), "converged": not caught})
    except Exception as exc:  # reported in the table, the other cases still run
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def run_case(call, repeat: int, budget: float, timeout: float) -> dict:
    """Time ``call`` in a forked process, stopped after ``timeout`` seconds (the slowest calls take hours)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_measure, args=(call, repeat, budget, queue), daemon=True)
    child.start()
    try:
        return queue.get(timeout=timeout)
    except Empty:
        return {"timeout": timeout}
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def goal_policies(world, goals, horizon: int) -> np.ndarray:
    """``(G, T, S, A)``: for each goal cell, the optimal policy for the reward 1 at the goal (value iteration)."""
    out = []
    for cell in goals:
        reward = np.zeros(world.mdp.n_states)
        reward[world.grid.state(*cell)] = 1.0
        out.append(tirl.value_iteration(world.mdp, reward, horizon=horizon).policy)
    return np.stack(out)


def cases(world, T: int, n_iter: int, n_goals: int) -> dict:
    """The calls timed: ``{name: zero-argument callable}``."""
    mdp = world.mdp
    S, A = mdp.n_states, mdp.n_actions
    target = np.linspace(1.0, 3.0, S)
    target /= target.sum()
    rng = np.random.default_rng(0)
    cells = [tuple(int(v) for v in divmod(s, world.grid.cols)) for s in rng.choice(S, size=n_goals, replace=False)]
    goals = goal_policies(world, cells, T)
    prior = np.full(n_goals, 1.0 / n_goals)
    logits = np.zeros((T, S, A))
    return {
        "state_entropy_gradient": lambda: rf.state_entropy_gradient(mdp, logits, horizon=T),
        "max_state_entropy": lambda: rf.max_state_entropy(mdp, horizon=T),
        "maxent_exploration fully-corrective": lambda: rf.maxent_exploration(mdp, horizon=T, n_iter=n_iter),
        "maxent_exploration 2/(k+2)": lambda: rf.maxent_exploration(mdp, horizon=T, n_iter=n_iter, step="2/(k+2)"),
        "min_state_marginal_kl": lambda: rf.min_state_marginal_kl(mdp, target, horizon=T),
        "state_marginal_matching averaged": lambda: rf.state_marginal_matching(mdp, target, horizon=T, n_iter=n_iter),
        "state_marginal_matching naive": lambda: rf.state_marginal_matching(mdp, target, horizon=T, n_iter=n_iter,
                                                                            method="naive"),
        "empowerment 1 step": lambda: rf.empowerment(mdp, 1),
        "empowerment 2 steps": lambda: rf.empowerment(mdp, 2),
        "skill_discovery 4 skills": lambda: rf.skill_discovery(mdp, 4, horizon=T, seed=0),
        "skew_fit": lambda: rf.skew_fit(mdp, horizon=T),
        f"goal_mutual_information {n_goals} goals": lambda: rf.goal_mutual_information(mdp, goals, prior, horizon=T),
    }


def summary(out) -> dict:
    """The numbers worth printing beside a time: the final value and gap where a result has them."""
    row = {}
    for key in ("value", "gap"):
        value = getattr(out, key, None)
        if np.ndim(value) == 0 and value is not None:
            row[key] = float(value)
    if hasattr(out, "n_iter") and np.ndim(out.n_iter) == 0:
        row["n_iter"] = int(out.n_iter)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--horizon", type=int, default=64)
    parser.add_argument("--n-iter", type=int, default=100, help="iterations of the Frank-Wolfe loops")
    parser.add_argument("--goals", type=int, default=16, help="goals of goal_mutual_information")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=30.0,
                        help="no further repeat once a case has run this many seconds")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="stop a case (all its repeats) after this many seconds")
    parser.add_argument("--only", default=None, help="time only the cases whose name contains this")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "rewardfree.json"),
                        help="write the results as JSON here ('' for none)")
    args = parser.parse_args(argv)
    world = tirl.gridworld(args.size, slip=0.1, goals=[], initial=(0, 0))
    T = args.horizon
    S = world.mdp.n_states
    rf.state_marginal(world.mdp, np.full((S, 5), 0.2), horizon=T)  # warm-up
    results = {}
    print(f"gridworld {args.size} x {args.size} (S = {S}, A = 5), horizon {T}, median of {args.repeat}")
    print("| call | seconds | value | gap |")
    print("| --- | --- | --- | --- |")
    for name, call in cases(world, T, args.n_iter, args.goals).items():
        if args.only and args.only not in name:
            continue
        row = results[name] = run_case(call, args.repeat, args.budget, args.timeout)
        if "timeout" in row:
            print(f"| `{name}` | > {args.timeout:.0f} (stopped) | | |", flush=True)
            continue
        if "error" in row:
            print(f"| `{name}` | {row['error']} | | |", flush=True)
            continue
        value = f"{row['value']:.6f}" if "value" in row else ""
        gap = f"{row['gap']:.2g}" if "gap" in row else ""
        note = "" if row["converged"] else " (ConvergenceWarning)"
        runs = "" if row["runs"] == args.repeat else f" ({row['runs']} run)"
        print(f"| `{name}` | {row['seconds']:.2f}{runs} | {value} | {gap}{note} |", flush=True)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as fh:
            json.dump({"size": args.size, "horizon": T, "n_iter": args.n_iter, "repeat": args.repeat,
                       "results": results}, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
