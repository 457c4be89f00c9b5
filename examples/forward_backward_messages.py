r"""
Forward and backward messages: alpha beta / Z is the posterior
==============================================================

Forward and backward messages of the MaxEnt trajectory model: alpha * beta / Z = posterior.

The non-causal (Ziebart 2008) model from a start state ``s_0`` is

.. math::

    p(\tau \mid s_0) = \frac{1}{Z} \prod_{t<T} e^{r(s_t, a_t)} P(s_{t+1} \mid s_t, a_t),

an HMM-like chain, so its marginals come from two messages, computed here in
probability space with plain NumPy (the rewards are small; the package's kernels
run the same recursions in log space):

.. math::

    \beta_T = 1, \quad \beta_t(s) = \sum_a e^{r(s, a)} \sum_{s'} P(s' \mid s, a) \beta_{t+1}(s'),
    \qquad Z = \beta_0(s_0), \\
    \alpha_0 = \mathbb{1}_{s_0}, \quad
    \alpha_{t+1}(s') = \sum_{s, a} \alpha_t(s) e^{r(s, a)} P(s' \mid s, a), \\
    \Pr(s_t = s) = \frac{\alpha_t(s) \beta_t(s)}{Z}, \quad
    \Pr(s_t = s, a_t = a) = \frac{\alpha_t(s) e^{r(s, a)} \sum_{s'} P(s' \mid s, a) \beta_{t+1}(s')}{Z}.

``log beta_t`` is the non-causal soft value ``V_t`` of :func:`tabular_irl.soft_backward`,
and ``alpha beta / Z`` is :func:`tabular_irl.posterior_marginals`; both are checked to
1e-12, and against brute-force enumeration of all ``3^4 * 2^4`` trajectories from ``s_0``.

Run ``python examples/forward_backward_messages.py [FIGURE.png]``.
"""

from __future__ import annotations

import itertools
import os
import sys

import numpy as np

import tabular_irl as tirl
from tabular_irl.plotting import save_figure

P = np.array([[[0.6, 0.4, 0.0], [0.0, 0.3, 0.7]],  # P[s, a, s']
              [[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]],
              [[0.2, 0.2, 0.6], [1.0, 0.0, 0.0]]])
R = np.array([[0.0, 0.4], [-0.3, 0.8], [0.5, -1.0]])  # r(s, a)
T, START = 4, 0


def messages(P: np.ndarray, r: np.ndarray, T: int, start: int):
    """``alpha (T+1, S)``, ``beta (T+1, S)``, ``Z``, ``D (T+1, S)``, ``mu (T, S, A)`` as in the equations above."""
    S = P.shape[0]
    w = np.exp(r)  # e^{r(s, a)}
    beta = np.ones((T + 1, S))
    for t in range(T - 1, -1, -1):
        beta[t] = (w * (P @ beta[t + 1])).sum(axis=1)
    alpha = np.zeros((T + 1, S))
    alpha[0, start] = 1.0
    for t in range(T):
        alpha[t + 1] = np.einsum("s,sa,sap->p", alpha[t], w, P)
    Z = beta[0, start]
    D = alpha * beta / Z
    mu = np.stack([alpha[t][:, None] * w * (P @ beta[t + 1]) for t in range(T)]) / Z
    return alpha, beta, Z, D, mu


def enumerate_marginals(P: np.ndarray, r: np.ndarray, T: int, start: int) -> np.ndarray:
    """``Pr(s_t = s)`` by summing ``prod e^r P`` over every trajectory from ``start``."""
    S, A = r.shape
    D = np.zeros((T + 1, S))
    for rest in itertools.product(range(S), repeat=T):
        states = (start, *rest)
        for actions in itertools.product(range(A), repeat=T):
            weight = np.prod([np.exp(r[states[t], actions[t]]) * P[states[t], actions[t], states[t + 1]]
                              for t in range(T)])
            D[np.arange(T + 1), states] += weight
    return D / D[0].sum()


def main(figure: str | os.PathLike | None = None) -> dict:
    """Compare the messages with the package's passes; return the largest differences."""
    alpha, beta, Z, D, mu = messages(P, R, T, START)
    initial = np.eye(P.shape[0])[START]
    mdp = tirl.MDP.from_dense(P, initial)
    V = tirl.soft_backward(mdp, R, horizon=T, causal=False).V
    post = tirl.posterior_marginals(mdp, R, horizon=T)
    out = {
        "log_beta_error": float(np.abs(np.log(beta) - V).max()),
        "log_Z_error": abs(float(np.log(Z)) - post.log_partition),
        "state_error": float(np.abs(D - post.state).max()),
        "state_action_error": float(np.abs(mu - post.state_action).max()),
        "enumeration_error": float(np.abs(enumerate_marginals(P, R, T, START) - post.state).max()),
    }
    print(f"Z = beta_0(s_0) = {Z:.12f}, log Z = {np.log(Z):.12f} (posterior_marginals: {post.log_partition:.12f})")
    print("Pr(s_t = s) = alpha_t(s) beta_t(s) / Z, rows t = 0..T:")
    for t in range(T + 1):
        print(f"  t={t}: " + "  ".join(f"{d:.6f}" for d in D[t]))
    for key, value in out.items():
        print(f"  {key:>20}: {value:.1e}")

    def draw(plt):
        fig, axes = plt.subplots(1, 3, figsize=(9, 3))
        for ax, (title, grid) in zip(axes, [("alpha_t(s)", alpha), ("beta_t(s)", beta),
                                            ("alpha beta / Z = Pr(s_t = s)", D)]):
            image = ax.imshow(grid.T, aspect="auto", cmap="viridis")
            ax.set(title=title, xlabel="t", ylabel="s", yticks=range(P.shape[0]))
            fig.colorbar(image, ax=ax)
        fig.tight_layout()
        return fig

    out["figure"] = save_figure(draw, figure)
    return out


# %%
# Running it
# ----------
# :math:`\log \beta_t` equals the non-causal soft values, :math:`\alpha_t \beta_t / Z`
# the posterior marginals of :func:`tabular_irl.posterior_marginals`, and both
# equal brute-force enumeration of every trajectory. The figure shows the two
# messages and their normalised product.

if __name__ == "__main__":
    out = main(sys.argv[1] if len(sys.argv) > 1 else
               os.path.join(os.environ.get("TABULAR_IRL_FIGURE_DIR", "."), "forward_backward_messages.png"))
    for key in ("log_beta_error", "log_Z_error", "state_error", "state_action_error", "enumeration_error"):
        assert out[key] < 1e-12, (key, out[key])
