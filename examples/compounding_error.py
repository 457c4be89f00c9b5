r"""
Compounding error: behavioural cloning's gap grows quadratically in T
=====================================================================

A learner that disagrees with the expert with probability :math:`\epsilon` per
step *on the expert's state distribution*,

.. math::

    \epsilon = \frac1T \sum_{t<T} \mathbb{E}_{s \sim D^E_t}
        \Big[1 - \sum_a \min\big(\pi^E_t(a \mid s), \pi_t(a \mid s)\big)\Big],

can lose up to :math:`T^2 \epsilon R` over :math:`T` steps, with
:math:`R = \max r - \min r` (Ross & Bagnell 2010):

.. math::

    J(\pi^E) - J(\pi) \le T^2 \epsilon R.

One mistake may lead to states the expert never showed, and the losses compound.
On the *tightrope* -- stay on the rope and earn 1 per step, or slip into an
absorbing state worth nothing -- a learner that slips with probability
:math:`\epsilon` at every step is still on the rope at step :math:`t` with
probability :math:`(1 - \epsilon)^t`, so

.. math::

    J(\pi^E) - J(\pi) = \sum_{t<T} \big[1 - (1 - \epsilon)^{t+1}\big]
        \approx \frac{T (T + 1)}{2}\, \epsilon \quad (T \epsilon \ll 1),

quadratic in :math:`T`, within a factor of about two of the bound. When the fall
can be undone (the *recoverable* rope: from the ground any action climbs back in
one step), the probability :math:`p_t` of being on the rope obeys
:math:`p_{t+1} = 1 - \epsilon p_t`, and

.. math::

    J(\pi^E) - J(\pi) = \sum_{t<T} \big[1 - (1 - \epsilon) p_t\big]
        \approx \frac{2 T \epsilon}{1 + \epsilon},

linear in :math:`T` (a slip costs two steps' reward: the slip and the step on
the ground). That is the rate the performance difference lemma gives in terms
of the error :math:`\epsilon_{own}` on the learner's *own* distribution,

.. math::

    J(\pi^E) - J(\pi) = \sum_{t<T} \mathbb{E}_{s \sim D^\pi_t}
        \Big[\sum_a \big(\pi^E_t(a \mid s) - \pi_t(a \mid s)\big) Q^E_t(s, a)\Big]
        \le T \epsilon_{own} u,

with :math:`u` the largest spread :math:`\max_a Q^E_t(s, a) - \min_a Q^E_t(s, a)`
of the expert's action values: the guarantee of on-policy learners such as
DAgger, on every MDP where mistakes can be undone (Ross, Gordon & Bagnell 2011).

Every number here is exact (:func:`tabular_irl.rl.imitation_gap`: the gap is a
difference of two exact returns, :math:`\epsilon` an exact expectation), and the
gap is checked against the two recursions above, written out by hand; the figure is
:func:`tabular_irl.plotting.plot_imitation_gap`, the gaps with both bounds, log-log.

Run ``python examples/compounding_error.py [FIGURE.png]`` (default: ``compounding_error.png``
in ``$TABULAR_IRL_FIGURE_DIR`` or the current directory; no figure without matplotlib).
"""

from __future__ import annotations

import os
import sys

import numpy as np

from tabular_irl import MDP
from tabular_irl.plotting import plot_imitation_gap, save_figure
from tabular_irl.rl import imitation_gap

EXPERT = np.array([[1.0, 0.0], [0.5, 0.5]])  # stay on the rope; anything once fallen


# %%
# The two ropes
# -------------
# State 0 is the rope: action 0 stays on it and earns 1, action 1 slips off and
# earns nothing. State 1 is the ground, worth nothing; on the tightrope it is
# absorbing, on the recoverable rope every action climbs back. The expert never
# slips; the learner slips with probability :math:`\epsilon` at every step and
# acts like the expert on the ground, so its error on the expert's distribution
# is exactly :math:`\epsilon`.


