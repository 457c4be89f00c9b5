# cython: language_level=3
"""Compiled passes of tabular_irl: soft/hard backward sweeps and forward visitation.

Design note
-----------
* Stateless: every kernel takes raw CSR triplets (``indptr``, ``indices``,
  ``data``) of the ``(S*A, S)`` transition matrix -- or of its ``(S, S*A)``
  transpose for the forward passes -- plus C-contiguous float64 arrays, and
  returns new arrays. No model objects cross this boundary.
* Trusting: the Python layer (``tabular_irl._validation``) has proven shapes,
  index ranges, finiteness and normalisation. Kernels never raise; they run
  with the GIL released and allocate nothing inside their time loops.
* Log space: every soft maximum is ``m + tau * log(sum exp((x - m) / tau))``
  with ``m`` the maximum, so rewards of 1e4 and horizons of 1e4 stay finite.
  Rows of P are never empty (they sum to 1), so ``m`` is always finite.
* Races: backward sweeps write only state ``s``'s own entries; forward sweeps
  *gather* each next state's mass over the transposed matrix instead of
  scattering, so a ``prange`` over states is race-free and the summation order
  (hence the result) is the same for any thread count.
* Modes of the backward step (``MODE_*``): causal soft backup
  ``Q = r + gamma * P V'``, non-causal ``Q = r + tau * log P exp(V' / tau)``,
  and the hard backup ``Q = r + gamma * P V'`` with ``V = max_a Q``.
* Index types: ``idx_t`` is int32 or int64, as scipy stores the CSR indices.
* exp and log are our own (``_fastmath.h``: branch-free, within 1 ulp), so the
  soft maxima of a block of BLOCK states run as vectorised loops (an AVX2
  clone is picked at load time on x86-64); compiled without FMA contraction,
  every clone and every scalar call gives the same bits.
* Memory: ``backward_finite(keep_q=False, keep_policy=False)`` keeps V only
  and ``soft_forward`` recomputes each step's Q and policy from V, so a
  gradient needs O(T S + nnz) memory, no (T, S, A) array; blocks of states
  that nobody visits are skipped.
* Shared patterns: ``pattern_off`` / ``pattern_data`` (P) and
  ``t_pattern_off`` / ``t_pattern_data`` (P^T), optional, from
  ``MDP._pattern_parts`` (``tabular_irl/_patterns.py``): each distinct block of
  a shared-support P stored once, and per state (per run of P^T) where its
  values are. The products read the same values from a few hundred bytes
  instead of streaming P's values every step (the slippery gridworld's
  passes are bound by that stream): the same bits, less memory traffic.
* Policy gradient: ``policy_gradient_finite`` forms a softmax policy from its
  logits step by step in both passes (no policy array) and writes the
  advantages into the gradient, scaled in place by the forward pass.
* Batches: ``backward_values_batch`` reads each stored entry of P once per step
  for K rewards (K innermost), equal bit for bit to K single passes.
* Shared support (``_products.h``): when every state's A rows of P store the
  same indices, the optional ``succ`` / ``pred`` arrays (``MDP._shared_parts``)
  let the products read each successor once for all actions and gather one
  partial sum per action; the backups keep their bits, the gather changes
  them by rounding only (the same for any thread count).
* Layout: a block's Q is formed transposed (A rows of BLOCK states) in the
  thread's work buffer, where the soft maximum vectorises across states.
* Plans keep V: ``plan_arrays`` forms a finite plan's Q and policy again from
  V (each step's backup of V[t+1] by the same operations, so the same bits),
  and ``soft_forward`` rolls a plan forward from V alone (``posterior``
  selects, for the non-causal model, the exact marginals or the rollout of
  its policy under P).
* Pace: every time loop runs each step on the thread count measured faster so
  far and probes the other now and then (``_step``); ``pace=`` (3 doubles the
  pass layer keeps per kind of pass and problem size) carries the measurements
  from one pass to the next, so a pass does not probe from scratch.
* Interrupts: every time loop (per step, per sweep) reads a monotonic clock
  and, at most every 50 ms, reacquires the GIL to run pending signal handlers
  (``PyErr_CheckSignals``); when one raised (Ctrl-C), the loop stops and the
  exception propagates once the GIL is back: nothing is returned.
* The Python side (``tabular_irl/_passes.py``, the only importer of this
  module) chooses threads, checks memory before large outputs, and explains
  the chain of passes.
"""

from cython.parallel cimport prange, threadid
from libc.math cimport fabs, pow, INFINITY
from libc.stdint cimport int32_t, int64_t
from libc.float cimport DBL_EPSILON

import numpy as np

cdef extern from "_fastmath.h" nogil:
    double tirl_exp(double x)
    double tirl_log(double x)
    void tirl_soft_block(double* e, Py_ssize_t n, Py_ssize_t A, double tau, double* pi, double* v, double* work)
    void tirl_soft_columns(const double* q, Py_ssize_t n, Py_ssize_t A, Py_ssize_t K, double tau, int hard,
                           double* v, double* work)
    void tirl_log_inplace(double* x, Py_ssize_t n)
    void tirl_exp_shifted(const double* x, double shift, double tau, double* out, Py_ssize_t n)

cdef extern from "_products.h" nogil:
    void tirl_backup_batch_i32(const int32_t* indptr, const int32_t* indices, const int32_t* succ, const double* data,
                               Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A, Py_ssize_t K, const double* vn,
                               const double* r, double gamma, double* q)
    void tirl_backup_batch_i64(const int64_t* indptr, const int64_t* indices, const int64_t* succ, const double* data,
                               Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A, Py_ssize_t K, const double* vn,
                               const double* r, double gamma, double* q)
    void tirl_backups_i32(const int32_t* indptr, const int32_t* indices, const int32_t* succ, const double* data,
                          const int64_t* poff, const double* pdata,
                          const double* r, double gamma, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A, const double* v,
                          double* e)
    void tirl_backups_i64(const int64_t* indptr, const int64_t* indices, const int64_t* succ, const double* data,
                          const int64_t* poff, const double* pdata,
                          const double* r, double gamma, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A, const double* v,
                          double* e)
    void tirl_gather_i32(const int32_t* t_indptr, const int32_t* t_indices, const int32_t* pred,
                                const double* t_data, const int64_t* toff, const double* tdata, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A, const double* mu,
                                double* out)
    void tirl_gather_i64(const int64_t* t_indptr, const int64_t* t_indices, const int64_t* pred,
                                const double* t_data, const int64_t* toff, const double* tdata, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A, const double* mu,
                                double* out)

cdef extern from *:
    """
    #if TABULAR_IRL_OPENMP
    #include <omp.h>
    static int tirl_max_threads(void) { return omp_get_max_threads(); }
    static int tirl_openmp(void) { return 1; }
    #else
    static int tirl_max_threads(void) { return 1; }
    static int tirl_openmp(void) { return 0; }
    #endif
    """
    int tirl_max_threads() nogil
    int tirl_openmp() nogil

cdef extern from *:
    """
    #include <time.h>
    /* seconds on a monotonic clock (a vDSO call on Linux: ~20 ns) */
    static double tirl_now(void) {
    #if defined(_WIN32)
        return (double)clock() / CLOCKS_PER_SEC;
    #else
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
    #endif
    }
    """
    double tirl_now() nogil

cdef extern from "Python.h":
    # declared noexcept: the caller turns its -1 into a propagated exception (_raise_pending)
    int _check_signals "PyErr_CheckSignals" () noexcept

ctypedef fused idx_t:
    int32_t
    int64_t

# Shared with tabular_irl.planning (keep in sync with _kernels.pyi).
MODE_CAUSAL = 0
MODE_NONCAUSAL = 1
MODE_HARD = 2
cdef enum:
    _CAUSAL = 0
    _NONCAUSAL = 1
    _HARD = 2


