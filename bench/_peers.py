"""Peer implementations for the benchmarks: imitation's tabular MCE IRL passes.

`imitation <https://github.com/HumanCompatibleAI/imitation>`_ (HumanCompatibleAI)
ships the finite-horizon maximum-causal-entropy passes most Python users know:
``imitation.algorithms.mce_irl.mce_partition_fh`` (soft backward pass) and
``mce_occupancy_measures`` (forward rollout of a policy). They work on a dense
``transition_matrix[s, a, s']`` with NumPy. This module runs them on our MDPs,
in the same process as our kernels, and checks that both give the same numbers.

Importing this module has no side effects and does not import imitation (which
pulls in torch, gymnasium, stable-baselines3, ...): every function imports it
lazily. When imitation is not installed, :func:`imitation_available` is False and
the other imitation functions raise ``ImportError``. How to build an environment
that has it: ``bench/PEERS.md``.

Conventions (checked by :func:`check_agreement`; imitation 1.0.1)
----------------------------------------------------------------
* imitation's reward is a state reward ``r (S,)`` (``reward[:, None]`` is
  broadcast over actions); an ``(S, A)`` reward is refused here.
* ``V`` is ``(T, S)``: imitation stores no ``V[T] = 0`` row, so it is our
  ``plan.V[:T]``. ``Q`` and ``pi`` are ``(T, S, A)`` like ours.
* ``D`` is ``(T + 1, S)`` (its docstring says ``(T, S)``; the code allocates
  ``T + 1`` rows and rolls all ``T`` steps): our ``visitation(...).state``.
* ``Dcum = sum_{t=0}^{T} discount^t D[t]`` sums all ``T + 1`` rows, the final
  state ``s_T`` included; our ``total_state_action.sum(axis=1)`` stops at
  ``t = T - 1``, so ``Dcum = ours + discount^T D[T]``.
* ``discount`` enters the backup as ``Q_t = r + discount * P V_{t+1}``, as in our
  finite-horizon discounted pass.

Command line (the peer timings of ``bench/PEERS.md``; run it from outside the
repository root so that the installed ``tabular_irl`` is imported)::

    python /path/to/bench/_peers.py --sizes 16 32 64 128 --horizon 50 --threads 1
    OMP_WAIT_POLICY=passive python /path/to/bench/_peers.py --sizes 16 32 64 128 --threads 2
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "PeerResult",
    "available_memory_bytes",
    "check_agreement",
    "dense_bytes",
    "imitation_available",
    "imitation_env",
    "imitation_passes",
    "imitation_version",
    "our_passes",
]


# --------------------------------------------------------------------------
# Availability
# --------------------------------------------------------------------------


def imitation_available() -> bool:
    """True when ``imitation.algorithms.mce_irl`` imports (it needs torch, seals, sb3, ...)."""
    try:
        from imitation.algorithms import mce_irl  # noqa: F401
    except Exception:  # noqa: BLE001  (ImportError, or a broken dependency failing at import)
        return False
    return True


def imitation_version() -> str | None:
    """imitation's version string, or None when it is not installed."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - Python < 3.8
        return None
    try:
        return version("imitation")
    except PackageNotFoundError:
        return None


# --------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------


def dense_bytes(mdp: Any) -> int:
    """Bytes of the dense float64 ``(S, A, S)`` transition array imitation needs."""
    return int(mdp.n_states) * int(mdp.n_actions) * int(mdp.n_states) * 8


