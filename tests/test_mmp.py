"""Maximum margin planning: margins, certificates, agreement of the two solvers, brute force."""

import itertools
import warnings

import numpy as np
import pytest
import scipy.optimize as opt
from numpy.testing import assert_allclose

import reference as ref
from helpers import random_dense_P, tiny_problem
from tabular_irl import MDP, ConvergenceWarning, Trajectories, sample_trajectories, soft_backward
from tabular_irl.irl.margin import max_margin_planning, mmp_margin_violations, mmp_objective

# Margins are compared after exact planning on both sides; what separates them is round-off
# in sums of O(T * |theta| * |phi|) terms.
MARGIN_ATOL = 1e-8


def _setup(seed, S=5, A=3, d=3, T=4, n=8, *, state_action=False, deterministic=False):
    mdp, P, init, r = tiny_problem(seed, S, A, deterministic=deterministic)
    rng = np.random.default_rng(seed + 100)
    phi = rng.normal(size=(S, A, d) if state_action else (S, d))
    plan = soft_backward(mdp, 2.0 * r, horizon=T)
    demos = sample_trajectories(mdp, plan.policy, n, horizon=T, seed=seed)
    return mdp, P, phi, demos


def _phi_sa(phi, A):
    return phi if phi.ndim == 3 else np.repeat(phi[:, None, :], A, axis=1)


def _hamming(states, actions, S, A):
    """l(s, a) = 1 where the demonstration decided in s and never took a there (independent twin)."""
    table = np.zeros((S, A))
    for s in set(states[:-1].tolist()):
        table[s] = 1.0
        table[s, actions[states[:-1] == s]] = 0.0
    return table


def _demo_features(phi_sa, states, actions, gamma):
    return sum(gamma**t * phi_sa[states[t], actions[t]] for t in range(len(actions)))


def _direct_violations(P, phi, demos, theta, T, gamma=1.0, loss=None):
    """max_pi [theta . mu_pi + L_i(pi)] - theta . mu_i by the dense NumPy backward twin."""
    S, A, _ = P.shape
    phi_sa = _phi_sa(phi, A)
    r = phi_sa @ theta
    out = []
    for i, (s, a) in enumerate(zip(demos.states, demos.actions)):
        table = _hamming(s, a, S, A) if loss is None else loss
        if T is None:
            V, _, _ = ref.discounted_backward(P, r + table, gamma, mode="hard")
            best = V[s[0]]
        else:
            V, _, _ = ref.backward(P, r + table, T, gamma=gamma, mode="hard")
            best = V[0, s[0]]
        out.append(best - theta @ _demo_features(phi_sa, s, a, gamma))
    return np.array(out)


@pytest.mark.parametrize("state_action", [False, True])
def test_margin_constraints_hold_up_to_slack(seed, state_action):
    mdp, P, phi, demos = _setup(seed, state_action=state_action)
    fit = max_margin_planning(mdp, phi, demos, horizon=4, C=5.0)
    assert fit.converged, fit.message
    b = _direct_violations(P, phi, demos, fit.theta, 4)
    # every margin constraint holds up to its slack, and the slack is the exact hinge
    assert np.all(b <= fit.slacks + MARGIN_ATOL)
    assert_allclose(fit.margin_violations, b, rtol=0, atol=MARGIN_ATOL)
    assert_allclose(fit.slacks, np.maximum(b, 0.0), rtol=0, atol=MARGIN_ATOL)


def test_objective_is_recomputed_exactly(seed):
    mdp, P, phi, demos = _setup(seed)
    C = 3.0
    fit = max_margin_planning(mdp, phi, demos, horizon=4, C=C)
    b = _direct_violations(P, phi, demos, fit.theta, 4)
    direct = 0.5 * fit.theta @ fit.theta + C * np.mean(np.maximum(b, 0.0))
    assert fit.objective == pytest.approx(direct, abs=1e-9)
    value, _ = mmp_objective(mdp, phi, fit.theta, demos, horizon=4, C=C)
    viol = mmp_margin_violations(mdp, phi, fit.theta, demos, horizon=4)
    assert value == pytest.approx(direct, abs=1e-9)
    assert_allclose(viol, b, rtol=0, atol=MARGIN_ATOL)
    # the certificate: lower_bound <= objective, and the gap is within C * tol
    assert fit.lower_bound <= fit.objective + 1e-12
    assert fit.gap <= C * 1e-8 + 1e-10


