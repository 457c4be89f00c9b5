r"""
Why rolling the non-causal policy forward is biased
===================================================

Why rolling the non-causal policy forward is biased under stochastic dynamics.

The MaxEnt trajectory model ``p(tau | s_0) ∝ prod_t P(s_{t+1}|s_t,a_t) e^{r(s_t,a_t)}``
reweights the *outcomes* of the dynamics as well as the actions: given the start,
it is a Markov chain with action law the non-causal policy ``pi_t`` and next-state law

.. math::

    \rho_t(s' \mid s, a) = \frac{P(s' \mid s, a)\, e^{V_{t+1}(s')}}{\sum_{s''} P(s'' \mid s, a)\, e^{V_{t+1}(s'')}}
    \ne P(s' \mid s, a).

Its marginals (:func:`tabular_irl.posterior_marginals`) are the gradient of the
log partition. Many implementations instead roll ``pi_t`` forward under ``P``:
right for deterministic dynamics (one successor, ``rho = P``), wrong otherwise.

The gamble: from state 0, action 0 flips a fair coin between the good state 1
(reward +1) and the bad state 2 (reward -1), both absorbing; action 1 waits. The
posterior believes the coin lands good with probability ``sigmoid(V(1) - V(2))``;
the rollout knows it is 1/2. Central differences of ``log_partition`` side with the
posterior. On a deterministic gridworld both agree to rounding.

Run ``python examples/noncausal_rollout_bias.py [FIGURE.png]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl.plotting import save_figure

T = 4


def gamble_mdp() -> tirl.MDP:
    P = np.zeros((3, 2, 3))
    P[0, 0] = [0.0, 0.5, 0.5]  # gamble
    P[0, 1] = [1.0, 0.0, 0.0]  # wait
    P[1, :, 1] = P[2, :, 2] = 1.0  # absorbing
    return tirl.MDP.from_dense(P, [1.0, 0.0, 0.0])


def rollout_and_posterior(mdp: tirl.MDP, reward: np.ndarray, T: int):
    """Visitation of the non-causal policy rolled forward under ``P``, and the exact posterior marginals."""
    plan = tirl.soft_backward(mdp, reward, horizon=T, causal=False)
    return tirl.visitation(mdp, plan.policy, horizon=T), tirl.posterior_marginals(mdp, reward, horizon=T)


def main(figure: str | os.PathLike | None = None) -> dict:
    """Print and return the gap between rollout and posterior, and which one the gradient is."""
    mdp, reward = gamble_mdp(), np.array([0.0, 1.0, -1.0])
    rollout, post = rollout_and_posterior(mdp, reward, T)
    causal = tirl.visitation(mdp, tirl.soft_backward(mdp, reward, horizon=T).policy, horizon=T)
    tv = 0.5 * np.abs(rollout.state - post.state).sum(axis=1)
    # d log_partition / d r(1): the expected number of steps in the good state, three ways
    good = np.array([0.0, 1.0, 0.0])
    h = 1e-5
    fd = (tirl.soft_backward(mdp, reward + h * good, horizon=T, causal=False).log_partition
          - tirl.soft_backward(mdp, reward - h * good, horizon=T, causal=False).log_partition) / (2 * h)
    out = {
        "posterior_good": float(post.state[T, 1]), "rollout_good": float(rollout.state[T, 1]),
        "causal_good": float(causal.state[T, 1]), "tv_max": float(tv.max()),
        "fd_derivative": float(fd), "posterior_derivative": float(post.total_state_action[1].sum()),
        "rollout_derivative": float(rollout.total_state_action[1].sum()),
    }
    print(f"gamble MDP, horizon T={T}: Pr(s_T = good) / Pr(s_T = bad)")
    for name, vis in (("posterior", post), ("non-causal rollout", rollout), ("causal rollout", causal)):
        print(f"  {name:>18}: {vis.state[T, 1]:.6f} / {vis.state[T, 2]:.6f}")
    print(f"  max_t TV(rollout, posterior) = {out['tv_max']:.6f}")
    print(f"d log_partition / d r(good): central differences {fd:.8f}, posterior "
          f"{out['posterior_derivative']:.8f}, rollout {out['rollout_derivative']:.8f}")

    world = tirl.gridworld(5, slip=0.0)  # deterministic: rho = P and the shortcut is exact
    r = np.random.default_rng(0).normal(size=(world.n_states, world.n_actions))
    det_rollout, det_post = rollout_and_posterior(world.mdp, r, 2 * T)
    out["tv_deterministic"] = float(0.5 * np.abs(det_rollout.state - det_post.state).sum(axis=1).max())
    print(f"deterministic 5x5 gridworld, random reward: max_t TV(rollout, posterior) = "
          f"{out['tv_deterministic']:.1e}")

    def draw(plt):
        fig, ax = plt.subplots(figsize=(6, 3.2))
        for i, (name, vis) in enumerate((("posterior", post), ("non-causal rollout", rollout),
                                         ("causal rollout", causal))):
            ax.bar(np.arange(3) + 0.27 * (i - 1), vis.state[T], width=0.27, label=name)
        ax.set(xticks=range(3), xticklabels=["wait (0)", "good (1)", "bad (2)"], ylabel="Pr(s_T = s)",
               title=f"gamble MDP, T={T}: where the trajectory ends")
        ax.legend()
        return fig

    out["figure"] = save_figure(draw, figure)
    return out


# %%
# Running it
# ----------
# On the gamble the rollout and the posterior disagree by a total variation of
# more than 0.4, and the central difference of ``log_partition`` agrees with the
# posterior (the gradient), not with the rollout. On deterministic dynamics the two
# coincide to rounding.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "noncausal_rollout_bias.png"))
    assert abs(out["fd_derivative"] - out["posterior_derivative"]) < 1e-8, out
    assert abs(out["fd_derivative"] - out["rollout_derivative"]) > 1.0, out
    assert out["tv_max"] > 0.4 and out["tv_deterministic"] < 1e-12, out
