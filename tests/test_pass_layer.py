"""The pass layer: plans that form Q and policy on demand, visitation from a plan, memory checks, Ctrl-C.

The lean public path must give what the eager path gives, bit for bit: a
plan's ``Q`` and ``policy`` formed from ``V`` on first access equal the arrays
the backward pass would have kept, and ``visitation(mdp, plan)`` equals
``visitation(mdp, plan.policy, horizon=T)``.
"""

import dataclasses
import gc
import signal
import threading
import traceback

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import reference as ref
from helpers import seeds, tiny_problem, tiny_sizes
from tabular_irl import (
    _kernels,
    gridworld,
    random_mdp,
    soft_backward,
    soft_backward_batch,
    value_iteration,
    visitation,
)
from tabular_irl.rl import policy_gradient

MODELS = [  # (causal, temperature, hard)
    (True, 1.0, False),
    (True, 0.4, False),
    (False, 1.0, False),
    (False, 2.5, False),
    (True, 1.0, True),
]


def _plan(mdp, r, T, discount, causal, tau, hard):
    if hard:
        return value_iteration(mdp, r, horizon=T, discount=discount)
    return soft_backward(mdp, r, horizon=T, discount=discount, causal=causal, temperature=tau)


@given(tiny_sizes, seeds, st.sampled_from(MODELS), st.sampled_from([None, 0.9]))
def test_plan_forms_q_and_policy_on_demand_with_the_passes_bits(sizes, seed, model, discount):
    S, A, T = sizes
    causal, tau, hard = model
    if not causal:
        discount = None
    mdp, P, init, r = tiny_problem(seed, S, A, reward_scale=3.0)
    r = np.ascontiguousarray(r)
    plan = _plan(mdp, r, T, discount, causal, tau, hard)
    assert plan._lazy.formed("Q") is None and plan._lazy.formed("policy") is None  # V only
    mode = _kernels.MODE_HARD if hard else (_kernels.MODE_CAUSAL if causal else _kernels.MODE_NONCAUSAL)
    V, Q, pi = _kernels.backward_finite(*mdp._kernel_parts(), r, T, 1.0 if discount is None else discount,
                                        1.0 if hard else tau, mode, 1)
    assert_array_equal(plan.V, V)
    assert_array_equal(plan.policy, pi)  # formed again from V: the same operations, the same bits
    assert_array_equal(plan.Q, Q)
    assert plan.Q is plan.Q and not plan.policy.flags.writeable  # cached, read-only
    # and the truth, for the soft models: the dense NumPy twin
    if not hard:
        Vr, Qr, pir = ref.backward(P, r, T, gamma=1.0 if discount is None else discount, tau=tau,
                                   mode="causal" if causal else "noncausal")
        assert_allclose(plan.Q, Qr, rtol=0, atol=1e-10)
        assert_allclose(plan.policy, pir, rtol=0, atol=1e-10)


@given(tiny_sizes, seeds, st.sampled_from(MODELS), st.sampled_from([None, 0.9]), st.booleans())
def test_visitation_of_a_plan_equals_visitation_of_its_policy(sizes, seed, model, discount, formed_first):
    S, A, T = sizes
    causal, tau, hard = model
    if not causal:
        discount = None
    mdp, P, init, r = tiny_problem(seed, S, A, reward_scale=3.0, sparse_initial=True)
    plan = _plan(mdp, r, T, discount, causal, tau, hard)
    if formed_first:  # the plan's own policy is then rolled forward instead of formed again
        plan.policy
    lean = visitation(mdp, plan)
    assert lean.horizon == T and lean.discount == plan.discount
    if not formed_first:
        assert plan._lazy.formed("policy") is None  # the lean path never formed it
    assert lean._lazy.formed("state_action") is None  # nor the state-action visitation
    eager = visitation(mdp, plan.policy, horizon=T, discount=discount)
    assert_array_equal(lean.state, eager.state)
    assert_array_equal(lean.total_state_action, eager.total_state_action)
    assert_array_equal(lean.state_action, eager.state_action)  # formed on first access
    assert not lean.state_action.flags.writeable
    # with a start distribution of its own
    start = np.full(S, 1.0 / S)
    assert_array_equal(visitation(mdp, plan, initial=start).state,
                       visitation(mdp, plan.policy, horizon=T, discount=discount, initial=start).state)
    # the truth: every trajectory enumerated under the plan's policy
    D, mu = ref.forward(P, init, plan.policy, T)
    assert_allclose(lean.state, D, rtol=0, atol=1e-12)


