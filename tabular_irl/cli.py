"""The ``tabular-irl`` command line (also ``python -m tabular_irl``)."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Sequence

import numpy as np

__all__ = ["main"]


def _int_at_least(minimum: int):
    """An argparse type: an integer >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {value}")
        return value

    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def _real_at_least(minimum: float, strict: bool):
    """An argparse type: a finite number >= ``minimum`` (> with ``strict``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not np.isfinite(value) or value < minimum or (strict and value == minimum):
            raise argparse.ArgumentTypeError(f"expected a finite number {'>' if strict else '>='} {minimum:g}, "
                                             f"got {text}")
        return value

    return parse


_positive_float = _real_at_least(0.0, strict=True)
_non_negative_float = _real_at_least(0.0, strict=False)


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {value}")
    return value


def _demo(args: argparse.Namespace) -> int:
    """The README's main job: exact passes on a gridworld, then IRL from sampled demonstrations."""
    from . import gridworld

    T = args.horizon if args.horizon is not None else 2 * args.size
    t0 = time.perf_counter()
    world = gridworld(args.size, slip=args.slip, step_reward=args.step_reward)
    t_build = time.perf_counter() - t0
    mdp = world.mdp
    print(f"tabular-irl demo: {args.size}x{args.size} gridworld, slip {args.slip}, horizon T={T}")
    print(f"  states S={mdp.n_states}, actions A={mdp.n_actions}, non-zeros in P={mdp.nnz}, "
          f"built in {t_build * 1e3:.1f} ms")
    goals = [world.grid.state(*g) for g in world.grid.goals]
    print(f"  goal cell(s) {list(world.grid.goals)} reward {args.goal_reward_scale * world.reward[goals[0]]:g}, "
          f"other cells {args.goal_reward_scale * args.step_reward:g}, start uniform")
    _demo_passes(world, T, args)
    if "all" in args.algorithm:
        args.algorithm = list(_ALGORITHMS)
    if args.n_demos > 0:
        _demo_irl(world, T, args)
    return 0


def _demo_passes(world, T: int, args: argparse.Namespace) -> None:
    from . import posterior_marginals, soft_backward, visitation

    mdp, reward = world.mdp, args.goal_reward_scale * np.asarray(world.reward)
    goals = [world.grid.state(*g) for g in world.grid.goals]
    t0 = time.perf_counter()
    plan = soft_backward(mdp, reward, horizon=T)
    t_backward = time.perf_counter() - t0
    t0 = time.perf_counter()
    causal = visitation(mdp, plan.policy, horizon=T)
    t_forward = time.perf_counter() - t0
    t0 = time.perf_counter()
    post = posterior_marginals(mdp, reward, horizon=T)
    t_posterior = time.perf_counter() - t0
    rollout = visitation(mdp, soft_backward(mdp, reward, horizon=T, causal=False).policy, horizon=T)
    tv = 0.5 * np.abs(causal.state - post.state).sum(axis=1)
    tv_rollout = 0.5 * np.abs(rollout.state - post.state).sum(axis=1)
    p0 = plan.policy[0]
    entropy = float(-(p0 * np.log(np.where(p0 > 0, p0, 1.0))).sum(axis=1) @ mdp.initial)

    print("\n1. exact passes under the true reward")
    print("maximum causal entropy (causal) model")
    print(f"  log partition  initial @ V[0]             = {plan.log_partition:.10f}")
    print(f"  Pr(at a goal at t=T) under the soft policy = {causal.state[T, goals].sum():.6f}")
    print(f"  mean policy entropy at t=0 (nats)         = {entropy:.6f}")
    print("MaxEnt (non-causal) model, exact posterior marginals")
    print(f"  log partition  E_s0[log Z(s0)]            = {post.log_partition:.10f}")
    print(f"  Pr(at a goal at t=T) under the posterior   = {post.state[T, goals].sum():.6f}")
    print("how far they differ (total variation of the state distribution, max over t)")
    print(f"  causal rollout vs non-causal posterior     = {tv.max():.6f}")
    print("  non-causal policy rolled out under P vs its")
    print(f"  exact posterior (the classic shortcut)     = {tv_rollout.max():.6f}"
          f"{'  (0: deterministic dynamics)' if args.slip == 0 else ''}")
    print(f"time: backward {t_backward * 1e3:.2f} ms, forward {t_forward * 1e3:.2f} ms, "
          f"posterior {t_posterior * 1e3:.2f} ms")


