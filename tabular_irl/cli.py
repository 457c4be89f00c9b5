"""The ``tabular-irl`` command line (also ``python -m tabular_irl``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import numpy as np

__all__ = ["main"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {value}")
    return value


def _demo(args: argparse.Namespace) -> int:
    from . import gridworld, posterior_marginals, soft_backward, visitation

    out = print
    T = args.horizon if args.horizon is not None else 2 * args.size
    t0 = time.perf_counter()
    world = gridworld(args.size, slip=args.slip)
    t_build = time.perf_counter() - t0
    mdp = world.mdp

    t0 = time.perf_counter()
    plan = soft_backward(mdp, world.reward, horizon=T)
    t_backward = time.perf_counter() - t0
    t0 = time.perf_counter()
    causal = visitation(mdp, plan.policy, horizon=T)
    t_forward = time.perf_counter() - t0
    t0 = time.perf_counter()
    post = posterior_marginals(mdp, world.reward, horizon=T)
    t_posterior = time.perf_counter() - t0
    noncausal_plan = soft_backward(mdp, world.reward, horizon=T, causal=False)
    rollout = visitation(mdp, noncausal_plan.policy, horizon=T)

    goal_states = [world.grid.state(*g) for g in world.grid.goals]
    tv = 0.5 * np.abs(causal.state - post.state).sum(axis=1)
    tv_rollout = 0.5 * np.abs(rollout.state - post.state).sum(axis=1)

    out(f"tabular-irl demo: {args.size}x{args.size} gridworld, slip {args.slip}, horizon T={T}")
    out(f"  states S={mdp.n_states}, actions A={mdp.n_actions}, non-zeros in P={mdp.nnz}")
    out(f"  goal cell(s) {list(world.grid.goals)} (reward {world.reward[goal_states[0]]:g}), start uniform")
    out("")
    out("maximum causal entropy (causal) model")
    out(f"  log partition  initial @ V[0]             = {plan.log_partition:.10f}")
    out(f"  Pr(at a goal at t=T) under the soft policy = {causal.state[T, goal_states].sum():.6f}")
    out(f"  mean policy entropy at t=0 (nats)         = "
        f"{float(-(plan.policy[0] * np.log(np.where(plan.policy[0] > 0, plan.policy[0], 1))).sum(1) @ mdp.initial):.6f}")
    out("MaxEnt (non-causal) model, exact posterior marginals")
    out(f"  log partition  E_s0[log Z(s0)]            = {post.log_partition:.10f}")
    out(f"  Pr(at a goal at t=T) under the posterior   = {post.state[T, goal_states].sum():.6f}")
    out("how far they differ (total variation of the state distribution, max over t)")
    out(f"  causal rollout vs non-causal posterior     = {tv.max():.6f}")
    out("  non-causal policy rolled out under P vs its")
    out(f"  exact posterior (the classic shortcut)     = {tv_rollout.max():.6f}"
        f"{'  (0: deterministic dynamics)' if args.slip == 0 else ''}")
    out("time")
    out(f"  build {t_build * 1e3:8.2f} ms   backward {t_backward * 1e3:8.2f} ms   "
        f"forward {t_forward * 1e3:8.2f} ms   posterior {t_posterior * 1e3:8.2f} ms")
    return 0


def _config(args: argparse.Namespace) -> int:
    from . import show_config

    show_config()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tabular-irl",
        description="Exact inverse reinforcement learning on discrete MDPs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    demo = sub.add_parser(
        "demo",
        help="solve the default slippery gridworld exactly and print a short report",
        description="Build a slippery gridworld, compute the exact soft-optimal (causal) policy, "
        "its visitation and the non-causal posterior marginals, and report how they differ.",
    )
    demo.add_argument("--size", type=_positive_int, default=8, help="grid side length (default: 8)")
    demo.add_argument("--slip", type=_probability, default=0.2,
                      help="probability that a move is replaced by a random one (default: 0.2)")
    demo.add_argument("--horizon", type=_positive_int, default=None,
                      help="number of decisions T (default: 2 * size)")
    demo.set_defaults(func=_demo)

    config = sub.add_parser("config", help="show the version, build and thread configuration")
    config.set_defaults(func=_config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError) as exc:
        print(f"tabular-irl: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
