r"""
LP IRL: a reward that provably makes the expert optimal
=======================================================

Ng & Russell (2000) ask which state rewards :math:`R` make a given deterministic
policy :math:`\pi` optimal in a discounted MDP. Writing :math:`P_\pi` for the
transitions under :math:`\pi` and :math:`P_a` for those of action :math:`a`, the
policy is optimal exactly when, at every state,

.. math::

    \big(P_\pi - P_a\big)\big(I - \gamma P_\pi\big)^{-1} R \;\ge\; 0
    \qquad \text{for every action } a,

linear inequalities in :math:`R`. :math:`R = 0` satisfies them all, so the paper
picks, among the feasible rewards with :math:`|R_s| \le R_{\max}`, the one that
maximises how much :math:`\pi` beats the best other action at each state, less
:math:`\lambda \lVert R \rVert_1` for simplicity:

.. math::

    \max_R \sum_s \min_{a \ne \pi(s)} \big[(P_\pi - P_a)(I - \gamma P_\pi)^{-1} R\big]_s
    - \lambda \lVert R \rVert_1 .

:func:`tabular_irl.lp_irl` solves it with HiGHS and returns the *margins*
:math:`Q(s, \pi(s)) - \max_{a \ne \pi(s)} Q(s, a)` of the recovered reward,
computed exactly. Every margin :math:`\ge 0` is the certificate that :math:`\pi`
is optimal; here it is also checked independently, by solving the recovered
reward's MDP with :func:`tabular_irl.value_iteration` and comparing the values.
Larger :math:`\lambda` gives sparser rewards.

Run ``python examples/lp_irl_certificate.py [FIGURE.png]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl.metrics import policy_value

SIZE, DISCOUNT = 5, 0.9
L1_VALUES = (0.0, 0.5, 1.0)


# %%
# The expert and the programme
# ----------------------------
# A slippery 5x5 gridworld with a goal in the bottom-right corner; the expert is
# the optimal policy of the true reward (hard value iteration). The LP sees only
# the dynamics and the expert's actions.


def solve(l1: float) -> tuple[tirl.LPIRLResult, float]:
    """The LP's result for ``l1`` and the largest value lost by ``pi`` under the recovered reward."""
    world = tirl.gridworld(SIZE, slip=0.1)
    expert = tirl.value_iteration(world.mdp, world.reward, discount=DISCOUNT).policy
    fit = tirl.lp_irl(world.mdp, expert, discount=DISCOUNT, l1=l1)
    # independent check: the optimal policy of the recovered reward does no better
    # than the expert under it (from every start state at once: initial = each state)
    best = tirl.value_iteration(world.mdp, fit.reward, discount=DISCOUNT).policy
    loss = max(policy_value(world.mdp, best, fit.reward, discount=DISCOUNT, initial=np.eye(world.n_states)[s])
               - policy_value(world.mdp, expert, fit.reward, discount=DISCOUNT, initial=np.eye(world.n_states)[s])
               for s in range(world.n_states))
    return fit, float(loss)


def main(figure: str | os.PathLike | None = None) -> dict:
    """Print the margins and the check for each ``l1``; return them."""
    from tabular_irl.plotting import save_figure

    out, fits = {}, {}
    true_reward = np.asarray(tirl.gridworld(SIZE, slip=0.1).reward)
    for l1 in L1_VALUES:
        fit, loss = solve(l1)
        fits[l1] = fit
        norm = float(np.abs(fit.state_reward).sum())
        out[l1] = {"converged": fit.converged, "min_margin": float(fit.margins.min()), "value_loss": loss,
                   "l1_norm": norm, "correlation": float(np.corrcoef(fit.state_reward, true_reward)[0, 1])}
        print(f"l1 = {l1:g}: {fit.message}")
        print(f"  min margin {fit.margins.min():+.3e} (>= 0: the expert is optimal), "
              f"value lost by the expert against the recovered reward's optimum {loss:.1e}")
        print(f"  ||R||_1 = {norm:.3f}, correlation with the true reward {out[l1]['correlation']:.3f}")

    def draw(plt):
        fig, axes = plt.subplots(1, len(L1_VALUES) + 1, figsize=(11, 2.8))
        panels = [("true reward", true_reward)] + [(f"LP reward, l1={l1:g}", fits[l1].state_reward)
                                                  for l1 in L1_VALUES]
        for ax, (title, reward) in zip(axes, panels):
            image = ax.imshow(np.asarray(reward).reshape(SIZE, SIZE), cmap="RdBu_r", vmin=-1, vmax=1)
            ax.set(title=title, xticks=[], yticks=[])
        fig.colorbar(image, ax=axes, shrink=0.8)
        return fig

    out["figure"] = save_figure(draw, figure)
    return out


# %%
# Running it
# ----------
# For every :math:`\lambda` the programme converges, every margin is non-negative
# (to the solver's tolerance) and the recovered reward's own optimal policy does no
# better than the expert: the certificate holds. The reward's :math:`\ell_1` norm
# never grows with :math:`\lambda`. The figure shows the other half of the lesson:
# each recovered reward puts the most reward at the goal, but also punishes cells
# the expert merely avoids. LP IRL finds *a* reward that explains the policy, not
# *the* reward: many rewards make the same policy optimal.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "lp_irl_certificate.png"))
    for l1 in L1_VALUES:
        assert out[l1]["converged"] and out[l1]["min_margin"] >= -1e-9, (l1, out[l1])
        assert out[l1]["value_loss"] <= 1e-9, (l1, out[l1])
    norms = [out[l1]["l1_norm"] for l1 in L1_VALUES]
    assert all(b <= a + 1e-9 for a, b in zip(norms, norms[1:])), norms