_ALGORITHMS = {
    "mce": "maximum causal entropy IRL (Ziebart 2010)",
    "maxent": "MaxEnt IRL (Ziebart 2008, exact posterior gradient)",
    "apprenticeship": "apprenticeship learning (Abbeel & Ng 2004, projection)",
    "mmp": "maximum margin planning (Ratliff et al. 2006, cutting planes)",
    "lp": "LP IRL (Ng & Russell 2000)",
}

# LP IRL is defined for discounted problems only; the demo gives it this discount
_LP_DISCOUNT = 0.9


def _fit(algorithm: str, world, T: int, demos, args: argparse.Namespace):
    """Run one IRL method; return (learned state reward (S,), learned policy value, summary lines)."""
    from . import (
        apprenticeship_learning,
        lp_irl,
        max_margin_planning,
        maxent_irl,
        value_iteration,
    )
    from .metrics import policy_value

    mdp, features = world.mdp, world.features
    if algorithm in ("mce", "maxent"):
        fit = maxent_irl(mdp, features, demos, horizon=T, causal=algorithm == "mce", l2=args.l2)
        lines = [f"converged: {fit.converged} after {fit.n_iter} iterations, {fit.n_eval} evaluations",
                 f"objective {fit.objective:.8f}, mean log-likelihood of the demonstrations "
                 f"{fit.log_likelihood:.8f}",
                 f"moment matching: max |empirical - expected feature counts| = {fit.moment_matching_error:.3e} "
                 f"(l2 = {args.l2:g} makes it l2 * |theta|)"]
        return fit.reward[:, 0], policy_value(mdp, fit.plan.policy, world.reward, horizon=T), lines
    if algorithm == "apprenticeship":
        fit = apprenticeship_learning(mdp, features, demos, horizon=T, epsilon=args.epsilon)
        value = sum(w * policy_value(mdp, pi, world.reward, horizon=T)
                    for w, pi in zip(fit.mixture_weights, fit.policies))
        lines = [f"converged: {fit.converged} after {fit.n_iter} iterations, {len(fit.policies)} policies",
                 f"||mu_E - mu_mix||_2 = {fit.distance:.3e} (epsilon {args.epsilon:g}); the learned "
                 "policy is the mixture (one policy drawn per episode)"]
        return features @ fit.theta, value, lines
    if algorithm == "mmp":
        fit = max_margin_planning(mdp, features, demos, horizon=T)
        plan = value_iteration(mdp, fit.reward, horizon=T)
        lines = [f"converged: {fit.converged} after {fit.n_iter} rounds, objective {fit.objective:.8f}",
                 f"mean slack {fit.slacks.mean():.4f}; the learned policy is optimal for the learned reward"]
        return fit.reward[:, 0], policy_value(mdp, plan.policy, world.reward, horizon=T), lines
    # LP IRL needs the expert's deterministic policy, not demonstrations
    expert_policy = value_iteration(mdp, args.goal_reward_scale * np.asarray(world.reward),
                                     discount=_LP_DISCOUNT).policy
    fit = lp_irl(mdp, expert_policy, discount=_LP_DISCOUNT, l1=args.lp_l1)
    plan = value_iteration(mdp, fit.reward, horizon=T)
    lines = [f"{fit.message} ({fit.n_iter} iterations); input: the expert's optimal policy for discount "
             f"{_LP_DISCOUNT}, not the demonstrations",
             f"min margin {fit.min_margin:.2e} (>= 0: that policy is optimal for the learned reward)"]
    return fit.reward, policy_value(mdp, plan.policy, world.reward, horizon=T), lines


