r"""
Which rewards explain one gridworld expert?
===========================================

IRL is underspecified: many rewards explain the same behaviour. This example
makes that concrete on a 4 x 4 gridworld whose expert walks to the goal in the
bottom-right corner:

1. :func:`tabular_irl.bayes.bayesian_irl` (PolicyWalk, one reward per state on
   the grid ``0, 0.25, ..., 1``) samples the rewards consistent with 20
   demonstrations of the Boltzmann-rational expert,
   :math:`P(a \mid s) \propto \exp(c\, Q^*(s, a))`;
2. :func:`tabular_irl.metrics.epic_distance` measures how far each sampled
   reward is from the truth, ignoring potential shaping
   :math:`\gamma \Phi(s') - \Phi(s)` and positive rescaling (which no
   demonstration can see);
3. :func:`tabular_irl.identifiability.reward_nullspace` counts the reward
   directions the expert's soft-optimal policy cannot reveal at all: with one
   parameter per state-action pair, the ``S`` potential-shaping directions;
   with one per state, only the constants; and with two different dynamics,
   only the constants again (Cao et al. 2021).

Run ``python examples/reward_ambiguity_gridworld.py`` (the figure goes to
``$TABULAR_IRL_FIGURE_DIR`` or the current directory when matplotlib is installed).
"""

from __future__ import annotations

import os

import numpy as np

from tabular_irl import gridworld, sample_trajectories, value_iteration
from tabular_irl.bayes import bayesian_irl
from tabular_irl.identifiability import reward_nullspace
from tabular_irl.metrics import epic_distance
from tabular_irl.plotting import save_figure


# %%
# Sampling the posterior and measuring it against the truth
# ---------------------------------------------------------
# The posterior is sampled on PolicyWalk's grid; every distinct sampled reward is
# compared with the true one by EPIC, and the null space of the soft policy's
# Jacobian counts the directions no demonstration can resolve.


def run(size: int = 4, n_demos: int = 20, n_samples: int = 2000, seed: int = 0, verbose: bool = True,
        figure: str | None = None) -> dict:
    """Sample the posterior, measure EPIC distances to the truth, count the unidentifiable directions."""
    world = gridworld(size, slip=0.1)
    S = world.mdp.n_states
    expert = value_iteration(world.mdp, world.reward, discount=0.9)
    demos = sample_trajectories(world.mdp, expert.policy, n_demos, horizon=2 * size, seed=seed)
    fit = bayesian_irl(world.mdp, demos, discount=0.9, bounds=(0.0, 1.0), step=0.25, confidence=5.0,
                       n_samples=n_samples, burn_in=500, seed=seed)
    # a constant reward (the walk's centre start, say) has no EPIC distance: it prefers nothing
    distinct = np.unique(fit.samples, axis=0)
    varied = distinct[distinct.std(axis=1) > 0]
    distances = np.array([epic_distance(theta, world.reward, discount=0.9) for theta in varied])
    mean_distance = epic_distance(fit.mean, world.reward, discount=0.9)
    state_action = reward_nullspace(world.mdp, discount=0.9, reward_shape=(S, 5))
    state_only = reward_nullspace(world.mdp, discount=0.9)
    other = gridworld(size, slip=0.4).mdp
    two_dynamics = reward_nullspace([world.mdp, other], discount=0.9, reward_shape=(S, 5))
    out = dict(acceptance_rate=fit.acceptance_rate, n_distinct=len(distinct), distances=distances,
               mean_reward_distance=mean_distance, goal_is_best=int(np.argmax(fit.mean)) == S - 1,
               nullspace_state_action=state_action.dimension, nullspace_state=state_only.dimension,
               nullspace_two_dynamics=two_dynamics.dimension)
    if verbose:
        print(f"PolicyWalk: {len(fit.samples)} samples, {len(distinct)} distinct rewards, "
              f"acceptance {fit.acceptance_rate:.2f}, median ESS per state {np.median(fit.ess):.0f}")
        print("posterior mean reward (rows of the grid):")
        print(np.array2string(fit.mean.reshape(size, size), precision=2))
        q = np.quantile(distances, [0.1, 0.5, 0.9])
        print(f"EPIC distance to the truth of the distinct sampled rewards: 10% {q[0]:.3f}, median {q[1]:.3f}, "
              f"90% {q[2]:.3f}; of the posterior mean: {mean_distance:.3f}")
        print(f"reward directions the expert's soft-optimal policy cannot reveal: "
              f"{state_action.dimension} with state-action rewards (potential shaping, S = {S}), "
              f"{state_only.dimension} with state rewards (constants), "
              f"{two_dynamics.dimension} with state-action rewards seen under two slip rates (constants)")
    def draw(plt):
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
        shown = axes[0].imshow(fit.mean.reshape(size, size), cmap="viridis")
        axes[0].set(title="posterior mean reward", xlabel="col", ylabel="row")
        fig.colorbar(shown, ax=axes[0], shrink=0.85)
        axes[1].hist(distances, bins=20, color="C0")
        axes[1].axvline(mean_distance, color="C3", label="posterior mean")
        axes[1].set(title="EPIC distance to the true reward", xlabel="distance", ylabel="sampled rewards")
        axes[1].legend()
        return fig

    out["figure"] = save_figure(draw, figure)
    return out


# %%
# Running it
# ----------
# The goal is the best state of the posterior mean, the sampled rewards spread
# over EPIC distances in ``[0, 1]``, and the null space has the dimensions the
# theory says: ``S`` with state-action rewards, 1 (the constants) with state
# rewards or with two dynamics.

if __name__ == "__main__":
    result = run(figure=os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "reward_ambiguity_gridworld.png"))
    assert result["goal_is_best"], result
    assert result["nullspace_state_action"] == 16 and result["nullspace_state"] == 1, result
    assert result["nullspace_two_dynamics"] == 1, result
    assert np.all((result["distances"] >= 0) & (result["distances"] <= 1)), result