def test_visitation_of_a_stationary_plan_is_its_occupancy():
    world = gridworld(4, slip=0.2)
    plan = soft_backward(world.mdp, world.reward, discount=0.9)
    vis = visitation(world.mdp, plan)
    want = visitation(world.mdp, plan.policy, discount=0.9)
    assert vis.horizon is None
    assert_array_equal(vis.state, want.state)
    assert_array_equal(vis.total_state_action, want.total_state_action)
    # a stationary plan rolled forward for a horizon, as a stationary policy may be
    rolled = visitation(world.mdp, plan, horizon=7)
    assert_array_equal(rolled.state, visitation(world.mdp, plan.policy, horizon=7).state)


def test_visitation_of_a_plan_checks_its_model():
    world = gridworld(4, slip=0.2)
    plan = soft_backward(world.mdp, world.reward, horizon=5)
    assert visitation(world.mdp, plan, horizon=5).horizon == 5  # the plan's own horizon may be repeated
    with pytest.raises(ValueError, match=r"horizon=6 differs from the plan's horizon 5"):
        visitation(world.mdp, plan, horizon=6)
    with pytest.raises(ValueError, match=r"discount=0.5 differs from the plan's discount 1.0"):
        visitation(world.mdp, plan, discount=0.5)
    with pytest.raises(ValueError, match=r"plan for 16 states, but mdp has 25"):
        visitation(gridworld(5).mdp, plan)


def test_visitation_of_a_plan_on_another_mdp_rolls_its_policy_under_that_mdp():
    slippery, still = gridworld(4, slip=0.3), gridworld(4, slip=0.0)
    plan = soft_backward(slippery.mdp, slippery.reward, horizon=5)
    vis = visitation(still.mdp, plan)
    assert_array_equal(vis.state, visitation(still.mdp, plan.policy, horizon=5).state)
    # a replaced plan (V no longer the pass's own) is rolled forward through its policy too
    edited = dataclasses.replace(plan, V=plan.V + 1.0)
    assert_array_equal(edited.policy, plan.policy)
    assert_array_equal(visitation(slippery.mdp, edited).state, visitation(slippery.mdp, plan).state)


# --------------------------------------------------------------------------
# memory up front
# --------------------------------------------------------------------------

def test_outputs_that_cannot_fit_fail_at_once_with_the_bytes_they_need(monkeypatch):
    world = gridworld(8, slip=0.2)  # 64 states, 5 actions
    monkeypatch.setenv("TABULAR_IRL_MEMORY_LIMIT", "20K")  # V (17, 64) fits (8.7 kB); (16, 64, 5) arrays (41 kB) do not
    plan = soft_backward(world.mdp, world.reward, horizon=16)
    vis = visitation(world.mdp, plan)  # the lean path needs no (T, S, A) array
    assert vis.state.shape == (17, 64)
    with pytest.raises(MemoryError, match=r"the plan's policy \(T, S, A\) = \(16, 64, 5\) needs 41 kB, more than "
                                          r"the 20.5 kB .*visitation\(mdp, plan\)"):
        plan.policy
    with pytest.raises(MemoryError, match=r"state_action \(T, S, A\) = \(16, 64, 5\)"):
        vis.state_action
    with pytest.raises(MemoryError, match=r"the values V \(T\+1, S\) = \(100001, 64\) needs 51.2 MB"):
        soft_backward(world.mdp, world.reward, horizon=100_000)
    monkeypatch.delenv("TABULAR_IRL_MEMORY_LIMIT")
    assert plan.policy.shape == (16, 64, 5)  # nothing was half-made: the same plan forms it now


