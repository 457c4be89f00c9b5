r"""
Off-policy policy gradients with demonstrations: bias and variance against the exact gradient
=============================================================================================

The REINFORCE estimator (Williams 1992) of the gradient of the return
:math:`J(\theta)` of a softmax policy :math:`\pi_\theta`, from :math:`N`
trajectories of a behaviour policy :math:`q`, weights each reward by the
importance ratio of the prefix up to its *own* step:

.. math::

    \hat g = \frac1N \sum_i \sum_t \nabla_\theta \log \pi_\theta(a_t^i \mid s_t^i)
        \Big[\sum_{t' \ge t} w_{0:t'}^i\, r(s_{t'}^i, a_{t'}^i) - w_{0:t}^i\, b_t(s_t^i)\Big],
    \qquad
    w_{0:t} = \prod_{k \le t} \frac{\pi_\theta(a_k \mid s_k)}{q(a_k \mid s_k)},

unbiased for any baseline :math:`b` (here the exact :math:`V^{\pi}_t`). The
lecture's formula keeps only the ratios up to the *scored* step :math:`t`,
:math:`w_{0:t}` in front of the whole reward-to-go (``future_ratios=False``).
The rewards after :math:`t` then follow the behaviour's future rather than
:math:`\pi`'s: for a Markov :math:`q` its expectation is

.. math::

    \mathbb{E}_q[\hat g] = \sum_t \mathbb{E}_{\pi}\big[\nabla_\theta \log \pi_\theta(a_t \mid s_t)
        \big(Q^{q}_t(s_t, a_t) - b_t(s_t)\big)\big],

the policy gradient with the behaviour's action values :math:`Q^q` in place of
:math:`Q^\pi`: biased as soon as :math:`q \ne \pi`, and identical to the
unbiased estimator on-policy.

On a 3x3 gridworld the exact gradient is one backward and one forward pass
(:func:`tabular_irl.rl.policy_gradient`), so
:func:`tabular_irl.rl.gradient_estimator_study` measures both estimators' bias
:math:`\|\mathbb{E}\hat g - \nabla J\|` (with its noise level) and per-trajectory
variance, for three samplers: on-policy samples, demonstrations only (from a
soft-optimal expert), and the *fusion* of the two -- the trajectory-level mixture
:math:`q = \frac12(\pi_\theta + \pi^E)`, whose prefix density is
:math:`\frac12 \big(\prod_{k \le t} \pi_\theta + \prod_{k \le t} \pi^E\big)` (the
balance heuristic of multiple importance sampling, Owen 2013).

Run ``python examples/off_policy_gradient_with_demos.py [FIGURE.png]`` (default:
``off_policy_gradient_with_demos.png`` in ``$TABULAR_IRL_FIGURE_DIR`` or the current
directory; no figure without matplotlib).
"""

from __future__ import annotations

import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl.approx import StudyTable
from tabular_irl.plotting import plot_gradient_estimator_study, save_figure
from tabular_irl.rl import gradient_estimator_study

HORIZON = 5


# %%
# The study
# ---------
# The policy is uniform (all logits 0), the expert soft-optimal for three times
# the reward. Each sampler draws :math:`n` trajectories once; both estimators
# score the same draws. ``bias`` is :math:`\|\text{mean of the terms} - \nabla J\|_2`
# and ``bias_se`` its noise level (a bias below a few ``bias_se`` is not
# measurable at this :math:`n`); ``ess`` is the effective sample size of the
# final ratios.


def study(n: int, seed: int) -> StudyTable:
    """The bias/variance table of the two estimators under the three samplers."""
    world = tirl.gridworld(3, slip=0.1)
    expert = tirl.soft_backward(world.mdp, 3 * world.reward, horizon=HORIZON).policy
    logits = np.zeros((world.mdp.n_states, world.mdp.n_actions))
    return gradient_estimator_study(world.mdp, world.reward, logits, expert, horizon=HORIZON, n=n, seed=seed)


def row(table, sampler: str, future_ratios: bool) -> dict:
    """One row of the study as ``{column: value}``."""
    (values,) = table.where(sampler=sampler, future_ratios=future_ratios).rows
    return dict(zip(table.columns, values))


def main(figure: str | os.PathLike | None = None, n: int = 20_000, seed: int = 0) -> dict:
    """Print and return the bias/variance table of the study."""
    table = study(n, seed)
    print(f"gridworld 3x3, T = {HORIZON}, uniform policy, |exact gradient| = {table.meta['gradient_norm']:.4f}")
    print(table)

    def draw(plt):
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.5))
        plot_gradient_estimator_study(table, "bias", ax=ax0, title="bias")
        plot_gradient_estimator_study(table, "variance", ax=ax1, title="variance")
        return fig

    return {"table": table, "figure": save_figure(draw, figure, dpi=80)}


# %%
# Running it
# ----------
# On-policy the two estimators are the same number (every ratio is 1). With all
# the ratios (``all`` in the figure) every sampler is unbiased: the measured bias
# is within a few standard errors of zero. Demonstrations alone are unusable at
# this :math:`n`: over five steps the ratios of the uniform policy against the
# expert leave an effective sample size below 1% of the draws, and a variance
# over a hundred times the on-policy one. Fused with on-policy samples
# they cost almost nothing in variance -- but keeping only the ratios up to
# :math:`t` (``up to t``) then leaves a bias many standard errors wide: the
# reward-to-go of the expert's half of the mixture is the expert's, not
# :math:`\pi`'s.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "off_policy_gradient_with_demos.png"))
    table = out["table"]
    on_policy = row(table, "on-policy", True)
    assert row(table, "on-policy", False) == {**on_policy, "future_ratios": False}, table  # all ratios are 1
    for sampler in ("on-policy", "demos", "fusion"):
        unbiased = row(table, sampler, True)
        assert unbiased["bias"] < 5 * unbiased["bias_se"], unbiased  # unbiased: within the noise
    demos = row(table, "demos", True)
    assert demos["ess"] < 0.01 * demos["n"] and demos["variance"] > 100 * on_policy["variance"], demos
    assert row(table, "fusion", True)["variance"] < 2 * on_policy["variance"], table
    truncated = row(table, "fusion", False)
    assert truncated["bias"] > 5 * truncated["bias_se"], truncated  # biased, measurably
