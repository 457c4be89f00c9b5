r"""
Coverage: a random walk against MaxEnt exploration and the exact optimum
========================================================================

How much of a gridworld does a policy cover in :math:`T` steps? The answer is
the entropy of its *state marginal*

.. math::

    d_\pi(s) = \frac1T \sum_{t<T} \Pr(s_t = s \mid \pi), \qquad
    H(d_\pi) = -\sum_s d_\pi(s) \log d_\pi(s),

computed here exactly from the forward pass, with no density model. A
uniformly random policy started in a corner stays near it. Hazan et al.
(2019) maximise :math:`H(d)` by Frank--Wolfe over policies: each iteration
plans for the reward :math:`\nabla H = -\log d_{mix} - 1` and mixes the
new policy into the mixture (a policy drawn once per episode).
:func:`tabular_irl.rewardfree.maxent_exploration` does that, re-optimising
the mixture weights over all policies so far (the fully-corrective step,
its default; Hazan's :math:`2/(k+2)` step is drawn for contrast).

The ground truth is a concave programme over the polytope of achievable
state marginals: :func:`tabular_irl.rewardfree.max_state_entropy` solves it
with a duality-gap certificate. The mixture after its default 100
iterations is within :math:`10^{-3}` nats of it; the random walk is far
below.

Run ``python examples/maxent_exploration_coverage.py [FIGURE.png]`` (default:
``maxent_exploration_coverage.png`` in ``$TABULAR_IRL_FIGURE_DIR`` or the current
directory; no figure without matplotlib).
"""

from __future__ import annotations

import os
import sys

import numpy as np

from tabular_irl import gridworld
from tabular_irl.plotting import plot_exploration_curves, plot_state_marginals, save_figure
from tabular_irl.rewardfree import max_state_entropy, maxent_exploration, state_entropy, state_marginal


# %%
# A room with a wall
# ------------------
# An 8 x 8 gridworld (slip 0.1, no goal) cut in two by a wall across row 4
# with a door of three cells on the right; every episode starts in the
# top-left corner and lasts :math:`T = 24` steps.


def walled_room(size: int = 8):
    """``gridworld(size)`` with a wall across the middle row, open on its last three cells, started at (0, 0)."""
    walls = np.zeros((size, size), dtype=bool)
    walls[size // 2, : size - 3] = True
    return gridworld(size, slip=0.1, walls=walls, goals=[], initial=(0, 0))


def main(figure: str | os.PathLike | None = None, size: int = 8, horizon: int = 24) -> dict:
    """Entropy of the random walk, of the MaxEnt-exploration mixture and of the certified optimum."""
    world = walled_room(size)
    mdp, S = world.mdp, world.mdp.n_states
    walk = np.full((S, mdp.n_actions), 1.0 / mdp.n_actions)
    walk_marginal = state_marginal(mdp, walk, horizon=horizon)
    walk_entropy = state_entropy(mdp, walk, horizon=horizon)
    # tol=1e-4: a certificate far finer than the 1e-3 claimed below, reached in a few seconds
    best = max_state_entropy(mdp, horizon=horizon, tol=1e-4)
    mixture = maxent_exploration(mdp, horizon=horizon)
    hazan = maxent_exploration(mdp, horizon=horizon, step="2/(k+2)")
    free = int((~world.grid.walls).sum())
    print(f"{size} x {size} room, {free} free cells, T = {horizon} (log {free} = {np.log(free):.4f} nats)")
    print("| policy | H(d) (nats) | optimum - H(d) |")
    print("| --- | --- | --- |")
    for name, value in (("uniform random", walk_entropy), ("MaxEnt exploration, 2/(k+2)", hazan.value),
                        ("MaxEnt exploration, fully-corrective", mixture.value),
                        ("exact optimum (max_state_entropy)", best.value)):
        print(f"| {name} | {value:.6f} | {best.value - value:.2e} |")
    print(f"optimum certified in [{best.lower:.6f}, {best.upper:.6f}]; mixture's Frank-Wolfe gap {mixture.gap:.2e}")

    def draw(plt):
        fig = plt.figure(figsize=(15, 3.6), layout="constrained")
        axes = fig.subplots(1, 4, width_ratios=[1, 1, 1, 1.3])
        plot_state_marginals(world, {"uniform random": walk_marginal, "MaxEnt mixture": mixture.marginal,
                                     "exact optimum": best.marginal}, axes=axes[:3], mark=(0, 0),
                             show_entropy=True)
        plot_exploration_curves({"fully-corrective": mixture, "2/(k+2)": hazan}, optimum=best, ax=axes[3],
                                ylabel="H(d) (nats)", title="entropy per iteration")
        axes[3].set_ylim(walk_entropy, best.value + 0.1)
        return fig

    return {"walk_entropy": walk_entropy, "mixture_entropy": mixture.value, "hazan_entropy": hazan.value,
            "optimum": best.value, "lower": best.lower, "upper": best.upper, "gap": mixture.gap,
            "history": mixture.history, "figure": save_figure(draw, figure, dpi=80)}


# %%
# Running it
# ----------
# The random walk covers about 2.8 nats of the room, most of its mass near the
# start; the fully-corrective mixture reaches the certified optimum (about
# 4.059 nats) to within :math:`10^{-5}` nats, while Hazan's :math:`2/(k+2)`
# step is still about :math:`10^{-2}` below it after the same 100 iterations.
# The optimal marginal is not uniform (that would be :math:`\log 59 = 4.078`):
# every episode starts in the corner, which therefore carries at least
# :math:`1/T` of the mass.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "maxent_exploration_coverage.png"))
    assert abs(out["optimum"] - out["mixture_entropy"]) <= 1e-3, out  # Frank-Wolfe reaches the certified optimum
    assert out["mixture_entropy"] <= out["upper"] + 1e-12, out  # and never exceeds its upper bound
    assert out["optimum"] - out["walk_entropy"] > 0.5, out  # the random walk covers far less
    assert out["mixture_entropy"] > out["hazan_entropy"], out  # the fully-corrective step is ahead