def test_subgradient_inequality(seed):
    """f(y) >= f(x) + g.(y - x) + 1/2 |y - x|^2: g is a subgradient of the 1-strongly convex f."""
    mdp, P, phi, demos = _setup(seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=3)
    fx, g = mmp_objective(mdp, phi, x, demos, horizon=4, C=2.0)
    for _ in range(10):
        y = x + rng.normal(size=3) * rng.choice([1e-3, 1e-1, 1.0])
        fy, _ = mmp_objective(mdp, phi, y, demos, horizon=4, C=2.0)
        assert fy >= fx + g @ (y - x) + 0.5 * (y - x) @ (y - x) - 1e-10


def test_subgradient_and_cutting_plane_agree(seed):
    mdp, P, phi, demos = _setup(seed)
    C = 2.0
    cp = max_margin_planning(mdp, phi, demos, horizon=4, C=C)
    sg = max_margin_planning(mdp, phi, demos, horizon=4, C=C, method="subgradient", tol=1e-4, max_iter=5000)
    assert cp.converged and sg.converged, (cp.message, sg.message)
    assert sg.method == "subgradient" and cp.method == "cutting_plane"
    # both certificates bracket the same optimum
    assert sg.lower_bound <= cp.objective + 1e-9
    assert cp.lower_bound <= sg.objective + 1e-9
    assert abs(sg.objective - cp.objective) <= C * 1e-4 + 1e-9
    # f is 1-strongly convex: |theta - theta*|^2 <= 2 (f(theta) - f*)
    dist = np.sqrt(2 * max(sg.objective - cp.lower_bound, 0.0)) + np.sqrt(2 * cp.gap)
    assert np.linalg.norm(sg.theta - cp.theta) <= dist + 1e-9
    assert np.linalg.norm(sg.theta - cp.theta) <= 0.05 * max(1.0, np.linalg.norm(cp.theta))
    # per-iteration records
    assert len(sg.history["objective"]) == sg.n_iter
    assert min(sg.history["objective"]) == pytest.approx(sg.objective)


@pytest.mark.parametrize("seed", [0, 1])
def test_cutting_plane_matches_brute_force_qp(seed):
    """The full QP over every deterministic Markov policy, solved by SLSQP, has the same optimum."""
    S, A, T, d, C = 3, 2, 2, 2, 4.0
    mdp, P, phi, demos = _setup(seed, S=S, A=A, d=d, T=T, n=4)
    phi_sa = _phi_sa(phi, A)
    rows, rhs, who = [], [], []
    for i, (s, a) in enumerate(zip(demos.states, demos.actions)):
        mu_i = _demo_features(phi_sa, s, a, 1.0)
        table = _hamming(s, a, S, A)
        for choice in itertools.product(range(A), repeat=T * S):
            pol = np.eye(A)[np.array(choice).reshape(T, S)]
            _, mu = ref.forward(P, np.eye(S)[s[0]], pol, T)
            counts = mu.sum(axis=0)
            rows.append(mu_i - np.einsum("sa,sak->k", counts, phi_sa))
            rhs.append(float(np.sum(counts * table)))
            who.append(i)
    # many policies share their counts: keep each distinct constraint once (SLSQP dislikes duplicates)
    table = np.unique(np.column_stack([who, rows, rhs]).round(12), axis=0)
    who, G, L, N = table[:, 0].astype(int), table[:, 1:-1], table[:, -1], len(demos)

    def fun(x):
        return 0.5 * x[:d] @ x[:d] + C / N * x[d:].sum()

    def jac(x):
        return np.concatenate([x[:d], np.full(N, C / N)])

    E = np.zeros((len(L), N))
    E[np.arange(len(L)), who] = 1.0
    cons = {"type": "ineq", "fun": lambda x: G @ x[:d] + E @ x[d:] - L, "jac": lambda x: np.hstack([G, E])}
    # SLSQP occasionally stops on degenerate (dependent) active constraints: restart from other
    # feasible points and keep the best successful solve
    solves = []
    for scale in (0.0, 0.5, 1.0, 2.0):
        psi0 = scale * np.random.default_rng(seed).normal(size=d)
        x0 = np.concatenate([psi0, np.full(N, np.abs(L).max() + np.abs(G @ psi0).max())])
        res = opt.minimize(fun, x0, jac=jac, constraints=[cons], bounds=[(None, None)] * d + [(0, None)] * N,
                           method="SLSQP", options={"ftol": 1e-14, "maxiter": 1000})
        if res.success:
            solves.append(res)
    assert solves, "SLSQP failed from every start"
    res = min(solves, key=lambda r: r.fun)
    fit = max_margin_planning(mdp, phi, demos, horizon=T, C=C)
    assert fit.objective == pytest.approx(res.fun, abs=1e-7)
    assert_allclose(fit.theta, res.x[:d], rtol=0, atol=1e-4)


