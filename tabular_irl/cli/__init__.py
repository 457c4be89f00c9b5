"""The ``tabular-irl`` command line (also ``python -m tabular_irl``).

This module is the interface: the argument parser of every command
(:func:`build_parser`), the argument types it checks flags with, and
:func:`main`, which runs a command and turns bad input into a one-line error.
The commands themselves live beside it: :mod:`tabular_irl.cli.demo` (the
README's narrative on a gridworld) and :mod:`tabular_irl.cli.files` (``solve``,
``visitation``, ``irl`` and ``check`` on ``.npz`` files).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from .. import show_config
from ..irl.maxent import _METHODS
from .demo import ALGORITHMS, demo_command
from .files import CHECK_DEFAULT_HORIZON, check_command, irl_command, solve_command, visitation_command
from .make import POLICIES, info_command, make_command, plot_command, sample_command
from .sweep import sweep_command, sweep_report_command

__all__ = ["build_parser", "main"]


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
    """An argparse type: a number in ``[0, 1]`` (a slip probability; a discount, checked further by the pass)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {value}")
    return value


def _config(args: argparse.Namespace) -> int:
    """``tabular-irl config``: :func:`tabular_irl.show_config`."""
    show_config()
    return 0


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line: ``tabular-irl: error: ...``."""

    def error(self, message: str):
        self.exit(2, f"tabular-irl: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every ``tabular-irl`` command; each sets ``func``, the function that runs it.

    Returns
    -------
    argparse.ArgumentParser
        ``parse_args(argv)`` gives a namespace whose ``func(namespace)``
        runs the command and returns its exit status.

    See Also
    --------
    main : parses and runs, turning bad input into a one-line error.

    Examples
    --------
    >>> args = build_parser().parse_args(["demo", "--size", "4"])
    >>> args.command, args.size, args.func.__name__
    ('demo', 4, 'demo_command')
    """
    parser = _Parser(
        prog="tabular-irl",
        description="Exact inverse reinforcement learning on discrete MDPs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_demo_command(sub)
    config = sub.add_parser("config", help="show the version, build and thread configuration")
    config.set_defaults(func=_config)
    _add_make_commands(sub)
    _add_file_commands(sub)
    _add_sweep_commands(sub)
    return parser


def _add_make_commands(sub) -> None:
    make = sub.add_parser(
        "make", help="write a built-in problem (with its true reward and features) to an MDP file",
        description="Write a built-in problem to OUT.npz (tabular_irl.io format): its dynamics, start "
        "distribution, default features and true reward, the horizon/discount given, and the parameters as "
        "metadata. KIND is gridworld, objectworld, garnet, or a Gymnasium toy-text id such as FrozenLake-v1 "
        "(needs the [gymnasium] extra).",
        epilog="Then: tabular-irl sample OUT.npz --horizon T -n N --out demos.npz; "
        "tabular-irl irl OUT.npz demos.npz --out fit.npz.")
    make.add_argument("kind", metavar="KIND", help="gridworld, objectworld, garnet, or a Gymnasium toy-text id")
    make.add_argument("--size", type=_positive_int, default=8, metavar="N",
                      help="grid rows (gridworld) or side (objectworld) (default: 8)")
    make.add_argument("--cols", type=_positive_int, default=None, metavar="N",
                      help="grid columns (gridworld; default: --size)")
    make.add_argument("--slip", type=_probability, default=0.1, metavar="P",
                      help="probability of a uniformly random move (default: 0.1)")
    make.add_argument("--n-objects", type=_non_negative_int, default=15, metavar="N",
                      help="objects (objectworld; default: 15)")
    make.add_argument("--n-colours", type=_int_at_least(2), default=2, metavar="N",
                      help="colours (objectworld; default: 2)")
    make.add_argument("--states", type=_positive_int, default=100, metavar="N", help="states (garnet; default: 100)")
    make.add_argument("--actions", type=_positive_int, default=4, metavar="N", help="actions (garnet; default: 4)")
    make.add_argument("--branching", type=_positive_int, default=4, metavar="N",
                      help="successors per state-action pair (garnet; default: 4)")
    make.add_argument("--seed", type=_non_negative_int, default=0, help="seed (objectworld, garnet; default: 0)")
    make.add_argument("--horizon", type=_positive_int, default=None, metavar="T",
                      help="horizon stored in the file (default: none)")
    make.add_argument("--discount", type=_probability, default=None, metavar="G",
                      help="discount stored in the file (default: none)")
    make.add_argument("--out", required=True, metavar="OUT.npz", help="the MDP file to write")
    make.set_defaults(func=make_command)

    sample = sub.add_parser(
        "sample", help="write demonstrations of a policy for an MDP file's true reward",
        description="Sample N trajectories of T steps from the soft-optimal (maximum causal entropy, default), "
        "optimal (hard value iteration) or uniform policy for the reward stored in MDP_FILE, and write them to "
        "OUT.npz (tabular_irl.io.save_trajectories format).")
    sample.add_argument("mdp_file", metavar="MDP_FILE", help="MDP file with a reward (e.g. from 'tabular-irl make')")
    _add_model_flags(sample, "(default: the file's)")
    sample.add_argument("--policy", choices=POLICIES, default="soft", help="which policy (default: soft)")
    sample.add_argument("-n", type=_positive_int, default=500, metavar="N", help="trajectories (default: 500)")
    sample.add_argument("--seed", type=_non_negative_int, default=0, help="seed (default: 0)")
    sample.add_argument("--out", required=True, metavar="OUT.npz", help="the demonstrations file to write")
    sample.set_defaults(func=sample_command)

    info = sub.add_parser("info", help="say what a tabular_irl file holds (MDP, demonstrations or a fit)",
                          description="Print the kind of FILE (an MDP, demonstrations, or a fit written by "
                          "'tabular-irl irl'), its shapes, horizon and discount, and its provenance metadata.")
    info.add_argument("file", metavar="FILE", help="a .npz file written by tabular_irl")
    info.set_defaults(func=info_command)

    plot = sub.add_parser("plot", help="draw a fit on its grid: true and learned reward, learned policy (PNG)",
                          description="Draw, for an MDP file made on a grid ('tabular-irl make gridworld' or "
                          "'objectworld', or any MDP with --grid ROWSxCOLS) and a fit written by 'tabular-irl irl', "
                          "the true reward (when the file stores one), the learned reward and the learned policy. "
                          "Needs matplotlib (the [plot] extra).")
    plot.add_argument("mdp_file", metavar="MDP_FILE", help="the MDP file the fit was made on")
    plot.add_argument("fit_file", metavar="FIT_FILE", help="a fit written by 'tabular-irl irl --out'")
    plot.add_argument("--grid", type=_grid_shape, default=None, metavar="ROWSxCOLS",
                      help="the grid layout (default: from the MDP file's metadata)")
    plot.add_argument("--dpi", type=_positive_int, default=100, help="resolution (default: 100)")
    plot.add_argument("--out", required=True, metavar="FIG.png", help="the image to write")
    plot.set_defaults(func=plot_command)


def _grid_shape(text: str) -> tuple[int, int]:
    """An argparse type: ``ROWSxCOLS`` with both >= 1."""
    rows, _, cols = text.lower().partition("x")
    try:
        shape = int(rows), int(cols)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ROWSxCOLS such as 8x8, got {text!r}") from None
    if min(shape) < 1:
        raise argparse.ArgumentTypeError(f"expected ROWSxCOLS with both >= 1, got {text!r}")
    return shape


def _add_demo_command(sub) -> None:
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
    demo.add_argument("--algorithm", choices=list(ALGORITHMS) + ["all"], nargs="+", default=["mce"],
                      help="IRL method(s) to run and compare: " + "; ".join(f"{k}: {v}" for k, v in
                      ALGORITHMS.items()) + "; all: every one (default: mce)")
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
    demo.set_defaults(func=demo_command)


def _add_quiet(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quiet", "-q", action="store_true", help="no progress display while fitting")
    command.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                         help="show (--progress) or hide (--no-progress) the progress of a fit; by default it "
                         "shows on a terminal after a second (tqdm when installed) and, elsewhere (pipes, "
                         "logs), as a plain timestamped line every 10 s once a fit has run 5 s; "
                         "TABULAR_IRL_PROGRESS=0 silences the default")


def _add_model_flags(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("--horizon", type=_positive_int, default=None, metavar="T",
                         help=f"number of decisions T {what}")
    command.add_argument("--discount", type=_probability, default=None, metavar="G",
                         help="discount gamma in [0, 1) alone (infinite horizon), or in [0, 1] with a horizon. "
                         "Giving --horizon and/or --discount replaces the pair stored in the MDP file; "
                         "otherwise the file's horizon and discount are used")


# the end of every file command's --help
_FILES_EPILOG = ("MDP_FILE is an MDP written by tabular_irl.io.save_mdp (format 'tabular_irl.mdp', documented in "
                 "tabular_irl.io); OUT.npz is written with numpy.savez_compressed and read back with "
                 "numpy.load(OUT.npz); '.npz' is appended to OUT when missing.")


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
    mode.add_argument("--hard", action="store_true", help="value iteration with the hard maximum (no temperature)")
    solve.add_argument("--temperature", type=_positive_float, default=None, metavar="X",
                       help="soft-max temperature tau > 0 (default: 1)")
    solve.add_argument("--out", required=True, metavar="OUT.npz",
                       help="output .npz with fields V, Q, policy, log_partition")
    solve.set_defaults(func=solve_command)

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
    vis.set_defaults(func=visitation_command)

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
    irl.set_defaults(func=irl_command)

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
    _add_model_flags(check, f"(default: the file's, else {CHECK_DEFAULT_HORIZON})")
    check.add_argument("--seed", type=_non_negative_int, default=0,
                       help="seed of the random directions, demonstrations and of a random reward (default: 0)")
    check.add_argument("--tol", type=_positive_float, default=1e-6, metavar="X",
                       help="tolerance of the finite-difference checks, added to their rounding bound; derivatives "
                       "are scaled to at most 1 (default: 1e-6)")
    check.add_argument("--exact-tol", type=_positive_float, default=1e-9, metavar="X",
                       help="tolerance of the exact identities, relative to the value scale or in probability "
                       "units (default: 1e-9)")
    check.set_defaults(func=check_command)


def _add_sweep_commands(sub) -> None:
    from ..sweep.engines import ENGINES
    from ..sweep.report import DIAGNOSTICS, METRICS, SETTINGS

    sweep = sub.add_parser(
        "sweep", help="run a known-truth sweep (methods x environments x seeds x demo counts) from a spec",
        description="Run every cell of SPEC (a TOML or JSON sweep spec, tabular_irl.sweep.spec) not yet in "
        "--out: build the environment and its true reward, sample demonstrations with the cell's seed, fit, "
        "measure against the truth (EVD, policy divergence, reward correlation, EPIC), and append one JSON row "
        "per cell to OUT as it finishes (a .parquet OUT: through a journal beside it, rewritten into OUT). "
        "Interrupted, it resumes where it stopped; failed cells run again.",
        epilog="On several machines: 'dask scheduler' on one, 'dask worker tcp://HOST:8786 --nthreads 1' on each, "
        "then --engine dask --address tcp://HOST:8786.")
    sweep.add_argument("spec", metavar="SPEC", help="the sweep spec (.toml, or .json)")
    sweep.add_argument("--out", required=True, metavar="RESULTS.jsonl",
                       help="the results file: JSON Lines, or Parquet when it ends in .parquet (needs pyarrow)")
    sweep.add_argument("--engine", choices=ENGINES, default="serial",
                       help="serial (default: here), processes (a local pool) or dask (a local cluster, or "
                       "--address)")
    sweep.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                       help="processes of the pool or local Dask cluster (default: the CPU count)")
    sweep.add_argument("--address", default=None, metavar="tcp://HOST:PORT",
                       help="with --engine dask: the scheduler to submit to")
    sweep.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                       help="skip the cells already in OUT (default); --no-resume starts OUT afresh")
    _add_quiet(sweep)
    sweep.set_defaults(func=sweep_command)

    report = sub.add_parser(
        "sweep-report", help="summarize a sweep's results (mean and standard error per setting), plot them",
        description="Print, per setting, the number of seeds, of failed cells, and the mean and standard error "
        "of each metric of RESULTS; --plot draws METRIC against --x with error bars, one line per --hue.")
    report.add_argument("results", metavar="RESULTS.jsonl",
                        help="a results file of 'tabular-irl sweep' (.jsonl, or .parquet)")
    report.add_argument("--metrics", nargs="+", choices=METRICS + DIAGNOSTICS,
                        default=["evd", "reward_correlation", "converged"],
                        help="the metrics to tabulate (default: evd reward_correlation converged)")
    report.add_argument("--plot", default=None, metavar="FIG.png", help="also draw the figure (needs matplotlib)")
    report.add_argument("--x", choices=SETTINGS, default="n_demos", help="the x axis (default: n_demos)")
    report.add_argument("--y", choices=METRICS + DIAGNOSTICS, default="evd",
                        help="the metric plotted (default: evd)")
    report.add_argument("--hue", choices=SETTINGS, default="method", help="one line per value (default: method)")
    report.add_argument("--dpi", type=_positive_int, default=120, help="resolution (default: 120)")
    report.set_defaults(func=sweep_report_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tabular-irl`` command line; return its exit status.

    Commands: ``demo``, ``config``, ``make``, ``sample``, ``info``, ``plot``, ``sweep``, ``sweep-report``, ``solve``,
    ``visitation``, ``irl`` and ``check`` (``tabular-irl COMMAND --help`` describes each; the parser is
    :func:`build_parser`). Errors in the
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

    See Also
    --------
    build_parser : the argument parser.

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