def available_memory_bytes() -> int | None:
    """``MemAvailable`` from ``/proc/meminfo`` (Linux), or None when unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _state_reward(mdp: Any, reward: Any) -> np.ndarray:
    r = np.asarray(reward, dtype=np.float64)
    if r.shape != (mdp.n_states,):
        raise ValueError(
            f"reward for imitation must be a state reward of shape (S,) = ({mdp.n_states},), got shape {r.shape}: "
            "mce_partition_fh broadcasts reward[:, None] over actions and cannot take r(s, a)"
        )
    return r


def imitation_env(mdp: Any, reward: Any, horizon: int, *, memory_margin: float = 1.2) -> Any:
    """imitation's view of ``mdp``: a ``seals.base_envs.TabularModelMDP`` with dense transitions.

    ``transition_matrix`` is ``mdp.transitions.toarray()`` reshaped to
    ``(S, A, S)`` (one allocation of :func:`dense_bytes`), ``reward_matrix`` the
    state reward ``(S,)``, ``initial_state_dist`` ``mdp.initial``. Raises
    ``MemoryError`` up front, instead of being killed, when the dense array times
    ``memory_margin`` exceeds the memory the kernel reports available.
    """
    r = _state_reward(mdp, reward)
    need = dense_bytes(mdp)
    avail = available_memory_bytes()
    if avail is not None and need * memory_margin > avail:
        raise MemoryError(
            f"imitation needs a dense (S, A, S) = ({mdp.n_states}, {mdp.n_actions}, {mdp.n_states}) float64 "
            f"transition array of {need / 2**30:.1f} GiB; only {avail / 2**30:.1f} GiB is available"
        )
    from seals.base_envs import TabularModelMDP

    P = mdp.transitions.toarray().reshape(mdp.n_states, mdp.n_actions, mdp.n_states)
    return TabularModelMDP(
        transition_matrix=P,
        reward_matrix=r,
        horizon=int(horizon),
        initial_state_dist=np.array(mdp.initial, dtype=np.float64),
    )


# --------------------------------------------------------------------------
# The passes
# --------------------------------------------------------------------------


@dataclass
class PeerResult:
    """Outputs of one backward + forward run, in imitation's conventions (see the module notes)."""

    V: np.ndarray  # (T, S)
    Q: np.ndarray  # (T, S, A)
    pi: np.ndarray  # (T, S, A)
    D: np.ndarray  # (T + 1, S)
    Dcum: np.ndarray  # (S,): sum_{t=0}^{T} discount^t D[t]
    backward_s: float
    forward_s: float
    convert_s: float = 0.0  # CSR -> dense env (imitation only; 0 when an env was passed in)
    backward_cpu_s: float = 0.0  # process CPU time (all threads) of each phase: steadier than wall
    forward_cpu_s: float = 0.0  # time on a loaded machine when everything runs on one thread
    extra: dict = field(default_factory=dict)


def imitation_passes(mdp: Any, reward: Any, horizon: int, discount: float = 1.0, *, env: Any = None) -> PeerResult:
    """Run and time imitation's ``mce_partition_fh`` then ``mce_occupancy_measures`` (given its pi).

    ``env`` (from :func:`imitation_env`) can be passed to reuse the dense
    conversion across repeats; otherwise it is built here and timed as
    ``convert_s``. The backward and forward phases are timed separately.
    """
    from imitation.algorithms.mce_irl import mce_occupancy_measures, mce_partition_fh

    r = _state_reward(mdp, reward)
    convert_s = 0.0
    if env is None:
        t0 = time.perf_counter()
        env = imitation_env(mdp, r, horizon)
        convert_s = time.perf_counter() - t0
    elif env.horizon != horizon:
        raise ValueError(f"env.horizon is {env.horizon}, expected horizon={horizon}")
    c0, t0 = time.process_time(), time.perf_counter()
    V, Q, pi = mce_partition_fh(env, reward=r, discount=discount)
    c1, t1 = time.process_time(), time.perf_counter()
    D, Dcum = mce_occupancy_measures(env, reward=r, pi=pi, discount=discount)
    c2, t2 = time.process_time(), time.perf_counter()
    return PeerResult(V=V, Q=Q, pi=pi, D=D, Dcum=Dcum, backward_s=t1 - t0, forward_s=t2 - t1, convert_s=convert_s,
                      backward_cpu_s=c1 - c0, forward_cpu_s=c2 - c1)


def our_passes(mdp: Any, reward: Any, horizon: int, discount: float = 1.0) -> PeerResult:
    """Our ``soft_backward`` + ``visitation``, timed, in imitation's conventions (``V[:T]``, ``Dcum``)."""
    from tabular_irl import soft_backward, visitation

    gamma = None if discount == 1.0 else discount
    c0, t0 = time.process_time(), time.perf_counter()
    plan = soft_backward(mdp, reward, horizon=horizon, discount=gamma)
    c1, t1 = time.process_time(), time.perf_counter()
    vis = visitation(mdp, plan.policy, horizon=horizon, discount=gamma)
    c2, t2 = time.process_time(), time.perf_counter()
    T = int(horizon)
    Dcum = vis.total_state_action.sum(axis=1) + discount**T * vis.state[T]
    return PeerResult(V=plan.V[:T], Q=plan.Q, pi=plan.policy, D=vis.state, Dcum=Dcum,
                      backward_s=t1 - t0, forward_s=t2 - t1, backward_cpu_s=c1 - c0, forward_cpu_s=c2 - c1,
                      extra={"plan": plan, "visitation": vis})