def openmp_enabled():
    """True when the kernels were compiled with OpenMP."""
    return bool(tirl_openmp())


def max_threads():
    """OpenMP's default thread count (1 without OpenMP)."""
    return int(tirl_max_threads())


# --------------------------------------------------------------------------
# helpers (no GIL, never raise)
# --------------------------------------------------------------------------

# Time loops look at pending signals (Ctrl-C) at most this often, with the GIL
# reacquired for the look only: a clock read per step costs ~20 ns.
cdef double _SIGNAL_PERIOD = 0.05
# A pace probes the thread count it is not using after this many steps at first;
# each probe that confirms the choice doubles the interval, up to _PROBE_MAX.
cdef enum:
    _PROBE_FIRST = 4
    _PROBE_MAX = 256
# All threads must beat one by this factor to be chosen: where the two are close (a busy neighbour holds
# the other core) one thread is the safe choice, and the choice does not flap on noise (every flip
# restarts the probing at _PROBE_FIRST steps, and each probe of the slower count costs a step)
cdef double _PARALLEL_GAIN = 0.95


cdef struct Loop:
    # the state of one kernel's time loop: signal looks and the thread count's pace
    double next_look   # clock time of the next look for signals
    double t0          # clock time the current step started
    double secs[2]     # smoothed seconds per step on one thread [0] and on n_max threads [1]; 0: not yet
    int n_max          # threads allowed (1: no pacing)
    int current        # threads of the current step
    int every          # steps between probes of the other thread count
    int since          # steps since the last probe
    int probing        # the current step is a probe


cdef inline void _loop_init(Loop* L, int n_threads, double* hint) noexcept nogil:
    """A fresh loop; ``hint`` (3 doubles, or NULL): what the last pass of this kind measured, so that a
    pass starts on the count found faster and does not probe from scratch (_loop_save writes it back)."""
    L.next_look = 0.0
    L.t0 = 0.0
    L.secs[0] = 0.0
    L.secs[1] = 0.0
    L.n_max = n_threads if n_threads > 1 else 1
    L.current = L.n_max
    L.every = _PROBE_FIRST
    L.since = 0
    L.probing = 0
    if hint != NULL and hint[0] > 0.0 and hint[1] > 0.0 and L.n_max > 1:
        L.secs[0] = hint[0]
        L.secs[1] = hint[1]
        L.every = <int>hint[2] if hint[2] >= _PROBE_FIRST else _PROBE_FIRST


cdef inline void _loop_save(Loop* L, double* hint) noexcept nogil:
    """Keep the loop's measurements for the next pass of the same kind (``hint`` may be NULL)."""
    if hint != NULL and L.n_max > 1:
        hint[0] = L.secs[0]
        hint[1] = L.secs[1]
        hint[2] = L.every


cdef inline int _faster(Loop* L) noexcept nogil:
    """The thread count to run on: all threads only when measured faster than one by _PARALLEL_GAIN."""
    return L.n_max if L.secs[1] < _PARALLEL_GAIN * L.secs[0] else 1


cdef inline int _step(Loop* L) noexcept nogil:
    """Threads for the next step (0: a signal handler raised, stop), its clock started.

    Results do not depend on the thread count, so it may change between
    steps: each step runs on the count measured faster so far (steps of one
    pass cost alike), and now and then one step probes the other count. So a
    pass never stays slower than on one thread, whether the other core is
    taken by a busy neighbour, by BLAS threads spinning after the caller's
    last matrix product, or not at all.
    """
    cdef double now = tirl_now()
    cdef int status, best
    if now >= L.next_look:
        L.next_look = now + _SIGNAL_PERIOD
        with gil:
            status = _check_signals()
        if status != 0:
            return 0
    if L.n_max == 1:
        return 1
    L.probing = 0
    if L.secs[1] == 0.0:
        L.current = L.n_max
    elif L.secs[0] == 0.0:
        L.current = 1
    else:
        best = _faster(L)
        L.current = best
        L.since += 1
        if L.since >= L.every:
            L.current = L.n_max if best == 1 else 1
            L.since = 0
            L.probing = 1
    L.t0 = tirl_now()
    return L.current


cdef inline void _step_done(Loop* L) noexcept nogil:
    """Record the step's time for the thread count it ran on."""
    cdef double dt
    cdef int k, before, after
    if L.n_max == 1:
        return
    dt = tirl_now() - L.t0
    k = 0 if L.current == 1 else 1
    before = _faster(L)
    L.secs[k] = dt if L.secs[k] == 0.0 else 0.5 * (L.secs[k] + dt)
    if L.probing:
        after = _faster(L)
        L.every = (L.every * 2 if L.every < _PROBE_MAX else _PROBE_MAX) if after == before else _PROBE_FIRST


cdef inline double* _hint(double[::1] pace) noexcept:
    """The first entry of an optional pace array (3 doubles), NULL for None."""
    return &pace[0] if pace is not None and pace.shape[0] >= 3 else NULL


cdef int _raise_pending() except -1:
    """Propagate the exception a signal handler set (after an interrupted loop left the nogil block)."""
    return -1


cdef inline double _row_soft_sum(
    const idx_t* indptr, const idx_t* indices, const double* data,
    Py_ssize_t k, const double* vnext, const double* ev, double vmax, double tau, double* shift,
) noexcept nogil:
    """z = sum_j P[k, j] exp((vnext[j] - shift) / tau), with ``shift`` written to ``*shift``.

    Fast path: ``ev[j] = exp((vnext[j] - vmax) / tau)`` is cached per state, so
    a row costs no exponential and ``shift = vmax``. When the row's sum falls
    below 1e-250 (its successors are all far below the global maximum) the row
    is recomputed with its own maximum as the shift; above that bound every
    term that matters is a normal float, so both paths agree to rounding.
    Then ``tau * log sum_j P[k, j] exp(vnext[j] / tau) = shift + tau * log(z)``.
    """
    cdef idx_t lo = indptr[k], hi = indptr[k + 1], j
    cdef double m = -INFINITY, acc = 0.0, v
    for j in range(lo, hi):
        acc += data[j] * ev[indices[j]]
    if acc >= 1e-250:
        shift[0] = vmax
        return acc
    acc = 0.0
    for j in range(lo, hi):
        v = vnext[indices[j]]
        if v > m:
            m = v
    for j in range(lo, hi):
        acc += data[j] * tirl_exp((vnext[indices[j]] - m) / tau)
    shift[0] = m
    return acc


cdef inline double _exp_cache(Py_ssize_t S, const double* v, double tau, double* ev) noexcept nogil:
    """ev[s] = exp((v[s] - max v) / tau); returns max v."""
    cdef Py_ssize_t s
    cdef double vmax = -INFINITY
    for s in range(S):
        if v[s] > vmax:
            vmax = v[s]
    tirl_exp_shifted(v, vmax, tau, ev, S)
    return vmax


# states per block of _backup_block: its rows' exponentials and logarithms run as
# vectorised loops across the block (tirl_soft_block); the work buffer stays in L1
cdef enum:
    BLOCK = 32


cdef inline Py_ssize_t _work_size(Py_ssize_t A) noexcept nogil:
    """Doubles of work buffer one thread needs for _backup_block."""
    return 2 * BLOCK + 3 * BLOCK * A


