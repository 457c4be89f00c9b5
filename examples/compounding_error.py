r"""Compounding error: behavioural cloning's gap grows like ``T^2 epsilon``, exactly, on the tightrope.

A learner that disagrees with the expert with probability ``epsilon`` per step,
on the *expert's* state distribution, can lose up to ``T^2 epsilon R`` over ``T``
steps (Ross & Bagnell 2010): one mistake may lead to states the expert never
showed, and the losses compound. On the tightrope -- stay on the rope and earn 1
per step, or slip into an absorbing state worth nothing -- the bound is nearly
attained: a learner that slips with probability ``epsilon`` at every step loses
``sum_t (1 - (1 - epsilon)^(t+1)) ~ T^2 epsilon / 2`` for small ``T epsilon``. When a slip
only costs the step (the *recoverable* rope: climbing back takes one step), the
gap is linear, about ``T epsilon`` per unit of ``R`` -- the rate an on-policy learner such as
DAgger is guaranteed on every MDP where mistakes can be undone
(``T epsilon_own u``, with ``u`` the spread of the expert's action values).

Every number here is exact (:func:`tabular_irl.rl.imitation_gap`): the gap is a
difference of two exact returns, ``epsilon`` an exact expectation.

Run ``python examples/compounding_error.py [FIGURE.png]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from tabular_irl import MDP
from tabular_irl.plotting import save_figure
from tabular_irl.rl import imitation_gap

EXPERT = np.array([[1.0, 0.0], [0.5, 0.5]])  # stay on the rope; anything once fallen


def tightrope(recoverable: bool) -> tuple[MDP, np.ndarray]:
    """State 0 is the rope (action 0 stays and earns 1, action 1 slips), state 1 the ground."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = 1.0
    P[1, :, 0 if recoverable else 1] = 1.0
    return MDP.from_dense(P, initial=[1.0, 0.0]), np.array([[1.0, 0.0], [0.0, 0.0]])


def main(figure: str | os.PathLike | None = None, epsilon: float = 0.01,
         horizons: tuple[int, ...] = (5, 10, 20, 40)) -> dict:
    """Print the exact gap against ``T^2 eps R`` and ``T eps R`` for both ropes; return the tables."""
    learner = np.array([[1.0 - epsilon, epsilon], [0.5, 0.5]])
    tables = {}
    for name, recoverable in (("tightrope", False), ("recoverable", True)):
        mdp, r = tightrope(recoverable)
        rows = []
        for T in horizons:
            out = imitation_gap(mdp, r, EXPERT, learner, horizon=T)
            rows.append((T, out.gap, out.bc_bound, T * out.epsilon * out.reward_range, out.online_bound))
        tables[name] = np.array(rows)
        print(f"{name} (epsilon = {epsilon}):")
        print("|  T | exact gap | T^2 eps R | T eps R | T eps_own u |")
        print("|----|-----------|-----------|---------|-------------|")
        for T, gap, quad, lin, online in rows:
            print(f"| {int(T):>2} | {gap:9.4f} | {quad:9.3f} | {lin:7.3f} | {online:11.4f} |")

    def draw(plt):
        fig, ax = plt.subplots(figsize=(5.5, 4))
        T = np.asarray(horizons, dtype=float)
        for name, marker in (("tightrope", "o"), ("recoverable", "s")):
            ax.loglog(T, tables[name][:, 1], marker=marker, label=f"exact gap, {name}")
        ax.loglog(T, tables["tightrope"][:, 2], "k--", label=r"$T^2 \epsilon R$ (behavioural cloning)")
        ax.loglog(T, tables["tightrope"][:, 3], "k:", label=r"$T \epsilon R$ (linear)")
        ax.set(xlabel="horizon T", ylabel="J(expert) - J(learner)", title="compounding error, exactly")
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig

    return {"tables": tables, "figure": save_figure(draw, figure, dpi=80)}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(os.path.abspath(__file__)), "compounding_error.png"))
