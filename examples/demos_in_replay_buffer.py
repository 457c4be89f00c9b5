r"""
Demonstrations in the replay buffer: Q-learning's exact learning curves with and without them
=============================================================================================

Tabular Q-learning as in DQN (Mnih et al. 2015; Algorithm 34 of the notes): every
environment step acts :math:`\epsilon`-greedily on :math:`Q`, stores the
transition in a replay buffer, and updates :math:`Q` on a minibatch drawn from
the buffer towards the targets

.. math::

    y = r(s, a) + \gamma \max_{a'} \bar Q(s', a'),
    \qquad Q(s, a) \leftarrow Q(s, a) + \alpha \big(y - Q(s, a)\big),

with :math:`\bar Q` a *target table*, a copy of :math:`Q` refreshed every
``target_update`` steps. Demonstrations of the optimal policy pre-fill the buffer
and stay in it (DQfD, Hester et al. 2018), optionally with DQfD's large-margin
loss on the demonstrated actions :math:`a_E`,

.. math::

    J_E(Q) = \max_a \big[Q(s, a) + l\, \mathbb{1}[a \ne a_E]\big] - Q(s, a_E),

which pushes :math:`Q(s, a_E)` above every other action's value by the margin
:math:`l`.

Nothing here is a noisy evaluation: at every checkpoint the greedy policy's
return :math:`J(\pi_Q) = \sum_t \gamma^t \mathbb{E}_{\pi_Q}[r(s_t, a_t)]` is
computed exactly, and :math:`\|Q - Q^*\|_\infty` is measured against :math:`Q^*`
from :func:`tabular_irl.value_iteration`. "Demonstrations help early" is then a
measured curve (the mean over a few seeds), not a claim.

Run ``python examples/demos_in_replay_buffer.py [FIGURE.png]`` (default:
``demos_in_replay_buffer.png`` in ``$TABULAR_IRL_FIGURE_DIR`` or the current
directory; no figure without matplotlib).
"""

from __future__ import annotations

import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl.plotting import plot_learning_curves, save_figure
from tabular_irl.rl import q_learning

DISCOUNT = 0.95


# %%
# The optimal policy and its demonstrations
# -----------------------------------------
# On a gridworld the optimal policy is solved exactly (policy iteration); its
# return :math:`J^* = \mu_0 \cdot V^*` is the ceiling of every learning curve.
# Its demonstrations are trajectories of twice the grid's side.


def optimal_and_demos(world, n_demos: int, horizon: int) -> tuple[np.ndarray, float, tirl.Trajectories]:
    """The optimal policy, its exact return ``J*`` and ``n_demos`` of its trajectories."""
    plan = tirl.value_iteration(world.mdp, world.reward, discount=DISCOUNT, method="policy_iteration")
    demos = tirl.sample_trajectories(world.mdp, plan.policy, n_demos, horizon=horizon, seed=0)
    return plan.policy, float(world.mdp.initial @ plan.V), demos


# %%
# Three learners
# --------------
# The same Q-learning (same buffer, batch, target refresh, step size and
# exploration, same seeds) without demonstrations, with them in the buffer, and
# with them plus the large-margin loss. Each curve is the mean over seeds of the
# exact return of the greedy policy and of :math:`\|Q - Q^*\|_\infty`.


def learning_curves(world, demos: tirl.Trajectories, n_steps: int, n_seeds: int) -> tuple[np.ndarray, dict, float]:
    """``(steps, {variant: {"value": ..., "q_error": ...}}, J* as q_learning computes it)``."""
    options = dict(discount=DISCOUNT, n_steps=n_steps, buffer_size=5000, batch_size=32, target_update=200, lr=0.5,
                   epsilon=0.2, n_checkpoints=10)
    variants = {"no demos": {}, "demos": dict(demos=demos), "demos + margin": dict(demos=demos, demo_margin=0.8)}
    curves = {}
    for name, extra in variants.items():
        runs = [q_learning(world.mdp, world.reward, seed=s, **options, **extra) for s in range(n_seeds)]
        curves[name] = {key: np.mean([run.history[key] for run in runs], axis=0) for key in ("value", "q_error")}
        steps = np.asarray(runs[0].history["step"])
        optimal_value = runs[0].optimal_value
    return steps, curves, optimal_value


def main(figure: str | os.PathLike | None = None, size: int = 8, n_steps: int = 20_000, n_seeds: int = 3,
         n_demos: int = 20) -> dict:
    """Print and return the mean exact return and ``||Q - Q*||`` per checkpoint for each variant."""
    world = tirl.gridworld(size)
    _, J_star, demos = optimal_and_demos(world, n_demos, horizon=2 * size)
    steps, curves, optimal_value = learning_curves(world, demos, n_steps, n_seeds)
    print(f"gridworld {size}x{size}, discount {DISCOUNT}: exact return of the greedy policy (J* = {optimal_value:.3f})")
    print("|   step | " + " | ".join(f"{n:>14}" for n in curves) + " |")
    print("|--------|" + "|".join("-" * 16 for _ in curves) + "|")
    for i, step in enumerate(steps):
        print(f"| {step:>6} | " + " | ".join(f"{curves[n]['value'][i]:14.3f}" for n in curves) + " |")
    print("||Q - Q*||_inf at the end: " + ", ".join(f"{n} {curves[n]['q_error'][-1]:.3f}" for n in curves))

    def draw(plt):
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.5))
        means = {name: {"step": steps, **c} for name, c in curves.items()}
        plot_learning_curves(means, optimal_value=optimal_value, ax=ax0, title="demos help early")
        plot_learning_curves(means, key="q_error", ax=ax1)
        return fig

    return {"steps": steps, "curves": curves, "optimal_value": optimal_value,
            "optimal_value_error": abs(optimal_value - J_star), "figure": save_figure(draw, figure, dpi=80)}


# %%
# Running it
# ----------
# All three start from the same table, hence the same greedy policy and return.
# At the first checkpoint the learners with demonstrations are already most of
# the way to :math:`J^*`, and more than five times better than the learner without them,
# which needs most of the run to catch up. No curve ever exceeds :math:`J^*`, as
# no policy can. The return converges long before :math:`Q` does:
# :math:`\|Q - Q^*\|_\infty` is still large at the end for all three, since the
# greedy policy only needs the right *order* of the action values on the states
# it visits.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "demos_in_replay_buffer.png"))
    curves, J_star = out["curves"], out["optimal_value"]
    assert out["optimal_value_error"] < 1e-9, out["optimal_value_error"]
    assert len({c["value"][0] for c in curves.values()}) == 1, curves  # the same start
    for name, c in curves.items():
        assert np.all(c["value"] <= J_star + 1e-9), (name, c["value"], J_star)
    for name in ("demos", "demos + margin"):
        assert curves[name]["value"][1] > 5 * curves["no demos"]["value"][1], curves  # demos help early