cdef inline void _backup_block(
    Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A,
    const idx_t* indptr, const idx_t* indices, const double* data,
    const double* reward, const double* vnext, const double* ev, double vmax,
    double gamma, double tau, int mode, const idx_t* succ, const int64_t* poff, const double* pdata,
    double* q, double* v, double* pi, double* shift,
    double* norm, double* work,
) noexcept nogil:
    """One Bellman backup of each state s0 <= s < s1.

    IN: reward (S*A) flat; vnext is V_{t+1} (S,); ev, vmax its exponential
    cache (non-causal mode only); ``succ``: shared support's successor lists
    (_products.h) or NULL; work: _work_size(A) doubles.
    OUT: v[s] unless ``v`` is NULL (a forward pass recomputing the policy of known values); q[s*A:(s+1)*A]
    unless ``q`` is NULL; pi[s*A:(s+1)*A] unless
    ``pi`` is NULL (the policy is then not formed: values only); in
    non-causal mode, unless ``shift`` is NULL, the shift and normaliser ``z``
    of each row's soft sum (the posterior's reweighted dynamics need them).

    The block's Q is formed transposed (A rows of n = s1 - s0) in the work
    buffer, as tirl_soft_block takes it. Per state the operations and their
    order do not depend on the block, so every pass that calls this
    (backward, discounted, forward recomputation) gets the same bits.
    """
    cdef Py_ssize_t i, a, k, best, n = s1 - s0, k0 = s0 * A, nk = (s1 - s0) * A
    cdef double m
    cdef double* e = work + 2 * BLOCK  # e[a n + i] = Q[s0 + i, a]
    cdef double* z = e + BLOCK * A
    cdef double* sh = z + BLOCK * A
    if mode == _NONCAUSAL:
        for k in range(nk):
            z[k] = _row_soft_sum(indptr, indices, data, k0 + k, vnext, ev, vmax, tau, &sh[k])
            if shift != NULL:
                shift[k0 + k] = sh[k]
                norm[k0 + k] = z[k]
        tirl_log_inplace(z, nk)
        for i in range(n):
            for a in range(A):
                k = i * A + a
                e[a * n + i] = reward[k0 + k] + gamma * (sh[k] + tau * z[k])
    elif idx_t is int32_t:
        tirl_backups_i32(indptr, indices, succ, data, poff, pdata, reward, gamma, s0, s1, A, vnext, e)
    else:
        tirl_backups_i64(indptr, indices, succ, data, poff, pdata, reward, gamma, s0, s1, A, vnext, e)
    if q != NULL:
        for i in range(n):
            for a in range(A):
                q[k0 + i * A + a] = e[a * n + i]
    if mode != _HARD:
        tirl_soft_block(e, n, A, tau, (pi + k0) if pi != NULL else NULL, (v + s0) if v != NULL else NULL, work)
        return
    for i in range(n):
        m = -INFINITY
        best = 0
        for a in range(A):
            if e[a * n + i] > m:
                m = e[a * n + i]
                best = a
        if v != NULL:
            v[s0 + i] = m
        if pi != NULL:
            for a in range(A):
                pi[k0 + i * A + a] = 1.0 if a == best else 0.0


cdef inline void _backup_all(
    Py_ssize_t S, Py_ssize_t A,
    const idx_t* indptr, const idx_t* indices, const double* data,
    const double* reward, const double* vnext, double* ev, double gamma, double tau, int mode, const idx_t* succ,
    const int64_t* poff, const double* pdata, double* q, double* v, double* pi, double* work, int n_threads,
) noexcept nogil:
    """Backups of every state, in blocks of BLOCK states.

    ``ev`` is an (S,) work buffer (non-causal mode), ``work`` holds
    ``n_threads * _work_size(A)`` doubles (one slice per thread); ``pi`` may be NULL.
    """
    cdef Py_ssize_t b, s0, n_blocks = (S + BLOCK - 1) // BLOCK, W = _work_size(A)
    cdef double vmax = 0.0
    if mode == _NONCAUSAL:
        vmax = _exp_cache(S, vnext, tau, ev)
    if n_threads > 1:
        for b in prange(n_blocks, num_threads=n_threads, schedule="static"):
            s0 = b * BLOCK
            _backup_block(s0, min(s0 + BLOCK, S), A, indptr, indices, data, reward, vnext, ev, vmax, gamma, tau,
                          mode, succ, poff, pdata, q, v, pi, NULL, NULL, work + threadid() * W)
    else:
        for b in range(n_blocks):
            s0 = b * BLOCK
            _backup_block(s0, min(s0 + BLOCK, S), A, indptr, indices, data, reward, vnext, ev, vmax, gamma, tau,
                          mode, succ, poff, pdata, q, v, pi, NULL, NULL, work)


cdef inline const idx_t* _ptr(const idx_t[::1] a) noexcept:
    """The first entry of an optional index array (succ, pred), NULL for None or empty."""
    return &a[0] if a is not None and a.shape[0] > 0 else NULL


cdef inline bint _visited(const double* d, Py_ssize_t s0, Py_ssize_t s1) noexcept nogil:
    """Whether any state s0 <= s < s1 has mass: a forward pass skips a block nobody visits (no row of P read)."""
    cdef Py_ssize_t s
    for s in range(s0, s1):
        if d[s] != 0.0:
            return True
    return False


cdef inline const int64_t* _off(const int64_t[::1] a) noexcept:
    """The first entry of an optional pattern offset array, NULL for None or empty (no shared patterns)."""
    return &a[0] if a is not None and a.shape[0] > 0 else NULL


cdef inline const double* _dat(const double[::1] a) noexcept:
    """The first entry of an optional pattern data array, NULL for None or empty."""
    return &a[0] if a is not None and a.shape[0] > 0 else NULL


# --------------------------------------------------------------------------
# backward passes
# --------------------------------------------------------------------------

def backward_finite(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] data,
    const double[:, ::1] reward, Py_ssize_t horizon, double gamma, double tau,
    int mode, int n_threads, bint keep_q=True, bint keep_policy=True, const idx_t[::1] succ=None,
    double[:, ::1] V_out=None, double[:, :, ::1] policy_out=None, double[::1] pace=None,
    const int64_t[::1] pattern_off=None, const double[::1] pattern_data=None,
):
    """Finite-horizon backward pass.

    IN: CSR of P (S*A, S); reward (S, A); horizon T >= 1; gamma; tau > 0
    (ignored for MODE_HARD); mode; which (T, S, A) arrays to keep; ``succ``:
    when every state's rows of P store the same indices, those lists once per
    state (``MDP._shared_parts``; the same V, faster), else None.
    OUT: V (T+1, S) with V[T] = 0; Q (T, S, A) or None; policy (T, S, A) or
    None. Without ``keep_q`` one step's Q lives in an (S, A) work buffer;
    without ``keep_policy`` the policy is not even formed (memory O(T S):
    :func:`soft_forward` recomputes both from V). V is the same, bit for bit,
    whatever is kept. ``V_out`` (T+1, S) and ``policy_out`` (T, S, A), when
    given, are filled and returned instead of new arrays (a fit's iterations
    reuse them: no page faults per call).
    """
    cdef Py_ssize_t S = reward.shape[0], A = reward.shape[1], T = horizon, s
    V_arr = np.zeros((T + 1, S), dtype=np.float64) if V_out is None else V_out.base
    Q_arr = np.empty((T, S, A), dtype=np.float64) if keep_q else None
    pi_arr = None
    if keep_policy:
        pi_arr = np.empty((T, S, A), dtype=np.float64) if policy_out is None else policy_out.base
    cdef double[:, ::1] V = V_arr
    cdef double[:, :, ::1] Q = Q_arr
    cdef double[:, :, ::1] pi = pi_arr
    cdef double* Q_p = &Q[0, 0, 0] if keep_q and S * A > 0 else NULL
    cdef double[::1] ev = np.empty(max(S, 1), dtype=np.float64)
    cdef double[::1] work = np.empty(max(n_threads, 1) * _work_size(A), dtype=np.float64)
    cdef double* pi_p = &pi[0, 0, 0] if keep_policy and S * A > 0 else NULL
    cdef const idx_t* succ_p = _ptr(succ)
    cdef const int64_t* poff_p = _off(pattern_off)
    cdef const double* pdata_p = _dat(pattern_data)
    if V_out is not None:
        for s in range(S):
            V[T, s] = 0.0
    cdef bint stopped = False
    cdef double* hint = _hint(pace)
    if S > 0 and A > 0:
        with nogil:
            stopped = _backward_loop(S, A, T, &indptr[0], &indices[0], &data[0], &reward[0, 0], gamma, tau, mode,
                                     succ_p, poff_p, pdata_p, &ev[0], &V[0, 0], Q_p, pi_p, &work[0], n_threads, hint)
    if stopped:
        _raise_pending()
    return V_arr, Q_arr, pi_arr


