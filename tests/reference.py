"""Oracles for the kernels: plain NumPy twins over dense ``P[s, a, s']`` and brute force.

Nothing here imports the compiled kernels. The twins follow the textbook
recursions on dense arrays; the brute-force functions enumerate every
trajectory (or every deterministic policy) of a tiny MDP and know nothing
about message passing. Tests check kernels == twins == brute force.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.special import logsumexp

# --------------------------------------------------------------------------
# NumPy twins
# --------------------------------------------------------------------------


def backward(P, r, T, *, gamma=1.0, tau=1.0, mode="causal"):
    """Finite-horizon backward pass. P (S, A, S), r (S, A). Returns V (T+1, S), Q, pi (T, S, A)."""
    S, A, _ = P.shape
    V = np.zeros((T + 1, S))
    Q = np.zeros((T, S, A))
    pi = np.zeros((T, S, A))
    for t in range(T - 1, -1, -1):
        Q[t], V[t], pi[t] = _backup(P, r, V[t + 1], gamma, tau, mode)
    return V, Q, pi


def _backup(P, r, vnext, gamma, tau, mode):
    if mode == "noncausal":
        with np.errstate(divide="ignore"):
            logP = np.log(P)
        q = r + tau * logsumexp(logP + vnext[None, None, :] / tau, axis=2)
    else:
        q = r + gamma * P @ vnext
    if mode == "hard":
        v = q.max(axis=1)
        pi = np.eye(q.shape[1])[q.argmax(axis=1)]
    else:
        v = tau * logsumexp(q / tau, axis=1)
        pi = np.exp((q - v[:, None]) / tau)
    return q, v, pi


def discounted_backward(P, r, gamma, *, tau=1.0, mode="causal", n_iter=None):
    """Value iteration run far past convergence: ``gamma^n_iter`` below 1e-17 of the value scale."""
    S = P.shape[0]
    if n_iter is None:
        scale = max(1.0, np.abs(r).max() / (1 - gamma) + np.log(P.shape[1]) * tau / (1 - gamma))
        n_iter = 1 + int(np.ceil(np.log(1e-17 / scale) / np.log(gamma))) if gamma > 0 else 1
    V = np.zeros(S)
    for _ in range(n_iter):
        Q, V, pi = _backup(P, r, V, gamma, tau, mode)
    return V, Q, pi


def forward(P, initial, policy, T):
    """Roll ``policy`` ((S, A) or (T, S, A)) forward. Returns D (T+1, S), mu (T, S, A)."""
    S, A, _ = P.shape
    D = np.zeros((T + 1, S))
    mu = np.zeros((T, S, A))
    D[0] = initial
    for t in range(T):
        pt = policy if policy.ndim == 2 else policy[t]
        mu[t] = D[t][:, None] * pt
        D[t + 1] = np.einsum("sa,sap->p", mu[t], P)
    return D, mu


def posterior(P, r, initial, T, *, tau=1.0):
    """Non-causal marginals by log-space alpha-beta on dense arrays.

    ``beta_t = exp(V_t / tau)`` from the non-causal backward twin; ``alpha_0 =
    initial / beta_0`` (each start state normalised by its own partition
    function), ``alpha_{t+1}(s') = sum_{s,a} alpha_t(s) exp(r(s,a)/tau) P(s'|s,a)``.
    Returns D (T+1, S), mu (T, S, A), log_partition.
    """
    V, _, _ = backward(P, r, T, tau=tau, mode="noncausal")
    S, A, _ = P.shape
    with np.errstate(divide="ignore"):
        logP = np.log(P)
        log_alpha = np.log(initial) - V[0] / tau
    D = np.zeros((T + 1, S))
    mu = np.zeros((T, S, A))
    for t in range(T):
        D[t] = np.exp(log_alpha + V[t] / tau)
        # log sum_s' P exp(V_{t+1}/tau) for each (s, a)
        log_cont = logsumexp(logP + V[t + 1][None, None, :] / tau, axis=2)
        mu[t] = np.exp(log_alpha[:, None] + r / tau + log_cont)
        log_alpha = logsumexp(log_alpha[:, None, None] + r[:, :, None] / tau + logP, axis=(0, 1))
    D[T] = np.exp(log_alpha + V[T] / tau)
    return D, mu, float(initial @ V[0])


def occupancy(P, initial, policy, gamma):
    """Discounted occupancy by a dense solve of ``(I - gamma P_pi^T) d = initial``."""
    S = P.shape[0]
    P_pi = np.einsum("sa,sap->sp", policy, P)
    d = np.linalg.solve(np.eye(S) - gamma * P_pi.T, initial)
    return d, d[:, None] * policy


# --------------------------------------------------------------------------
# Brute force
# --------------------------------------------------------------------------


def all_trajectories(S, A, T):
    """Every ``(states (T+1,), actions (T,))`` pair; S^(T+1) A^T of them."""
    for states in itertools.product(range(S), repeat=T + 1):
        for actions in itertools.product(range(A), repeat=T):
            yield np.array(states), np.array(actions)


def _dynamics_logprob(P, states, actions):
    """``sum_t log P(s_{t+1} | s_t, a_t)`` (-inf when impossible)."""
    p = P[states[:-1], actions, states[1:]]
    with np.errstate(divide="ignore"):
        return float(np.log(p).sum())


def enumerate_noncausal(P, r, initial, T, *, tau=1.0):
    """Trajectory-level MaxEnt by enumeration.

    ``p(traj | s0) ∝ prod P exp(R / tau)``; ``s0 ~ initial``.
    Returns log_partition ``sum_s0 initial(s0) tau log Z(s0)``, D (T+1, S), mu (T, S, A).
    """
    S, A, _ = P.shape
    trajs = [(s, a) for s, a in all_trajectories(S, A, T) if np.isfinite(_dynamics_logprob(P, s, a))]
    logw = np.array([_dynamics_logprob(P, s, a) + r[s[:-1], a].sum() / tau for s, a in trajs])
    starts = np.array([s[0] for s, _ in trajs])
    logZ = np.full(S, -np.inf)
    for s0 in range(S):
        if np.any(starts == s0):
            logZ[s0] = logsumexp(logw[starts == s0])
    D = np.zeros((T + 1, S))
    mu = np.zeros((T, S, A))
    for (s, a), lw, s0 in zip(trajs, logw, starts):
        w = initial[s0] * np.exp(lw - logZ[s0])
        D[np.arange(T + 1), s] += w
        mu[np.arange(T), s[:-1], a] += w
    mask = initial > 0
    return float(initial[mask] @ (tau * logZ[mask])), D, mu


def enumerate_policy(P, initial, policy, T, r=None, *, gamma=1.0, tau=None):
    """Visitation of ``policy`` by enumerating trajectories with their probabilities.

    With ``r`` also returns ``E[sum_t gamma^t r(s_t, a_t)]`` and, with ``tau``,
    ``E[sum_t gamma^t (r - tau log pi_t(a_t|s_t))]`` -- which equals
    ``initial @ V_0`` for the causal soft-optimal policy.
    """
    S, A, _ = P.shape
    D = np.zeros((T + 1, S))
    mu = np.zeros((T, S, A))
    ret = 0.0
    for s, a in all_trajectories(S, A, T):
        pis = np.array([(policy if policy.ndim == 2 else policy[t])[s[t], a[t]] for t in range(T)])
        p = initial[s[0]] * np.prod(pis) * np.prod(P[s[:-1], a, s[1:]])
        if p == 0.0:
            continue
        D[np.arange(T + 1), s] += p
        mu[np.arange(T), s[:-1], a] += p
        if r is not None:
            disc = gamma ** np.arange(T)
            step = r[s[:-1], a]
            if tau is not None:
                step = step - tau * np.log(pis)
            ret += p * float(disc @ step)
    return D, mu, ret


def best_deterministic_return(P, r, initial, T, *, gamma=1.0):
    """Max over all deterministic Markov policies ``(T, S) -> A`` of the expected return."""
    S, A, _ = P.shape
    best = -np.inf
    for choice in itertools.product(range(A), repeat=T * S):
        pol = np.eye(A)[np.array(choice).reshape(T, S)]
        D, mu = forward(P, initial, pol, T)
        best = max(best, float(np.einsum("t,tsa,sa->", gamma ** np.arange(T), mu, r)))
    return best


# --------------------------------------------------------------------------
# Sparse NumPy/SciPy twins: the tuned baseline the benchmarks compare against
# --------------------------------------------------------------------------


def _softmax_rows(q, tau):
    """(V, pi) of a (S, A) table, reusing exp(q - max) for the policy."""
    m = q.max(axis=1, keepdims=True)
    e = np.exp((q - m) / tau)
    z = e.sum(axis=1, keepdims=True)
    return (m + tau * np.log(z))[:, 0], e / z


def sparse_backward(P, r, T, *, gamma=1.0, tau=1.0, causal=True):
    """Finite-horizon soft backward pass over a CSR ``P (S*A, S)`` with scipy.sparse SpMV."""
    S, A = r.shape
    V = np.zeros((T + 1, S))
    Q = np.empty((T, S, A))
    pi = np.empty((T, S, A))
    rows = np.repeat(np.arange(S * A), np.diff(P.indptr))
    for t in range(T - 1, -1, -1):
        if causal:
            cont = P @ V[t + 1]
        else:
            vals = V[t + 1][P.indices] / tau
            m = np.maximum.reduceat(vals, P.indptr[:-1])
            cont = m + np.log(np.add.reduceat(P.data * np.exp(vals - m[rows]), P.indptr[:-1]))
            cont = tau * cont
        Q[t] = r + gamma * cont.reshape(S, A)
        V[t], pi[t] = _softmax_rows(Q[t], tau)
    return V, Q, pi


def sparse_forward(P_T, initial, policy, T):
    """Roll a policy forward with a precomputed ``P^T (S, S*A)``."""
    S, A = policy.shape[-2:]
    D = np.empty((T + 1, S))
    mu = np.empty((T, S, A))
    D[0] = initial
    for t in range(T):
        pt = policy if policy.ndim == 2 else policy[t]
        mu[t] = D[t][:, None] * pt
        D[t + 1] = P_T @ mu[t].ravel()
    return D, mu
