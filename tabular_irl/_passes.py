r"""The pass layer: the one caller of the compiled kernels (``tabular_irl._kernels``).

Every exact quantity of the package is one of these passes over the sparse
transition matrix ``P (S*A, S)`` of a validated :class:`~tabular_irl.MDP`:

``backward``
    The finite-horizon backward sweep ``V_T = 0``,
    ``Q_t = r + gamma P V_{t+1}`` (causal), ``r + tau log P exp(V_{t+1}/tau)``
    (non-causal) or the hard backup, ``V_t = tau logsumexp_a Q_t / tau``
    (``max_a`` when hard). It keeps ``V (T+1, S)`` and, only when asked, the
    ``(T, S, A)`` arrays ``Q`` and ``policy``.
``plan_arrays``
    ``Q`` and ``policy`` formed again from ``V`` (each step's backup of
    ``V_{t+1}``, by the same operations: the same bits). A
    :class:`~tabular_irl.SoftPlan` keeps ``V`` and calls this on the first
    read of ``plan.Q`` or ``plan.policy``.
``backward_discounted``, ``backward_batch``
    Discounted value iteration to a fixed point; K rewards in one sweep.
``rollout``
    ``D_0 = initial``, ``mu_t = D_t pi_t``, ``D_{t+1} = P^T mu_t`` and the
    discounted totals ``sum_t gamma^t mu_t`` for a policy array.
``plan_rollout``
    The same for a plan, from ``V`` alone: each step's policy is recomputed
    inside the forward sweep, so no ``(T, S, A)`` array exists (memory
    ``O(T S + nnz)``); for the non-causal model either the rollout under
    ``P`` or (``posterior=True``) the exact posterior marginals
    (forward-backward with reweighted dynamics).
``evaluate_policy``, ``policy_gradient``
    A given policy's exact finite-horizon values (``V_t = sum_a pi_t Q_t``);
    a softmax policy's exact return and gradient with respect to its logits
    (one backward and one forward pass forming the policy from the logits
    step by step: no policy array).
``occupancy``, ``policy_values``
    The discounted occupancy ``(I - gamma P_pi^T) d = initial`` and values
    ``(I - gamma P_pi) V = r_pi`` by sparse LU with one step of refinement
    (:func:`solve_refined`, shared with policy iteration).

What this layer adds to a bare kernel call:

* **threads**: :func:`threads_for` (one thread below ``_PARALLEL_MIN_ROWS``
  state-action pairs, else :func:`tabular_irl.get_num_threads`) is the most a
  pass may use; inside, every time loop *paces* itself (``_step`` in the
  kernels): each step runs on the count measured faster so far, one thread or
  all (all only when at least 5% faster: where the two are close one thread is
  the safe choice), and probes the other now and then (after 4 steps, then 8, 16, ... up
  to 256 while the choice holds), so that a busy neighbouring process or
  NumPy's BLAS threads, which spin for a while after every threaded product in
  the caller's code, never make the default slower than one thread. The
  OpenMP runtime is loaded with a *passive* wait policy unless the user chose
  one (``OMP_WAIT_POLICY`` / ``GOMP_SPINCOUNT``): an idle OpenMP thread sleeps
  instead of spinning on a core the caller needs (README, "Threads");
* **interrupts**: every kernel time loop looks for a pending signal at most
  every 50 ms (the GIL reacquired for the look only), so Ctrl-C raises
  ``KeyboardInterrupt`` from inside a long pass and nothing is returned;
* **memory up front**: :func:`check_fits` compares the bytes an output needs
  with the memory available before anything is allocated;
* **structure** (:func:`_structure`): when every state's actions share one
  successor list, the compact index lists of ``csrc/_products.h``; when, in
  addition, the per-state probability blocks repeat (a slippery gridworld),
  one copy of each distinct block (``tabular_irl/_patterns.py``), read in
  place of ``P``'s values. Both change where the products read from, never a
  bit of a result.

Inputs are trusted: the public modules (``planning``, ``inference``,
``batch``, the methods) validate first, then call here.
"""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from . import _config
from ._memory import check_fits, human_bytes


