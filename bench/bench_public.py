"""Time the public calls a user writes, in the user's own loop, against the NumPy reference in the same run.

Usage::

    python bench/bench_public.py                      # 256 x 256, T = 100 (about 5 minutes on 2 cores)
    python bench/bench_public.py --size 128 --horizon 50 --repeat 3
    python bench/bench_public.py --out bench/results/public.json

The user's loop (README, quick start), one iteration per timing, with one
NumPy matrix product of the caller's own per iteration (a threaded BLAS call:
its threads spin for a while afterwards, as they do in real code):

* ``quick start``: ``plan = soft_backward(mdp, r, horizon=T)``,
  ``vis = visitation(mdp, plan)``, ``features.T @ vis.total_state_action``;
* ``maxent_objective``: ``maxent_objective(mdp, features, theta, demos, horizon=T)``;
* ``reference``: the NumPy/scipy.sparse twins of ``tests/reference.py``
  (backward keeping the policy, forward, counts), the same product;
* ``fit``: a whole ``maxent_irl`` on a 64 x 64 grid, T = 64 (wall time of
  the public call, with its own iterations).

Each is timed on one thread and on the default thread count
(``set_num_threads(None)``: what a user who never reads the Threads section
gets), quiet and with a busy neighbour (a process spinning on one core,
started and stopped here). Timings are medians of ``--repeat`` interleaved
rounds: within a round every variant runs once, so slow phases of the
shared machine hit all of them alike. Ratios are against the reference of
the same round and scenario. Results are printed as a table and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import reference as ref  # noqa: E402  (the NumPy twins live beside the tests)

import tabular_irl as tirl  # noqa: E402


def _spin(stop) -> None:
    """The busy neighbour: one core at 100% until told to stop."""
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


class BusyNeighbour:
    """A process spinning on one core for the duration of a ``with`` block."""

    def __enter__(self):
        ctx = mp.get_context("spawn")
        self._stop = ctx.Event()
        self._proc = ctx.Process(target=_spin, args=(self._stop,), daemon=True)
        self._proc.start()
        time.sleep(0.5)  # let it reach its loop
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._proc.join(5)
        if self._proc.is_alive():
            self._proc.kill()


def _problem(size: int, horizon: int, n_features: int, n_demos: int):
    world = tirl.gridworld(size, slip=0.2)
    mdp = world.mdp
    rng = np.random.default_rng(0)
    features = rng.standard_normal((mdp.n_states, n_features))
    theta = 0.1 * rng.standard_normal(n_features)
    plan = tirl.soft_backward(mdp, features @ theta, horizon=horizon)
    demos = tirl.sample_trajectories(mdp, plan.policy, n_demos, horizon=horizon, seed=0)
    return mdp, features, theta, demos


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def user_loops(mdp, features, theta, demos, T):
    """The three loops of one iteration each: (name, fn); every fn ends with the caller's own BLAS product."""
    S, A = mdp.n_states, mdp.n_actions
    P, PT = mdp.transitions, mdp.transitions_t  # built once per MDP, as the library does
    init = np.ascontiguousarray(mdp.initial)

    def quick_start():
        r = features @ theta  # the caller's product
        plan = tirl.soft_backward(mdp, r, horizon=T)
        vis = tirl.visitation(mdp, plan)
        return features.T @ vis.total_state_action.sum(axis=1)

    def objective():
        value, grad = tirl.maxent_objective(mdp, features, theta, demos, horizon=T)
        return features @ grad  # the caller's product (what an optimiser step does)

    def reference():
        r = np.ascontiguousarray(np.broadcast_to((features @ theta)[:, None], (S, A)))
        _, _, pi = ref.sparse_backward(P, r, T)
        _, mu = ref.sparse_forward(PT, init, pi, T)
        return features.T @ mu.sum(axis=0).sum(axis=1)

    return {"quick_start": quick_start, "maxent_objective": objective, "reference": reference}


