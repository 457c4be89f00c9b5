"""``tabular-irl demo``: the README's main job told as a narrative.

Part 1 solves a slippery gridworld exactly under its true reward (soft backward
pass, causal visitation, non-causal posterior marginals) and reports how the two
models differ. Part 2 samples demonstrations from the soft-optimal expert, runs
each chosen IRL method, and interprets its fit: convergence, what the method
optimises, expected value difference and reward correlation under the true
reward. ``--plot`` draws the first method's fit.

:func:`demo_command` takes the parsed ``argparse.Namespace``; it is run by
:func:`tabular_irl.cli.main`, not an API of its own (hence no ``__all__``).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from .. import (
    ConvergenceWarning,
    apprenticeship_learning,
    gridworld,
    lp_irl,
    max_margin_planning,
    maxent_irl,
    posterior_marginals,
    sample_trajectories,
    soft_backward,
    value_iteration,
    visitation,
)
from ..metrics import policy_value, reward_correlation

# ``--algorithm`` choices and the heading each one's report gets
ALGORITHMS = {
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


def demo_command(args: argparse.Namespace) -> int:
    """The README's main job: exact passes on a gridworld, then IRL from sampled demonstrations."""
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
        args.algorithm = list(ALGORITHMS)
    if args.n_demos > 0:
        fits, demos = _demo_irl(world, T, args)
        if args.plot is not None:
            _demo_plot(world, T, fits[0], demos, args)
    return 0


def _check_plot_path(path: str) -> str:
    """The file ``--plot`` writes (``.png`` appended without an extension); fail now, not after the fits."""
    from ..plotting._figure import pyplot  # matplotlib only when a plot is asked for

    pyplot()  # ImportError naming the [plot] extra, a one-line error in main
    from matplotlib.backend_bases import FigureCanvasBase

    ext = os.path.splitext(path)[1]
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
    from ..plotting import plot_gridworld_summary
    from ..plotting._figure import pyplot

    algorithm = args.algorithm[0]
    title = (f"{ALGORITHMS[algorithm]}: {args.size}x{args.size} gridworld, slip {args.slip:g}, T={T}, "
             f"{args.n_demos} demonstrations (seed {args.seed})")
    fig = plot_gridworld_summary(world, fit, demos=demos, horizon=T, title=title, dpi=_PLOT_DPI, path=args.plot)
    width, height = (round(x * _PLOT_DPI) for x in fig.get_size_inches())
    pyplot().close(fig)
    print(f"\nplot of {ALGORITHMS[algorithm]} ({width}x{height} px): wrote {args.plot}")


def _demo_passes(world, T: int, args: argparse.Namespace) -> None:
    """Part 1: the exact causal and non-causal passes under the true reward, and how far they differ."""
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


def _fit(algorithm: str, world, T: int, demos, args: argparse.Namespace):
    """Run one IRL method; return (fit, the policy it learned for horizon ``T``, summary lines).

    The policy is the fit's own (``fit.policy``, the result protocol), except
    for LP IRL: it fits a discounted problem to the expert's policy, so the
    demo measures the policy optimal for the learned reward over its horizon.
    """
    mdp, features = world.mdp, world.features
    progress = False if args.quiet else args.progress  # None: automatic (tabular_irl._progress)
    if algorithm in ("mce", "maxent"):
        fit = maxent_irl(mdp, features, demos, horizon=T, causal=algorithm == "mce", l2=args.l2, progress=progress)
        lines = [f"converged: {fit.converged} after {fit.n_iter} iterations, {fit.n_eval} evaluations",
                 f"objective {fit.objective:.8f}, mean log-likelihood of the demonstrations "
                 f"{fit.log_likelihood:.8f}",
                 f"moment matching: max |empirical - expected feature counts| = {fit.moment_matching_error:.3e} "
                 f"(l2 = {args.l2:g} makes it l2 * |theta|)"]
    elif algorithm == "apprenticeship":
        fit = apprenticeship_learning(mdp, features, demos, horizon=T, epsilon=args.epsilon, progress=progress)
        lines = [f"converged: {fit.converged} after {fit.n_iter} iterations, {len(fit.policies)} policies",
                 f"||mu_E - mu_mix||_2 = {fit.distance:.3e} (epsilon {args.epsilon:g}); the learned "
                 "policy is the mixture (one policy drawn per episode)"]
    elif algorithm == "mmp":
        fit = max_margin_planning(mdp, features, demos, horizon=T, progress=progress)
        lines = [f"converged: {fit.converged} after {fit.n_iter} rounds, objective {fit.objective:.8f}",
                 f"mean slack {fit.slacks.mean():.4f}; the learned policy is optimal for the learned reward"]
    else:
        # LP IRL needs the expert's deterministic policy, not demonstrations
        expert_policy = value_iteration(mdp, args.goal_reward_scale * np.asarray(world.reward),
                                         discount=_LP_DISCOUNT).policy
        fit = lp_irl(mdp, expert_policy, discount=_LP_DISCOUNT, l1=args.lp_l1)
        lines = [f"{fit.message} ({fit.n_iter} iterations); input: the expert's optimal policy for discount "
                 f"{_LP_DISCOUNT}, not the demonstrations",
                 f"min margin {fit.min_margin:.2e} (>= 0: that policy is optimal for the learned reward)"]
        return fit, value_iteration(mdp, fit.reward, horizon=T).policy, lines
    return fit, fit.policy, lines


def _demo_irl(world, T: int, args: argparse.Namespace):
    """Sample demonstrations, run every chosen method and report; return (the fits, the demonstrations)."""
    mdp = world.mdp
    expert = soft_backward(mdp, args.goal_reward_scale * np.asarray(world.reward), horizon=T)
    demos = sample_trajectories(mdp, expert.policy, args.n_demos, horizon=T, seed=args.seed)
    v_expert = policy_value(mdp, expert.policy, world.reward, horizon=T)
    v_optimal = value_iteration(mdp, world.reward, horizon=T).log_partition  # the optimal expected return
    print(f"\n2. IRL from {args.n_demos} demonstrations of the soft-optimal expert (seed {args.seed}), "
          f"one-hot features (d={mdp.n_states})")
    print(f"  expert's return under the true reward: {v_expert:.6f} (the optimal policy's: {v_optimal:.6f})")
    print("  EVD = a policy's loss of expected return under the true reward, against the expert and against "
          "the optimal policy")
    fits = []
    for algorithm in args.algorithm:
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            fit, policy, lines = _fit(algorithm, world, T, demos, args)
        fits.append(fit)
        elapsed = time.perf_counter() - t0
        # the report says whether it converged; the warning's advice goes in as a line
        lines += [f"warning: {w.message}" for w in caught if issubclass(w.category, ConvergenceWarning)]
        evd = v_expert - policy_value(mdp, policy, world.reward, horizon=T)
        print(f"{ALGORITHMS[algorithm]}  [{elapsed:.2f} s]")
        for line in lines:
            print(f"  {line}")
        print(f"  expected value difference under the true reward = {evd:.6f} "
              f"({100 * evd / abs(v_expert):.2f}% of the expert's return); against the optimal policy "
              f"{v_optimal - (v_expert - evd):.6f}")
        if evd < 0:
            print("  (a negative EVD: the learned policy beats the demonstrator, whose soft-optimal randomness "
                  "costs return; against the optimal policy the loss is never negative)")
        print(f"  reward correlation (learned vs true, shift-invariant) = "
              f"{reward_correlation(world.reward, fit.reward):.4f}")
    return fits, demos
