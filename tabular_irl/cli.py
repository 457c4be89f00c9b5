"""The ``tabular-irl`` command line (also ``python -m tabular_irl``)."""

from __future__ import annotations

import argparse
import os
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

    if args.plot is not None:
        if args.n_demos == 0:
            raise ValueError("--plot draws the IRL fit: it needs demonstrations (--n-demos > 0)")
        args.plot = _check_plot_path(args.plot)  # before any work: no matplotlib, no such folder
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
        fits, demos = _demo_irl(world, T, args)
        if args.plot is not None:
            _demo_plot(world, T, fits[0], demos, args)
    return 0


def _check_plot_path(path: str) -> str:
    """The file ``--plot`` writes (``.png`` appended without an extension); fail now, not after the fits."""
    from .plotting import _pyplot

    _pyplot()  # ImportError naming the [plot] extra, a one-line error in main
    from matplotlib.backend_bases import FigureCanvasBase

    stem, ext = os.path.splitext(path)
    if not ext:
        path, ext = path + ".png", ".png"
    supported = FigureCanvasBase.get_supported_filetypes()
    if ext[1:].lower() not in supported:
        raise ValueError(f"--plot {path}: unknown image format {ext!r}; use one of "
                         f"{', '.join('.' + e for e in sorted(supported))}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"--plot {path}: folder {folder} does not exist")
    return path


def _demo_plot(world, T: int, fit, demos, args: argparse.Namespace) -> None:
    """``--plot``: the summary figure of the first algorithm's fit."""
    from .plotting import _pyplot, plot_gridworld_summary

    algorithm = args.algorithm[0]
    title = (f"{_ALGORITHMS[algorithm]}: {args.size}x{args.size} gridworld, slip {args.slip:g}, T={T}, "
             f"{args.n_demos} demonstrations (seed {args.seed})")
    fig = plot_gridworld_summary(world, fit, demos=demos, horizon=T, title=title, dpi=_PLOT_DPI, path=args.plot)
    width, height = (round(x * _PLOT_DPI) for x in fig.get_size_inches())
    _pyplot().close(fig)
    print(f"\nplot of {_ALGORITHMS[algorithm]} ({width}x{height} px): wrote {args.plot}")


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
# resolution of the demo's --plot figure: 13 x 8 inches at 80 dpi is 1040 x 640 px, about 120 KB as PNG
_PLOT_DPI = 80


def _fit(algorithm: str, world, T: int, demos, args: argparse.Namespace):
    """Run one IRL method; return (fit, learned state reward (S,), learned policy value, summary lines)."""
    from . import (
        apprenticeship_learning,
        lp_irl,
        max_margin_planning,
        maxent_irl,
        value_iteration,
    )
    from .metrics import policy_value

    mdp, features = world.mdp, world.features
    progress = False if args.quiet else None  # None: on a terminal only
    if algorithm in ("mce", "maxent"):
        fit = maxent_irl(mdp, features, demos, horizon=T, causal=algorithm == "mce", l2=args.l2, progress=progress)
        lines = [f"converged: {fit.converged} after {fit.n_iter} iterations, {fit.n_eval} evaluations",
                 f"objective {fit.objective:.8f}, mean log-likelihood of the demonstrations "
                 f"{fit.log_likelihood:.8f}",
                 f"moment matching: max |empirical - expected feature counts| = {fit.moment_matching_error:.3e} "
                 f"(l2 = {args.l2:g} makes it l2 * |theta|)"]
        return fit, fit.reward[:, 0], policy_value(mdp, fit.plan.policy, world.reward, horizon=T), lines
    if algorithm == "apprenticeship":
        fit = apprenticeship_learning(mdp, features, demos, horizon=T, epsilon=args.epsilon, progress=progress)
        value = sum(w * policy_value(mdp, pi, world.reward, horizon=T)
                    for w, pi in zip(fit.mixture_weights, fit.policies))
        lines = [f"converged: {fit.converged} after {fit.n_iter} iterations, {len(fit.policies)} policies",
                 f"||mu_E - mu_mix||_2 = {fit.distance:.3e} (epsilon {args.epsilon:g}); the learned "
                 "policy is the mixture (one policy drawn per episode)"]
        return fit, features @ fit.theta, value, lines
    if algorithm == "mmp":
        fit = max_margin_planning(mdp, features, demos, horizon=T, progress=progress)
        plan = value_iteration(mdp, fit.reward, horizon=T)
        lines = [f"converged: {fit.converged} after {fit.n_iter} rounds, objective {fit.objective:.8f}",
                 f"mean slack {fit.slacks.mean():.4f}; the learned policy is optimal for the learned reward"]
        return fit, fit.reward[:, 0], policy_value(mdp, plan.policy, world.reward, horizon=T), lines
    # LP IRL needs the expert's deterministic policy, not demonstrations
    expert_policy = value_iteration(mdp, args.goal_reward_scale * np.asarray(world.reward),
                                     discount=_LP_DISCOUNT).policy
    fit = lp_irl(mdp, expert_policy, discount=_LP_DISCOUNT, l1=args.lp_l1)
    plan = value_iteration(mdp, fit.reward, horizon=T)
    lines = [f"{fit.message} ({fit.n_iter} iterations); input: the expert's optimal policy for discount "
             f"{_LP_DISCOUNT}, not the demonstrations",
             f"min margin {fit.min_margin:.2e} (>= 0: that policy is optimal for the learned reward)"]
    return fit, fit.reward, policy_value(mdp, plan.policy, world.reward, horizon=T), lines


def _demo_irl(world, T: int, args: argparse.Namespace):
    """Sample demonstrations, run every chosen method and report; return (the fits, the demonstrations)."""
    from . import ConvergenceWarning, sample_trajectories, soft_backward
    from .metrics import policy_value, reward_correlation

    mdp = world.mdp
    expert = soft_backward(mdp, args.goal_reward_scale * np.asarray(world.reward), horizon=T)
    demos = sample_trajectories(mdp, expert.policy, args.n_demos, horizon=T, seed=args.seed)
    v_expert = policy_value(mdp, expert.policy, world.reward, horizon=T)
    print(f"\n2. IRL from {args.n_demos} demonstrations of the soft-optimal expert (seed {args.seed}), "
          f"one-hot features (d={mdp.n_states})")
    print(f"  expert's return under the true reward: {v_expert:.6f}")
    fits = []
    for algorithm in args.algorithm:
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            fit, learned_reward, value, lines = _fit(algorithm, world, T, demos, args)
        fits.append(fit)
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
    return fits, demos


def _config(args: argparse.Namespace) -> int:
    from . import show_config

    show_config()
    return 0



# --------------------------------------------------------------------------
# commands on files (the .npz formats of tabular_irl.io)
# --------------------------------------------------------------------------
_FILES_EPILOG = ("MDP_FILE is an MDP written by tabular_irl.io.save_mdp (format 'tabular_irl.mdp', documented in "
                 "tabular_irl.io); OUT.npz is written with numpy.savez_compressed and read back with "
                 "numpy.load(OUT.npz); '.npz' is appended to OUT when missing.")


def _load_mdp_file(path: str):
    from .io import load_mdp

    return load_mdp(path)


def _model(args: argparse.Namespace, loaded, path: str) -> tuple[int | None, float | None]:
    """``(horizon, discount)``: the command line's pair when either flag is given, else the file's."""
    if args.horizon is not None or args.discount is not None:
        return args.horizon, args.discount
    if loaded.horizon is None and loaded.discount is None:
        raise ValueError(f"{path}: stores neither a horizon nor a discount; pass --horizon T and/or --discount G")
    return loaded.horizon, loaded.discount


def _describe_model(horizon: int | None, discount: float | None) -> str:
    if horizon is None:
        return f"discounted, infinite horizon (discount {discount:g})"
    return f"horizon T={horizon}" + ("" if discount is None else f", discount {discount:g}")


def _write_npz(path: str, **arrays) -> str:
    """``numpy.savez_compressed`` to ``path`` (``.npz`` appended when missing); return the path written."""
    out = path if path.endswith(".npz") else path + ".npz"
    np.savez_compressed(out, **{k: np.asarray(v) for k, v in arrays.items()})
    return out


def _solve(args: argparse.Namespace) -> int:
    from . import soft_backward, value_iteration

    loaded = _load_mdp_file(args.mdp_file)
    if loaded.reward is None:
        raise ValueError(f"{args.mdp_file}: stores no reward; write one with "
                         "tabular_irl.io.save_mdp(path, mdp, reward=r, ...) with r of shape (S,) or (S, A)")
    if args.hard and args.temperature is not None:
        raise ValueError("--temperature has no meaning with --hard (value iteration is the temperature -> 0 limit)")
    horizon, discount = _model(args, loaded, args.mdp_file)
    mdp = loaded.mdp
    t0 = time.perf_counter()
    if args.hard:
        plan = value_iteration(mdp, loaded.reward, horizon=horizon, discount=discount)
    else:
        temperature = 1.0 if args.temperature is None else args.temperature
        plan = soft_backward(mdp, loaded.reward, horizon=horizon, discount=discount, causal=not args.non_causal,
                             temperature=temperature)
    elapsed = time.perf_counter() - t0
    out = _write_npz(args.out, V=plan.V, Q=plan.Q, policy=plan.policy, log_partition=plan.log_partition)
    kind = "hard value iteration" if args.hard else (
        f"soft backward pass, {'non-causal' if args.non_causal else 'causal'} model, temperature {plan.temperature:g}")
    print(f"tabular-irl solve: {args.mdp_file}: S={mdp.n_states}, A={mdp.n_actions}, nnz(P)={mdp.nnz}; "
          f"{_describe_model(horizon, discount)}")
    print(f"  {kind}: V {plan.V.shape}, Q {plan.Q.shape}, policy {plan.policy.shape}")
    print(f"  {'optimal expected return' if args.hard else 'log partition'} initial @ V[0] = "
          f"{plan.log_partition:.10f}")
    if plan.stationary:
        print(f"  value iteration: {plan.n_iter} sweeps, error bound max|V - V*| <= {plan.error_bound:.3e}, "
              f"converged: {plan.converged}")
    print(f"  time {elapsed * 1e3:.2f} ms; wrote {out}")
    return 0


def _load_policy(path: str) -> np.ndarray:
    """The ``policy`` array of a ``.npz`` file (e.g. ``tabular-irl solve``'s output)."""
    import zipfile

    try:
        npz = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: not a readable .npz archive ({type(exc).__name__}: {exc})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: is a single .npy array; expected a .npz archive with a 'policy' field")
    with npz:
        if "policy" not in npz.files:
            raise ValueError(f"{path}: has no 'policy' field (fields found: {sorted(npz.files)[:10]}); "
                             "write one with 'tabular-irl solve' or numpy.savez(path, policy=pi)")
        try:
            return npz["policy"]
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{path}: field 'policy' cannot be read ({type(exc).__name__}: {exc})") from None


def _visitation(args: argparse.Namespace) -> int:
    from . import visitation

    loaded = _load_mdp_file(args.mdp_file)
    policy = _load_policy(args.policy)
    if args.horizon is None and args.discount is None and loaded.horizon is None and policy.ndim == 3:
        horizon, discount = policy.shape[0], loaded.discount  # a (T, S, A) policy carries its horizon
    else:
        horizon, discount = _model(args, loaded, args.mdp_file)
    t0 = time.perf_counter()
    vis = visitation(loaded.mdp, policy, horizon=horizon, discount=discount)
    elapsed = time.perf_counter() - t0
    out = _write_npz(args.out, state=vis.state, state_action=vis.state_action,
                     total_state_action=vis.total_state_action)
    mdp = loaded.mdp
    print(f"tabular-irl visitation: {args.mdp_file}: S={mdp.n_states}, A={mdp.n_actions}; "
          f"{_describe_model(horizon, discount)}; policy {policy.shape} from {args.policy}")
    if vis.horizon is None:
        target = 1.0 / (1.0 - vis.discount)
        error = abs(float(vis.state.sum()) - target)
        print(f"  occupancy check: |sum_s d(s) - 1 / (1 - discount)| = {error:.3e} (expected {target:.6g})")
    else:
        error = float(np.abs(vis.state.sum(axis=1) - 1.0).max())
        print(f"  row-sum check: max_t |sum_s state[t, s] - 1| = {error:.3e} over {vis.horizon + 1} rows")
    print(f"  time {elapsed * 1e3:.2f} ms; wrote {out}")
    return 0


def _irl(args: argparse.Namespace) -> int:
    from . import ConvergenceWarning, maxent_irl
    from .io import load_trajectories

    loaded = _load_mdp_file(args.mdp_file)
    if loaded.features is None:
        raise ValueError(f"{args.mdp_file}: stores no features; write them with "
                         "tabular_irl.io.save_mdp(path, mdp, features=phi, ...) with phi of shape (S, d) or (S, A, d)")
    demos = load_trajectories(args.demos_file)
    if args.horizon is None and args.discount is None and loaded.horizon is None and loaded.discount is None:
        horizon, discount = demos.horizon, None  # the demonstrations' own length
    else:
        horizon, discount = _model(args, loaded, args.mdp_file)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        fit = maxent_irl(loaded.mdp, loaded.features, demos, horizon=horizon, discount=discount,
                         causal=not args.non_causal, l2=args.l2, method=args.method, max_iter=args.max_iter,
                         tol=args.tol, progress=False if args.quiet else None)
    elapsed = time.perf_counter() - t0
    out = _write_npz(args.out, theta=fit.theta, reward=fit.reward, policy=fit.plan.policy)
    mdp = loaded.mdp
    print(f"tabular-irl irl: {args.mdp_file}: S={mdp.n_states}, A={mdp.n_actions}, d={fit.theta.size}; "
          f"{demos.n_trajectories} demonstrations from {args.demos_file}; {_describe_model(horizon, discount)}")
    print(f"  {'MaxEnt (non-causal)' if args.non_causal else 'maximum causal entropy'} IRL, {args.method}, "
          f"l2 = {args.l2:g}")
    print(f"  converged: {fit.converged}, n_iter {fit.n_iter}, {fit.n_eval} evaluations")
    print(f"  objective {fit.objective:.10f}, mean log-likelihood {fit.log_likelihood:.10f}")
    print(f"  moment matching error max |empirical - expected features| = {fit.moment_matching_error:.3e}")
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            print(f"  warning: {w.message}")
    print(f"  time {elapsed:.3f} s; wrote {out}")
    return 0


# ``tabular-irl check`` without --horizon/--discount on a file that stores neither
_CHECK_DEFAULT_HORIZON = 5


def _check(args: argparse.Namespace) -> int:
    from .checks import run_all_checks

    loaded = _load_mdp_file(args.mdp_file)
    mdp = loaded.mdp
    if args.horizon is not None or args.discount is not None:
        horizon, discount = args.horizon, args.discount
    elif loaded.horizon is not None or loaded.discount is not None:
        horizon, discount = loaded.horizon, loaded.discount
    else:
        horizon, discount = _CHECK_DEFAULT_HORIZON, None
    t0 = time.perf_counter()
    results = run_all_checks(mdp, loaded.features, horizon=horizon, discount=discount, reward=loaded.reward,
                             seed=args.seed, tol=args.tol, exact_tol=args.exact_tol)
    elapsed = time.perf_counter() - t0

    reward = "the file's reward" if loaded.reward is not None else f"a random N(0, 1) reward (seed {args.seed})"
    features = "the file's features" if loaded.features is not None else "one-hot state features"
    print(f"tabular-irl check: {args.mdp_file}: S={mdp.n_states}, A={mdp.n_actions}, nnz(P)={mdp.nnz}, "
          f"{'deterministic' if mdp.is_deterministic() else 'stochastic'} dynamics; "
          f"{_describe_model(horizon, discount)}, temperature 1; {reward}; {features}")
    for result in results:
        print(f"  {result}")
    n_failed = sum(not result.passed for result in results)
    print(f"{len(results) - n_failed} of {len(results)} checks passed in {elapsed:.3f} s")
    return 0 if n_failed == 0 else 1


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line: ``tabular-irl: error: ...``."""

    def error(self, message: str):
        self.exit(2, f"tabular-irl: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    demo.add_argument("--plot", default=None, metavar="FILE",
                      help="also draw the first algorithm's fit (true and learned reward, visitation with "
                      "demonstrations, policy arrows, convergence) into FILE, e.g. demo.png (needs matplotlib: "
                      'pip install "tabular_irl[plot]")')
    _add_quiet(demo)
    demo.set_defaults(func=_demo)

    config = sub.add_parser("config", help="show the version, build and thread configuration")
    config.set_defaults(func=_config)

    _add_file_commands(sub)
    return parser


def _add_quiet(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quiet", "-q", action="store_true",
                         help="no progress display while fitting (it is shown on stderr only when stderr is a "
                         "terminal, with tqdm when installed)")


def _add_model_flags(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("--horizon", type=_positive_int, default=None, metavar="T",
                         help=f"number of decisions T {what}")
    command.add_argument("--discount", type=_probability, default=None, metavar="G",
                         help="discount gamma in [0, 1) alone (infinite horizon), or in [0, 1] with a horizon. "
                         "Giving --horizon and/or --discount replaces the pair stored in the MDP file; "
                         "otherwise the file's horizon and discount are used")


def _add_file_commands(sub) -> None:
    solve = sub.add_parser(
        "solve", help="soft (or hard) backward pass with the reward stored in an MDP file",
        description="Run the soft (maximum entropy) backward pass, or hard value iteration with --hard, for the "
        "reward stored in MDP_FILE, and write V, Q, policy and log_partition to OUT.npz. Shapes: with a horizon T, "
        "V (T+1, S), Q and policy (T, S, A) indexed [t, s, a]; discounted without a horizon, V (S,), Q and "
        "policy (S, A). log_partition is a scalar: initial @ V[0] (the optimal expected return with --hard).",
        epilog=_FILES_EPILOG)
    solve.add_argument("mdp_file", metavar="MDP_FILE", help="MDP file with a reward (tabular_irl.io.save_mdp)")
    _add_model_flags(solve, "(default: the file's)")
    mode = solve.add_mutually_exclusive_group()
    mode.add_argument("--non-causal", action="store_true",
                      help="the non-causal MaxEnt model (Ziebart 2008; undiscounted finite horizon only) instead of "
                      "maximum causal entropy")
    mode.add_argument("--hard", action="store_true", help="hard-max value iteration (no temperature)")
    solve.add_argument("--temperature", type=_positive_float, default=None, metavar="X",
                       help="soft-max temperature tau > 0 (default: 1)")
    solve.add_argument("--out", required=True, metavar="OUT.npz",
                       help="output .npz with fields V, Q, policy, log_partition")
    solve.set_defaults(func=_solve)

    vis = sub.add_parser(
        "visitation", help="expected state and state-action visitation of a policy",
        description="Roll POLICY forward under the dynamics of MDP_FILE exactly and write state (T+1, S), "
        "state_action (T, S, A) and total_state_action (S, A) (the discount-weighted sum over t) to OUT.npz; "
        "discounted without a horizon: occupancies state (S,), state_action and total_state_action (S, A).",
        epilog=_FILES_EPILOG)
    vis.add_argument("mdp_file", metavar="MDP_FILE", help="MDP file (tabular_irl.io.save_mdp)")
    vis.add_argument("--policy", required=True, metavar="POLICY.npz",
                     help="a .npz file with a 'policy' array of shape (T, S, A) or (S, A), rows summing to 1 "
                     "(e.g. the output of 'tabular-irl solve')")
    _add_model_flags(vis, "(default: the file's, else the first dimension of a (T, S, A) policy)")
    vis.add_argument("--out", required=True, metavar="OUT.npz",
                     help="output .npz with fields state, state_action, total_state_action")
    vis.set_defaults(func=_visitation)

    from .irl.maxent import _METHODS

    irl = sub.add_parser(
        "irl", help="MaxEnt / maximum causal entropy IRL from demonstrations, with the MDP file's features",
        description="Fit a linear reward r = features @ theta to the demonstrations in DEMOS_FILE by "
        "maximising the exact maximum causal entropy (default) or MaxEnt (--non-causal) objective, and write "
        "theta (d,), reward (S, A) and the learned policy ((T, S, A), or (S, A) discounted) to OUT.npz.",
        epilog=_FILES_EPILOG + " DEMOS_FILE is written by tabular_irl.io.save_trajectories.")
    irl.add_argument("mdp_file", metavar="MDP_FILE", help="MDP file with features (tabular_irl.io.save_mdp)")
    irl.add_argument("demos_file", metavar="DEMOS_FILE", help="demonstrations (tabular_irl.io.save_trajectories)")
    _add_model_flags(irl, "(default: the file's, else the demonstrations' length)")
    irl.add_argument("--non-causal", action="store_true",
                     help="trajectory-level MaxEnt IRL (Ziebart 2008, exact posterior gradient) instead of maximum "
                     "causal entropy IRL (Ziebart 2010)")
    irl.add_argument("--l2", type=_non_negative_float, default=0.0, metavar="X",
                     help="penalty X / 2 ||theta||^2 (default: 0; needed when a feature is never or always seen)")
    irl.add_argument("--method", choices=_METHODS, default="L-BFGS-B",
                     help="scipy.optimize.minimize method (default: L-BFGS-B)")
    irl.add_argument("--max-iter", type=_positive_int, default=1000, metavar="N",
                     help="maximum optimiser iterations (default: 1000)")
    irl.add_argument("--tol", type=_positive_float, default=1e-8, metavar="X",
                     help="converged when max |gradient| <= X * max(1, max |empirical features|) (default: 1e-8)")
    irl.add_argument("--out", required=True, metavar="OUT.npz", help="output .npz with fields theta, reward, policy")
    _add_quiet(irl)
    irl.set_defaults(func=_irl)

    check = sub.add_parser(
        "check", help="verify the exact identities of the soft passes on an MDP; exit 1 if one fails",
        description="Run tabular_irl.checks.run_all_checks on MDP_FILE, at its reward (a seeded random one if it "
        "stores none), with its features (one-hot state features if none), temperature 1: soft Bellman "
        "residuals; visitation flow and sums; d log_partition / d r = expected visitation (or d / d theta = "
        "expected feature counts) and the MaxEnt objective's gradient = empirical - expected feature counts, "
        "both by central finite differences along random directions; and, for an undiscounted finite horizon, "
        "the same for the non-causal model (posterior marginals as the flow of the posterior chain), Hessian = "
        "minus the feature covariance, and causal = non-causal on deterministic dynamics (non-causal >= causal "
        "values on stochastic ones). Prints pass/fail with each measured error and its tolerance; exit code 0 "
        "if all pass, 1 otherwise, 2 on bad input.",
        epilog="The same checks from Python: tabular_irl.checks (each function returns a CheckResult with the "
        "measured error).")
    check.add_argument("mdp_file", metavar="MDP_FILE", help="MDP file (tabular_irl.io.save_mdp)")
    _add_model_flags(check, f"(default: the file's, else {_CHECK_DEFAULT_HORIZON})")
    check.add_argument("--seed", type=_non_negative_int, default=0,
                       help="seed of the random directions, demonstrations and of a random reward (default: 0)")
    check.add_argument("--tol", type=_positive_float, default=1e-6, metavar="X",
                       help="tolerance of the finite-difference checks, added to their rounding bound; derivatives "
                       "are scaled to at most 1 (default: 1e-6)")
    check.add_argument("--exact-tol", type=_positive_float, default=1e-9, metavar="X",
                       help="tolerance of the exact identities, relative to the value scale or in probability "
                       "units (default: 1e-9)")
    check.set_defaults(func=_check)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tabular-irl`` command line; return its exit status.

    Commands: ``demo``, ``config``, ``solve``, ``visitation``, ``irl`` and
    ``check`` (``tabular-irl COMMAND --help`` describes each). Errors in the
    input (``ValueError``, ``TypeError``, ``OSError``, ``ImportError``) are
    printed to ``stderr`` as one line, ``tabular-irl: error: ...``, not raised.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success; 1 when ``check`` finds a failing identity; 2 on bad
        input; 130 when interrupted. Bad command-line syntax, and ``--help``,
        exit through ``argparse`` (``SystemExit`` with 2, and 0).

    Examples
    --------
    Solve the soft backward pass of an MDP file and read the result back:

    >>> import os, tempfile
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.cli import main
    >>> from tabular_irl.io import save_mdp
    >>> world = gridworld(3)
    >>> with tempfile.TemporaryDirectory() as folder:  # doctest: +ELLIPSIS
    ...     path = save_mdp(os.path.join(folder, "grid.npz"), world.mdp, reward=world.reward, horizon=4)
    ...     status = main(["solve", str(path), "--out", os.path.join(folder, "plan")])
    ...     with np.load(os.path.join(folder, "plan.npz")) as plan:
    ...         shapes = plan["V"].shape, plan["policy"].shape
    tabular-irl solve: ...grid.npz: S=9, A=5, nnz(P)=155; horizon T=4
      soft backward pass, causal model, temperature 1: V (5, 9), Q (4, 9, 5), policy (4, 9, 5)
      log partition initial @ V[0] = 6.941991...
      time ... ms; wrote ...plan.npz
    >>> status, shapes
    (0, ((5, 9), (4, 9, 5)))
    >>> main(["solve", "no-such-file.npz", "--out", "plan"])  # the message goes to stderr
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError, ImportError) as exc:  # OSError: FileNotFoundError and the like;
        message = " ".join(str(exc).split()) or type(exc).__name__  # ImportError: an optional extra missing
        print(f"tabular-irl: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tabular-irl: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
