"""The ``tabular-irl`` commands that make their own inputs: ``make``, ``sample`` and ``info``.

``make`` writes a built-in problem (gridworld, objectworld, Garnet, or a
Gymnasium toy-text environment) to an MDP file with its true reward and
features; ``sample`` writes demonstrations of the soft-optimal (default),
optimal or uniform policy for a file's true reward; ``info`` says what any of
the package's files holds. With them a whole session runs from the command
line: ``make`` -> ``sample`` -> ``irl`` -> ``info``.

The ``*_command`` functions take the parsed ``argparse.Namespace``; they are
run by :func:`tabular_irl.cli.main`, not an API of their own (hence no
``__all__``).
"""

from __future__ import annotations

import argparse
import json
import zipfile

import numpy as np

from .. import __version__, gridworld, objectworld, random_mdp, sample_trajectories, soft_backward, value_iteration
from ..io import load_mdp, load_metadata, save_mdp, save_trajectories
from ..mdp import MDP
from .files import _model

POLICIES = ("soft", "optimal", "uniform")


def _builder(args: argparse.Namespace):
    """``(problem-like (mdp, features, reward), parameters)`` of ``tabular-irl make KIND ...``."""
    if args.kind == "gridworld":
        params = dict(rows=args.size, cols=args.cols, slip=args.slip)
        problem = gridworld(args.size, args.cols, slip=args.slip)
        return problem.mdp, problem.features, problem.reward, params
    if args.kind == "objectworld":
        params = dict(size=args.size, n_objects=args.n_objects, n_colours=args.n_colours, slip=args.slip,
                      seed=args.seed)
        problem = objectworld(args.size, n_objects=args.n_objects, n_colours=args.n_colours, slip=args.slip,
                              seed=args.seed)
        return problem.mdp, problem.features, problem.reward, params
    if args.kind == "garnet":
        params = dict(n_states=args.states, n_actions=args.actions, branching=args.branching, seed=args.seed)
        problem = random_mdp(args.states, args.actions, args.branching, seed=args.seed)
        return problem.mdp, problem.features, problem.reward, params
    try:  # a Gymnasium toy-text id
        import gymnasium
    except ImportError as exc:
        raise ImportError(f"making {args.kind!r} needs gymnasium: pip install \"tabular_irl[gymnasium]\"") from exc
    try:
        env = gymnasium.make(args.kind)
    except gymnasium.error.Error as exc:
        raise ValueError(f"{args.kind!r} is not gridworld, objectworld, garnet or a Gymnasium id that can be "
                         f"made here ({type(exc).__name__}: {exc})") from None
    mdp, reward = MDP.from_gymnasium(env)
    return mdp, np.eye(mdp.n_states), reward, {"id": args.kind, "gymnasium": gymnasium.__version__}


def make_command(args: argparse.Namespace) -> int:
    mdp, features, reward, params = _builder(args)
    metadata = {"made_by": f"tabular-irl make {args.kind}", "parameters": params, "tabular_irl": __version__}
    out = save_mdp(args.out, mdp, features=features, reward=reward, horizon=args.horizon, discount=args.discount,
                   metadata=metadata)
    print(f"{out}: {args.kind}, {mdp.n_states} states, {mdp.n_actions} actions, {mdp.nnz} transitions, "
          f"features {np.shape(features)}, true reward {np.shape(reward)}")
    return 0


def sample_command(args: argparse.Namespace) -> int:
    loaded = load_mdp(args.mdp_file)
    horizon, discount = _model(args, loaded, args.mdp_file)
    if horizon is None:
        raise ValueError(f"sampling needs a horizon (the length of each demonstration): pass --horizon T "
                         f"({args.mdp_file} stores discount {discount} only)")
    mdp = loaded.mdp
    if args.policy != "uniform" and loaded.reward is None:
        raise ValueError(f"{args.mdp_file}: stores no reward, so it has no {args.policy} policy; "
                         "pass --policy uniform or write the file with a reward (tabular-irl make)")
    if args.policy == "soft":
        policy = soft_backward(mdp, loaded.reward, horizon=horizon, discount=discount).policy
    elif args.policy == "optimal":
        policy = value_iteration(mdp, loaded.reward, horizon=horizon, discount=discount).policy
    else:
        policy = np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)
    demos = sample_trajectories(mdp, policy, args.n, horizon=horizon, seed=args.seed)
    metadata = {"made_by": "tabular-irl sample", "mdp_file": args.mdp_file, "policy": args.policy,
                "horizon": horizon, "discount": discount, "seed": args.seed, "tabular_irl": __version__}
    out = save_trajectories(args.out, demos, metadata=metadata)
    print(f"{out}: {demos.n_trajectories} demonstrations of {horizon} steps from the {args.policy} policy "
          f"(seed {args.seed})")
    return 0