def test_separable_expert_has_zero_slack_and_stays_optimal():
    """r = 1[a = a*(s)]: the expert earns the maximum each step, so theta* separates with margin >= Hamming loss."""
    S, A, T, C = 6, 3, 5, 1e4
    rng = np.random.default_rng(7)
    mdp = MDP.from_dense(random_dense_P(rng, S, A, deterministic=True), np.full(S, 1 / S))
    a_star = rng.integers(A, size=S)
    expert = np.eye(A)[a_star]  # (S, A) stationary policy
    phi = np.eye(S * A).reshape(S, A, S * A)  # one-hot state-action features
    demos = sample_trajectories(mdp, expert, 12, horizon=T, seed=3)
    fit = max_margin_planning(mdp, phi, demos, horizon=T, C=C)
    assert fit.converged, fit.message
    assert np.all(fit.slacks <= 1e-8)
    assert np.all(fit.margin_violations <= 1e-8)
    # the minimum-norm separating reward is no longer than theta* (which separates)
    assert np.linalg.norm(fit.theta) <= np.sqrt(S) + 1e-8
    # the expert is optimal for the learned reward from every demonstration's start
    P = mdp.to_dense()
    V, _, _ = ref.backward(P, fit.reward, T, mode="hard")
    for s0 in np.unique(demos.states[:, 0]):
        _, mu = ref.forward(P, np.eye(S)[s0], expert, T)
        assert float(np.sum(mu.sum(axis=0) * fit.reward)) >= V[0, s0] - 1e-8


def test_discounted_infinite_horizon(seed):
    mdp, P, phi, demos = _setup(seed)
    fit = max_margin_planning(mdp, phi, demos, discount=0.8, C=2.0)
    assert fit.converged, fit.message
    b = _direct_violations(P, phi, demos, fit.theta, None, gamma=0.8)
    # value iteration (tol 1e-10) against the twin run past convergence
    assert np.all(b <= fit.slacks + 1e-7)
    assert_allclose(fit.margin_violations, b, rtol=0, atol=1e-7)


def test_finite_horizon_with_discount_uses_discounted_counts(seed):
    mdp, P, phi, demos = _setup(seed)
    fit = max_margin_planning(mdp, phi, demos, horizon=4, discount=0.7, C=2.0)
    b = _direct_violations(P, phi, demos, fit.theta, 4, gamma=0.7)
    assert_allclose(fit.margin_violations, b, rtol=0, atol=MARGIN_ATOL)


def test_duplicated_demonstrations_change_nothing():
    mdp, P, phi, demos = _setup(0)
    twice = Trajectories(np.vstack([demos.states, demos.states]), np.vstack([demos.actions, demos.actions]))
    a = max_margin_planning(mdp, phi, demos, horizon=4)
    b = max_margin_planning(mdp, phi, twice, horizon=4)
    assert b.objective == pytest.approx(a.objective, abs=1e-9)
    assert_allclose(b.theta, a.theta, rtol=0, atol=1e-6)
    assert_allclose(b.slacks, np.concatenate([a.slacks, a.slacks]), rtol=0, atol=1e-8)


def test_loss_arrays_match_hamming_and_shared_tables():
    mdp, P, phi, demos = _setup(1)
    S, A = 5, 3
    tables = np.stack([_hamming(s, a, S, A) for s, a in zip(demos.states, demos.actions)])
    ham = max_margin_planning(mdp, phi, demos, horizon=4, C=2.0)
    per_demo = max_margin_planning(mdp, phi, demos, horizon=4, C=2.0, loss=tables)
    assert per_demo.objective == pytest.approx(ham.objective, abs=1e-9)
    assert_allclose(per_demo.theta, ham.theta, rtol=0, atol=1e-6)
    shared = np.random.default_rng(0).random((S, A))
    one = max_margin_planning(mdp, phi, demos, horizon=4, C=2.0, loss=shared)
    tiled = max_margin_planning(mdp, phi, demos, horizon=4, C=2.0, loss=np.broadcast_to(shared, (len(demos), S, A)))
    assert one.objective == pytest.approx(tiled.objective, abs=1e-9)
    b = _direct_violations(P, phi, demos, one.theta, 4, loss=shared)
    assert_allclose(one.margin_violations, b, rtol=0, atol=MARGIN_ATOL)