def check_agreement(mdp: Any, reward: Any, horizon: int, discount: float = 1.0, *,
                    peer: PeerResult | None = None, ours: PeerResult | None = None) -> dict[str, float]:
    """Max absolute differences between imitation's and our V, Q, pi, D, Dcum (and ``"max"``).

    Pass ``peer`` / ``ours`` results to compare runs already made; otherwise the
    passes are run here. Expect ~1e-12 on small MDPs (float64 rounding; the
    backups are the same recursion).
    """
    if peer is None:
        peer = imitation_passes(mdp, reward, horizon, discount)
    if ours is None:
        ours = our_passes(mdp, reward, horizon, discount)
    diffs = {}
    for name in ("V", "Q", "pi", "D", "Dcum"):
        a, b = getattr(peer, name), getattr(ours, name)
        if a.shape != b.shape:
            raise AssertionError(f"{name}: imitation has shape {a.shape}, ours {b.shape}")
        diffs[name] = float(np.max(np.abs(a - b)))
    diffs["max"] = max(diffs.values())
    return diffs


# --------------------------------------------------------------------------
# Command line: time imitation vs ours vs the NumPy reference on slippery gridworlds
# --------------------------------------------------------------------------


def _thread_report() -> dict:
    report: dict[str, Any] = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY",
                                                             "OPENBLAS_NUM_THREADS", "TABULAR_IRL_NUM_THREADS")}
    import tabular_irl

    report["tabular_irl_threads"] = tabular_irl.get_num_threads()
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        report["pools"] = [{k: d.get(k) for k in ("internal_api", "version", "num_threads")} for d in threadpool_info()]
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        report["torch_threads"] = torch.get_num_threads()
    return report


def _timed_runs(fn, *, slow_s: float = 10.0, repeat: int = 3):
    """Median of ``repeat`` runs when the first one is under ``slow_s`` seconds, else that one run."""
    t0 = time.perf_counter()
    first = fn()
    elapsed = time.perf_counter() - t0
    results = [first]
    if elapsed < slow_s:
        results += [fn() for _ in range(repeat - 1)]
    return results


def _bench_case(size: int, T: int, with_reference: bool, with_imitation: bool, log, repeat: int = 5) -> dict:
    from tabular_irl import gridworld

    world = gridworld(size, slip=0.2)
    mdp, r = world.mdp, np.asarray(world.reward, dtype=np.float64)
    _ = mdp.transitions_t  # built once per MDP, as in bench_passes.py
    row: dict[str, Any] = {"size": size, "states": mdp.n_states, "actions": mdp.n_actions, "nnz": mdp.nnz,
                           "horizon": T, "dense_GiB": dense_bytes(mdp) / 2**30}

    our_passes(mdp, r, T)  # warm-up
    ours = [our_passes(mdp, r, T) for _ in range(repeat)]
    row["ours_backward_s"] = statistics.median(x.backward_s for x in ours)
    row["ours_forward_s"] = statistics.median(x.forward_s for x in ours)
    row["ours_backward_min_s"] = min(x.backward_s for x in ours)
    row["ours_forward_min_s"] = min(x.forward_s for x in ours)
    row["ours_backward_cpu_s"] = statistics.median(x.backward_cpu_s for x in ours)
    row["ours_forward_cpu_s"] = statistics.median(x.forward_cpu_s for x in ours)
    row["ours_runs"] = len(ours)

    if with_reference:
        import reference as ref  # tests/ put on sys.path by main()

        P, PT = mdp.transitions, mdp.transitions_t
        rsa = np.repeat(r[:, None], mdp.n_actions, axis=1)

        def run_ref():
            c0, t0 = time.process_time(), time.perf_counter()
            V, _, pi = ref.sparse_backward(P, rsa, T)
            c1, t1 = time.process_time(), time.perf_counter()
            D, _ = ref.sparse_forward(PT, mdp.initial, pi, T)
            c2, t2 = time.process_time(), time.perf_counter()
            return V, D, t1 - t0, t2 - t1, c1 - c0, c2 - c1

        run_ref()  # warm-up
        refs = [run_ref() for _ in range(repeat)]
        row["ref_backward_s"] = statistics.median(x[2] for x in refs)
        row["ref_forward_s"] = statistics.median(x[3] for x in refs)
        row["ref_backward_cpu_s"] = statistics.median(x[4] for x in refs)
        row["ref_forward_cpu_s"] = statistics.median(x[5] for x in refs)
        V, D = refs[0][0], refs[0][1]
        row["ref_max_abs_diff"] = float(max(np.abs(V[:T] - ours[0].V).max(), np.abs(D - ours[0].D).max()))

    if with_imitation:
        avail = available_memory_bytes()
        row["mem_available_GiB"] = None if avail is None else avail / 2**30
        log(f"  {size}x{size}: dense P {row['dense_GiB']:.2f} GiB, available "
            f"{'?' if avail is None else f'{avail / 2**30:.1f}'} GiB")
        try:
            t0 = time.perf_counter()
            env = imitation_env(mdp, r, T)
            row["imitation_convert_s"] = time.perf_counter() - t0
        except MemoryError as exc:
            row["imitation_skipped"] = str(exc)
            log(f"  skipped imitation: {exc}")
            return row
        runs = _timed_runs(lambda: imitation_passes(mdp, r, T, env=env))
        row["imitation_backward_s"] = statistics.median(x.backward_s for x in runs)
        row["imitation_forward_s"] = statistics.median(x.forward_s for x in runs)
        row["imitation_backward_cpu_s"] = statistics.median(x.backward_cpu_s for x in runs)
        row["imitation_forward_cpu_s"] = statistics.median(x.forward_cpu_s for x in runs)
        row["imitation_runs"] = len(runs)
        diffs = check_agreement(mdp, r, T, peer=runs[0], ours=ours[0])
        row["imitation_max_abs_diff"] = diffs
        del env, runs
    return row


