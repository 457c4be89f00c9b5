"""Benchmark the exact passes against the tuned NumPy/SciPy baseline, in one process.

Usage::

    python bench/bench_passes.py                 # default sizes
    python bench/bench_passes.py --sizes 16 64 --horizons 50 --repeat 5
    python bench/bench_passes.py --out results.json

For each slippery N x N gridworld (5 actions) and horizon T it times, with a
warm-up run and the median of ``--repeat`` runs:

* ``backward``: the causal soft backward pass (``soft_backward``),
* ``forward``: the rollout of its policy (``visitation``),
* ``posterior``: the non-causal backward pass plus exact posterior marginals,

and the same causal backward + forward with the sparse NumPy twins of
``tests/reference.py`` (CSR SpMV, hand-written logsumexp reusing
``exp(Q - max)``, ``P^T`` precomputed). It checks that both agree to 1e-10,
prints a table and writes the numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import reference as ref  # noqa: E402  (the NumPy twins live beside the tests)

import tabular_irl  # noqa: E402
from tabular_irl import gridworld, posterior_marginals, soft_backward, visitation  # noqa: E402


def _median_time(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm-up (and the result we check)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def run_case(size: int, T: int, repeat: int, with_reference: bool) -> dict:
    world = gridworld(size, slip=0.2)
    mdp, r = world.mdp, np.repeat(np.asarray(world.reward)[:, None], 5, axis=1)
    _ = mdp.transitions_t  # built once per MDP, not per pass
    row = {"size": size, "states": mdp.n_states, "actions": mdp.n_actions, "nnz": mdp.nnz, "horizon": T}

    t_back, plan = _median_time(lambda: soft_backward(mdp, r, horizon=T), repeat)
    t_fwd, vis = _median_time(lambda: visitation(mdp, plan.policy, horizon=T), repeat)
    t_post, _ = _median_time(lambda: posterior_marginals(mdp, r, horizon=T), repeat)
    row.update(backward_s=t_back, forward_s=t_fwd, posterior_s=t_post)

    if with_reference:
        P, PT = mdp.transitions, mdp.transitions_t
        t_rb, (V, _, pi) = _median_time(lambda: ref.sparse_backward(P, r, T), repeat)
        t_rf, (D, _) = _median_time(lambda: ref.sparse_forward(PT, mdp.initial, pi, T), repeat)
        err = max(np.abs(V - plan.V).max(), np.abs(D - vis.state).max())
        if err > 1e-10:
            raise AssertionError(f"kernels and NumPy reference disagree by {err:.3g} at size {size}, T={T}")
        row.update(ref_backward_s=t_rb, ref_forward_s=t_rf, max_abs_diff=float(err),
                   speedup_backward=t_rb / t_back, speedup_forward=t_rf / t_fwd)
    # bytes the causal backward must stream per step: CSR (8 B data + 4 B index per nnz),
    # Q and policy writes, V reads
    step_bytes = mdp.nnz * 12 + mdp.n_states * mdp.n_actions * 16 + mdp.n_states * 16
    row["backward_GBps"] = step_bytes * T / t_back / 1e9
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 64, 128, 256])
    parser.add_argument("--horizons", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-reference", action="store_true", help="skip the NumPy baseline")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "passes.json")
    args = parser.parse_args(argv)

    config = tabular_irl.show_config(print_out=False)
    rows = []
    header = (f"{'grid':>9} {'S':>8} {'T':>5} {'backward':>10} {'forward':>10} {'posterior':>10} "
              f"{'numpy bwd':>10} {'numpy fwd':>10} {'x bwd':>6} {'x fwd':>6} {'GB/s':>6}")
    print(f"tabular_irl {config['version']}  openmp={config['openmp']}  threads={config['num_threads']}  "
          f"{platform.processor() or platform.machine()}  numpy {np.__version__}")
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        for T in args.horizons:
            row = run_case(size, T, args.repeat, not args.no_reference)
            rows.append(row)
            ms = lambda key: f"{row[key] * 1e3:9.1f}m" if key in row else f"{'-':>10}"  # noqa: E731
            ratio = lambda key: f"{row[key]:6.1f}" if key in row else f"{'-':>6}"  # noqa: E731
            print(f"{size:>4}x{size:<4} {row['states']:>8} {T:>5} {ms('backward_s')} {ms('forward_s')} "
                  f"{ms('posterior_s')} {ms('ref_backward_s')} {ms('ref_forward_s')} "
                  f"{ratio('speedup_backward')} {ratio('speedup_forward')} {row['backward_GBps']:6.2f}",
                  flush=True)
    print("times are medians in milliseconds; x = NumPy time / kernel time")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"config": config, "python": sys.version, "numpy": np.__version__,
               "cpu_count": os.cpu_count(), "repeat": args.repeat, "results": rows}
    args.out.write_text(json.dumps(payload, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
