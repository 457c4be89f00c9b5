r"""Learning curves of exact returns: behavioural cloning, DAgger, and pretrain-then-finetune.

Three ways to use the same expert, every iterate evaluated exactly:

* **behavioural cloning** on ``n`` expert demonstrations
  (:func:`tabular_irl.rl.behavior_cloning`), for growing ``n``;
* **DAgger** (:func:`tabular_irl.rl.dagger`): the same number of labels, but
  collected on the learner's own states after the first round, so the states a
  cloned policy drifts into get labelled too. What the curves show here is a
  lesson too: a tabular policy class *contains* the expert, and cloning is
  already exact on every state the expert's demonstrations visit, so the
  learner only drifts where the expert's own samples had not yet been; per
  label, DAgger spends part of its budget on drift states the final policy
  rarely sees and does not beat cloning. Its guarantee (``T epsilon u``
  against ``T^2 epsilon R``) matters when the learner keeps erring on states it
  has seen -- a restricted policy class, noisy labels -- as on the tightrope
  of ``compounding_error.py``;
* **pretrain, then finetune** (:func:`tabular_irl.rl.pretrain_finetune`):
  cloning, then policy-gradient ascent on the true reward, with exact
  gradients and with small sampled batches -- where the first noisy steps can
  lose some of what the demonstrations taught (the "initial dip").

Run ``python examples/imitation_learning_curves.py [FIGURE.png]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl.metrics import policy_value
from tabular_irl.plotting import save_figure
from tabular_irl.rl import behavior_cloning, dagger, pretrain_finetune


def main(figure: str | os.PathLike | None = None, size: int = 4, horizon: int = 8, n_iter: int = 10,
         n_per_iter: int = 2, n_seeds: int = 5, finetune_iter: int = 30) -> dict:
    """Print and return the curves (means over seeds)."""
    world = tirl.gridworld(size, slip=0.3)
    mdp, reward, T = world.mdp, world.reward, horizon
    expert = tirl.value_iteration(mdp, reward, horizon=T).policy
    J_expert = policy_value(mdp, expert, reward, horizon=T)
    labels = n_per_iter * np.arange(1, n_iter + 1)  # trajectories of expert labels after each round
    bc = np.mean([[J_expert - policy_value(mdp, behavior_cloning(
        mdp, tirl.sample_trajectories(mdp, expert, int(n), horizon=T, seed=s), horizon=T).policy, reward, horizon=T)
        for n in labels] for s in range(n_seeds)], axis=0)
    dg = np.mean([dagger(mdp, expert, horizon=T, n_iter=n_iter, n_per_iter=n_per_iter, reward=reward,
                         seed=s).history["gap"] for s in range(n_seeds)], axis=0)
    print(f"gridworld {size}x{size} (slip 0.3), T = {T}: exact gap J(expert) - J(learner)")
    print("| labelled trajectories | behavioural cloning | DAgger |")
    for n, g_bc, g_dg in zip(labels, bc, dg):
        print(f"| {int(n):>21} | {g_bc:19.4f} | {g_dg:6.4f} |")

    demos = tirl.sample_trajectories(mdp, tirl.soft_backward(mdp, 2 * np.asarray(reward), horizon=T).policy, 20,
                                     horizon=T, seed=0)
    finetune = {"exact": pretrain_finetune(mdp, reward, demos, horizon=T, n_iter=finetune_iter, lr=2.0).history["value"]}
    finetune["5 trajectories per step"] = np.mean(
        [pretrain_finetune(mdp, reward, demos, horizon=T, n_iter=finetune_iter, lr=2.0, n_per_iter=5,
                           seed=s).history["value"] for s in range(n_seeds)], axis=0)
    J_star = float(mdp.initial @ tirl.value_iteration(mdp, reward, horizon=T).V[0])
    print(f"pretrain (cloning 20 soft demos) then finetune, exact J per step (J* = {J_star:.4f}):")
    for name, values in finetune.items():
        print(f"  {name:>24}: " + " ".join(f"{v:.3f}" for v in np.asarray(values)[[0, 1, 2, 5, -1]]))

    def draw(plt):
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.5))
        ax0.plot(labels, bc, marker="o", label="behavioural cloning")
        ax0.plot(labels, dg, marker="s", label="DAgger")
        ax0.set(xlabel="labelled trajectories", ylabel="exact gap", title="imitation")
        ax0.legend(fontsize=8)
        for name, values in finetune.items():
            ax1.plot(np.arange(len(values)), values, label=name)
        ax1.axhline(J_star, color="k", ls=":", label="J*")
        ax1.set(xlabel="finetuning step", ylabel="exact return", title="pretrain, then finetune")
        ax1.legend(fontsize=8)
        fig.tight_layout()
        return fig

    return {"labels": labels, "bc_gap": bc, "dagger_gap": dg, "finetune": finetune, "optimal_value": J_star,
            "figure": save_figure(draw, figure, dpi=80)}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(os.path.abspath(__file__)), "imitation_learning_curves.png"))
