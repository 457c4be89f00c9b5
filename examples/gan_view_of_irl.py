r"""
The GAN view of IRL, with exact occupancies
===========================================

The GAN view of IRL, with exact occupancies instead of samples.

GAIL (Ho & Ermon 2016) trains a discriminator between expert and policy
state-action pairs. Against occupancy measures (normalised to sum to 1) the best
discriminator is known in closed form,

.. math::

    D^*(s, a) = \frac{\rho_E(s, a)}{\rho_E(s, a) + \rho_\pi(s, a)},
    \qquad
    \mathbb{E}_{\rho_E} \log D^* + \mathbb{E}_{\rho_\pi} \log (1 - D^*)
    = 2\,\mathrm{JS}(\rho_E \,\|\, \rho_\pi) - \log 4,

so the policy player minimises a Jensen-Shannon divergence. AIRL (Fu, Luo &
Levine 2018) restricts the discriminator to
:math:`D = e^{f} / (e^{f} + \pi(a \mid s))`, and at its optimum ``f`` is an
advantage of the expert's reward: improving the policy by soft value iteration on
``f`` drives JS to 0 and recovers the reward up to potential shaping.

Here everything is exact: occupancies by linear solves, the discriminator by
Newton's method on the exact logistic loss. The script checks the GAIL identity
above, runs AIRL on the expert's exact occupancy, and prints JS per iteration,
the final occupancy error, the reward correlation modulo shaping and the EPIC
distance to the truth (Gleave et al. 2021). AIRL's ``f = log pi_E = r + gamma P V
- V`` is an *expected* shaping of the reward: read as ``R(s, a, s') = f(s, a)`` it
is not a potential shaping ``gamma Phi(s') - Phi(s)`` of the truth and EPIC sees
a large distance; compared as the MDP sees it (``epic_distance(..., mdp=mdp)``,
both rewards lifted through the dynamics) the distance is 0.

Run ``python examples/gan_view_of_irl.py [FIGURE.png]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl import approx
from tabular_irl.plotting import save_figure

DISCOUNT = 0.9


def main(figure: str | os.PathLike | None = None) -> dict:
    """Print and return the GAIL identity error, AIRL's JS history and what it recovers."""
    world = tirl.gridworld(5, slip=0.2)
    mdp, reward = world.mdp, 5.0 * np.asarray(world.reward)
    expert = tirl.soft_backward(mdp, reward, discount=DISCOUNT).policy
    rho_e = approx.occupancy_measure(mdp, expert, discount=DISCOUNT)

    # GAIL against the uniform policy: the closed-form discriminator and its objective
    uniform = np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)
    rho_u = approx.occupancy_measure(mdp, uniform, discount=DISCOUNT)
    gail = approx.gail_discriminator(rho_e, rho_u)
    identity_error = abs(gail.objective - (2.0 * gail.js_divergence - np.log(4.0)))
    print(f"GAIL vs the uniform policy: JS = {gail.js_divergence:.6f}, "
          f"|objective - (2 JS - log 4)| = {identity_error:.2e}")

    # AIRL on the exact expert occupancy (the infinite-sample limit)
    fit = approx.airl(mdp, rho_e, discount=DISCOUNT)
    js = np.asarray(fit.history["js_divergence"])
    occupancy_error = float(np.abs(fit.occupancy - rho_e).max())
    corr = approx.reward_correlation_modulo_shaping(mdp, reward, fit.reward, discount=DISCOUNT)
    epic = tirl.metrics.epic_distance(fit, reward, discount=DISCOUNT, mdp=mdp)
    epic_without_dynamics = tirl.metrics.epic_distance(fit, reward, discount=DISCOUNT)
    print(f"AIRL: converged={fit.converged} after {fit.n_iter} iterations")
    for k in sorted({0, 1, 2, 5, 10, len(js) - 1}):
        if k < len(js):
            print(f"  iteration {k:>3}: JS(rho_E || rho_pi) = {js[k]:.3e}")
    print(f"  max |rho_pi - rho_E| = {occupancy_error:.2e}; reward correlation modulo shaping = {corr:.9f}")
    print(f"  EPIC to the truth on the MDP = {epic:.2e} (read as R(s, a, s') = f(s, a): {epic_without_dynamics:.3f})")
    d_final = approx.gail_discriminator(rho_e, fit.occupancy).D
    print(f"  at the fixed point GAIL's best discriminator is 1/2 everywhere: max |D* - 1/2| = "
          f"{np.abs(d_final - 0.5)[rho_e > 0].max():.2e}")

    def draw(plt):
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.5))
        ax0.semilogy(np.arange(len(js)), np.maximum(js, 1e-18), marker="o")
        ax0.set(xlabel="AIRL iteration", ylabel="JS(rho_E || rho_pi)", title="the divergence GAIL minimises")
        ax1.scatter(np.repeat(reward[:, None], mdp.n_actions, axis=1).ravel(), fit.reward.ravel(), s=8)
        ax1.set(xlabel="true reward r(s)", ylabel="AIRL reward (raw, shaped)",
                title=f"raw reward differs by shaping;\ncorrelation modulo shaping {corr:.6f}")
        fig.tight_layout()
        return fig

    return {"gail_identity_error": float(identity_error), "gail_js_uniform": float(gail.js_divergence),
            "js_history": js, "converged": bool(fit.converged), "occupancy_error": occupancy_error,
            "reward_correlation": float(corr), "epic": epic, "epic_without_dynamics": epic_without_dynamics,
            "figure": save_figure(draw, figure, dpi=80)}


# %%
# Running it
# ----------
# The best discriminator's objective equals :math:`2\,\mathrm{JS} - \log 4` to
# rounding; AIRL on the exact occupancies drives JS to rounding, recovers the
# expert's occupancy and its reward modulo shaping: EPIC 0 on the MDP.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "gan_view_of_irl.png"))
    assert out["gail_identity_error"] < 1e-12, out["gail_identity_error"]
    assert out["converged"] and out["js_history"][-1] < 1e-12, out["js_history"][-1]
    assert out["occupancy_error"] < 1e-6 and out["reward_correlation"] > 1 - 1e-6, out
    assert out["epic"] < 1e-6 < 0.1 < out["epic_without_dynamics"], out