# --------------------------------------------------------------------------
# Ctrl-C
# --------------------------------------------------------------------------

class _Stop(Exception):
    pass


def _interrupted_inside_the_kernel(call) -> bool:
    """Run ``call`` with a signal sent 0.2 s in; True when the handler's exception left a kernel's time loop.

    A kernel that never looked for signals would run to its end and the
    exception would be raised afterwards, from Python code: the traceback
    tells them apart (Cython adds the kernel's frame), with no timing.
    """
    def handler(signum, frame):
        raise _Stop

    previous = signal.signal(signal.SIGUSR1, handler)
    timer = threading.Timer(0.2, signal.pthread_kill, (threading.main_thread().ident, signal.SIGUSR1))
    gc.disable()  # a collection in Python code before the kernel starts could outlast the delay
    try:
        timer.start()
        with pytest.raises(_Stop) as info:
            call()
            threading.Event().wait(5)  # the pass ended before the signal: let it land here instead
    finally:
        gc.enable()
        timer.cancel()
        signal.signal(signal.SIGUSR1, previous)
    return any("_kernels" in frame.filename for frame in traceback.extract_tb(info.tb))


@pytest.fixture(scope="module")
def slow_problem():
    """A dense-ish random MDP (500 states, 5 actions, 200 successors: ~0.4 ms a step) and a plan over 3000 steps."""
    problem = random_mdp(500, 5, 200, seed=0)
    r = np.ascontiguousarray(np.broadcast_to(problem.reward[:, None], (500, 5)))
    return problem.mdp, r, soft_backward(problem.mdp, r, horizon=3000)


@pytest.mark.parametrize("which", ["backward", "discounted", "plan_policy", "rollout", "plan_rollout", "batch",
                                   "policy_gradient"])
def test_ctrl_c_stops_a_long_pass_from_inside_the_kernel(slow_problem, which):
    mdp, r, plan = slow_problem
    T = plan.horizon
    calls = {
        "backward": lambda: soft_backward(mdp, r, horizon=T),
        "discounted": lambda: soft_backward(mdp, r, discount=0.999999, tol=1e-300, max_iter=10**6),
        "plan_policy": lambda: plan.policy,
        "rollout": lambda: visitation(mdp, np.full((500, 5), 0.2), horizon=T),
        "plan_rollout": lambda: visitation(mdp, plan),
        "batch": lambda: soft_backward_batch(mdp, np.stack([r, -r]), horizon=T),
        "policy_gradient": lambda: policy_gradient(mdp, r, np.zeros((500, 5)), horizon=T),
    }
    assert _interrupted_inside_the_kernel(calls[which])
    assert plan._lazy.formed("policy") is None  # nothing half-made is kept


# --------------------------------------------------------------------------
# an unbuilt checkout
# --------------------------------------------------------------------------

def test_unbuilt_checkout_says_what_to_run(tmp_path, monkeypatch):
    import tabular_irl._passes as passes

    (tmp_path / "tabular_irl").mkdir()
    monkeypatch.setattr(passes, "__file__", str(tmp_path / "tabular_irl" / "_passes.py"))
    elsewhere = passes._not_built_message(ImportError("no module named _kernels"))
    assert "pip install --force-reinstall tabular_irl" in elsewhere
    (tmp_path / "csrc").mkdir()
    (tmp_path / "csrc" / "_kernels.pyx").write_text("")
    checkout = passes._not_built_message(ImportError("no module named _kernels"))
    assert f"imported from its source checkout ({tmp_path})" in checkout
    assert f"run `pip install -e .` in {tmp_path}" in checkout
    (tmp_path / "tabular_irl" / "_kernels.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")  # built, but broken
    broken = passes._not_built_message(ImportError("undefined symbol: omp_get_max_threads"))
    assert "cannot be imported (undefined symbol: omp_get_max_threads): rebuild them with" in broken