cdef inline bint _backward_loop(
    Py_ssize_t S, Py_ssize_t A, Py_ssize_t T,
    const idx_t* indptr, const idx_t* indices, const double* data, const double* reward,
    double gamma, double tau, int mode, const idx_t* succ, const int64_t* poff, const double* pdata,
    double* ev, double* V, double* Q,
    double* pi, double* work, int n_threads, double* hint,
) noexcept nogil:
    """V[t] (rows of the (T+1, S) array V) for t = T-1 .. 0; True when a signal stopped it.

    Q and pi: (T, S, A) arrays, or NULL (then not formed).
    """
    cdef Py_ssize_t t
    cdef int nt
    cdef Loop loop
    _loop_init(&loop, n_threads, hint)
    for t in range(T - 1, -1, -1):
        nt = _step(&loop)
        if nt == 0:
            return True
        _backup_all(S, A, indptr, indices, data, reward, V + (t + 1) * S, ev, gamma, tau, mode, succ, poff, pdata,
                    (Q + t * S * A) if Q != NULL else NULL, V + t * S, (pi + t * S * A) if pi != NULL else NULL,
                    work, nt)
        _step_done(&loop)
    _loop_save(&loop, hint)
    return False


def plan_arrays(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] data,
    const double[:, ::1] reward, const double[:, ::1] V, double gamma, double tau,
    int mode, int n_threads, bint keep_q=True, bint keep_policy=True, const idx_t[::1] succ=None, double[::1] pace=None,
    const int64_t[::1] pattern_off=None, const double[::1] pattern_data=None,
):
    """Q and the policy of a finite-horizon plan, formed again from its values.

    IN: CSR of P (S*A, S); reward (S, A); V (T+1, S) from backward_finite with
    the same reward, gamma, tau and mode; ``succ`` as there.
    OUT: Q (T, S, A) or None, policy (T, S, A) or None: each step's backup of
    V[t+1] by the very operations backward_finite runs, so equal to its Q and
    policy bit for bit (its recomputed V[t] is discarded). A plan keeps V only
    and calls this when Q or its policy is first read.
    """
    cdef Py_ssize_t S = reward.shape[0], A = reward.shape[1], T = V.shape[0] - 1, t
    Q_arr = np.empty((T, S, A), dtype=np.float64) if keep_q else None
    pi_arr = np.empty((T, S, A), dtype=np.float64) if keep_policy else None
    cdef double[:, :, ::1] Q = Q_arr
    cdef double[:, :, ::1] pi = pi_arr
    cdef double* Q_p = &Q[0, 0, 0] if keep_q and T * S * A > 0 else NULL
    cdef double* pi_p = &pi[0, 0, 0] if keep_policy and T * S * A > 0 else NULL
    cdef double[::1] ev = np.empty(max(S, 1), dtype=np.float64)
    cdef double[::1] work = np.empty(max(n_threads, 1) * _work_size(A), dtype=np.float64)
    cdef const idx_t* succ_p = _ptr(succ)
    cdef const int64_t* poff_p = _off(pattern_off)
    cdef const double* pdata_p = _dat(pattern_data)
    cdef Loop loop
    cdef double* hint
    cdef int nt
    cdef bint stopped = False
    if S == 0 or A == 0:
        return Q_arr, pi_arr
    hint = _hint(pace)
    _loop_init(&loop, n_threads, hint)
    with nogil:
        for t in range(T):
            nt = _step(&loop)
            if nt == 0:
                stopped = True
                break
            _backup_all(S, A, &indptr[0], &indices[0], &data[0], &reward[0, 0], &V[t + 1, 0], &ev[0], gamma, tau,
                        mode, succ_p, poff_p, pdata_p, (Q_p + t * S * A) if Q_p != NULL else NULL, NULL,
                        (pi_p + t * S * A) if pi_p != NULL else NULL, &work[0], nt)
            _step_done(&loop)
    _loop_save(&loop, hint)
    if stopped:
        _raise_pending()
    return Q_arr, pi_arr


cdef inline void _evaluate_block(
    Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A,
    const idx_t* indptr, const idx_t* indices, const double* data, const double* reward,
    const double* vnext, double gamma, const idx_t* succ, const int64_t* poff, const double* pdata,
    const double* pi, double* q, double* v, double* work,
) noexcept nogil:
    """Q = r + gamma P V' and V = sum_a pi Q for the states s0 <= s < s1 (a given policy's backup).

    ``pi``: the policy's (S*A) row block for this step; ``q`` (S*A) or NULL.
    The backups are formed transposed in ``work`` as in _backup_block.
    """
    cdef Py_ssize_t i, a, n = s1 - s0, k0 = s0 * A
    cdef double acc
    cdef double* e = work + 2 * BLOCK
    if idx_t is int32_t:
        tirl_backups_i32(indptr, indices, succ, data, poff, pdata, reward, gamma, s0, s1, A, vnext, e)
    else:
        tirl_backups_i64(indptr, indices, succ, data, poff, pdata, reward, gamma, s0, s1, A, vnext, e)
    for i in range(n):
        acc = 0.0
        for a in range(A):
            acc = acc + pi[k0 + i * A + a] * e[a * n + i]
        v[s0 + i] = acc
    if q != NULL:
        for i in range(n):
            for a in range(A):
                q[k0 + i * A + a] = e[a * n + i]


def evaluate_policy(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] data,
    const double[:, ::1] reward, const double[:, :, ::1] policy, Py_ssize_t horizon, double gamma,
    int n_threads, bint keep_q=True, const idx_t[::1] succ=None, double[::1] pace=None,
    const int64_t[::1] pattern_off=None, const double[::1] pattern_data=None,
):
    """Exact finite-horizon evaluation of a given policy.

    IN: CSR of P (S*A, S); reward (S, A); policy (1, S, A) stationary or
    (T, S, A) time-indexed, rows summing to 1; horizon T; gamma; ``succ`` as
    in backward_finite.
    OUT: V (T+1, S) with V[T] = 0 and ``V_t(s) = sum_a pi_t(a|s) Q_t(s, a)``,
    ``Q_t = r + gamma P V_{t+1}``; Q (T, S, A) with ``keep_q``, else None.
    """
    cdef Py_ssize_t S = reward.shape[0], A = reward.shape[1], T = horizon, t, b, s0
    cdef Py_ssize_t n_blocks = (S + BLOCK - 1) // BLOCK, W = _work_size(A)
    cdef bint stationary = policy.shape[0] == 1
    V_arr = np.zeros((T + 1, S), dtype=np.float64)
    Q_arr = np.empty((T, S, A), dtype=np.float64) if keep_q else None
    cdef double[:, ::1] V = V_arr
    cdef double[:, :, ::1] Q = Q_arr
    cdef double* q_t
    cdef double[::1] work = np.empty(max(n_threads, 1) * W, dtype=np.float64)
    cdef const idx_t* succ_p = _ptr(succ)
    cdef const int64_t* poff_p = _off(pattern_off)
    cdef const double* pdata_p = _dat(pattern_data)
    cdef Loop loop
    cdef double* hint
    cdef int nt
    cdef bint stopped = False
    if S == 0 or A == 0:
        return V_arr, Q_arr
    hint = _hint(pace)
    _loop_init(&loop, n_threads, hint)
    with nogil:
        for t in range(T - 1, -1, -1):
            nt = _step(&loop)
            if nt == 0:
                stopped = True
                break
            q_t = &Q[t, 0, 0] if keep_q else NULL
            for b in prange(n_blocks, num_threads=nt, schedule="static"):
                s0 = b * BLOCK
                _evaluate_block(s0, min(s0 + BLOCK, S), A, &indptr[0], &indices[0], &data[0], &reward[0, 0],
                                &V[t + 1, 0], gamma, succ_p, poff_p, pdata_p, &policy[0 if stationary else t, 0, 0], q_t,
                                &V[t, 0],
                                &work[threadid() * W])
            _step_done(&loop)
    _loop_save(&loop, hint)
    if stopped:
        _raise_pending()
    return V_arr, Q_arr