def test_sparse_state_features_match_dense():
    import scipy.sparse as sp

    mdp, P, phi, demos = _setup(2)
    dense = max_margin_planning(mdp, phi, demos, horizon=4)
    sparse = max_margin_planning(mdp, sp.csr_array(phi), demos, horizon=4)
    assert sparse.objective == pytest.approx(dense.objective, abs=1e-10)


def test_not_converged_warns_and_says_what_to_do():
    mdp, P, phi, demos = _setup(0)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        fit = max_margin_planning(mdp, phi, demos, horizon=4, max_iter=1)
    assert not fit.converged and "max_iter" in fit.message
    with pytest.warns(ConvergenceWarning, match="cutting_plane"):
        fit = max_margin_planning(mdp, phi, demos, horizon=4, method="subgradient", max_iter=2)
    assert not fit.converged
    assert fit.lower_bound <= fit.objective


def test_result_is_read_only():
    mdp, P, phi, demos = _setup(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = max_margin_planning(mdp, phi, demos, horizon=4)
    assert fit.reward.shape == (5, 3) and fit.slacks.shape == (len(demos),)
    with pytest.raises(ValueError):
        fit.theta[0] = 1.0


@pytest.mark.parametrize("kwargs,exc,match", [
    ({"C": 0.0}, ValueError, "C must"),
    ({"C": -1.0}, ValueError, "C must"),
    ({"C": float("nan")}, ValueError, "C must"),
    ({"C": float("inf")}, ValueError, "C must"),
    ({"C": "1"}, TypeError, "C must"),
    ({"C": True}, TypeError, "C must"),
    ({"loss": "l1"}, ValueError, "loss must be 'hamming'"),
    ({"loss": None}, TypeError, "loss must"),
    ({"loss": np.ones((5, 4))}, ValueError, r"loss must .*shape \(S, A\) = \(5, 3\)"),
    ({"loss": np.ones((4, 5, 3))}, ValueError, r"\(N, S, A\) = \(8, 5, 3\)"),
    ({"loss": -np.ones((5, 3))}, ValueError, "loss must be non-negative"),
    ({"loss": np.full((5, 3), np.nan)}, ValueError, "loss must be finite"),
    ({"horizon": 3}, ValueError, "demos must have horizon T=3"),
    ({"horizon": None}, ValueError, "give horizon"),
    ({"horizon": 4.0}, TypeError, "horizon must be an integer"),
    ({"discount": 1.5}, ValueError, "discount must be in"),
    ({"method": "newton"}, ValueError, "method must be one of"),
    ({"max_iter": 0}, ValueError, "max_iter must be >= 1"),
    ({"max_iter": 2.0}, TypeError, "max_iter must be an integer"),
    ({"tol": 0.0}, ValueError, "tol must be"),
    ({"tol": float("nan")}, ValueError, "tol must be a finite number > 0"),
])
def test_bad_input_names_the_argument(kwargs, exc, match):
    mdp, P, phi, demos = _setup(0)
    args = {"horizon": 4, **kwargs}
    with pytest.raises(exc, match=match):
        max_margin_planning(mdp, phi, demos, **args)


def test_bad_objects():
    mdp, P, phi, demos = _setup(0)
    with pytest.raises(TypeError, match="mdp must be"):
        max_margin_planning(P, phi, demos, horizon=4)
    with pytest.raises(TypeError, match="demos must be"):
        max_margin_planning(mdp, phi, demos.states, horizon=4)
    with pytest.raises(ValueError, match="features must"):
        max_margin_planning(mdp, phi[:4], demos, horizon=4)
    bad = Trajectories(np.full((1, 5), 9), np.zeros((1, 4), dtype=int))
    with pytest.raises(ValueError, match=r"demos\.states\[0, 0\] = 9 is not a state of this MDP"):
        max_margin_planning(mdp, phi, bad, horizon=4)
    with pytest.raises(ValueError, match="theta must have shape"):
        mmp_objective(mdp, phi, np.zeros(4), demos, horizon=4)