def _demo_irl(world, T: int, args: argparse.Namespace) -> None:
    from . import ConvergenceWarning, sample_trajectories, soft_backward
    from .metrics import policy_value, reward_correlation

    mdp = world.mdp
    expert = soft_backward(mdp, args.goal_reward_scale * np.asarray(world.reward), horizon=T)
    demos = sample_trajectories(mdp, expert.policy, args.n_demos, horizon=T, seed=args.seed)
    v_expert = policy_value(mdp, expert.policy, world.reward, horizon=T)
    print(f"\n2. IRL from {args.n_demos} demonstrations of the soft-optimal expert (seed {args.seed}), "
          f"one-hot features (d={mdp.n_states})")
    print(f"  expert's return under the true reward: {v_expert:.6f}")
    for algorithm in args.algorithm:
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            learned_reward, value, lines = _fit(algorithm, world, T, demos, args)
        elapsed = time.perf_counter() - t0
        # the report says whether it converged; the warning's advice goes in as a line
        lines += [f"warning: {w.message}" for w in caught if issubclass(w.category, ConvergenceWarning)]
        evd = v_expert - value
        print(f"{_ALGORITHMS[algorithm]}  [{elapsed:.2f} s]")
        for line in lines:
            print(f"  {line}")
        print(f"  expected value difference under the true reward = {evd:.6f} "
              f"({100 * evd / abs(v_expert):.2f}% of the expert's return)")
        print(f"  reward correlation (learned vs true, shift-invariant) = "
              f"{reward_correlation(world.reward, learned_reward):.4f}")


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
        help="solve the default slippery gridworld exactly, then recover its reward by IRL",
        description="Build a slippery gridworld; compute the exact soft-optimal (causal) policy, its "
        "visitation and the non-causal posterior marginals and report how they differ; then sample "
        "demonstrations from the soft-optimal expert, fit MaxEnt IRL with exact gradients and report "
        "convergence, moment matching, expected value difference and reward correlation.",
    )
    demo.add_argument("--size", type=_positive_int, default=8, help="grid side length (default: 8)")
    demo.add_argument("--slip", type=_probability, default=0.2,
                      help="probability that a move is replaced by a random one (default: 0.2)")
    demo.add_argument("--horizon", type=_positive_int, default=None,
                      help="number of decisions T (default: 2 * size)")
    demo.add_argument("--step-reward", type=float, default=-0.1,
                      help="reward of every non-goal cell (default: -0.1; the goal's is 1)")
    demo.add_argument("--goal-reward-scale", type=_positive_float, default=2.0,
                      help="the expert is soft-optimal for this multiple of the reward (default: 2)")
    demo.add_argument("--algorithm", choices=list(_ALGORITHMS) + ["all"], nargs="+", default=["mce"],
                      help="IRL method(s) to run and compare: " + "; ".join(f"{k}: {v}" for k, v in
                      _ALGORITHMS.items()) + "; all: every one (default: mce)")
    demo.add_argument("--epsilon", type=_positive_float, default=1e-2,
                      help="apprenticeship learning's tolerance on ||mu_E - mu_mix|| (default: 0.01)")
    demo.add_argument("--lp-l1", type=_non_negative_float, default=1.05, help="LP IRL's l1 penalty (default: 1.05)")
    demo.add_argument("--n-demos", type=_non_negative_int, default=1000,
                      help="demonstrations to sample (default: 1000; 0 skips the IRL part)")
    demo.add_argument("--l2", type=_non_negative_float, default=1e-3, help="l2 penalty on theta (default: 1e-3)")
    demo.add_argument("--seed", type=_non_negative_int, default=0, help="seed of the demonstrations (default: 0)")
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