cdef inline void _softmax_rows(
    Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A, const double* logits, double* tmp, double* pi, double* work,
) noexcept nogil:
    """pi[i*A + a] = softmax_a logits[(s0 + i)*A + a] for the states s0 <= s < s1 (rows of the block).

    ``tmp`` holds the block transposed (BLOCK*A doubles) for tirl_soft_block,
    whose m and acc take work[0:2*BLOCK]; ``pi`` is the block's own (n*A) buffer.
    """
    cdef Py_ssize_t i, a, n = s1 - s0, k0 = s0 * A
    for i in range(n):
        for a in range(A):
            tmp[a * n + i] = logits[k0 + i * A + a]
    tirl_soft_block(tmp, n, A, 1.0, pi, NULL, work)


cdef inline void _advantage_block(
    Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A,
    const idx_t* indptr, const idx_t* indices, const double* data, const double* reward,
    const double* vnext, double gamma, const idx_t* succ, const int64_t* poff, const double* pdata,
    const double* logits, double* v, double* adv,
    double* work,
) noexcept nogil:
    """A softmax policy's backup of the states s0 <= s < s1: ``V = sum_a pi Q`` and ``adv = Q - V``.

    ``pi`` is formed from this step's ``logits`` (S*A) in the work buffer (no
    policy array); Q = r + gamma P V' and V sum in the order of _evaluate_block,
    so V has its bits for the same policy.
    """
    cdef Py_ssize_t i, a, n = s1 - s0, k0 = s0 * A
    cdef double acc
    cdef double* e = work + 2 * BLOCK  # e[a n + i] = Q[s0 + i, a]
    cdef double* tmp = e + BLOCK * A
    cdef double* pi = tmp + BLOCK * A
    if idx_t is int32_t:
        tirl_backups_i32(indptr, indices, succ, data, poff, pdata, reward, gamma, s0, s1, A, vnext, e)
    else:
        tirl_backups_i64(indptr, indices, succ, data, poff, pdata, reward, gamma, s0, s1, A, vnext, e)
    _softmax_rows(s0, s1, A, logits, tmp, pi, work)
    for i in range(n):
        acc = 0.0
        for a in range(A):
            acc = acc + pi[i * A + a] * e[a * n + i]
        v[s0 + i] = acc
        for a in range(A):
            adv[k0 + i * A + a] = e[a * n + i] - acc


def policy_gradient_finite(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] data,
    const idx_t[::1] t_indptr, const idx_t[::1] t_indices, const double[::1] t_data,
    const double[:, ::1] reward, const double[::1] initial, const double[:, :, ::1] logits,
    Py_ssize_t horizon, double gamma, int n_threads,
    const idx_t[::1] succ=None, const idx_t[::1] pred=None, double[::1] pace=None,
    const int64_t[::1] pattern_off=None, const double[::1] pattern_data=None,
    const int64_t[::1] t_pattern_off=None, const double[::1] t_pattern_data=None,
):
    """The exact return and policy gradient of a softmax policy, finite horizon.

    IN: P and P^T as CSR; reward (S, A); initial (S,); logits (1, S, A)
    stationary or (T, S, A) time-indexed, finite; horizon T; gamma; ``succ``
    and ``pred`` as in backward_finite and forward_finite.
    OUT: V (T+1, S), the policy's exact values (``J = initial @ V[0]``), and
    G (T, S, A) with ``G[t] = gamma^t D_t(s) pi_t(a|s) (Q_t(s, a) - V_t(s))``,
    the gradient with respect to ``logits[t]`` (sum it over t for stationary
    logits).

    Two passes, no policy array: the backward pass forms each step's policy
    from its logits, evaluates it and writes the advantages ``Q_t - V_t`` into
    G; the forward pass forms the policy again, rolls ``D`` forward through one
    (S, A) buffer and scales G in place. Blocks of states nobody visits get a
    zero gradient without a row of P being read.
    """
    cdef Py_ssize_t S = reward.shape[0], A = reward.shape[1], T = horizon, t, tl, b, s0, s1, s, a, k
    cdef Py_ssize_t n_blocks = (S + BLOCK - 1) // BLOCK, W = _work_size(A)
    cdef bint stationary = logits.shape[0] == 1
    cdef int nt = n_threads if n_threads > 1 else 1
    cdef int step_nt
    cdef double w, ds
    V_arr = np.zeros((T + 1, S), dtype=np.float64)
    G_arr = np.empty((T, S, A), dtype=np.float64)
    D_arr = np.empty((2, S), dtype=np.float64)
    mu_arr = np.empty(max(S * A, 1), dtype=np.float64)
    cdef double[:, ::1] V = V_arr
    cdef double[:, :, ::1] G = G_arr
    cdef double[:, ::1] D = D_arr
    cdef double[::1] mu = mu_arr
    cdef double[::1] work = np.empty(nt * W, dtype=np.float64)
    cdef const idx_t* succ_p = _ptr(succ)
    cdef const int64_t* poff_p = _off(pattern_off)
    cdef const double* pdata_p = _dat(pattern_data)
    cdef const idx_t* pred_p = _ptr(pred)
    cdef const int64_t* toff_p = _off(t_pattern_off)
    cdef const double* tdata_p = _dat(t_pattern_data)
    cdef double* g_t
    cdef double* d_t
    cdef double* pi
    cdef double* wk
    cdef Loop loop, loop_f
    cdef double* hint
    cdef bint stopped = False
    if S == 0 or A == 0 or T == 0:
        return V_arr, G_arr
    # the two passes' steps cost differently: each paces itself (pace: 6 doubles, 3 per pass)
    hint = _hint(pace)
    _loop_init(&loop, nt, hint)
    _loop_init(&loop_f, nt, (hint + 3) if hint != NULL and pace.shape[0] >= 6 else NULL)
    with nogil:
        for t in range(T - 1, -1, -1):
            step_nt = _step(&loop)
            if step_nt == 0:
                stopped = True
                break
            tl = 0 if stationary else t
            for b in prange(n_blocks, num_threads=step_nt, schedule="static"):
                s0 = b * BLOCK
                _advantage_block(s0, min(s0 + BLOCK, S), A, &indptr[0], &indices[0], &data[0], &reward[0, 0],
                                 &V[t + 1, 0], gamma, succ_p, poff_p, pdata_p, &logits[tl, 0, 0], &V[t, 0], &G[t, 0, 0],
                                 &work[threadid() * W])
            _step_done(&loop)
        if not stopped:
            for s in range(S):
                D[0, s] = initial[s]
            for t in range(T):
                step_nt = _step(&loop_f)
                if step_nt == 0:
                    stopped = True
                    break
                tl = 0 if stationary else t
                d_t = &D[t % 2, 0]
                g_t = &G[t, 0, 0]
                w = 1.0 if gamma == 1.0 else pow(gamma, <double>t)
                for b in prange(n_blocks, num_threads=step_nt, schedule="static"):
                    s0 = b * BLOCK
                    s1 = min(s0 + BLOCK, S)
                    if not _visited(d_t, s0, s1):  # nobody here at step t: no mass to move, a zero gradient
                        for k in range(s0 * A, s1 * A):
                            mu[k] = 0.0
                            g_t[k] = 0.0
                        continue
                    wk = &work[threadid() * W]
                    pi = wk + 2 * BLOCK + 2 * BLOCK * A
                    _softmax_rows(s0, s1, A, &logits[tl, 0, 0], wk + 2 * BLOCK + BLOCK * A, pi, wk)
                    for s in range(s0, s1):
                        ds = d_t[s]
                        for a in range(A):
                            k = s * A + a
                            mu[k] = ds * pi[(s - s0) * A + a]
                            g_t[k] = (w * mu[k]) * g_t[k]
                _gather(S, A, &t_indptr[0], &t_indices[0], &t_data[0], &mu[0], pred_p, toff_p, tdata_p, &D[(t + 1) % 2, 0],
                        step_nt)
                _step_done(&loop_f)
    _loop_save(&loop, hint)
    _loop_save(&loop_f, (hint + 3) if hint != NULL and pace.shape[0] >= 6 else NULL)
    if stopped:
        _raise_pending()
    return V_arr, G_arr