def tightrope(recoverable: bool) -> tuple[MDP, np.ndarray]:
    """State 0 is the rope (action 0 stays and earns 1, action 1 slips), state 1 the ground."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = 1.0
    P[1, :, 0 if recoverable else 1] = 1.0
    return MDP.from_dense(P, initial=[1.0, 0.0]), np.array([[1.0, 0.0], [0.0, 0.0]])


# %%
# The gap by hand
# ---------------
# The expert earns 1 at every step; the learner earns 1 at step :math:`t` when it
# is on the rope (probability :math:`p_t`) and stays there (probability
# :math:`1 - \epsilon`). The recursion for :math:`p_t` is the only difference
# between the two ropes.


def hand_gap(T: int, epsilon: float, recoverable: bool) -> float:
    """``J(expert) - J(learner)`` by the recursion ``p_{t+1} = p_t (1 - eps) (+ 1 - p_t when recoverable)``."""
    on_rope, gap = 1.0, 0.0
    for _ in range(T):
        gap += 1.0 - on_rope * (1.0 - epsilon)
        on_rope = on_rope * (1.0 - epsilon) + ((1.0 - on_rope) if recoverable else 0.0)
    return gap


def main(figure: str | os.PathLike | None = None, epsilon: float = 0.01,
         horizons: tuple[int, ...] = (5, 10, 20, 40)) -> dict:
    """Print the exact gap against ``T^2 eps R`` and ``T eps R`` for both ropes; return the tables."""
    learner = np.array([[1.0 - epsilon, epsilon], [0.5, 0.5]])
    tables, gaps, hand_error = {}, {}, 0.0
    for name, recoverable in (("tightrope", False), ("recoverable", True)):
        mdp, r = tightrope(recoverable)
        rows, gaps[name] = [], []
        for T in horizons:
            out = imitation_gap(mdp, r, EXPERT, learner, horizon=T)
            gaps[name].append(out)
            hand_error = max(hand_error, abs(out.gap - hand_gap(T, epsilon, recoverable)))
            rows.append((T, out.gap, out.bc_bound, T * out.epsilon * out.reward_range, out.online_bound))
        tables[name] = np.array(rows)
        print(f"{name} (epsilon = {epsilon}):")
        print("|  T | exact gap | T^2 eps R | T eps R | T eps_own u |")
        print("|----|-----------|-----------|---------|-------------|")
        for T, gap, quad, lin, online in rows:
            print(f"| {int(T):>2} | {gap:9.4f} | {quad:9.3f} | {lin:7.3f} | {online:11.4f} |")
    print(f"max |exact gap - gap by hand| = {hand_error:.1e}")

    def draw(plt):
        fig, ax = plt.subplots(figsize=(5.5, 4))
        plot_imitation_gap(gaps, ax=ax, title="compounding error, exactly")
        return fig

    return {"tables": tables, "hand_error": hand_error, "figure": save_figure(draw, figure, dpi=80)}


# %%
# Running it
# ----------
# The exact gaps equal the hand recursions to rounding. On the tightrope the gap
# stays below :math:`T^2 \epsilon R` and within a factor of about two of it at
# every horizon: the quadratic bound is nearly attained. On the recoverable rope
# it stays below :math:`2 T \epsilon R` -- linear -- and below the on-policy bound
# :math:`T \epsilon_{own} u`. In the figure (log-log) the tightrope's gap runs
# parallel to :math:`T^2 \epsilon R`, the recoverable rope's to :math:`T \epsilon R`.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "compounding_error.png"))
    rope, recoverable = out["tables"]["tightrope"], out["tables"]["recoverable"]
    # columns: T, gap, T^2 eps R, T eps R, T eps_own u
    assert out["hand_error"] < 1e-12, out["hand_error"]
    assert np.all(rope[:, 1] <= rope[:, 2]) and np.all(rope[:, 1] > 0.45 * rope[:, 2]), rope  # quadratic
    assert np.all(recoverable[:, 1] <= 2 * recoverable[:, 3]), recoverable  # linear when a slip can be undone
    for table in (rope, recoverable):
        assert np.all(table[:, 1] <= table[:, 4] + 1e-12), table  # the performance difference bound holds
