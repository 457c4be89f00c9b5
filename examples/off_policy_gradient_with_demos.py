r"""Off-policy policy gradients with demonstrations: bias and variance, measured against the exact gradient.

The REINFORCE estimator of :func:`tabular_irl.rl.reinforce_gradient` from
trajectories of a behaviour policy ``q`` weights each reward ``r_{t'}`` by the
importance ratio of the prefix up to its own step, ``prod_{k <= t'} pi/q``:
unbiased. The lecture's formula keeps only the ratios up to the scored step
``t`` (``future_ratios=False``): lower variance, but biased as soon as ``q`` differs
from ``pi``. On a gridworld the exact gradient is one backward and one forward
pass (:func:`tabular_irl.rl.policy_gradient`), so the study measures both
estimators' bias (with its noise level) and per-trajectory variance for
on-policy samples, demonstrations only, and the *fusion* of the two (the
trajectory-level mixture ``(pi + expert) / 2``, the balance heuristic).

Run ``python examples/off_policy_gradient_with_demos.py [FIGURE.png]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl.plotting import save_figure
from tabular_irl.rl import gradient_estimator_study

HORIZON = 5


def main(figure: str | os.PathLike | None = None, n: int = 20_000, seed: int = 0) -> dict:
    """Print and return the bias/variance table of the study."""
    world = tirl.gridworld(3, slip=0.1)
    expert = tirl.soft_backward(world.mdp, 3 * world.reward, horizon=HORIZON).policy
    table = gradient_estimator_study(world.mdp, world.reward, np.zeros((9, 5)), expert, horizon=HORIZON, n=n,
                                     seed=seed)
    print(f"gridworld 3x3, T = {HORIZON}, uniform policy, |exact gradient| = {table.meta['gradient_norm']:.4f}")
    print(table)

    def draw(plt):
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.5))
        labels = [f"{s}\n{'all' if f else 'up to t'}" for s, f in zip(table.column("sampler"),
                                                                     table.column("future_ratios"))]
        x = np.arange(len(labels))
        ax0.bar(x, table.column("bias"), yerr=2 * table.column("bias_se"), capsize=3)
        ax0.set(xticks=x, xticklabels=labels, ylabel="|mean estimate - exact| (2 SE bars)", title="bias")
        ax1.bar(x, table.column("variance"))
        ax1.set(xticks=x, xticklabels=labels, ylabel="per-trajectory variance", yscale="log", title="variance")
        for ax in (ax0, ax1):
            ax.tick_params(axis="x", labelsize=7)
        fig.tight_layout()
        return fig

    return {"table": table, "figure": save_figure(draw, figure, dpi=80)}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(os.path.abspath(__file__)), "off_policy_gradient_with_demos.png"))