def backward_discounted(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] data,
    const double[:, ::1] reward, double gamma, double tau, int mode,
    double tol, Py_ssize_t max_iter, int n_threads, const idx_t[::1] succ=None, object report=None, double[::1] pace=None,
    const int64_t[::1] pattern_off=None, const double[::1] pattern_data=None,
):
    """Discounted (soft or hard) value iteration from V = 0.

    Stops when the contraction bound ``gamma / (1 - gamma) * ||V_k - V_{k-1}||_inf``
    on ``||V_k - V*||_inf`` is <= tol, or when the change is at the rounding
    level of V (a few ulps of ``max |V|``), or after max_iter sweeps.

    ``report``: None, or a callable ``report(n_iter, error_bound)`` called
    (with the GIL) at most every half second: progress of a long solve; an
    exception it raises stops the solve and propagates.
    OUT: V (S,), Q (S, A), policy (S, A) with V = softmax_tau(Q) exactly,
    n_iter, error_bound, converged.
    """
    cdef Py_ssize_t S = reward.shape[0], A = reward.shape[1], s, it = 0
    V_arr = np.zeros(S, dtype=np.float64)
    prev_arr = np.zeros(S, dtype=np.float64)
    Q_arr = np.empty((S, A), dtype=np.float64)
    pi_arr = np.empty((S, A), dtype=np.float64)
    cdef double[::1] V = V_arr, prev = prev_arr
    cdef double[::1] ev = np.empty(max(S, 1), dtype=np.float64)
    cdef double[::1] work = np.empty(max(n_threads, 1) * _work_size(A), dtype=np.float64)
    cdef double[:, ::1] Q = Q_arr, pi = pi_arr
    cdef double delta = INFINITY, scale, bound = INFINITY, d
    cdef bint converged = False
    cdef const idx_t* succ_p = _ptr(succ)
    cdef const int64_t* poff_p = _off(pattern_off)
    cdef const double* pdata_p = _dat(pattern_data)
    cdef Loop loop
    cdef double* hint
    cdef int nt
    cdef bint stopped = False, reporting = report is not None
    cdef double next_report = 0.0, now
    hint = _hint(pace)
    _loop_init(&loop, n_threads, hint)
    with nogil:
        while it < max_iter:
            nt = _step(&loop)
            if nt == 0:
                stopped = True
                break
            for s in range(S):
                prev[s] = V[s]
            _backup_all(S, A, &indptr[0], &indices[0], &data[0], &reward[0, 0], &prev[0], &ev[0],
                        gamma, tau, mode, succ_p, poff_p, pdata_p, &Q[0, 0], &V[0], &pi[0, 0], &work[0], nt)
            _step_done(&loop)
            it += 1
            delta = 0.0
            scale = 0.0
            for s in range(S):
                d = fabs(V[s] - prev[s])
                if not (d <= delta):  # NaN-aware: a NaN never looks converged
                    delta = d
                if fabs(V[s]) > scale:
                    scale = fabs(V[s])
            if not (delta < INFINITY):  # overflow: NaN or inf values never converge
                break
            bound = gamma / (1.0 - gamma) * delta if gamma > 0.0 else 0.0
            if reporting:  # after the first sweep, then at most every half second
                now = tirl_now()
                if now >= next_report:
                    next_report = now + 0.5
                    with gil:
                        report(it, bound)
            if bound <= tol or delta <= 8.0 * DBL_EPSILON * scale:
                converged = True
                break
    _loop_save(&loop, hint)
    if stopped:
        _raise_pending()
    return V_arr, Q_arr, pi_arr, int(it), float(bound), bool(converged)


def backward_values_batch(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] data,
    const double[:, :, ::1] rewards, Py_ssize_t horizon, double gamma, double tau,
    int mode, int n_threads, const idx_t[::1] succ=None, double[::1] pace=None,
):
    """Finite-horizon backward values for K rewards in one sweep over P per step.

    IN: CSR of P (S*A, S); rewards (S, A, K) (the K rewards innermost, so one
    read of a CSR entry serves all K and the inner loops vectorise);
    mode MODE_CAUSAL or MODE_HARD; ``succ`` as in backward_finite (each
    successor's K values are then read once for all A actions).
    OUT: V (K, T+1, S), ``V[k]`` equal to backward_finite's V for reward k
    (same operations in the same order, so equal bit for bit).
    """
    cdef Py_ssize_t S = rewards.shape[0], A = rewards.shape[1], K = rewards.shape[2], T = horizon
    cdef Py_ssize_t t, s, kk, cur, tid, b, s0, s1, n_blocks = (S + BLOCK - 1) // BLOCK
    cdef int nt = n_threads if n_threads > 1 else 1
    V_arr = np.zeros((K, T + 1, S), dtype=np.float64)
    cdef double[:, :, ::1] V = V_arr
    # V_{t+1} and V_t with K innermost (rolled), and (BLOCK, A, K) of Q per thread
    cdef double[:, :, ::1] roll = np.zeros((2, max(S, 1), max(K, 1)), dtype=np.float64)
    cdef double[:, ::1] qbuf = np.empty((nt, BLOCK * A * K + 2 * K), dtype=np.float64)
    cdef double* q
    cdef double* vn
    cdef double* vt
    cdef const idx_t* succ_p = _ptr(succ)
    cdef Loop loop
    cdef double* hint
    cdef int step_nt
    cdef bint stopped = False
    if S == 0 or A == 0 or K == 0:
        return V_arr
    hint = _hint(pace)
    _loop_init(&loop, nt, hint)
    with nogil:
        for t in range(T - 1, -1, -1):
            step_nt = _step(&loop)
            if step_nt == 0:
                stopped = True
                break
            cur = t % 2
            vn = &roll[1 - cur, 0, 0]
            vt = &roll[cur, 0, 0]
            for b in prange(n_blocks, num_threads=step_nt, schedule="static"):
                tid = threadid()
                q = &qbuf[tid, 0]
                s0 = b * BLOCK
                s1 = min(s0 + BLOCK, S)
                if idx_t is int32_t:
                    tirl_backup_batch_i32(&indptr[0], &indices[0], succ_p, &data[0], s0, s1, A, K, vn,
                                          &rewards[s0, 0, 0], gamma, q)
                else:
                    tirl_backup_batch_i64(&indptr[0], &indices[0], succ_p, &data[0], s0, s1, A, K, vn,
                                          &rewards[s0, 0, 0], gamma, q)
                tirl_soft_columns(q, s1 - s0, A, K, tau, mode == _HARD, vt + s0 * K, q + BLOCK * A * K)
                # each reward's row of V gets one contiguous run per block (not K scattered
                # writes per state, each to its own page)
                for kk in range(K):
                    for s in range(s0, s1):
                        V[kk, t, s] = vt[s * K + kk]
            _step_done(&loop)
    _loop_save(&loop, hint)
    if stopped:
        _raise_pending()
    return V_arr


