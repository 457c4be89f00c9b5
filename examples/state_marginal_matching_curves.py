r"""
State-marginal matching: naive refitting oscillates, averaging converges
========================================================================

Lee et al. (2019) ask a policy to visit states with a given target
distribution :math:`p^*`: minimise :math:`\mathrm{KL}(d_\pi \,\|\, p^*)` over
policies, with the exploration reward
:math:`r(s) = \log p^*(s) - \log d(s)`. *Which* :math:`d` enters the reward
matters:

* **naive**: the latest policy's own marginal. The next policy then runs to
  wherever the last one did not go, the one after back again: the scheme
  chases its own tail and is not marginal matching at all;
* **averaged** (fictitious play): the marginal of the mixture of all the
  policies so far. This is Frank--Wolfe on the convex function
  :math:`d \mapsto \mathrm{KL}(d \,\|\, p^*)` over the polytope of
  achievable marginals, and the mixture converges to the minimum
  (:func:`tabular_irl.rewardfree.state_marginal_matching` re-optimises the
  mixture weights at every step, the fully-corrective variant).

The minimum itself is computed with a duality-gap certificate by
:func:`tabular_irl.rewardfree.min_state_marginal_kl`, and every KL below is
exact (the forward pass, no samples).

Run ``python examples/state_marginal_matching_curves.py [FIGURE.png]`` (default:
``state_marginal_matching_curves.png`` in ``$TABULAR_IRL_FIGURE_DIR`` or the current
directory; no figure without matplotlib).
"""

from __future__ import annotations

import os
import sys

import numpy as np

from tabular_irl import gridworld
from tabular_irl.plotting import plot_exploration_curves, plot_state_marginals, save_figure
from tabular_irl.rewardfree import min_state_marginal_kl, state_marginal_matching


# %%
# A target in the far corner
# --------------------------
# A 5 x 5 gridworld (slip 0.1), episodes of :math:`T = 10` steps from the
# top-left corner, and a target concentrated around the opposite corner: a
# Gaussian bump :math:`p^*(s) \propto \exp(-\|s - (3, 4)\|^2 / 4)`, with full
# support so that every KL is finite. In ten steps from the far corner no
# policy can match it exactly: the minimum KL is well above zero.


def corner_target(size: int) -> np.ndarray:
    """``p*(row, col) ∝ exp(-((row - size + 2)^2 + (col - size + 1)^2) / 4)``, row-major over the cells."""
    rows, cols = np.divmod(np.arange(size * size), size)
    target = np.exp(-((rows - size + 2) ** 2 + (cols - size + 1) ** 2) / 4.0)
    return target / target.sum()


def main(figure: str | os.PathLike | None = None, size: int = 5, horizon: int = 10, n_iter: int = 100) -> dict:
    """The exact KL per iteration of the naive and averaged schemes against the certified minimum."""
    world = gridworld(size, slip=0.1, goals=[], initial=(0, 0))
    target = corner_target(size)
    # tol=1e-7: the certificate is four orders of magnitude finer than the 1e-3 claimed below
    best = min_state_marginal_kl(world.mdp, target, horizon=horizon, tol=1e-7)
    averaged = state_marginal_matching(world.mdp, target, horizon=horizon, n_iter=n_iter)
    naive = state_marginal_matching(world.mdp, target, horizon=horizon, n_iter=n_iter, method="naive")
    tail = naive.history[-20:]
    print(f"{size} x {size} gridworld, T = {horizon}, {n_iter} iterations")
    print("| | KL(d || p*) after the last iteration | minus the minimum |")
    print("| --- | --- | --- |")
    for name, value in (("naive", naive.value), ("averaged (fully-corrective)", averaged.value),
                        ("exact minimum (min_state_marginal_kl)", best.value)):
        print(f"| {name} | {value:.6f} | {value - best.value:.2e} |")
    print(f"minimum certified in [{best.lower:.8f}, {best.upper:.8f}]")
    print(f"naive over its last 20 iterations: KL between {tail.min():.4f} and {tail.max():.4f}")

    def draw(plt):
        fig = plt.figure(figsize=(13, 3.6), layout="constrained")
        axes = fig.subplots(1, 4, width_ratios=[1, 1, 1, 1.4])
        plot_state_marginals(world, {"target p*": target, "naive (last policy)": naive.marginal,
                                     "averaged (mixture)": averaged.marginal}, axes=axes[:3], mark=(0, 0))
        plot_exploration_curves({"naive": naive, "averaged": averaged}, optimum=best, ax=axes[3],
                                ylabel="KL(d || p*) (nats)", title="KL per iteration")
        return fig

    return {"minimum": best.value, "lower": best.lower, "upper": best.upper, "averaged": averaged.value,
            "naive": naive.value, "naive_tail": tail, "averaged_history": averaged.history,
            "naive_history": naive.history, "figure": save_figure(draw, figure, dpi=80)}


# %%
# Running it
# ----------
# The averaged scheme's KL falls to the certified minimum (about 1.1126 nats)
# to within :math:`10^{-6}`; the naive scheme ends each iteration at one of two
# marginals, far from it, and keeps alternating between them: its KL jumps
# between about 3.2 and 3.5 nats for as long as it runs.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "state_marginal_matching_curves.png"))
    assert abs(out["averaged"] - out["minimum"]) <= 1e-3, out  # fictitious play reaches the exact minimum
    assert out["averaged"] >= out["lower"] - 1e-12, out  # and never goes below its certified lower bound
    assert out["naive"] - out["minimum"] > 1.0, out  # the naive scheme does not
    assert np.ptp(out["naive_tail"]) > 0.1, out  # it oscillates to the end
