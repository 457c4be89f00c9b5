"""The ``tabular-irl`` commands on files: ``solve``, ``visitation``, ``irl`` and ``check``.

Each reads an MDP written by :func:`tabular_irl.io.save_mdp` (and, for ``irl``,
demonstrations written by :func:`tabular_irl.io.save_trajectories`; for
``visitation``, a ``.npz`` with a ``policy`` array), runs one public pass, prints
a short report and writes its arrays with ``numpy.savez_compressed``. The
horizon and discount come from the command line when either flag is given,
else from the file (:func:`_model`).

The ``*_command`` functions take the parsed ``argparse.Namespace``; they are
run by :func:`tabular_irl.cli.main`, not an API of their own (hence no
``__all__``).
"""

from __future__ import annotations

import argparse
import time
import warnings
import zipfile

import numpy as np

from .. import ConvergenceWarning, maxent_irl, soft_backward, value_iteration, visitation
from ..checks import run_all_checks
from ..io import MDPFile, load_mdp, load_trajectories

# ``tabular-irl check`` without --horizon/--discount on a file that stores neither
CHECK_DEFAULT_HORIZON = 5


def _model(args: argparse.Namespace, loaded: MDPFile, path: str,
           default: tuple[int | None, float | None] | None = None) -> tuple[int | None, float | None]:
    """``(horizon, discount)``: the command line's pair when either flag is given, else the file's, else ``default``.

    Without a ``default`` a file that stores neither is a ``ValueError`` that says which flags to pass.
    """
    if args.horizon is not None or args.discount is not None:
        return args.horizon, args.discount
    if loaded.horizon is not None or loaded.discount is not None:
        return loaded.horizon, loaded.discount
    if default is None:
        raise ValueError(f"{path}: stores neither a horizon nor a discount; pass --horizon T and/or --discount G")
    return default


def _describe_model(horizon: int | None, discount: float | None) -> str:
    if horizon is None:
        return f"discounted, infinite horizon (discount {discount:g})"
    return f"horizon T={horizon}" + ("" if discount is None else f", discount {discount:g}")


def _write_npz(path: str, **arrays) -> str:
    """``numpy.savez_compressed`` to ``path`` (``.npz`` appended when missing); return the path written."""
    out = path if path.endswith(".npz") else path + ".npz"
    np.savez_compressed(out, **{k: np.asarray(v) for k, v in arrays.items()})
    return out


def _load_policy(path: str) -> np.ndarray:
    """The ``policy`` array of a ``.npz`` file (e.g. ``tabular-irl solve``'s output)."""
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


def solve_command(args: argparse.Namespace) -> int:
    """``tabular-irl solve``: the soft backward pass (or value iteration) for the file's reward."""
    loaded = load_mdp(args.mdp_file)
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


def visitation_command(args: argparse.Namespace) -> int:
    """``tabular-irl visitation``: the exact expected visitation of a policy read from a ``.npz``."""
    loaded = load_mdp(args.mdp_file)
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


def irl_command(args: argparse.Namespace) -> int:
    """``tabular-irl irl``: MaxEnt / maximum causal entropy IRL with the file's features."""
    loaded = load_mdp(args.mdp_file)
    if loaded.features is None:
        raise ValueError(f"{args.mdp_file}: stores no features; write them with "
                         "tabular_irl.io.save_mdp(path, mdp, features=phi, ...) with phi of shape (S, d) or (S, A, d)")
    demos = load_trajectories(args.demos_file)
    # a file that stores neither: the demonstrations' own length, undiscounted
    horizon, discount = _model(args, loaded, args.mdp_file, default=(demos.horizon, None))
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        fit = maxent_irl(loaded.mdp, loaded.features, demos, horizon=horizon, discount=discount,
                         causal=not args.non_causal, l2=args.l2, method=args.method, max_iter=args.max_iter,
                         tol=args.tol, progress=False if args.quiet else args.progress)
    elapsed = time.perf_counter() - t0
    out = _write_npz(args.out, theta=fit.theta, reward=fit.reward, policy=fit.policy)
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


def check_command(args: argparse.Namespace) -> int:
    """``tabular-irl check``: :func:`tabular_irl.checks.run_all_checks` on the file; exit 1 if one fails."""
    loaded = load_mdp(args.mdp_file)
    mdp = loaded.mdp
    horizon, discount = _model(args, loaded, args.mdp_file, default=(CHECK_DEFAULT_HORIZON, None))
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