# --------------------------------------------------------------------------
# forward passes
# --------------------------------------------------------------------------

cdef inline void _gather(
    Py_ssize_t S, Py_ssize_t A, const idx_t* t_indptr, const idx_t* t_indices, const double* t_data,
    const double* mu, const idx_t* pred, const int64_t* toff, const double* tdata, double* out, int n_threads,
) noexcept nogil:
    """out[s'] = sum_k P^T[s', k] mu[k] (gather over the transpose: race-free).

    With ``pred`` (not NULL: shared support, _products.h) one partial sum per
    action, then their sum; the order never depends on the thread count.
    """
    cdef Py_ssize_t b, s0, n_blocks = (S + BLOCK - 1) // BLOCK
    cdef Py_ssize_t width = A if pred != NULL else 0  # 0: the plain k-ordered gather
    for b in prange(n_blocks, num_threads=n_threads if n_threads > 1 else 1, schedule="static"):
        s0 = b * BLOCK
        if idx_t is int32_t:
            tirl_gather_i32(t_indptr, t_indices, pred, t_data, toff, tdata, s0, min(s0 + BLOCK, S), width, mu, out)
        else:
            tirl_gather_i64(t_indptr, t_indices, pred, t_data, toff, tdata, s0, min(s0 + BLOCK, S), width, mu, out)


cdef inline void _weigh_block(
    Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A, const double* d, const double* pi, double w,
    double* mu, double* total,
) noexcept nogil:
    """mu[k] = d[s] pi[k] and total[k] += w mu[k] for the rows k = s A + a of states s0 <= s < s1.

    ``pi`` may be ``mu`` itself (a recomputed policy held in mu's rows).
    """
    cdef Py_ssize_t s, k
    cdef double ds
    for s in range(s0, s1):
        ds = d[s]
        for k in range(s * A, (s + 1) * A):
            mu[k] = ds * pi[k]
            total[k] += w * mu[k]


def forward_finite(
    const idx_t[::1] t_indptr, const idx_t[::1] t_indices, const double[::1] t_data,
    const double[::1] initial, const double[:, :, ::1] policy, Py_ssize_t horizon,
    int n_threads, const idx_t[::1] pred=None, double gamma=1.0, double[::1] pace=None,
    const int64_t[::1] t_pattern_off=None, const double[::1] t_pattern_data=None,
):
    """Roll a policy forward under P for T steps.

    IN: CSR of P^T (S, S*A); initial (S,); policy (1, S, A) stationary or
    (T, S, A) time-indexed; ``pred``: with shared support
    (``MDP._shared_parts``), the predecessor state of each run of A entries of
    P^T, else None; gamma weighting step t by gamma^t in the totals.
    OUT: D (T+1, S) state visitation, mu (T, S, A) with mu[t, s, a] = D[t, s] pi_t(a|s),
    total (S, A) = sum_t gamma^t mu[t] (summed in the order of t).
    """
    cdef Py_ssize_t S = policy.shape[1], A = policy.shape[2], T = horizon, t, s, tp, b, s0
    cdef Py_ssize_t n_blocks = (S + BLOCK - 1) // BLOCK
    cdef bint stationary = policy.shape[0] == 1
    cdef int nt = n_threads if n_threads > 1 else 1
    cdef double w
    D_arr = np.empty((T + 1, S), dtype=np.float64)
    mu_arr = np.empty((T, S, A), dtype=np.float64)
    total_arr = np.zeros((S, A), dtype=np.float64)
    cdef double[:, ::1] D = D_arr
    cdef double[:, :, ::1] mu = mu_arr
    cdef double[:, ::1] total = total_arr
    cdef const idx_t* pred_p = _ptr(pred)
    cdef const int64_t* toff_p = _off(t_pattern_off)
    cdef const double* tdata_p = _dat(t_pattern_data)
    cdef double* mu_t
    cdef double* d_t
    cdef const double* pi_t
    cdef double* tot = &total[0, 0] if S * A > 0 else NULL
    if S == 0 or A == 0 or T == 0:
        D_arr[0] = initial
        return D_arr, mu_arr, total_arr
    cdef Loop loop
    cdef double* hint
    cdef int step_nt
    cdef bint stopped = False
    hint = _hint(pace)
    _loop_init(&loop, nt, hint)
    with nogil:
        for s in range(S):
            D[0, s] = initial[s]
        for t in range(T):
            step_nt = _step(&loop)
            if step_nt == 0:
                stopped = True
                break
            tp = 0 if stationary else t
            w = 1.0 if gamma == 1.0 else pow(gamma, <double>t)
            mu_t, d_t, pi_t = &mu[t, 0, 0], &D[t, 0], &policy[tp, 0, 0]
            for b in prange(n_blocks, num_threads=step_nt, schedule="static"):
                s0 = b * BLOCK
                _weigh_block(s0, min(s0 + BLOCK, S), A, d_t, pi_t, w, mu_t, tot)
            _gather(S, A, &t_indptr[0], &t_indices[0], &t_data[0], mu_t, pred_p, toff_p, tdata_p, &D[t + 1, 0], step_nt)
            _step_done(&loop)
    _loop_save(&loop, hint)
    if stopped:
        _raise_pending()
    return D_arr, mu_arr, total_arr


