r"""Demonstrations in the replay buffer: Q-learning's exact learning curves with and without them.

Tabular Q-learning as in DQN (Mnih et al. 2015; Algorithm 34 of the notes):
epsilon-greedy collection, a replay buffer, minibatch updates against a target
table refreshed every ``target_update`` steps. Demonstrations of the optimal
policy pre-fill the buffer and stay in it (DQfD, Hester et al. 2018), optionally
with DQfD's large-margin loss on the demonstrated actions. Nothing here is a
noisy evaluation: at every checkpoint the greedy policy's return is computed
exactly and ``||Q - Q*||_inf`` is measured against ``Q*`` from
:func:`tabular_irl.value_iteration`, so "demonstrations help early" is a
measured curve (mean over a few seeds) rather than a claim.

Run ``python examples/demos_in_replay_buffer.py [FIGURE.png]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl.plotting import save_figure
from tabular_irl.rl import q_learning

DISCOUNT = 0.95


def main(figure: str | os.PathLike | None = None, size: int = 8, n_steps: int = 20_000, n_seeds: int = 3,
         n_demos: int = 20) -> dict:
    """Print and return the mean exact return and ``||Q - Q*||`` per checkpoint for each variant."""
    world = tirl.gridworld(size)
    mdp, reward = world.mdp, world.reward
    optimal = tirl.value_iteration(mdp, reward, discount=DISCOUNT, method="policy_iteration").policy
    demos = tirl.sample_trajectories(mdp, optimal, n_demos, horizon=2 * size, seed=0)
    options = dict(discount=DISCOUNT, n_steps=n_steps, buffer_size=5000, batch_size=32, target_update=200, lr=0.5,
                   epsilon=0.2, n_checkpoints=10)
    variants = {"no demos": {}, "demos": dict(demos=demos), "demos + margin": dict(demos=demos, demo_margin=0.8)}
    curves = {}
    for name, extra in variants.items():
        runs = [q_learning(mdp, reward, seed=s, **options, **extra) for s in range(n_seeds)]
        curves[name] = {key: np.mean([run.history[key] for run in runs], axis=0) for key in ("value", "q_error")}
        steps = np.asarray(runs[0].history["step"])
        optimal_value = runs[0].optimal_value
    print(f"gridworld {size}x{size}, discount {DISCOUNT}: exact return of the greedy policy (J* = {optimal_value:.3f})")
    print("| step | " + " | ".join(curves) + " |")
    for i, step in enumerate(steps):
        print(f"| {step:>6} | " + " | ".join(f"{curves[n]['value'][i]:.3f}" for n in curves) + " |")
    print("||Q - Q*||_inf at the end: " + ", ".join(f"{n} {curves[n]['q_error'][-1]:.3f}" for n in curves))

    def draw(plt):
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.5))
        for name, c in curves.items():
            ax0.plot(steps, c["value"], marker="o", label=name)
            ax1.plot(steps, c["q_error"], marker="o", label=name)
        ax0.axhline(optimal_value, color="k", ls=":", label="J*")
        ax0.set(xlabel="environment steps", ylabel="exact return of greedy policy", title="demos help early")
        ax1.set(xlabel="environment steps", ylabel="||Q - Q*||_inf")
        ax0.legend(fontsize=8)
        fig.tight_layout()
        return fig

    return {"steps": steps, "curves": curves, "optimal_value": optimal_value,
            "figure": save_figure(draw, figure, dpi=80)}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(os.path.abspath(__file__)), "demos_in_replay_buffer.png"))
