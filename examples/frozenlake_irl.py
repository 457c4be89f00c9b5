r"""
Maximum causal entropy IRL on Gymnasium's FrozenLake
====================================================

Maximum causal entropy IRL on Gymnasium's FrozenLake, from demonstrations of its optimal policy.

What it shows
-------------
1. :meth:`tabular_irl.MDP.from_gymnasium` reads ``FrozenLake-v1`` (4 x 4,
   slippery: the intended move and both perpendicular ones, 1/3 each) into an
   MDP of 16 cells plus one absorbing state that every terminating transition
   (into a hole or the goal) leads to, and the expected reward
   ``r(s, a) = Pr(the move enters the goal)``.
2. ``gymnasium.make`` stops episodes after ``env.spec.max_episode_steps = 100``
   steps (the ``TimeLimit`` wrapper). The finite horizon ``T = 100`` models
   that exactly, so the expected return of a policy is its probability of
   reaching the goal within the time limit: 0.7442 for the optimal policy
   (exact value iteration; Gymnasium's registry says "optimum = 0.74").
3. The expert plays that optimal policy in the real environment; its
   episodes are recorded as :class:`~tabular_irl.Trajectories` (an episode
   that ends early is padded with the absorbing state).
4. Features: ``phi(s, a) = (Pr(enter the goal), Pr(enter a hole))``, read
   from ``env.unwrapped.P``. (The MDP cannot tell them apart: both lead to
   its one absorbing state.) The true reward is ``phi @ (1, 0)``.
5. Maximum causal entropy IRL (:func:`tabular_irl.maxent_irl`, ``causal=True``,
   a small ``l2``: the demonstrations come from a deterministic policy, and
   their success rate can exceed what any soft policy reaches, which would put
   the unpenalised optimum at infinity) learns ``theta``. Two policies follow
   from it: the *soft* one (the MCE model's own, what the fit matches) and the
   *greedy* one (optimal for the learned reward, exact value iteration).
6. Every number is exact (forward passes through the MDP), and the greedy
   policy is also run in the real environment as a Monte Carlo check.

Results at the defaults (``python examples/frozenlake_irl.py``: 200
demonstrations, ``l2 = 1e-3``, seed 0; 1-3 s on a 2-core machine, most of it
the 1000 Monte Carlo episodes). Success = probability of reaching the goal
within the 100 steps; EVD = expected value difference to the expert under the
true reward, here the expert's success minus the policy's (the reward is 1 for
entering the goal):

============================  =======  ======
policy                        success  EVD
============================  =======  ======
expert (optimal)              0.7442   0
learned, greedy               0.7402   0.0040
learned, soft (MCE)           0.6740   0.0702
uniform random                0.0139   0.7303
============================  =======  ======

(149 of the 200 demonstrations reach the goal; the greedy policy succeeds in
725 of 1000 real episodes, 1.1 standard deviations from its exact 0.7402.)
The learned weights are about ``(94, -41)``: reaching the goal is worth much
more than a hole costs, but a hole does cost, which the true reward does not
say (the expert's choices cannot tell). So the greedy policy is more careful
than the expert: it falls into a hole with probability 0.159 instead of 0.212,
and more of its episodes are still running at the time limit, hence its 0.004
lower success. Over seeds 0-9 the greedy policy's
success is 0.7401-0.7434 (EVD at most 0.0041) and the soft policy's
0.60-0.71.

Usage::

    python examples/frozenlake_irl.py
    python examples/frozenlake_irl.py --n-demos 500 --l2 1e-2 --episodes 5000
    python examples/frozenlake_irl.py --figure frozenlake.png   # needs matplotlib

Requires ``pip install "tabular_irl[gymnasium]"`` (and ``[plot]`` for the figure).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

import numpy as np

from tabular_irl import MDP, Trajectories, maxent_irl, value_iteration, visitation
from tabular_irl.metrics import expected_value_difference, policy_value


def frozenlake(slippery: bool = True) -> Any:
    """``gymnasium.make("FrozenLake-v1")`` (4 x 4, with its ``TimeLimit``), or an ImportError saying how to install it."""
    try:
        import gymnasium
    except ImportError:
        raise ImportError('this example needs Gymnasium: pip install "tabular_irl[gymnasium]"') from None
    return gymnasium.make("FrozenLake-v1", map_name="4x4", is_slippery=slippery)


def goal_and_hole_features(env: Any) -> np.ndarray:
    """``phi[s, a] = (Pr(enter the goal), Pr(enter a hole))``, shape ``(S+1, A, 2)``.

    Read from ``env.unwrapped.P``. The rows of the goal and hole cells (whose
    episodes are over) and of the absorbing state ``S`` are zero, like their
    rewards.
    """
    base = env.unwrapped
    cells = base.desc.ravel()
    S, A = base.observation_space.n, base.action_space.n
    phi = np.zeros((S + 1, A, 2))
    for s in np.flatnonzero(~np.isin(cells, [b"G", b"H"])):
        for a in range(A):
            for p, nxt, _, _ in base.P[s][a]:
                phi[s, a, 0] += p * (cells[nxt] == b"G")
                phi[s, a, 1] += p * (cells[nxt] == b"H")
    return phi


def _episode_seeds(seed: Any, n: int) -> list[int]:
    """``n`` reset seeds for Gymnasium, drawn from ``numpy.random.default_rng(seed)``."""
    return np.random.default_rng(seed).integers(0, 2**31, size=n).tolist()


def record_demonstrations(env: Any, policy: np.ndarray, n: int, seed: int) -> tuple[Trajectories, np.ndarray]:
    """``n`` episodes of the (wrapped) environment under a deterministic ``(T, S, A)`` policy.

    The episodes' reset seeds are drawn from ``numpy.random.default_rng(seed)``.
    After a terminating step the trajectory stays in the absorbing state ``S``
    (action 0 there: every action of the absorbing state is the same self-loop
    with zero features), so every trajectory has ``T`` decisions. Also returns each
    episode's return ``(n,)`` (1 for reaching the goal, else 0), which the
    trajectory cannot show: holes and the goal share the absorbing state.
    """
    T, S1, _ = policy.shape
    actions_of = policy.argmax(axis=-1)
    states = np.full((n, T + 1), S1 - 1, dtype=np.int64)
    actions = np.zeros((n, T), dtype=np.int64)
    returns = np.zeros(n)
    for i, episode_seed in enumerate(_episode_seeds(seed, n)):
        obs, _ = env.reset(seed=episode_seed)
        states[i, 0] = obs
        for t in range(T):
            actions[i, t] = a = actions_of[t, obs]
            obs, r, terminated, truncated, _ = env.step(int(a))
            returns[i] += r
            if terminated:
                break  # the rest of the row is already the absorbing state
            states[i, t + 1] = obs
            if truncated:  # the TimeLimit: t + 1 == T
                break
    return Trajectories(states, actions), returns


def monte_carlo_success(env: Any, policy: np.ndarray, episodes: int, seed: Any) -> float:
    """Fraction of ``episodes`` of the real environment (``TimeLimit`` included) that reach the goal."""
    actions_of = policy.argmax(axis=-1)
    wins = 0
    for episode_seed in _episode_seeds(seed, episodes):
        obs, _ = env.reset(seed=episode_seed)
        t = 0
        while True:
            obs, r, terminated, truncated, _ = env.step(int(actions_of[t, obs]))
            t += 1
            if terminated or truncated:
                wins += r > 0
                break
    return wins / episodes


def success_curve(mdp: MDP, policy: np.ndarray, reward: np.ndarray, horizon: int) -> np.ndarray:
    """``Pr(goal reached by step t)`` for ``t = 1 .. T``: cumulative expected reward, shape ``(T,)``."""
    per_step = np.einsum("tsa,sa->t", visitation(mdp, policy, horizon=horizon).state_action, reward)
    return np.cumsum(per_step)


def run(
    *,
    n_demos: int = 200,
    l2: float = 1e-3,
    seed: int = 0,
    episodes: int = 1000,
    figure: str | None = None,
    verbose: bool = True,
) -> dict[str, Any]:
    """Record, fit, evaluate; return the numbers (and print them when ``verbose``).

    Returns
    -------
    dict
        ``optimal_success`` (exact), ``expert_success``, ``greedy_success``,
        ``soft_success``, ``uniform_success`` (exact success probabilities
        within the time limit); ``greedy_evd``, ``soft_evd``; ``theta``
        ``(2,)``; ``converged``; ``n_iter``; ``demo_success_rate`` (fraction
        of demonstrations reaching the goal); ``greedy_monte_carlo`` (the
        greedy policy's success rate over ``episodes`` real episodes, NaN when
        ``episodes == 0``); ``horizon``; ``demos``; ``mdp``; ``reward``;
        ``figure`` (the path written, or None); ``seconds``.
    """
    start = time.perf_counter()
    env = frozenlake()
    T = env.spec.max_episode_steps  # the TimeLimit is the horizon
    mdp, reward = MDP.from_gymnasium(env)  # start: the S cell
    phi = goal_and_hole_features(env)
    if not np.allclose(phi @ np.array([1.0, 0.0]), reward, rtol=0, atol=1e-15):
        raise RuntimeError("the true reward should be phi @ (1, 0); has FrozenLake's reward_schedule changed?")

    plan = value_iteration(mdp, reward, horizon=T)
    expert = plan.policy  # (T, S+1, A), one-hot on the first best action
    demos, returns = record_demonstrations(env, expert, n_demos, seed=seed)
    # rewards of size ~100 summed over 100 steps leave the gradient's rounding near 1e-8
    fit = maxent_irl(mdp, phi, demos, horizon=T, causal=True, l2=l2, tol=1e-6)
    greedy = value_iteration(mdp, fit.reward, horizon=T).policy
    uniform = np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)

    def success(policy: np.ndarray) -> float:
        return policy_value(mdp, policy, reward, horizon=T)

    out: dict[str, Any] = {
        "horizon": T,
        "optimal_success": float(mdp.initial @ plan.V[0]),
        "expert_success": success(expert),
        "greedy_success": success(greedy),
        "soft_success": success(fit.plan.policy),
        "uniform_success": success(uniform),
        "greedy_evd": expected_value_difference(mdp, reward, expert, greedy, horizon=T),
        "soft_evd": expected_value_difference(mdp, reward, expert, fit.plan.policy, horizon=T),
        "theta": np.array(fit.theta),
        "converged": bool(fit.converged),
        "n_iter": int(fit.n_iter),
        "demo_success_rate": float(np.mean(returns)),
        "greedy_monte_carlo": (monte_carlo_success(env, greedy, episodes, seed=[1, seed])
                               if episodes > 0 else float("nan")),
        "demos": demos,
        "mdp": mdp,
        "reward": reward,
        "figure": None,
    }
    if figure is not None:
        out["figure"] = _save_figure(figure, mdp, reward, T, {
            "expert (optimal)": expert, "learned, greedy": greedy, "learned, soft (MCE)": fit.plan.policy,
        }, verbose)
    env.close()
    out["seconds"] = time.perf_counter() - start
    if verbose:
        _report(out, n_demos, l2, episodes)
    return out


def _report(out: dict[str, Any], n_demos: int, l2: float, episodes: int) -> None:
    T = out["horizon"]
    print(f"FrozenLake-v1 4x4 slippery: {out['mdp'].n_states} states (16 cells + absorbing), horizon {T} "
          "(the TimeLimit)")
    print(f"optimal success probability (exact): {out['optimal_success']:.4f}")
    print(f"{n_demos} demonstrations of the optimal policy, recorded in the environment; "
          f"{out['demo_success_rate']:.3f} of them reach the goal")
    print(f"MCE IRL, features (enter goal, enter hole), l2={l2:g}: theta = {np.round(out['theta'], 2)}, "
          f"converged={out['converged']} in {out['n_iter']} iterations")
    print()
    print(f"{'policy':<26}{'success':>9}{'EVD':>9}")
    rows = [("expert (optimal)", out["expert_success"], 0.0),
            ("learned, greedy", out["greedy_success"], out["greedy_evd"]),
            ("learned, soft (MCE)", out["soft_success"], out["soft_evd"]),
            ("uniform random", out["uniform_success"], out["expert_success"] - out["uniform_success"])]
    for name, succ, evd in rows:
        print(f"{name:<26}{succ:>9.4f}{evd:>9.4f}")
    if episodes > 0:
        sd = np.sqrt(out["greedy_success"] * (1 - out["greedy_success"]) / episodes)
        print(f"\ngreedy policy in the real environment: {out['greedy_monte_carlo']:.4f} success over "
              f"{episodes} episodes (exact {out['greedy_success']:.4f} +- {sd:.4f})")
    if out["figure"] is not None:
        print(f"figure: {out['figure']}")
    print(f"({out['seconds']:.2f} s)")


def _save_figure(path: str, mdp: MDP, reward: np.ndarray, T: int, policies: dict, verbose: bool) -> str | None:
    """Success probability by step for each policy; None (with a note) without matplotlib."""
    try:
        from tabular_irl.plotting import _pyplot

        plt = _pyplot()
    except ImportError as exc:
        if verbose:
            print(f"no figure: {exc}")
        return None
    fig, ax = plt.subplots(figsize=(6, 4))
    steps = np.arange(1, T + 1)
    for name, policy in policies.items():
        ax.plot(steps, success_curve(mdp, policy, reward, T), label=name)
    ax.set_xlabel("step t")
    ax.set_ylabel("Pr(goal reached by step t)")
    ax.set_title("FrozenLake-v1 (4x4, slippery): exact success curves")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Command line entry point; returns :func:`run`'s numbers."""
    # the title line of the docstring; sphinx-gallery runs the script with __doc__ = ""
    parser = argparse.ArgumentParser(description=(__doc__ or "").strip().partition("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-demos", type=int, default=200, help="demonstrations to record (default 200)")
    parser.add_argument("--l2", type=float, default=1e-3, help="L2 penalty on theta (default 1e-3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the recorded episodes (default 0)")
    parser.add_argument("--episodes", type=int, default=1000,
                        help="episodes of the Monte Carlo check, 0 to skip (default 1000)")
    parser.add_argument("--figure", default=None, metavar="PATH",
                        help="save the success curves here (needs matplotlib)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    if args.n_demos < 1 or args.episodes < 0:
        parser.error("--n-demos must be >= 1 and --episodes >= 0")
    return run(n_demos=args.n_demos, l2=args.l2, seed=args.seed, episodes=args.episodes,
               figure=args.figure, verbose=not args.quiet)


# %%
# Running it
# ----------
# The exact success probabilities of the expert, the learned greedy and soft
# policies and the uniform policy, the Monte Carlo check of the greedy policy in
# the real environment, and the success curves. Without options the script also
# writes the figure (to ``$TABULAR_IRL_FIGURE_DIR``, else here).

if __name__ == "__main__":
    out = main(sys.argv[1:] or ["--figure", os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."),
                                                         "frozenlake_irl.png")])
    # the greedy policy of the learned reward is near-optimal under the true reward
    assert out["converged"] and out["greedy_evd"] < 0.01, (out["converged"], out["greedy_evd"])