def _table_line(row: dict, suffix: str) -> str:
    def ms(key, width=9):
        key = key + suffix
        return f"{row[key] * 1e3:{width}.1f}" if key in row else f"{'-':>{width}}"

    ratios = ["-", "-", "-"]
    if "imitation_backward" + suffix in row:
        ib, if_ = row["imitation_backward" + suffix], row["imitation_forward" + suffix]
        ob, of = row["ours_backward" + suffix], row["ours_forward" + suffix]
        ratios = [f"{ib / ob:.0f}", f"{if_ / of:.0f}", f"{(ib + if_) / (ob + of):.0f}"]
    return (f"{row['size']:>4}x{row['size']:<4} {row['states']:>6} {row['horizon']:>4} | {ms('ours_backward')} "
            f"{ms('ours_forward')} | {ms('ref_backward')} {ms('ref_forward')} | "
            f"{ms('imitation_backward', 10)} {ms('imitation_forward', 10)} | "
            f"{ratios[0]:>6} {ratios[1]:>6} {ratios[2]:>6}")


def main(argv=None) -> int:
    import argparse
    import json
    import platform
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description="imitation's MCE passes vs ours vs the NumPy reference")
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--horizon", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5, help="runs of ours and the NumPy reference (median)")
    parser.add_argument("--threads", type=int, default=None,
                        help="cap BLAS (threadpoolctl), torch and tabular_irl threads at N")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--no-imitation", action="store_true")
    parser.add_argument("--out", type=Path, default=here / "results" / "peers.json")
    args = parser.parse_args(argv)

    def log(msg):
        print(msg, flush=True)

    with_imitation = not args.no_imitation and imitation_available()
    if not args.no_imitation and not with_imitation:
        log("imitation is not installed (or fails to import): timing ours and the reference only")
    if not args.no_reference:
        sys.path.insert(0, str(here.parent / "tests"))

    import contextlib

    import tabular_irl

    limits = contextlib.nullcontext()
    if args.threads is not None:
        tabular_irl.set_num_threads(args.threads)
        try:
            import torch

            torch.set_num_threads(args.threads)
        except ImportError:
            pass
        try:
            from threadpoolctl import threadpool_limits

            limits = threadpool_limits(args.threads)
        except ImportError:
            log("threadpoolctl missing: BLAS threads follow OMP_NUM_THREADS / OPENBLAS_NUM_THREADS")

    rows = []
    with limits:
        threads = _thread_report()
        log(f"tabular_irl {tabular_irl.__version__}  imitation {imitation_version()}  numpy {np.__version__}  "
            f"{platform.machine()}  cpus {os.cpu_count()}  threads {threads}")
        for size in args.sizes:
            row = _bench_case(size, args.horizon, not args.no_reference, with_imitation, log, args.repeat)
            rows.append(row)
            log(json.dumps({k: v for k, v in row.items()}, default=float))
    for clock, suffix in (("wall-clock", "_s"), ("process CPU", "_cpu_s")):
        log(f"\n{clock} time, ms (ours, numpy: median of {args.repeat} after a warm-up; imitation: median of 3 "
            "when one run is under 10 s, else 1 run); x = imitation / ours")
        hdr = (f"{'grid':>9} {'S':>6} {'T':>4} | {'ours bwd':>9} {'ours fwd':>9} | {'numpy bwd':>9} {'numpy fwd':>9} | "
               f"{'imit bwd':>10} {'imit fwd':>10} | {'x bwd':>6} {'x fwd':>6} {'x both':>6}")
        log(hdr)
        log("-" * len(hdr))
        for row in rows:
            log(_table_line(row, suffix))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"tabular_irl": tabular_irl.show_config(print_out=False), "imitation": imitation_version(),
               "numpy": np.__version__, "python": sys.version, "cpu_count": os.cpu_count(), "threads": threads,
               "results": rows}
    args.out.write_text(json.dumps(payload, indent=2, default=float))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