def _load_kernels():
    """Import the kernels with a passive OpenMP wait policy unless the user set one.

    libgomp reads its environment once, when it is loaded (with the kernels);
    the variable is removed again at once, so child processes see the
    environment the user gave.
    """
    chosen = any(os.environ.get(k) for k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME"))
    if not chosen:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        from . import _kernels
    except ImportError as exc:
        raise ImportError(_not_built_message(exc)) from None
    finally:
        if not chosen:
            os.environ.pop("OMP_WAIT_POLICY", None)
    return _kernels


def _not_built_message(exc: ImportError) -> str:
    """What to do when the compiled kernels cannot be imported (most often: an unbuilt source checkout)."""
    package = os.path.dirname(os.path.abspath(__file__))
    checkout = os.path.dirname(package)
    built = [f for f in os.listdir(package) if f.startswith("_kernels.") and f.endswith((".so", ".pyd"))]
    if built and os.path.exists(os.path.join(checkout, "csrc", "_kernels.pyx")):
        return (f"the compiled kernels in {package} ({built[0]}) cannot be imported ({exc}): rebuild them with "
                f"`python setup.py build_ext --inplace` in {checkout} (or `pip install -e .` again)")
    if os.path.exists(os.path.join(checkout, "csrc", "_kernels.pyx")):
        return (f"tabular_irl is being imported from its source checkout ({checkout}), where the compiled "
                f"kernels (tabular_irl._kernels) have not been built: run `pip install -e .` in {checkout} "
                "(rebuild after changing csrc/ with `python setup.py build_ext --inplace`), or run Python "
                "from another directory to use the installed package")
    return (f"the compiled kernels tabular_irl._kernels cannot be imported from {package} ({exc}): "
            "reinstall with `pip install --force-reinstall tabular_irl` (a C compiler is needed)")


_kernels = _load_kernels()

MODE_CAUSAL = _kernels.MODE_CAUSAL
MODE_NONCAUSAL = _kernels.MODE_NONCAUSAL
MODE_HARD = _kernels.MODE_HARD

# Below this many state-action pairs a parallel region costs more than it saves.
_PARALLEL_MIN_ROWS = 50_000

# A causal gradient keeps its (T, S, A) policy up to this size (saves recomputing it in the
# forward pass); beyond it, memory stays O(T S + nnz).
_POLICY_BYTES = 256 * 2**20


def mode_of(causal: bool, temperature: float) -> int:
    """The kernels' backup mode: hard for temperature 0, else causal or non-causal."""
    if temperature == 0.0:
        return MODE_HARD
    return MODE_CAUSAL if causal else MODE_NONCAUSAL


# --------------------------------------------------------------------------
# build facts, threads, memory
# --------------------------------------------------------------------------

def kernels_path() -> str:
    """Path of the compiled kernels' shared object."""
    return _kernels.__file__


def openmp_enabled() -> bool:
    """True when the kernels were compiled with OpenMP."""
    return _kernels.openmp_enabled()


def max_threads() -> int:
    """OpenMP's default thread count (1 without OpenMP)."""
    return _kernels.max_threads()


def threads_for(mdp) -> int:
    """Threads worth using for a pass over ``mdp`` (1 for small problems)."""
    if mdp.n_states * mdp.n_actions < _PARALLEL_MIN_ROWS:
        return 1
    return _config.get_num_threads()


# What the last pass of each kind measured on each problem size (one-thread and all-thread seconds per
# step, probe interval): the next pass starts on the count found faster instead of probing from scratch.
_PACES: dict[tuple, np.ndarray] = {}


def _pace(kind: str, mdp, *detail, loops: int = 1) -> np.ndarray | None:
    """The pace memory of passes of ``kind`` (and ``detail``, e.g. the mode) on problems of ``mdp``'s size.

    Three doubles per time loop of the pass (``loops``: a kernel with a backward and a forward loop keeps two).
    """
    if threads_for(mdp) == 1:
        return None
    key = (kind, mdp.n_states, mdp.n_actions, mdp.nnz, *detail)
    pace = _PACES.get(key)
    if pace is None:
        if len(_PACES) >= 256:  # a bounded memory: many problem sizes in one process start afresh
            _PACES.clear()
        pace = _PACES[key] = np.zeros(3 * loops)
    return pace


def _structure(mdp, transpose: bool = False) -> dict:
    """The optional structure arguments of a kernel's products with P (or P^T): shared support and patterns.

    ``succ`` / ``pred`` (shared support, ``csrc/_products.h``) and the shared
    probability patterns (``tabular_irl/_patterns.py``); each ``None`` where
    the MDP has none. They change where the products read from, never a bit.
    """
    if transpose:
        off, data = mdp._pattern_parts(transpose=True)
        return {"pred": mdp._shared_parts(transpose=True), "t_pattern_off": off, "t_pattern_data": data}
    off, data = mdp._pattern_parts()
    return {"succ": mdp._shared_parts(), "pattern_off": off, "pattern_data": data}


def rows_are_distributions(x: np.ndarray, atol: float) -> bool:
    """True when every row of the C-contiguous 2-d ``x`` is finite, non-negative and sums to 1 within ``atol``."""
    return _kernels.rows_are_distributions(x, atol)


def fast_exp(x: np.ndarray) -> np.ndarray:
    """The kernels' own exponential of a 1-d float64 array (tested against ``np.exp``)."""
    return _kernels.fast_exp(x)


def fast_log(x: np.ndarray) -> np.ndarray:
    """The kernels' own logarithm of a 1-d float64 array (tested against ``np.log``)."""
    return _kernels.fast_log(x)


def _tsa_bytes(T: int, mdp) -> int:
    return T * mdp.n_states * mdp.n_actions * 8


def check_finite_values(V, r, T, gamma, temperature) -> None:
    """Values beyond float64 (|reward| ~ 1e306, temperature ~ 1e308) are an error, never NaN.

    Checking V suffices: a finite ``V_t(s)`` means a finite maximum ``m`` of the
    row's Q, so every ``exp(Q - m) <= 1`` and their sum is at least 1 -- the
    policy (and so any count rolled forward from it) is finite too. (Scanning
    the ``(T, S, A)`` policy as well cost as much as a fifth of a pass.)
    """
    if not np.isfinite(V).all():
        scale = f"horizon {T}" if T is not None else f"1 / (1 - discount) = {1 / (1 - gamma):.3g}"
        raise ValueError(
            f"values overflow float64: max |reward| = {np.abs(r).max():.3g} over {scale} "
            f"(temperature {temperature:g}) is too large; rescale the reward (or the temperature)"
        )


# --------------------------------------------------------------------------
# backward passes
# --------------------------------------------------------------------------

def backward(mdp, reward: np.ndarray, T: int, gamma: float, tau: float, mode: int, *,
             keep_q: bool = False, keep_policy: bool = False, V_out: np.ndarray | None = None,
             policy_out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """``(V (T+1, S), Q or None, policy or None)`` of the finite-horizon backward pass of ``reward (S, A)``."""
    S = mdp.n_states
    if V_out is None:
        check_fits((T + 1) * S * 8, f"the values V (T+1, S) = ({T + 1}, {S})",
                   "use a shorter horizon, or a discount without a horizon (stationary values)")
    if (keep_q or keep_policy) and policy_out is None:
        check_fits((keep_q + keep_policy) * _tsa_bytes(T, mdp), f"(T, S, A) arrays of {human_bytes(_tsa_bytes(T, mdp))}",
                   "keep V only (soft_backward keeps V and forms Q, policy on first access)")
    return _kernels.backward_finite(*mdp._kernel_parts(), reward, T, gamma, tau, mode, threads_for(mdp),
                                    keep_q=keep_q, keep_policy=keep_policy, **_structure(mdp),
                                    V_out=V_out, policy_out=policy_out, pace=_pace("backward", mdp, mode))


def plan_arrays(mdp, reward: np.ndarray, V: np.ndarray, gamma: float, tau: float, mode: int, *,
                keep_q: bool, keep_policy: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(Q, policy)``, each ``(T, S, A)`` or None, formed from a finite plan's ``V``: the same bits as its pass."""
    T = V.shape[0] - 1
    which = " and ".join(n for n, k in (("Q", keep_q), ("policy", keep_policy)) if k)
    check_fits((keep_q + keep_policy) * _tsa_bytes(T, mdp), f"the plan's {which} (T, S, A) = "
               f"({T}, {mdp.n_states}, {mdp.n_actions})",
               "roll forward from the plan itself, visitation(mdp, plan), which needs no (T, S, A) array")
    return _plan_arrays(mdp, reward, V, gamma, tau, mode, keep_q=keep_q, keep_policy=keep_policy)


def plan_state_action(mdp, reward: np.ndarray, V: np.ndarray, gamma: float, tau: float, mode: int,
                      D: np.ndarray, policy: np.ndarray | None = None) -> np.ndarray:
    """``mu (T, S, A)``, ``mu[t, s, a] = D[t, s] policy[t, s, a]``, the policy formed from ``V`` unless given.

    The same product the forward kernels form, so the same bits; the policy
    formed here becomes ``mu`` in place (one ``(T, S, A)`` array).
    """
    T = V.shape[0] - 1
    if policy is not None:
        return D[:-1, :, None] * policy
    check_fits(_tsa_bytes(T, mdp), f"the visitation state_action (T, S, A) = ({T}, {mdp.n_states}, "
               f"{mdp.n_actions})", "read state and total_state_action only")
    _, mu = _plan_arrays(mdp, reward, V, gamma, tau, mode, keep_q=False, keep_policy=True)
    return np.multiply(D[:-1, :, None], mu, out=mu)


def _plan_arrays(mdp, reward, V, gamma, tau, mode, *, keep_q, keep_policy):
    return _kernels.plan_arrays(*mdp._kernel_parts(), reward, V, gamma, tau, mode, threads_for(mdp),
                                keep_q=keep_q, keep_policy=keep_policy, **_structure(mdp),
                                pace=_pace("plan_arrays", mdp, mode))


def evaluate_policy(mdp, reward: np.ndarray, policy: np.ndarray, T: int, gamma: float, *,
                    keep_q: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """``(V (T+1, S), Q (T, S, A) or None)`` of a validated ``(S, A)`` or ``(T, S, A)`` policy: its exact evaluation."""
    check_fits((T + 1) * mdp.n_states * 8 + keep_q * _tsa_bytes(T, mdp),
               f"the evaluation's V (T+1, S){' and Q (T, S, A)' if keep_q else ''} for horizon {T}",
               "use a shorter horizon")
    pi3 = policy[None] if policy.ndim == 2 else policy
    return _kernels.evaluate_policy(*mdp._kernel_parts(), reward, np.ascontiguousarray(pi3), T, gamma,
                                    threads_for(mdp), keep_q=keep_q, **_structure(mdp),
                                    pace=_pace("evaluate", mdp))


def policy_gradient(mdp, reward: np.ndarray, logits: np.ndarray, T: int, gamma: float, initial: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``(V (T+1, S), G (T, S, A))`` of validated ``(S, A)`` or ``(T, S, A)`` softmax logits, finite horizon.

    ``V`` evaluates the policy ``softmax(logits)`` exactly and
    ``G[t] = gamma^t D_t pi_t (Q_t - V_t)`` is the gradient with respect to
    ``logits[t]``: one backward and one forward pass that form the policy from
    the logits step by step (no policy, Q or visitation array; ``G`` itself is
    the only (T, S, A) output).
    """
    check_fits((T + 1) * mdp.n_states * 8 + _tsa_bytes(T, mdp),
               f"the policy gradient (T, S, A) = ({T}, {mdp.n_states}, {mdp.n_actions})", "use a shorter horizon")
    logits3 = logits[None] if logits.ndim == 2 else logits
    return _kernels.policy_gradient_finite(*mdp._kernel_parts(), *mdp._kernel_parts(transpose=True), reward,
                                           initial, np.ascontiguousarray(logits3), T, gamma, threads_for(mdp),
                                           **_structure(mdp), **_structure(mdp, transpose=True),
                                           pace=_pace("policy_gradient", mdp, loops=2))


def backward_discounted(mdp, reward: np.ndarray, gamma: float, tau: float, mode: int, tol: float, max_iter: int,
                        report=None):
    """Discounted value iteration: ``(V (S,), Q (S, A), policy (S, A), n_iter, error_bound, converged)``.

    ``report(n_iter, error_bound)``, when given, is called at most every half second (progress).
    """
    return _kernels.backward_discounted(*mdp._kernel_parts(), reward, gamma, tau, mode, tol, max_iter,
                                        threads_for(mdp), **_structure(mdp), report=report,
                                        pace=_pace("discounted", mdp, mode))


def backward_batch(mdp, rewards: np.ndarray, T: int, gamma: float, tau: float, mode: int) -> np.ndarray:
    """``V (K, T+1, S)`` of K rewards ``(S, A, K)`` in one sweep over ``P`` per step."""
    check_fits(rewards.shape[2] * (T + 1) * mdp.n_states * 8, f"the values V (K, T+1, S) = "
               f"({rewards.shape[2]}, {T + 1}, {mdp.n_states})", "pass fewer rewards per call")
    return _kernels.backward_values_batch(*mdp._kernel_parts(), rewards, T, gamma, tau, mode, threads_for(mdp),
                                          succ=mdp._shared_parts(), pace=_pace("batch", mdp, rewards.shape[2]))


# --------------------------------------------------------------------------
# forward passes
# --------------------------------------------------------------------------

def rollout(mdp, policy: np.ndarray, T: int, gamma: float, initial: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(D (T+1, S), mu (T, S, A), total (S, A))`` of a validated ``(S, A)`` or ``(T, S, A)`` policy."""
    check_fits(_tsa_bytes(T, mdp), f"the visitation state_action (T, S, A) = ({T}, {mdp.n_states}, "
               f"{mdp.n_actions})", "pass the plan itself, visitation(mdp, plan), which needs no (T, S, A) array")
    pi3 = policy[None] if policy.ndim == 2 else policy
    return _kernels.forward_finite(*mdp._kernel_parts(transpose=True), initial, pi3, T, threads_for(mdp),
                                   **_structure(mdp, transpose=True), gamma=gamma, pace=_pace("rollout", mdp))


def plan_rollout(mdp, reward: np.ndarray, V: np.ndarray, gamma: float, tau: float, mode: int,
                 initial: np.ndarray, *, policy: np.ndarray | None = None, posterior: bool = False,
                 store_state: bool = True, store_state_action: bool = False
                 ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """``(total (S, A), D (T+1, S) or None, mu (T, S, A) or None)`` of a finite plan's forward pass.

    The plan is its ``V`` (and the reward, gamma, tau and mode it came from);
    ``policy``, when the plan already holds it, saves recomputing it.
    ``posterior`` (non-causal plans): the exact posterior marginals instead
    of the rollout of the non-causal policy under ``P``.
    """
    T = V.shape[0] - 1
    if store_state_action:
        check_fits(_tsa_bytes(T, mdp), f"the visitation state_action (T, S, A) = ({T}, {mdp.n_states}, "
                   f"{mdp.n_actions})", "read state and total_state_action only")
    reweigh = posterior and mode == MODE_NONCAUSAL
    return _kernels.soft_forward(*mdp._kernel_parts(), *mdp._kernel_parts(transpose=True), reward, initial, V,
                                 policy, gamma, tau, mode, store_state, threads_for(mdp),
                                 **_structure(mdp), **({} if reweigh else _structure(mdp, transpose=True)),  # the posterior reweighs P^T
                                 store_state_action=store_state_action, posterior=posterior,
                                 pace=_pace("plan_rollout", mdp, mode, posterior, policy is None))


def _scratch_array(scratch: dict | None, name: str, shape: tuple[int, ...]) -> np.ndarray | None:
    """``scratch[name]`` if it has ``shape``, else a new array left there; None without ``scratch``."""
    if scratch is None:
        return None
    arr = scratch.get(name)
    if arr is None or arr.shape != shape:
        arr = scratch[name] = np.empty(shape)
    return arr


def soft_counts(mdp, reward: np.ndarray, horizon: int, discount: float, initial: np.ndarray, *,
                causal: bool = True, temperature: float = 1.0,
                scratch: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(V (T+1, S), total (S, A))``: a soft plan's values and its expected counts, memory-lean.

    The expected (discounted) state-action counts of the causal policy's
    rollout, or of the non-causal posterior marginals, from ``initial``,
    without any ``(T, S, A)`` array beyond ``_POLICY_BYTES``: a causal policy
    that fits is kept and rolled forward; otherwise (and for the non-causal
    model, whose forward pass needs each row's normaliser anyway) the forward
    pass recomputes each step's Q and policy from ``V`` (peak memory
    ``O(T S + nnz)``).

    ``scratch``: a dict kept across the calls of one fit; the ``(T+1, S)`` V
    and ``(T, S, A)`` policy arrays live there and are reused (fresh arrays of
    that size cost page faults on every call). The returned V is then
    overwritten by the next call.
    """
    mode = MODE_CAUSAL if causal else MODE_NONCAUSAL
    S, A = mdp.n_states, mdp.n_actions
    keep_policy = causal and _tsa_bytes(horizon, mdp) <= _POLICY_BYTES
    V, _, policy = backward(mdp, reward, horizon, discount, temperature, mode, keep_policy=keep_policy,
                            V_out=_scratch_array(scratch, "V", (horizon + 1, S)),
                            policy_out=_scratch_array(scratch, "policy", (horizon, S, A)) if keep_policy else None)
    total, _, _ = plan_rollout(mdp, reward, V, discount, temperature, mode, initial, policy=policy, posterior=True,
                               store_state=False)
    return V, total


# --------------------------------------------------------------------------
# discounted occupancy: sparse LU
# --------------------------------------------------------------------------

def policy_weights(policy: np.ndarray) -> sp.csr_array:
    """``W (S, S*A)`` with ``W[s, s*A + a] = pi(a|s)``: ``W @ P = P_pi``, ``W @ r.ravel() = r_pi``."""
    S, A = policy.shape
    return sp.csr_array((policy.ravel(), np.arange(S * A), np.arange(0, S * A + 1, A)), shape=(S, S * A))


def policy_transitions(mdp, policy: np.ndarray) -> sp.csr_array:
    """``P_pi[s, s'] = sum_a pi(a|s) P(s'|s, a)``, shape ``(S, S)``, for a stationary ``(S, A)`` policy."""
    return sp.csr_array(policy_weights(policy) @ mdp.transitions)


def solve_refined(system: sp.sparray, rhs: np.ndarray, *, transpose: bool = False) -> np.ndarray:
    r"""Solve ``system x = rhs`` (or ``system^T x = rhs``) by sparse LU and one step of iterative refinement.

    For ``I - gamma P_pi``, a non-singular M-matrix with condition number up
    to ``(1 + gamma) / (1 - gamma)``, one refinement step brings the residual
    to rounding level. One factorisation serves both solves.
    """
    lu = spla.splu(sp.csc_array(system))
    trans = "T" if transpose else "N"
    x = lu.solve(rhs, trans=trans)
    residual = rhs - (system.T @ x if transpose else system @ x)
    x += lu.solve(residual, trans=trans)
    return x


def _evaluation_system(mdp, policy: np.ndarray, gamma: float) -> sp.csr_array:
    """``I - gamma P_pi`` of a stationary ``(S, A)`` policy: the discounted evaluation's (and occupancy's) matrix."""
    return sp.csr_array(sp.identity(mdp.n_states, format="csr") - gamma * policy_transitions(mdp, policy))


def policy_values(mdp, policy: np.ndarray, gamma: float, reward_pi: np.ndarray) -> np.ndarray:
    """``V (S,)`` solving ``(I - gamma P_pi) V = r_pi``: the exact discounted values of a stationary policy."""
    return solve_refined(_evaluation_system(mdp, policy, gamma), reward_pi)


def occupancy(mdp, policy: np.ndarray, gamma: float, initial: np.ndarray) -> np.ndarray:
    """``d (S,)`` solving ``(I - gamma P_pi^T) d = initial``: the unnormalised discounted occupancy."""
    system = _evaluation_system(mdp, policy, gamma)
    d = np.ascontiguousarray(solve_refined(system, np.asarray(initial, dtype=np.float64), transpose=True))
    np.maximum(d, 0.0, out=d)  # clip -1e-17-style rounding: occupancies are non-negative
    return d


def expected_counts(mdp, policy: np.ndarray, T: int | None, gamma: float, initial: np.ndarray) -> np.ndarray:
    """``total (S, A)``: expected discounted state-action counts of a validated policy (occupancy when ``T`` is None)."""
    if T is None:
        return occupancy(mdp, policy, gamma, initial)[:, None] * policy
    return rollout(mdp, policy, T, gamma, initial)[2]


def markov_mixture(mdp, policies, weights, T: int | None, gamma: float, initial: np.ndarray) -> np.ndarray:
    """The Markov policy whose state-action visitation is that of the mixture of ``policies`` (validated).

    Drawing ``policies[j]`` with probability ``weights[j]`` per episode visits
    ``(s, a)`` at ``t`` with probability ``sum_j w_j D_j[t, s] pi_j[t, s, a]``;
    dividing by ``sum_j w_j D_j[t, s]`` gives a Markov policy with those same
    marginals (Puterman 1994, Theorem 5.5.1; discounted occupancies ``d_j(s)``
    for stationary components without a horizon). Rows no component reaches
    take ``sum_j w_j pi_j[t, s]``. Shared by apprenticeship learning's mixture
    and :mod:`tabular_irl.rewardfree`'s mixtures.
    """
    num = den = fallback = 0.0
    for w, pi in zip(weights, policies):
        if w > 0:
            D = occupancy(mdp, pi, gamma, initial) if T is None else rollout(mdp, pi, T, gamma, initial)[0][:T]
            num = num + w * D[..., None] * pi
            den = den + w * D[..., None]
            fallback = fallback + w * pi
    reached = den > 0
    return np.where(reached, num / np.where(reached, den, 1.0), fallback)