def test_builders_refuse_what_cannot_fit_before_allocating():
    """gridworld(100000) is 10^10 states: a MemoryError naming the bytes at once, not NumPy's from a temporary."""
    from tabular_irl import objectworld

    with pytest.raises(MemoryError, match=r"gridworld\(100000, 100000\) \(10,000,000,000 states\) needs 7.29 TB, more than the "):
        gridworld(100_000)
    with pytest.raises(MemoryError, match=r"objectworld\(size=100000\)"):
        objectworld(100_000)
    with pytest.raises(MemoryError, match=r"random_mdp\(10,000,000,000 states, 5 actions, branching 4\)"):
        random_mdp(10**10, 5, 4)


@given(tiny_sizes, seeds, st.sampled_from([1.0, 0.9]), st.booleans())
def test_evaluate_policy_kernel_is_the_bellman_expectation(sizes, seed, gamma, stationary):
    """V_t = sum_a pi_t Q_t, Q_t = r + gamma P V_{t+1}: against a dense NumPy twin and enumeration of trajectories."""
    from tabular_irl import _passes

    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A, reward_scale=3.0)
    rng = np.random.default_rng(seed)
    pi = rng.dirichlet(np.ones(A), size=(S,) if stationary else (T, S))
    V, Q = _passes.evaluate_policy(mdp, np.ascontiguousarray(r), pi, T, gamma)
    Vr = np.zeros((T + 1, S))
    for t in range(T - 1, -1, -1):
        Qt = r + gamma * np.einsum("sap,p->sa", P, Vr[t + 1])
        assert_allclose(Q[t], Qt, rtol=0, atol=1e-12)
        Vr[t] = ((pi if stationary else pi[t]) * Qt).sum(axis=1)
    assert_allclose(V, Vr, rtol=0, atol=1e-12)
    _, _, ret = ref.enumerate_policy(P, init, pi, T, r, gamma=gamma)
    assert_allclose(init @ V[0], ret, rtol=0, atol=1e-10)


@given(tiny_sizes, seeds, st.sampled_from([1.0, 0.9]), st.booleans())
def test_policy_gradient_kernel_is_the_policy_gradient_theorem(sizes, seed, gamma, stationary):
    """V of softmax(logits) and G_t = gamma^t D_t pi_t (Q_t - V_t): against a dense NumPy twin of both passes."""
    from tabular_irl import _passes

    S, A, T = sizes
    mdp, P, init, r = tiny_problem(seed, S, A, reward_scale=3.0)
    logits = 2.0 * np.random.default_rng(seed).normal(size=(S, A) if stationary else (T, S, A))
    V, G = _passes.policy_gradient(mdp, np.ascontiguousarray(r), logits, T, gamma, init)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    pi = np.broadcast_to(e / e.sum(axis=-1, keepdims=True), (T, S, A))
    Vr, Qr, D = np.zeros((T + 1, S)), np.empty((T, S, A)), np.empty((T + 1, S))
    for t in range(T - 1, -1, -1):
        Qr[t] = r + gamma * np.einsum("sap,p->sa", P, Vr[t + 1])
        Vr[t] = (pi[t] * Qr[t]).sum(axis=1)
    D[0] = init
    for t in range(T):
        D[t + 1] = np.einsum("sa,sap->p", D[t][:, None] * pi[t], P)
    Gr = gamma ** np.arange(T)[:, None, None] * D[:T, :, None] * pi * (Qr - Vr[:T, :, None])
    assert_allclose(V, Vr, rtol=0, atol=1e-12)
    assert_allclose(G, Gr, rtol=0, atol=1e-12)
