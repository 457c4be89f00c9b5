r"""
The soft Bellman recursion by hand, against the compiled kernel
===============================================================

The soft Bellman recursion on a 3-state MDP, by hand, against the compiled kernel.

With every action weighted 1 and ``V_T = 0``, for ``t = T-1, ..., 0``:

.. math::

    Q_t(s, a) &= r(s, a) + \sum_{s'} P(s' \mid s, a) V_{t+1}(s')
        && \text{(causal, Ziebart 2010)} \\
    Q_t(s, a) &= r(s, a) + \log \sum_{s'} P(s' \mid s, a) e^{V_{t+1}(s')}
        && \text{(non-causal, Ziebart 2008)} \\
    V_t(s) &= \log \sum_a e^{Q_t(s, a)}, \qquad \pi_t(a \mid s) = e^{Q_t(s, a) - V_t(s)}.

Below the recursion is written with Python loops and ``math.exp`` / ``math.log``
(nothing vectorised, nothing stabilised: the rewards are small) and compared with
:func:`tabular_irl.soft_backward`, which runs the same recursion in log space over a
sparse ``P``. They agree to rounding (~1e-15). Jensen's inequality
(``log E e^V >= E V``) makes the non-causal values the larger ones; the two models
coincide only where the dynamics are deterministic.

Run ``python examples/soft_bellman_by_hand.py [FIGURE.png]`` (default: ``soft_bellman_by_hand.png``
in ``$TABULAR_IRL_FIGURE_DIR`` or the current directory; no figure without matplotlib).
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl.plotting import save_figure

# P[s][a][s']: state 0 is a crossroads, state 1 a risky corridor, state 2 a safe cell
P = [[[0.8, 0.2, 0.0], [0.1, 0.0, 0.9]],
     [[0.0, 0.5, 0.5], [0.3, 0.7, 0.0]],
     [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]]
R = [[0.0, -0.5], [1.0, 0.2], [0.3, 0.0]]  # r[s][a]
T = 4


# %%
# The recursion with Python loops
# -------------------------------
# One backward sweep from :math:`V_T = 0`; the only difference between the two
# models is how the successor values are averaged: an expectation of
# :math:`V_{t+1}` (causal) or the log of an expectation of :math:`e^{V_{t+1}}`
# (non-causal). The package runs the same sweep in
# :func:`tabular_irl.soft_backward`.


def hand_backward(P: list, r: list, T: int, causal: bool) -> tuple[list, list]:
    """``V[t][s]`` (``T+1`` rows) and ``policy[t][s][a]`` by the textbook recursion above."""
    S, A = len(P), len(P[0])
    V = [[0.0] * S for _ in range(T + 1)]
    policy = [[[0.0] * A for _ in range(S)] for _ in range(T)]
    for t in range(T - 1, -1, -1):
        for s in range(S):
            Q = []
            for a in range(A):
                if causal:
                    cont = sum(P[s][a][n] * V[t + 1][n] for n in range(S))
                else:
                    cont = math.log(sum(P[s][a][n] * math.exp(V[t + 1][n]) for n in range(S)))
                Q.append(r[s][a] + cont)
            V[t][s] = math.log(sum(math.exp(q) for q in Q))
            policy[t][s] = [math.exp(q - V[t][s]) for q in Q]
    return V, policy


def main(figure: str | os.PathLike | None = None) -> dict:
    """Print the hand and kernel values; return the largest differences and the Jensen gap."""
    mdp = tirl.MDP.from_dense(np.array(P), initial=[1.0, 0.0, 0.0])
    out = {}
    values = {}
    for causal in (True, False):
        name = "causal" if causal else "non-causal"
        V_hand, pi_hand = hand_backward(P, R, T, causal)
        plan = tirl.soft_backward(mdp, np.array(R), horizon=T, causal=causal)
        err_V = float(np.abs(np.array(V_hand) - plan.V).max())
        err_pi = float(np.abs(np.array(pi_hand) - plan.policy).max())
        out[f"{name.replace('-', '')}_error"] = max(err_V, err_pi)
        values[name] = (np.array(V_hand), plan.V)
        print(f"{name} model: V_t(s) by hand (rows t = 0..{T})")
        for t, row in enumerate(V_hand):
            print(f"  t={t}: " + "  ".join(f"{v:+.12f}" for v in row))
        print(f"  kernel vs hand: max |V| diff {err_V:.1e}, max |policy| diff {err_pi:.1e}")
    gap = values["non-causal"][0] - values["causal"][0]
    out["jensen_gap_min"] = float(gap.min())
    out["jensen_gap_max"] = float(gap.max())
    out["log_partition"] = {k: float(v[1][0] @ mdp.initial) for k, v in values.items()}
    print(f"V_noncausal - V_causal lies in [{gap.min():.4f}, {gap.max():.4f}] (>= 0: log E e^V >= E V)")

    def draw(plt):
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for (name, (hand, kernel)), style in zip(values.items(), ("-", "--")):
            for s in range(hand.shape[1]):
                ax.plot(range(T + 1), kernel[:, s], style, color=f"C{s}", label=f"{name}, s={s} (kernel)")
                ax.plot(range(T + 1), hand[:, s], "o", color=f"C{s}", mfc="none")
        ax.set(xlabel="t", ylabel="V_t(s)", title="soft values: kernel (lines) and by hand (circles)")
        ax.legend(fontsize=7)
        return fig

    out["figure"] = save_figure(draw, figure)
    return out


# %%
# Running it
# ----------
# The hand recursion and the kernel agree to rounding in both models, and the
# non-causal values are never below the causal ones (Jensen's inequality,
# :math:`\log \mathbb{E} e^{V} \ge \mathbb{E} V`), with equality only at
# :math:`t = T` where every :math:`V_T = 0`. The figure shows both models' values
# (kernel: lines, hand: circles).

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "soft_bellman_by_hand.png"))
    assert out["causal_error"] < 1e-12 and out["noncausal_error"] < 1e-12, out
    assert out["jensen_gap_min"] >= 0.0, out
