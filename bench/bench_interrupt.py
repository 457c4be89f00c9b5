"""Ctrl-C latency of long passes: how long after SIGINT the pass raises ``KeyboardInterrupt``.

Usage::

    python bench/bench_interrupt.py              # 512 x 512 gridworld: horizon 1000, and value iteration at 0.9999
    python bench/bench_interrupt.py --size 256

Each case starts the pass, sends SIGINT to the process ``--after`` seconds
later (from a timer thread, as a terminal's Ctrl-C would arrive) and reports
the time from the signal to the ``KeyboardInterrupt`` caught around the call,
and the full duration the pass would have needed where it is short enough to
measure (``--full``). The kernels look for pending signals every 50 ms.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time

import numpy as np

import tabular_irl as tirl


def latency(call, after: float) -> float:
    """Seconds from SIGINT to the KeyboardInterrupt out of ``call()``."""
    sent = {}

    def send():
        sent["t"] = time.perf_counter()
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(after, send)
    timer.start()
    try:
        call()
    except KeyboardInterrupt:
        return time.perf_counter() - sent["t"]
    finally:
        timer.cancel()
    raise RuntimeError(f"the call ended before the signal ({after} s): choose a longer case or a shorter --after")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--horizon", type=int, default=1000)
    parser.add_argument("--discount", type=float, default=0.9999)
    parser.add_argument("--after", type=float, default=2.0, help="seconds into the pass to send SIGINT")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    world = tirl.gridworld(args.size, slip=0.2)
    mdp, r = world.mdp, world.reward
    plan = tirl.soft_backward(mdp, r, horizon=8)
    cases = {
        f"soft_backward, horizon {args.horizon}": lambda: tirl.soft_backward(mdp, r, horizon=args.horizon),
        f"value iteration, discount {args.discount}": lambda: tirl.soft_backward(mdp, r, discount=args.discount),
        f"visitation(mdp, policy), horizon {args.horizon}":
            lambda: tirl.visitation(mdp, plan.policy[0], horizon=args.horizon),
    }
    print(f"grid {args.size}x{args.size} ({mdp.n_states} states), {tirl.get_num_threads()} threads; "
          f"SIGINT {args.after} s into each pass")
    for name, call in cases.items():
        lat = [latency(call, args.after) for _ in range(args.repeat)]
        print(f"  {name:<42} latency median {np.median(lat) * 1e3:7.1f} ms, max {max(lat) * 1e3:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