def soft_forward(
    const idx_t[::1] indptr, const idx_t[::1] indices, const double[::1] data,
    const idx_t[::1] t_indptr, const idx_t[::1] t_indices, const double[::1] t_data,
    const double[:, ::1] reward, const double[::1] initial, const double[:, ::1] V,
    const double[:, :, ::1] policy, double gamma, double tau, int mode, bint store_state, int n_threads,
    const idx_t[::1] succ=None, const idx_t[::1] pred=None, bint store_state_action=False, bint posterior=True, double[::1] pace=None,
    const int64_t[::1] pattern_off=None, const double[::1] pattern_data=None,
    const int64_t[::1] t_pattern_off=None, const double[::1] t_pattern_data=None,
):
    """Forward pass of a soft plan from its values: visitation and expected counts.

    IN: P and P^T as CSR; reward (S, A); initial (S,); V (T+1, S) from the
    backward pass of ``mode`` (MODE_CAUSAL, MODE_NONCAUSAL or MODE_HARD) with
    the same reward, gamma and tau; ``policy`` (T, S, A) of that pass, or None
    to recompute it from V step by step (no (T, S, A) array is then read or
    written: memory O(T S + nnz)); ``succ`` and ``pred`` as in backward_finite
    and forward_finite (``pred`` serves the plain gather only: the posterior's
    gather reweights each entry).

    * MODE_CAUSAL and MODE_HARD, and MODE_NONCAUSAL with ``posterior=False``:
      the rollout of the plan's policy under P,
      ``mu_t(s, a) = D_t(s) pi_t(a|s)``, ``D_{t+1} = P^T mu_t`` (for the
      non-causal policy this is the classic shortcut, exact only for
      deterministic dynamics).
    * MODE_NONCAUSAL with ``posterior`` (default): the exact marginals of the
      trajectory-level model started from ``initial``: a Markov chain with the
      non-causal policy and *reweighted* dynamics
      ``rho_t(s'|s,a) = P(s'|s,a) exp(V_{t+1}(s') / tau) / z_t(s, a)``
      (alpha * beta written as a forward recursion in probability space). Each
      ``rho_t(.|s,a)`` is normalised by its own sum, so the marginals sum to 1
      to rounding even at tiny temperatures; ``exp(V_{t+1} / tau)`` is cached
      per state and a row whose sum underflows that cache is recomputed with its
      own maximum, as in the backward pass.

    Blocks of states with ``D_t(s) = 0`` are skipped (no row of P is read for them).
    OUT: total (S, A) = sum_t gamma^t mu_t; D (T+1, S) with ``store_state``,
    else None; mu (T, S, A) with ``store_state_action``, else None. Every
    output is the same, bit for bit, whichever others are stored.
    """
    cdef Py_ssize_t S = reward.shape[0], A = reward.shape[1], T = V.shape[0] - 1
    cdef Py_ssize_t t, s, k, sp, n_rows, blk, s0, s1, n_blocks = (S + BLOCK - 1) // BLOCK, W = _work_size(A)
    cdef idx_t j
    cdef double acc, vt, vmax = 0.0, w
    cdef int nt = n_threads if n_threads > 1 else 1
    cdef bint given = policy is not None
    cdef bint reweigh = mode == _NONCAUSAL and posterior
    D_arr = np.empty((T + 1, S), dtype=np.float64) if store_state else np.empty((2, S), dtype=np.float64)
    mu_arr = np.empty((T, S, A), dtype=np.float64) if store_state_action else np.empty((1, S, A), dtype=np.float64)
    total_arr = np.zeros((S, A), dtype=np.float64)
    # (posterior) each step's per-row shift and normaliser z_t(s, a) of rho_t
    n_rows = S * A if reweigh else 1  # rollouts need no shifts (saves memory)
    shift_arr = np.empty(max(n_rows, 1), dtype=np.float64)
    norm_arr = np.empty(max(n_rows, 1), dtype=np.float64)
    ev_arr = np.empty(max(S, 1), dtype=np.float64)
    cdef double[:, ::1] D = D_arr
    cdef double[:, :, ::1] mu = mu_arr
    cdef double[:, ::1] total = total_arr
    cdef double[::1] shift = shift_arr, norm = norm_arr, ev = ev_arr
    cdef double[::1] work = np.empty(nt * W, dtype=np.float64)
    cdef double* shift_p = &shift[0] if reweigh else NULL
    cdef double* norm_p = &norm[0] if reweigh else NULL
    cdef double* mu_t
    cdef double* d_t
    cdef double* d_next
    cdef const double* v_next
    cdef const idx_t* succ_p = _ptr(succ)
    cdef const int64_t* poff_p = _off(pattern_off)
    cdef const double* pdata_p = _dat(pattern_data)
    cdef const idx_t* pred_p = _ptr(pred)
    cdef const int64_t* toff_p = _off(t_pattern_off)
    cdef const double* tdata_p = _dat(t_pattern_data)
    cdef const double* pi_given = NULL
    cdef Loop loop
    cdef double* hint
    cdef int step_nt
    cdef bint stopped = False
    if S == 0 or A == 0:
        return total_arr, (D_arr if store_state else None), (mu_arr if store_state_action else None)
    hint = _hint(pace)
    _loop_init(&loop, nt, hint)
    with nogil:
        for s in range(S):
            D[0, s] = initial[s]
        for t in range(T):
            step_nt = _step(&loop)
            if step_nt == 0:
                stopped = True
                break
            d_t = &D[t if store_state else t % 2, 0]
            d_next = &D[t + 1 if store_state else (t + 1) % 2, 0]
            mu_t = &mu[t if store_state_action else 0, 0, 0]
            v_next = &V[t + 1, 0]
            w = 1.0 if gamma == 1.0 else pow(gamma, <double>t)
            if given:
                pi_given = &policy[t, 0, 0]
            if mode == _NONCAUSAL and (reweigh or not given):
                vmax = _exp_cache(S, v_next, tau, &ev[0])
            for blk in prange(n_blocks, num_threads=step_nt, schedule="static"):
                s0 = blk * BLOCK
                s1 = min(s0 + BLOCK, S)
                if not _visited(d_t, s0, s1):  # no row of P is read for a block nobody visits
                    for k in range(s0 * A, s1 * A):
                        mu_t[k] = 0.0
                        if reweigh:
                            shift[k] = vmax
                            norm[k] = 1.0
                    continue
                if not given or reweigh:
                    # mu_t's rows double as the policy's buffer
                    _backup_block(s0, s1, A, &indptr[0], &indices[0], &data[0], &reward[0, 0], v_next, &ev[0],
                                  vmax, gamma, tau, mode, succ_p, poff_p, pdata_p, NULL, NULL, NULL if given else mu_t,
                                  shift_p, norm_p, &work[threadid() * W])
                _weigh_block(s0, s1, A, d_t, pi_given if given else mu_t, w, mu_t, &total[0, 0])
            if reweigh:
                for sp in prange(S, num_threads=step_nt, schedule="static"):
                    acc = 0.0
                    vt = v_next[sp]
                    for j in range(t_indptr[sp], t_indptr[sp + 1]):
                        k = t_indices[j]
                        # rho = P exp(.) / z is one term of z's own sum, so <= 1: no overflow
                        # even when z is tiny (a row whose likeliest successor has P ~ 1e-310)
                        if shift[k] == vmax:
                            acc = acc + mu_t[k] * (t_data[j] * ev[sp] / norm[k])
                        else:
                            acc = acc + mu_t[k] * (t_data[j] * tirl_exp((vt - shift[k]) / tau) / norm[k])
                    d_next[sp] = acc
            else:
                _gather(S, A, &t_indptr[0], &t_indices[0], &t_data[0], mu_t, pred_p, toff_p, tdata_p, d_next, step_nt)
            _step_done(&loop)
    _loop_save(&loop, hint)
    if stopped:
        _raise_pending()
    return total_arr, (D_arr if store_state else None), (mu_arr if store_state_action else None)


# --------------------------------------------------------------------------
# the kernels' exp and log (csrc/_fastmath.h), exposed for their accuracy tests
# --------------------------------------------------------------------------

def fast_exp(const double[::1] x):
    """exp of each entry with the kernels' own exponential (within 1 ulp of exp), vectorised."""
    out_arr = np.empty(x.shape[0], dtype=np.float64)
    cdef double[::1] out = out_arr
    if x.shape[0] > 0:
        with nogil:
            tirl_exp_shifted(&x[0], 0.0, 1.0, &out[0], x.shape[0])  # x - 0 == x exactly
    return out_arr


def fast_log(const double[::1] x):
    """log of each (positive, finite) entry with the kernels' own logarithm (within 1 ulp of log)."""
    out_arr = np.empty(x.shape[0], dtype=np.float64)
    cdef double[::1] out = out_arr
    cdef Py_ssize_t k
    with nogil:
        for k in range(x.shape[0]):
            out[k] = tirl_log(x[k])
    return out_arr


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------

def rows_are_distributions(const double[:, ::1] x, double atol):
    """True when every row of ``x`` is finite, non-negative and sums to 1 within ``atol``.

    One pass, no temporaries: the fast path of policy validation. (The
    Python side finds and names the offending entry only when this fails.)
    """
    cdef Py_ssize_t n = x.shape[0], m = x.shape[1], i, j
    cdef double v, total
    cdef bint ok = True
    with nogil:
        for i in range(n):
            total = 0.0
            for j in range(m):
                v = x[i, j]
                # NaN fails v >= 0; +inf fails the sum test (inf - 1 > atol)
                if not (v >= 0.0):
                    ok = False
                    break
                total = total + v
            if not ok or not (fabs(total - 1.0) <= atol):
                ok = False
                break
    return bool(ok)
