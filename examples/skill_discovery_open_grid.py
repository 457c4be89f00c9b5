r"""
Four skills on an open grid, with the exact discriminator
=========================================================

DIAYN (Eysenbach et al. 2018) learns skills without a reward: a skill
:math:`z \sim p(z)` (uniform) picks a policy, and the skills should be
distinguishable from the states they visit, i.e. maximise the mutual
information :math:`I(S; Z)` between a visited state and the skill. Each
skill is trained on the reward :math:`\log q(z \mid s) - \log p(z)` of a
discriminator :math:`q`, and Barber & Agakov's variational bound

.. math::

    I(S; Z) \ge H(Z) + \mathbb{E}_{p(z)\, p(s \mid z)}\big[\log q(z \mid s)\big]

holds for every :math:`q`, with equality exactly at the posterior
:math:`q(z \mid s) = p(s \mid z) p(z) / p(s)`. On a tabular problem the
skills' state marginals :math:`p(s \mid z)` are exact, so the posterior is
the Bayes-optimal discriminator itself, not a network trained on samples:
:func:`tabular_irl.rewardfree.skill_discovery` uses it, and reports
:math:`I(S; Z)` at every iteration.

Here four skills spread out from the centre of an open 7 x 7 grid; the bound
is checked to equal :math:`I(S; Z)` at the exact discriminator and to fall
below it for a blurred one.

Run ``python examples/skill_discovery_open_grid.py [FIGURE.png]`` (default:
``skill_discovery_open_grid.png`` in ``$TABULAR_IRL_FIGURE_DIR`` or the current
directory; no figure without matplotlib).
"""

from __future__ import annotations

import os
import sys

import numpy as np

from tabular_irl import gridworld
from tabular_irl.plotting import plot_exploration_curves, plot_state_marginals, save_figure
from tabular_irl.rewardfree import mutual_information, skill_discovery, skill_information_bound


# %%
# Skills from the centre
# ----------------------
# A 7 x 7 gridworld without walls or goals, deterministic moves, episodes of
# :math:`T = 8` steps from the centre cell. With :math:`K = 4` skills
# :math:`I(S; Z) \le H(Z) = \log 4`; it approaches that bound only if the
# skills' marginals barely overlap, and they all share the start cell.


def main(figure: str | os.PathLike | None = None, size: int = 7, horizon: int = 8, n_skills: int = 4,
         n_iter: int = 50, seed: int = 0) -> dict:
    """Train the skills; check the variational bound at the exact and at a blurred discriminator."""
    world = gridworld(size, slip=0.0, goals=[], initial=(size // 2, size // 2))
    skills = skill_discovery(world.mdp, n_skills, horizon=horizon, n_iter=n_iter, seed=seed)
    prior = np.full(n_skills, 1.0 / n_skills)
    joint = prior[:, None] * skills.marginals  # p(z, s)
    information = mutual_information(joint)
    exact_bound = skill_information_bound(skills.marginals, skills.discriminator)
    # any other discriminator: mix the exact one with the uniform guess 1/K
    blurred = 0.8 * skills.discriminator + 0.2 / n_skills
    blurred_bound = skill_information_bound(skills.marginals, blurred)
    print(f"{size} x {size} open grid, T = {horizon}, {n_skills} skills, {n_iter} iterations")
    print(f"I(S;Z) after the first iteration {skills.history[0]:.6f}, after the last {skills.value:.6f} "
          f"(log {n_skills} = {np.log(n_skills):.6f})")
    print("| | nats |")
    print("| --- | --- |")
    print(f"| I(S;Z) of the joint p(z) p(s|z) | {information:.12f} |")
    print(f"| bound at the exact discriminator | {exact_bound:.12f} |")
    print(f"| bound at a blurred discriminator | {blurred_bound:.12f} |")

    def draw(plt):
        fig = plt.figure(figsize=(4 * n_skills + 1, 3.6), layout="constrained")
        axes = fig.subplots(1, n_skills + 1, width_ratios=[1] * n_skills + [1.3])
        plot_state_marginals(world, {f"skill {k}": p for k, p in enumerate(skills.marginals)}, axes=axes[:-1],
                             mark=(size // 2, size // 2), label="p(s | z)")
        ax = plot_exploration_curves({"I(S;Z)": skills}, ax=axes[-1], ylabel="nats",
                                     title="information per iteration")
        ax.plot(np.arange(1, n_iter + 1), skills.bound_history, linestyle="--", label="DIAYN bound (q of the "
                "previous iterate)", gid="bound")
        ax.axhline(np.log(n_skills), color="black", linestyle=":", label=f"H(Z) = log {n_skills}")
        ax.legend(fontsize="small")
        return fig

    return {"information": information, "value": skills.value, "exact_bound": exact_bound,
            "blurred_bound": blurred_bound, "history": skills.history, "bound_history": skills.bound_history,
            "log_k": float(np.log(n_skills)), "figure": save_figure(draw, figure, dpi=80)}


# %%
# Running it
# ----------
# The four skills head for four different parts of the grid and :math:`I(S; Z)`
# climbs from about 0.9 to about 1.2 nats, below :math:`\log 4 \approx 1.386`
# because every skill starts in the same cell and passes through its
# neighbours. At the exact discriminator the variational bound equals
# :math:`I(S; Z)` to rounding; blurring the discriminator loses information
# and the bound drops strictly below. During training each iteration's bound
# is taken at the discriminator the skills were trained against (the
# previous iterate's), so it runs just below the curve.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "skill_discovery_open_grid.png"))
    assert abs(out["exact_bound"] - out["information"]) < 1e-12, out  # the bound is tight at the posterior
    assert abs(out["value"] - out["information"]) < 1e-12, out  # and skill_discovery reports that I(S;Z)
    assert out["blurred_bound"] < out["information"] - 1e-3, out  # strictly below for any other q
    assert out["history"][-1] > out["history"][0] and out["value"] < out["log_k"], out
    assert np.all(out["bound_history"] <= out["history"] + 1e-12), out