def run(size: int, T: int, repeat: int, fit_size: int, fit_T: int, log) -> dict:
    mdp, features, theta, demos = _problem(size, T, 16, 200)
    loops = user_loops(mdp, features, theta, demos, T)
    check = max(abs(loops["quick_start"]() - loops["reference"]()).max() / (1 + abs(loops["reference"]()).max()),
                0.0)
    if check > 1e-10:
        raise AssertionError(f"public path and reference disagree by {check:.3g}")
    # peak memory of the quick-start path (NumPy allocations: tracemalloc traces their data buffers)
    tracemalloc.start()
    loops["quick_start"]()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    model = 2 * (T + 1) * mdp.n_states * 8  # V and D, (T+1, S) each
    fmdp, ffeat, _, fdemos = _problem(fit_size, fit_T, 8, 500)
    n_cores = os.cpu_count() or 1
    thread_counts = [1, None]  # None: the default a user gets
    out = {"problem": f"grid {size}x{size}, T={T}, 16 features", "states": mdp.n_states, "nnz": mdp.nnz,
           "fit_problem": f"grid {fit_size}x{fit_size}, T={fit_T}, 8 features, 500 demos",
           "default_threads": tirl.get_num_threads(), "cpu_count": n_cores, "scenarios": {},
           "quick_start_peak_MB": peak / 1e6, "V_and_D_MB": model / 1e6,
           "one_TSA_array_MB": T * mdp.n_states * mdp.n_actions * 8 / 1e6}
    log(f"quick start peak {peak / 1e6:.0f} MB (V and D: {model / 1e6:.0f} MB; one (T, S, A) array: "
        f"{out['one_TSA_array_MB']:.0f} MB)")
    for scenario in ("quiet", "busy neighbour"):
        times: dict = {}
        ctx = BusyNeighbour() if scenario == "busy neighbour" else None
        if ctx:
            ctx.__enter__()
        try:
            for name, fn in loops.items():  # warm-up
                fn()
            for _ in range(repeat):
                for name, fn in loops.items():
                    for n in ([None] if name == "reference" else thread_counts):
                        tirl.set_num_threads(n)
                        key = f"{name} {'default' if n is None else n}"
                        times.setdefault(key, []).append(_timed(fn))
                tirl.set_num_threads(None)
            for _ in range(max(1, repeat // 2)):  # whole fits, interleaved like the rounds above
                for n in thread_counts:
                    tirl.set_num_threads(n)
                    key = f"fit {'default' if n is None else n}"
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore", tirl.ConvergenceWarning)
                        times.setdefault(key, []).append(_timed(
                            lambda: tirl.maxent_irl(fmdp, ffeat, fdemos, horizon=fit_T, l2=1e-2, max_iter=30)))
            tirl.set_num_threads(None)
        finally:
            tirl.set_num_threads(None)
            if ctx:
                ctx.__exit__(None, None, None)
        ref_rounds = times["reference default"]
        rows = {}
        for key, ts in times.items():
            row = {"median_s": statistics.median(ts), "min_s": min(ts), "runs": len(ts)}
            if not key.startswith(("fit", "reference")):
                row["x_reference"] = statistics.median(r / t for r, t in zip(ref_rounds, ts))
            rows[key] = row
        out["scenarios"][scenario] = rows
        log(f"\n{scenario}: {out['problem']} (ratios: reference / public call, median over rounds)")
        for key, row in rows.items():
            ratio = f"{row['x_reference']:6.2f}x" if "x_reference" in row else "       "
            log(f"  {key:<22} {row['median_s'] * 1e3:9.1f} ms  (min {row['min_s'] * 1e3:8.1f})  {ratio}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--horizon", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fit-size", type=int, default=64)
    parser.add_argument("--fit-horizon", type=int, default=64)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "public.json")
    args = parser.parse_args(argv)
    result = run(args.size, args.horizon, args.repeat, args.fit_size, args.fit_horizon, log=print)
    result["machine"] = {"python": sys.version.split()[0], "numpy": np.__version__, "platform": platform.platform(),
                         "tabular_irl": tirl.__version__, "config": tirl.show_config(print_out=False)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