def _describe_arrays(path: str) -> list[str]:
    with np.load(path, allow_pickle=False) as npz:
        return [f"  {name}: {npz[name].dtype} {npz[name].shape}" for name in sorted(npz.files)]


def info_command(args: argparse.Namespace) -> int:
    path = args.file
    try:
        with np.load(path, allow_pickle=False) as npz:
            fields = set(npz.files)
            kind = str(npz["format"][()]) if "format" in fields else None
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: not a .npz file of tabular_irl ({type(exc).__name__}: {exc})") from None
    if kind == "tabular_irl.mdp":
        loaded = load_mdp(path)
        mdp = loaded.mdp
        print(f"{path}: an MDP (format {kind})")
        print(f"  states {mdp.n_states}, actions {mdp.n_actions}, stored transitions {mdp.nnz}")
        print(f"  features {None if loaded.features is None else np.shape(loaded.features)}, "
              f"reward {None if loaded.reward is None else np.shape(loaded.reward)}, "
              f"horizon {loaded.horizon}, discount {loaded.discount}")
    elif kind == "tabular_irl.trajectories":
        from ..io import load_trajectories

        demos = load_trajectories(path)
        print(f"{path}: demonstrations (format {kind})")
        print(f"  {demos.n_trajectories} trajectories of {demos.horizon} steps: states {demos.states.shape}, "
              f"actions {demos.actions.shape}")
    elif {"theta", "reward", "policy"} <= fields:
        print(f"{path}: a fit written by 'tabular-irl irl' (theta, reward (S, A), learned policy)")
        print("\n".join(_describe_arrays(path)))
        return 0
    else:
        print(f"{path}: arrays written by tabular-irl ({', '.join(sorted(fields))})")
        print("\n".join(_describe_arrays(path)))
        return 0
    metadata = load_metadata(path)
    if metadata:
        print(f"  metadata {json.dumps(metadata, sort_keys=True)}")
    return 0


def _grid_shape(loaded, args: argparse.Namespace, path: str) -> tuple[int, int]:
    """``(rows, cols)``: ``--grid`` if given, else what 'tabular-irl make gridworld/objectworld' stored."""
    if args.grid is not None:
        return args.grid
    params = loaded.metadata.get("parameters", {})
    if "rows" in params:
        return int(params["rows"]), int(params["cols"] or params["rows"])
    if "size" in params:
        return int(params["size"]), int(params["size"])
    raise ValueError(f"{path}: no grid layout in its metadata (not made by 'tabular-irl make gridworld' or "
                     "'objectworld'); pass --grid ROWSxCOLS")


def plot_command(args: argparse.Namespace) -> int:
    from ..plotting import plot_grid_values, plot_policy
    from ..plotting._figure import pyplot

    loaded = load_mdp(args.mdp_file)
    rows, cols = _grid_shape(loaded, args, args.mdp_file)
    if rows * cols != loaded.mdp.n_states:
        raise ValueError(f"--grid {rows}x{cols} has {rows * cols} cells, but {args.mdp_file} has "
                         f"{loaded.mdp.n_states} states")
    with np.load(args.fit_file, allow_pickle=False) as npz:
        if not {"reward", "policy"} <= set(npz.files):
            raise ValueError(f"{args.fit_file}: not a fit written by 'tabular-irl irl' (no reward and policy)")
        learned, policy = npz["reward"], npz["policy"]
    plt = pyplot()
    panels = [loaded.reward] if loaded.reward is not None else []
    fig, axes = plt.subplots(1, len(panels) + 2, figsize=(4.2 * (len(panels) + 2), 3.8))
    if panels:
        true = np.asarray(loaded.reward)
        plot_grid_values((rows, cols), true if true.ndim == 1 else true.max(axis=1), ax=axes[0], title="true reward")
    plot_grid_values((rows, cols), learned.max(axis=1), ax=axes[-2], title="learned reward")
    plot_policy((rows, cols), policy, ax=axes[-1], title="learned policy" + (", t = 0" if policy.ndim == 3 else ""))
    fig.savefig(args.out, dpi=args.dpi, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {args.out}")
    return 0
