"""Benchmark the exact passes against the tuned NumPy/SciPy reference (and imitation), in one process.

Usage::

    python bench/bench_passes.py                       # the default suite (a few minutes on 2 cores)
    python bench/bench_passes.py --quick               # small sizes only (seconds)
    python bench/bench_passes.py --sizes 1024 --horizons 100 --repeat 1 --no-reference
    python bench/bench_passes.py --out results.json

For each problem (slippery N x N gridworlds, 5 actions, and random Garnet
MDPs) and horizon T it times, with a warm-up run and the median of
``--repeat`` runs, on one thread and on all threads:

* ``backward``: the causal soft backward pass (``soft_backward``: V, Q, policy),
* ``forward``: the rollout of its policy (``visitation``),
* ``gradient``: the expected counts the MaxEnt gradient needs
  (``tabular_irl.inference.soft_counts``: backward + forward + counts; the causal
  policy is kept when it fits in 256 MiB, else recomputed from V in the forward
  sweep, so memory stays O(T S + nnz)), as in a fit's iterations (its V and
  policy arrays reused from the previous call), and ``cold`` (fresh arrays, as
  a single call: their page faults included),
* the same three phases with the sparse NumPy twins of ``tests/reference.py``
  (CSR SpMV, hand-written logsumexp reusing ``exp(Q - max)``, ``P^T``
  precomputed), checked to agree to 1e-10,
* imitation's ``mce_partition_fh`` / ``mce_occupancy_measures`` when imitation
  is installed (``bench/PEERS.md``) and the dense ``S x A x S`` array fits,
* batched rewards: ``soft_backward_batch`` for K = 8 and 64 against K single
  passes (time per reward).

It also measures the machine: a STREAM-like copy bandwidth (NumPy copy of a
256 MB array: bytes read + written per second) and the throughput of ``exp``
(the faster of NumPy's and the kernels' own), and reports the *bound* of the gradient phase, the time to
stream P and P^T once per step and evaluate its ``2 S A`` exponentials per step,
and how far from it the kernels are. Peak memory of each phase is the peak of
NumPy allocations during the call (tracemalloc). Results are printed as tables
and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

import reference as ref  # noqa: E402  (the NumPy twins live beside the tests)

import tabular_irl  # noqa: E402
from tabular_irl import _kernels, gridworld, random_mdp, soft_backward, visitation  # noqa: E402
from tabular_irl.batch import soft_backward_batch  # noqa: E402
from tabular_irl._passes import soft_counts  # noqa: E402

import _peers  # noqa: E402  (imitation, the optional peer, is imported only when present: bench/PEERS.md)


def _median_time(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm-up (and the result we check)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _peak_bytes(fn) -> int:
    """Peak of the NumPy allocations made during ``fn()`` (tracemalloc traces NumPy's data buffers)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def machine_bounds(repeat: int = 5) -> dict:
    """Measured copy bandwidth (bytes read + written per second, one core) and exp throughput.

    The exponentials are timed on a 64 KB array (in cache, 256 calls per
    timing; small enough that each call's result is not a fresh mmap), so
    that the bound is the arithmetic's, not memory's.
    """
    src = np.random.default_rng(0).random(32 * 1024 * 1024)  # 256 MB: far beyond any cache
    dst = np.empty_like(src)
    t_copy, _ = _median_time(lambda: np.copyto(dst, src), repeat)
    x = -np.random.default_rng(1).random(8 * 1024) * 50.0
    out = np.empty_like(x)
    calls = 256

    def numpy_exp():
        for _ in range(calls):
            np.exp(x, out=out)

    def own_exp():
        for _ in range(calls):
            _kernels.fast_exp(x)  # the kernels' own exp, vectorised

    t_numpy, _ = _median_time(numpy_exp, repeat)
    t_ours, _ = _median_time(own_exp, repeat)
    n = calls * x.size
    return {"copy_GBps": 2 * src.nbytes / t_copy / 1e9, "exp_ns": min(t_numpy, t_ours) / n * 1e9,
            "numpy_exp_ns": t_numpy / n * 1e9, "kernel_exp_ns": t_ours / n * 1e9}


def _problem(kind: str, size: int):
    if kind == "grid":
        world = gridworld(size, slip=0.2)
        return f"grid {size}x{size}", world.mdp, np.asarray(world.reward)
    problem = random_mdp(size, 5, 8, seed=0)  # Garnet: S states, 5 actions, 8 successors per (s, a)
    return f"garnet {size}", problem.mdp, np.asarray(problem.reward)


def _with_threads(n: int, fn):
    tabular_irl.set_num_threads(n)
    try:
        return fn()
    finally:
        tabular_irl.set_num_threads(None)


def run_case(kind: str, size: int, T: int, repeat: int, bounds: dict, with_reference: bool,
             with_peers: bool, threads: list[int]) -> dict:
    name, mdp, reward = _problem(kind, size)
    S, A = mdp.n_states, mdp.n_actions
    r = np.ascontiguousarray(np.broadcast_to(reward[:, None], (S, A)) if reward.ndim == 1 else reward)
    init = np.ascontiguousarray(mdp.initial)
    P, PT = mdp.transitions, mdp.transitions_t  # built once per MDP, not per pass
    row = {"problem": name, "states": S, "actions": A, "nnz": mdp.nnz, "horizon": T}

    # the stored passes hold Q, policy and visitation (T, S, A) (the reference as many again):
    # at 1024 x 1024 and long horizons only the memory-lean gradient fits
    free = _peers.available_memory_bytes()
    stored = free is None or 6 * T * S * A * 8 < free
    with_reference = with_reference and stored
    for n in threads:
        times = {"backward_s": None, "forward_s": None}
        if stored:
            times["backward_s"], plan = _with_threads(
                n, lambda: _median_time(lambda: soft_backward(mdp, r, horizon=T), repeat))
            times["forward_s"], vis = _with_threads(
                n, lambda: _median_time(lambda: visitation(mdp, plan.policy, horizon=T), repeat))
        scratch: dict = {}  # as a fit holds it across iterations
        times["gradient_s"], (V, total) = _with_threads(
            n, lambda: _median_time(lambda: soft_counts(mdp, r, T, 1.0, init, scratch=scratch), repeat))
        times["gradient_cold_s"], _ = _with_threads(
            n, lambda: _median_time(lambda: soft_counts(mdp, r, T, 1.0, init), repeat))
        del scratch
        row[f"threads{n}"] = times
    row["peak_MB"] = {"gradient": _peak_bytes(lambda: soft_counts(mdp, r, T, 1.0, init)) / 1e6,
                      "model (T+1) S 8 B": (T + 1) * S * 8 / 1e6}
    if stored:
        err = float(np.abs(total - vis.total_state_action).max())
        if err > 1e-10:
            raise AssertionError(f"gradient and stored passes disagree by {err:.3g} on {name}, T={T}")
        row["peak_MB"]["backward+forward"] = _peak_bytes(
            lambda: visitation(mdp, soft_backward(mdp, r, horizon=T).policy, horizon=T)) / 1e6

    # the bound of the gradient phase: stream P and P^T once per step, 2 S A exponentials per step
    csr_bytes = sum(a.nbytes for a in mdp._kernel_parts()) + sum(a.nbytes for a in mdp._kernel_parts(True))
    bound_1 = T * (csr_bytes / (bounds["copy_GBps"] * 1e9) + 2 * S * A * bounds["exp_ns"] * 1e-9)
    row["gradient_bound_1thread_s"] = bound_1
    row["gradient_GBps"] = {n: T * csr_bytes / row[f"threads{n}"]["gradient_s"] / 1e9 for n in threads}

    if with_reference:
        t_rb, (Vr, _, pi) = _median_time(lambda: ref.sparse_backward(P, r, T), repeat)
        t_rf, (D, mu) = _median_time(lambda: ref.sparse_forward(PT, init, pi, T), repeat)
        t_rc, _ = _median_time(lambda: mu.sum(axis=0), repeat)
        err = max(np.abs(Vr - plan.V).max(), np.abs(D - vis.state).max())
        if err > 1e-10:
            raise AssertionError(f"kernels and NumPy reference disagree by {err:.3g} on {name}, T={T}")
        row["reference"] = {"backward_s": t_rb, "forward_s": t_rf, "gradient_s": t_rb + t_rf + t_rc,
                            "max_abs_diff": float(err)}
    if with_peers and _peers.imitation_available() and reward.ndim == 1:
        if free is None or 1.3 * _peers.dense_bytes(mdp) < free:  # imitation needs the dense S x A x S array
            env = _peers.imitation_env(mdp, reward, T)
            runs = [_peers.imitation_passes(mdp, reward, T, env=env) for _ in range(1 if S > 2000 else 3)]
            row["imitation"] = {"backward_s": statistics.median(x.backward_s for x in runs),
                                "forward_s": statistics.median(x.forward_s for x in runs),
                                "version": _peers.imitation_version()}
    return row


def run_batch(size: int, T: int, repeat: int, ks: list[int]) -> list[dict]:
    """Time per reward of batched passes against single values-only passes.

    ``kernel``: the batched kernel on validated rewards, like the single pass it is
    compared with; ``call``: ``soft_backward_batch`` itself (validation, the
    ``(K, T+1, S)`` output's checks included).
    """
    from tabular_irl import _kernels
    from tabular_irl._config import threads_for
    from tabular_irl.batch import _check_rewards

    world = gridworld(size, slip=0.2)
    mdp = world.mdp
    rng = np.random.default_rng(0)
    parts, n = mdp._kernel_parts(), threads_for(mdp)
    single = np.ascontiguousarray(np.repeat(np.asarray(world.reward)[:, None], 5, axis=1))
    succ = mdp._shared_parts()  # the single pass's fastest path, as the batch uses it
    t_one, _ = _median_time(lambda: _kernels.backward_finite(*parts, single, T, 1.0, 1.0, 0, n, keep_q=False,
                                                             keep_policy=False, succ=succ), repeat)
    rows = []
    for K in ks:
        rewards = rng.normal(size=(K, mdp.n_states))
        R = _check_rewards(rewards, mdp.n_states, mdp.n_actions)
        reps = max(1, repeat // 2)
        t_kernel, _ = _median_time(lambda: _kernels.backward_values_batch(*parts, R, T, 1.0, 1.0, 0, n, succ=succ),
                                   reps)
        t_call, _ = _median_time(lambda: soft_backward_batch(mdp, rewards, horizon=T), reps)
        rows.append({"problem": f"grid {size}x{size}", "horizon": T, "K": K, "batch_s": t_call,
                     "batch_kernel_s": t_kernel, "per_reward_s": t_call / K, "single_s": t_one,
                     "speedup_per_reward": t_one / (t_call / K),
                     "kernel_speedup_per_reward": t_one / (t_kernel / K)})
    return rows


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return f"{'-':>9}"
    return f"{seconds * 1e3:8.1f}m" if seconds < 10 else f"{seconds:8.1f}s"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 64, 128, 256])
    parser.add_argument("--horizons", type=int, nargs="+", default=[50, 100])
    parser.add_argument("--garnet", type=int, nargs="*", default=[10_000],
                        help="state counts of random Garnet MDPs (5 actions, 8 successors)")
    parser.add_argument("--batch", type=int, nargs="*", default=[8, 64], help="K values for batched rewards")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="sizes 16 and 64, T=50, repeat 3 (seconds)")
    parser.add_argument("--full", action="store_true",
                        help="sizes 16 to 1024, T = 50, 100, 500, repeat 3 (an hour or more on 2 cores)")
    parser.add_argument("--no-reference", action="store_true", help="skip the NumPy baseline")
    parser.add_argument("--no-peers", action="store_true", help="skip imitation even when installed")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "passes.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.horizons, args.garnet, args.repeat = [16, 64], [50], [2000], 3
    if args.full:
        args.sizes, args.horizons, args.garnet, args.repeat = [16, 64, 128, 256, 1024], [50, 100, 500], [10_000, 100_000], 3

    config = tabular_irl.show_config(print_out=False)
    threads = sorted({1, config["num_threads"]})
    bounds = machine_bounds()
    peers = "imitation " + _peers.imitation_version() if _peers.imitation_available() else "none"
    print(f"tabular_irl {config['version']}  openmp={config['openmp']}  threads={threads}  "
          f"{platform.processor() or platform.machine()}  numpy {np.__version__}  peers: {peers}")
    print(f"machine: copy {bounds['copy_GBps']:.1f} GB/s (one core, read + write), exp {bounds['exp_ns']:.2f} ns "
          f"(NumPy {bounds['numpy_exp_ns']:.2f} ns, kernels' own {bounds['kernel_exp_ns']:.2f} ns)")
    cases = [("grid", s, T) for s in args.sizes for T in args.horizons]
    cases += [("garnet", s, T) for s in args.garnet for T in args.horizons[:1]]
    rows = []
    nt = threads[-1]
    header = (f"{'problem':>14} {'T':>4} | {'bwd':>9} {'fwd':>9} {'grad':>9} {'grad@' + str(nt):>9} {'cold':>9} | "
              f"{'np bwd':>9} {'np fwd':>9} {'np grad':>9} {'x grad':>6} {'x 1thr':>6} {'x cold':>6} | {'bound':>9} "
              f"{'/bound':>6} | {'imitation':>9} {'x imit':>7} | {'peak MB':>8}")
    print(header)
    print("-" * len(header))
    for kind, size, T in cases:
        row = run_case(kind, size, T, args.repeat, bounds, not args.no_reference, not args.no_peers, threads)
        rows.append(row)
        one, many = row["threads1"], row[f"threads{nt}"]
        refr = row.get("reference")
        imit = row.get("imitation")
        x_grad = f"{refr['gradient_s'] / many['gradient_s']:6.1f}" if refr else f"{'-':>6}"
        x_one = f"{refr['gradient_s'] / one['gradient_s']:6.1f}" if refr else f"{'-':>6}"
        x_cold = f"{refr['gradient_s'] / one['gradient_cold_s']:6.1f}" if refr else f"{'-':>6}"
        imit_t = imit["backward_s"] + imit["forward_s"] if imit else None
        x_imit = f"{imit_t / (many['backward_s'] + many['forward_s']):7.0f}" if imit else f"{'-':>7}"
        print(f"{row['problem']:>14} {T:>4} | {_fmt(many['backward_s'])} {_fmt(many['forward_s'])} "
              f"{_fmt(one['gradient_s'])} {_fmt(many['gradient_s'])} {_fmt(one['gradient_cold_s'])} | "
              f"{_fmt(refr and refr['backward_s'])} {_fmt(refr and refr['forward_s'])} "
              f"{_fmt(refr and refr['gradient_s'])} {x_grad} {x_one} {x_cold} | {_fmt(row['gradient_bound_1thread_s'])} "
              f"{one['gradient_s'] / row['gradient_bound_1thread_s']:6.1f} | {_fmt(imit_t)} {x_imit} | "
              f"{row['peak_MB']['gradient']:8.1f}", flush=True)
    print(f"times: medians (m = milliseconds); bwd/fwd on {nt} thread(s); grad = the MaxEnt gradient's backward + forward + counts (soft_counts) "
          f"on 1 and {nt} thread(s),\nas in a fit's iterations (arrays reused); cold = one thread, fresh arrays (page faults included);\n"
          f"x grad = NumPy gradient time / ours ({nt} threads), x 1thr = the same on one "
          "thread, x cold = the same, cold; bound = one-thread time to stream P and P^T and evaluate 2 S A exps per step;\n/bound = one-thread "
          "gradient / bound; x imit = imitation (backward + forward) / ours; peak MB = the gradient's NumPy peak;\n"
          "- = not run (the stored (T, S, A) passes do not fit in memory, or no peer)")

    batch_rows = []
    if args.batch:
        size = 128 if not args.quick else 32
        batch_rows = run_batch(size, args.horizons[0], args.repeat, args.batch)
        print(f"\nbatched rewards, grid {size}x{size}, T={args.horizons[0]}: time per reward "
              f"(single pass {batch_rows[0]['single_s'] * 1e3:.1f} ms)")
        for b in batch_rows:
            print(f"  K={b['K']:>3}: {b['per_reward_s'] * 1e3:8.2f} ms per reward, "
                  f"x{b['speedup_per_reward']:.2f} vs single passes "
                  f"(kernel alone: {b['batch_kernel_s'] / b['K'] * 1e3:.2f} ms, x{b['kernel_speedup_per_reward']:.2f})")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"config": config, "machine": bounds, "python": sys.version, "numpy": np.__version__,
               "cpu_count": os.cpu_count(), "repeat": args.repeat, "results": rows, "batch": batch_rows}
    args.out.write_text(json.dumps(payload, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
