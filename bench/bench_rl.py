"""Time tabular_irl.rl: the exact policy gradient against its NumPy reference, and Q-learning's update rate.

Usage::

    python bench/bench_rl.py                          # 256 x 256, T = 100
    python bench/bench_rl.py --size 64 --horizon 50 --repeat 3 --out bench/results/rl.json

* ``policy_gradient``: ``policy_gradient(mdp, r, logits, horizon=T)`` on
  time-indexed logits: one backward evaluation of the policy and one forward
  visitation. The ``reference`` is the same computation with the NumPy /
  scipy.sparse twins of ``tests/reference.py`` (SpMV backward, the forward
  ``sparse_forward`` with a precomputed ``P^T``), checked to agree first.
* ``q_learning``: minibatch updates per second on a 16 x 16 grid (10^5
  environment steps, one update of 32 transitions each).

Timings are medians of ``--repeat`` interleaved rounds, printed and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import reference as ref  # noqa: E402  (the NumPy twins live beside the tests)

import tabular_irl as tirl  # noqa: E402
from tabular_irl.rl import policy_gradient, q_learning  # noqa: E402


def reference_gradient(P, P_T, r, initial, logits):
    """``(J, grad)`` with NumPy and scipy.sparse only: evaluate backward, roll forward, multiply."""
    T, S, A = logits.shape
    e = np.exp(logits - logits.max(axis=2, keepdims=True))
    pi = e / e.sum(axis=2, keepdims=True)
    V = np.zeros((T + 1, S))
    Q = np.empty((T, S, A))
    for t in range(T - 1, -1, -1):
        Q[t] = r + (P @ V[t + 1]).reshape(S, A)
        V[t] = np.einsum("sa,sa->s", pi[t], Q[t])
    _, mu = ref.sparse_forward(P_T, initial, pi, T)
    return float(initial @ V[0]), mu * (Q - V[:-1, :, None])


def _median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--horizon", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--q-steps", type=int, default=100_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    world = tirl.gridworld(args.size, slip=0.2)
    mdp, r = world.mdp, np.repeat(np.asarray(world.reward)[:, None], 5, axis=1)
    S, A, T = mdp.n_states, mdp.n_actions, args.horizon
    logits = np.random.default_rng(0).normal(size=(T, S, A))
    P = mdp.transitions
    P_T = P.T.tocsr()
    J, grad = policy_gradient(mdp, r, logits, horizon=T)  # warm-up, and agreement
    J_ref, grad_ref = reference_gradient(P, P_T, r, mdp.initial, logits)
    assert abs(J - J_ref) < 1e-9 * max(1.0, abs(J_ref)) and np.abs(grad - grad_ref).max() < 1e-9
    ours, theirs = [], []
    for _ in range(args.repeat):  # interleaved rounds
        ours.append(_median_time(lambda: policy_gradient(mdp, r, logits, horizon=T), 1))
        theirs.append(_median_time(lambda: reference_gradient(P, P_T, r, mdp.initial, logits), 1))
    pg = dict(size=args.size, horizon=T, ours_s=statistics.median(ours), reference_s=statistics.median(theirs))
    pg["speedup"] = pg["reference_s"] / pg["ours_s"]

    grid = tirl.gridworld(16)
    t0 = time.perf_counter()
    run = q_learning(grid.mdp, grid.reward, discount=0.95, n_steps=args.q_steps, buffer_size=10_000, batch_size=32,
                     target_update=500, lr=0.5, epsilon=0.3, seed=0)
    seconds = time.perf_counter() - t0
    ql = dict(steps=args.q_steps, updates=run.n_updates, seconds=seconds, updates_per_s=run.n_updates / seconds)

    print(f"policy_gradient {args.size}x{args.size}, T={T}: {pg['ours_s']:.3f} s, reference "
          f"{pg['reference_s']:.3f} s, speedup {pg['speedup']:.2f}x")
    print(f"q_learning 16x16: {ql['updates']} updates in {seconds:.2f} s ({ql['updates_per_s']:.0f} updates/s)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(dict(policy_gradient=pg, q_learning=ql), indent=2))


if __name__ == "__main__":
    main()
