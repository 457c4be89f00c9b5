"""Bad input at every public entry point: a ValueError / TypeError that names the argument.

DESIGN.md, "Bad input": every public function validates at the boundary, nothing
malformed reaches a kernel (no crash, no hang, no silent NaN), messages name the
argument, and inputs are never modified. Also: the MDP is immutable, and
``MDP.from_gymnasium`` reads a Gymnasium ``P`` dict as documented.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from tabular_irl import (
    MDP,
    Trajectories,
    empirical_feature_counts,
    expected_feature_counts,
    posterior_marginals,
    sample_trajectories,
    soft_backward,
    value_iteration,
    visitation,
)

S, A, T = 3, 2, 4
P_DENSE = np.array([  # P[s, a, s']
    [[0.5, 0.5, 0.0], [0.0, 0.2, 0.8]],
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
    [[0.3, 0.3, 0.4], [0.0, 0.0, 1.0]],
])
INITIAL = np.array([0.6, 0.4, 0.0])
REWARD = np.array([[0.1, -0.4], [1.0, 0.0], [0.0, 2.0]])
FEATURES = np.arange(S * A * 2, dtype=float).reshape(S, A, 2)
UNIFORM = np.full((S, A), 1.0 / A)


def p_csr(P=P_DENSE):
    return sp.csr_array(P.reshape(-1, P.shape[-1]))


@pytest.fixture(scope="module")
def mdp():
    return MDP(p_csr(), INITIAL)


@pytest.fixture(scope="module")
def demos():
    return Trajectories(np.array([[0, 1, 2, 2, 2], [1, 0, 0, 1, 2]]), np.array([[0, 1, 1, 0], [1, 0, 1, 1]]))


def replaced(a, index, value=np.nan):
    """A float copy of ``a`` with ``a[index] = value``."""
    a = np.array(a, dtype=float)
    a[index] = value
    return a


# --------------------------------------------------------------------------
# MDP(transitions, initial, n_actions)
# --------------------------------------------------------------------------


def _scaled_row(P, s, a, factor):
    P = P.copy()
    P[s, a] *= factor
    return P


@pytest.mark.parametrize("transitions, n_actions, exc, match", [
    pytest.param(P_DENSE.reshape(S * A, S), None, TypeError, r"transitions must be a scipy\.sparse", id="dense-ndarray"),
    pytest.param(P_DENSE.reshape(S * A, S).tolist(), None, TypeError, "transitions must be a scipy.sparse", id="list"),
    pytest.param(sp.coo_array(np.ones(3) / 3), None, ValueError, "transitions must be 2-d", id="1d-sparse"),
    pytest.param(sp.csr_array(np.ones((5, 2)) / 2), None, ValueError, r"transitions must have shape \(S\*A, S\)",
                 id="rows-not-multiple-of-S"),
    pytest.param(p_csr(), 3, ValueError, r"transitions must have shape .* for n_actions=3", id="n_actions-mismatch"),
    pytest.param(p_csr(), 0, ValueError, "n_actions must be >= 1", id="n_actions-0"),
    pytest.param(p_csr(), 2.0, TypeError, "n_actions must be an integer", id="n_actions-float"),
    pytest.param(sp.csr_array((S * A, 0)), None, ValueError, "transitions must have at least one column",
                 id="no-states"),
    pytest.param(sp.csr_array(P_DENSE.reshape(S * A, S) * (1 + 0j)), None, TypeError,
                 "transitions must hold real numbers", id="complex"),
    pytest.param(p_csr(replaced(P_DENSE, (1, 0, 0))), None, ValueError,
                 r"transitions must be finite, got nan for \(s=1, a=0\)", id="nan"),
    pytest.param(p_csr(replaced(P_DENSE, (2, 1, 2), np.inf)), None, ValueError,
                 r"transitions must be finite, got inf for \(s=2, a=1\)", id="inf"),
    pytest.param(p_csr(replaced(P_DENSE, (1, 0), [1.5, 0.0, -0.5])), None, ValueError,
                 r"transitions must be non-negative, got -0.5 for \(s=1, a=0\) -> s'=2", id="negative-probability"),
    pytest.param(p_csr(_scaled_row(P_DENSE, 1, 1, 0.7)), None, ValueError,
                 r"transitions row for \(s=1, a=1\) sums to 0.7, expected 1", id="row-sums-0.7"),
    pytest.param(p_csr(_scaled_row(P_DENSE, 2, 0, 0.0)), None, ValueError,
                 r"transitions row for \(s=2, a=0\) sums to 0,", id="empty-row"),
    pytest.param(p_csr(_scaled_row(P_DENSE, 0, 1, 1 + 1e-7)), None, ValueError,
                 r"transitions row for \(s=0, a=1\)", id="row-slightly-off"),
])
def test_mdp_rejects_bad_transitions(transitions, n_actions, exc, match):
    with pytest.raises(exc, match=match):
        MDP(transitions, INITIAL, n_actions=n_actions)


def _csr_by_hand(data, indices, indptr, fmt=sp.csr_array):
    return fmt((np.asarray(data, float), np.asarray(indices), np.asarray(indptr)), shape=(2, 2))


@pytest.mark.parametrize("fmt", [sp.csr_array, sp.csr_matrix, sp.csc_array])
@pytest.mark.parametrize("data, indices, indptr, match", [
    pytest.param([1, 1], [0, 7], [0, 1, 2], r"transitions\.indices must lie in \[0, 2\), got 7", id="index-too-big"),
    pytest.param([1, 1], [0, -1], [0, 1, 2], r"transitions\.indices must lie in \[0, 2\), got -1", id="index-negative"),
    # scipy accepts these indptr at construction and its own C conversions then
    # write out of bounds (segfault / heap corruption): they must stop in Python.
    pytest.param([1, 1, 1], [0, 1, 0], [0, 10**6, 3], r"transitions\.indptr must .* be non-decreasing", id="indptr-huge"),
    pytest.param([1, 1, 1], [0, 1, 0], [0, -5, 3], r"transitions\.indptr must .* be non-decreasing", id="indptr-negative"),
    pytest.param([1, 1, 1], [0, 1, 0], [0, 3, 1], r"transitions\.indptr must .* be non-decreasing", id="indptr-decreasing"),
    pytest.param(np.ones(3), np.array([0, 1, 0], np.uint32), np.array([0, 3, 1], np.uint32),
                 r"transitions\.indptr must .* be non-decreasing", id="indptr-unsigned-decreasing"),
])
def test_mdp_rejects_malformed_compressed_matrix(fmt, data, indices, indptr, match):
    bad = _csr_by_hand(data, indices, indptr, fmt)
    with pytest.raises(ValueError, match=match):
        MDP(bad, [1.0, 0.0])


@pytest.mark.parametrize("attribute, value, match", [
    # scipy's constructor refuses these, so they can only reach us by assignment
    ("indptr", np.array([0, 2]), r"transitions\.indptr must have length 3, got length 2"),
    ("indptr", np.array([1, 1, 2]), r"transitions\.indptr must start at 0"),
    ("indptr", np.array([0, 1, 9]), r"transitions\.indptr ends at 9, beyond the 2 stored"),
    ("indptr", np.array([0.0, 1.0, 2.0]), r"transitions\.indptr must be a 1-d integer array"),
    ("indices", np.array([[0, 1]]), r"transitions\.indices must be a 1-d integer array"),
    ("indices", np.array([0, 5]), r"transitions\.indices must lie in \[0, 2\), got 5"),
])
def test_mdp_rejects_csr_attributes_broken_after_construction(attribute, value, match):
    bad = sp.csr_array(np.eye(2))
    setattr(bad, attribute, value)
    with pytest.raises(ValueError, match=match):
        MDP(bad, [1.0, 0.0])


@pytest.mark.parametrize("make", [
    pytest.param(lambda: _set(sp.coo_array(np.eye(2)), "coords", (np.array([0, 1]), np.array([0, 9]))), id="coo"),
    pytest.param(lambda: _set(sp.bsr_array(np.eye(4), blocksize=(2, 2)), "indices", np.array([0, 5])), id="bsr"),
])
def test_mdp_rejects_other_formats_with_indices_out_of_range(make):
    bad = make()
    with pytest.raises(ValueError, match="transitions"):
        MDP(bad, np.eye(bad.shape[1])[0])


def _set(obj, name, value):
    setattr(obj, name, value)
    return obj


@pytest.mark.parametrize("initial, exc, match", [
    ([0.5, 0.5], ValueError, r"initial must have shape \(3,\), got shape \(2,\)"),
    ([[0.5, 0.5, 0.0]], ValueError, r"initial must have shape \(3,\)"),
    ([0.5, np.nan, 0.5], ValueError, "initial must be finite, got nan at index 1"),
    ([0.5, np.inf, 0.5], ValueError, "initial must be finite"),
    ([1.5, -0.5, 0.0], ValueError, "initial must be non-negative, got -0.5 at index 1"),
    ([0.5, 0.4, 0.0], ValueError, "initial must sum to 1, got sum 0.9"),
    ("abc", TypeError, "initial must hold real numbers"),
    (sp.csr_array(np.array([[1.0, 0.0, 0.0]])), TypeError, "initial must be a dense array"),
])
def test_mdp_rejects_bad_initial(initial, exc, match):
    with pytest.raises(exc, match=match):
        MDP(p_csr(), initial)


# --------------------------------------------------------------------------
# MDP.from_dense
# --------------------------------------------------------------------------

TO_LAYOUT = {  # P[s, a, s'] -> the array the layout expects
    "sas": lambda P: P,
    "ass": lambda P: P.transpose(1, 0, 2),
    "ssa": lambda P: P.transpose(0, 2, 1),
}


@pytest.mark.parametrize("layout", sorted(TO_LAYOUT))
def test_from_dense_layouts_agree(layout):
    mdp = MDP.from_dense(TO_LAYOUT[layout](P_DENSE), INITIAL, layout=layout)
    assert (mdp.n_states, mdp.n_actions) == (S, A)
    assert_array_equal(mdp.to_dense(), P_DENSE)


@pytest.mark.parametrize("layout", sorted(TO_LAYOUT))
@pytest.mark.parametrize("P, exc, match", [
    pytest.param(_scaled_row(P_DENSE, 2, 1, 0.5), ValueError, r"transitions row for \(s=2, a=1\) sums to 0.5",
                 id="row-sum"),
    pytest.param(replaced(P_DENSE, (1, 0, 2)), ValueError, "P must be finite", id="nan"),
    pytest.param(replaced(P_DENSE, (0, 1, 0), -np.inf), ValueError, "P must be finite", id="-inf"),
    pytest.param(replaced(P_DENSE, (1, 1), [0.5, -0.5, 1.0]), ValueError,
                 r"transitions must be non-negative, got -0.5 for \(s=1, a=1\) -> s'=1", id="negative"),
    pytest.param(P_DENSE[:, :, :2], ValueError, "P in layout .* two axes of equal length", id="not-square"),
])
def test_from_dense_rejects_bad_P_in_every_layout(layout, P, exc, match):
    with pytest.raises(exc, match=match):
        MDP.from_dense(TO_LAYOUT[layout](P), INITIAL, layout=layout)


@pytest.mark.parametrize("P, kwargs, exc, match", [
    (P_DENSE, dict(layout="sa s"), ValueError, r"layout must be one of 'ass', 'sas', 'ssa', got 'sa s'"),
    (P_DENSE, dict(layout="SAS"), ValueError, "layout must be one of"),
    (P_DENSE, dict(layout=None), ValueError, "layout must be one of"),
    (P_DENSE[0], {}, ValueError, r"P must be a 3-d array"),
    (1.0, {}, ValueError, r"P must be a 3-d array in layout 'sas', got shape \(\)"),
    (np.nan, {}, ValueError, r"P must be finite, got nan"),
    (sp.csr_array(P_DENSE[0]), {}, TypeError, "P must be a dense array"),
    ([[[1.0]], [[1.0, 0.0]]], {}, TypeError, "P must be array-like of real numbers"),
])
def test_from_dense_rejects_bad_arguments(P, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        MDP.from_dense(P, INITIAL, **kwargs)


# --------------------------------------------------------------------------
# MDP.from_gymnasium
# --------------------------------------------------------------------------

GYM_P = {  # 3 states, 2 actions; entries (prob, next_state, reward, terminated)
    0: {0: [(0.25, 1, 1.0, False), (0.25, 1, 3.0, False), (0.5, 2, -2.0, False)],  # duplicate successor 1
        1: [(1.0, 0, 0.0, False)]},
    1: {0: [(0.6, 2, 10.0, True), (0.4, 0, 0.0, False)],  # terminates with prob 0.6
        1: [(1.0, 1, -1.0, False)]},
    2: {0: [(1.0, 2, 0.0, True)], 1: [(0.5, 0, 4.0, True), (0.5, 1, 2.0, False)]},
}


def test_from_gymnasium_sums_duplicates_redirects_terminals_and_computes_expected_reward():
    mdp, reward = MDP.from_gymnasium(GYM_P)
    assert (mdp.n_states, mdp.n_actions) == (4, 2)  # one absorbing state added, last
    P = mdp.to_dense()
    expected = np.zeros((4, 2, 4))
    expected[0, 0, [1, 2]] = [0.5, 0.5]       # 0.25 + 0.25 summed
    expected[0, 1, 0] = 1.0
    expected[1, 0, [3, 0]] = [0.6, 0.4]       # terminated -> absorbing, not state 2
    expected[1, 1, 1] = 1.0
    expected[2, 0, 3] = 1.0
    expected[2, 1, [3, 1]] = [0.5, 0.5]
    expected[3, :, 3] = 1.0                   # absorbing self-loop
    assert_allclose(P, expected, rtol=0, atol=1e-15)
    assert mdp.nnz == np.count_nonzero(expected)  # duplicates stored once
    assert_allclose(reward, [[0.25 * 1 + 0.25 * 3 - 0.5 * 2, 0.0],
                             [0.6 * 10, -1.0],
                             [0.0, 0.5 * 4 + 0.5 * 2],
                             [0.0, 0.0]], rtol=0, atol=1e-15)
    assert_allclose(mdp.initial, [1 / 3, 1 / 3, 1 / 3, 0.0], rtol=0, atol=1e-15)
    given, _ = MDP.from_gymnasium(GYM_P, initial=[1.0, 0.0, 0.0])
    assert_array_equal(given.initial, [1.0, 0.0, 0.0, 0.0])


def test_from_gymnasium_accepts_lists():
    as_lists = [[GYM_P[s][a] for a in range(2)] for s in range(3)]
    mdp, reward = MDP.from_gymnasium(as_lists)
    ref, ref_reward = MDP.from_gymnasium(GYM_P)
    assert_array_equal(mdp.to_dense(), ref.to_dense())
    assert_array_equal(reward, ref_reward)


def _gym(**changes):
    P = {s: {a: list(v) for a, v in acts.items()} for s, acts in GYM_P.items()}
    for key, value in changes.items():
        s, a = int(key[1]), int(key[2])
        P[s][a] = value
    return P


@pytest.mark.parametrize("P_dict, initial, exc, match", [
    pytest.param({}, None, TypeError, "P_dict must be a non-empty mapping", id="empty"),
    pytest.param("abc", None, TypeError, "P_dict must be a non-empty mapping", id="str"),
    pytest.param(5, None, TypeError, "P_dict must be a non-empty mapping", id="int"),
    pytest.param({0: GYM_P[0], "one": GYM_P[1]}, None, ValueError, r"P_dict must have states 0\.\.1 as keys",
                 id="bad-state-keys"),
    pytest.param({**GYM_P, 1: {0: GYM_P[1][0]}}, None, ValueError, r"P_dict\[1\] must have 2 actions",
                 id="missing-action"),
    pytest.param({0: 5}, None, TypeError, r"P_dict\[0\] must map actions", id="state-not-mapping"),
    pytest.param(_gym(s11=[(1.0, 3, 0.0, False)]), None, ValueError, r"P_dict\[1\]\[1\] next_state must be an integer",
                 id="next-state-out-of-range"),
    pytest.param(_gym(s11=[(1.0, 1.0, 0.0, False)]), None, ValueError, r"P_dict\[1\]\[1\] next_state", id="next-float"),
    pytest.param(_gym(s20=[(1.0, 2, 0.0)]), None, ValueError, r"P_dict\[2\]\[0\] entries must be \(prob, next_state",
                 id="short-entry"),
    pytest.param(_gym(s20=[7]), None, ValueError, r"P_dict\[2\]\[0\] entries must be", id="entry-not-tuple"),
    pytest.param(_gym(s01=[("x", 0, 0.0, False)]), None, TypeError, r"P_dict\[0\]\[1\] probability and reward",
                 id="prob-str"),
    pytest.param(_gym(s01=[(np.nan, 0, 0.0, False)]), None, ValueError, r"P_dict\[0\]\[1\] has a non-finite",
                 id="prob-nan"),
    pytest.param(_gym(s01=[(1.0, 0, np.inf, False)]), None, ValueError, r"P_dict\[0\]\[1\] has a non-finite",
                 id="reward-inf"),
    pytest.param(_gym(s01=[(0.5, 0, 0.0, False)]), None, ValueError, r"transitions row for \(s=0, a=1\) sums to 0.5",
                 id="row-sum"),
    pytest.param(_gym(s01=[(1.5, 0, 0.0, False), (-0.5, 1, 0.0, False)]), None, ValueError,
                 r"transitions must be non-negative, got -0.5 for \(s=0, a=1\)", id="negative-prob"),
    pytest.param(GYM_P, [0.5, 0.5], ValueError, r"initial must have shape \(S,\) = \(3,\) or \(S\+1,\) = \(4,\)",
                 id="initial-length"),
    pytest.param(GYM_P, [0.5, np.nan, 0.5], ValueError, "initial must be finite", id="initial-nan"),
    pytest.param(GYM_P, [0.5, 0.6, 0.0], ValueError, "initial must sum to 1", id="initial-sum"),
])
def test_from_gymnasium_rejects_bad_input(P_dict, initial, exc, match):
    with pytest.raises(exc, match=match):
        MDP.from_gymnasium(P_dict, initial)


# --------------------------------------------------------------------------
# The MDP is immutable
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["initial", "transitions", "n_states", "n_actions", "_initial", "anything"])
def test_mdp_attributes_cannot_be_set(mdp, name):
    with pytest.raises(AttributeError, match="immutable"):
        setattr(mdp, name, np.zeros(3))


@pytest.mark.parametrize("get", [
    lambda m: m.initial,
    lambda m: m.transitions.data,
    lambda m: m.transitions.indices,
    lambda m: m.transitions.indptr,
    lambda m: m.transitions_t.data,
    lambda m: m.transitions_t.indices,
], ids=["initial", "data", "indices", "indptr", "transpose-data", "transpose-indices"])
def test_mdp_arrays_are_read_only_for_good(mdp, get):
    arr = get(mdp)
    with pytest.raises(ValueError, match="read-only"):
        arr[0] = 0
    with pytest.raises(ValueError, match="WRITEABLE"):  # and cannot be made writeable again
        arr.flags.writeable = True


def test_reassigning_attributes_of_the_returned_matrix_does_not_reach_the_mdp():
    mdp = MDP(p_csr(), INITIAL)
    before = soft_backward(mdp, REWARD, horizon=T).V
    view = mdp.transitions
    view.indices = np.full_like(view.indices, 10**6)  # would crash a kernel that read it
    view.data = np.zeros_like(view.data)
    assert_array_equal(mdp.to_dense(), P_DENSE)
    assert_array_equal(soft_backward(mdp, REWARD, horizon=T).V, before)


def _scramble(x):
    """Overwrite every array a matrix or array holds, in place."""
    arrays = [x] if isinstance(x, np.ndarray) else [x.data, *getattr(x, "coords", ()),
                                                     *[getattr(x, k) for k in ("indices", "indptr") if hasattr(x, k)]]
    for arr in arrays:
        arr[...] = 0


@pytest.mark.parametrize("build", [
    pytest.param(lambda P, init: (sp.csr_array(P.reshape(S * A, S)), MDP), id="csr"),
    pytest.param(lambda P, init: (sp.coo_array(P.reshape(S * A, S)), MDP), id="coo"),
    pytest.param(lambda P, init: (P, MDP.from_dense), id="from_dense"),
])
def test_mutating_inputs_after_construction_does_not_change_the_mdp(build):
    P, init = P_DENSE.copy(), INITIAL.copy()
    transitions, constructor = build(P, init)
    mdp = constructor(transitions, init)
    _scramble(transitions)
    _scramble(init)
    assert_array_equal(mdp.to_dense(), P_DENSE)
    assert_array_equal(mdp.initial, INITIAL)


# --------------------------------------------------------------------------
# horizon, discount, causal, temperature: every function that takes them
# --------------------------------------------------------------------------


def _call(name, mdp, **kw):
    """Call a public function with good defaults; ``kw`` overrides them."""
    if name == "soft_backward":
        return soft_backward(mdp, kw.pop("reward", REWARD), **kw)
    if name == "value_iteration":
        return value_iteration(mdp, kw.pop("reward", REWARD), **kw)
    if name == "visitation":
        return visitation(mdp, kw.pop("policy", UNIFORM), **kw)
    if name == "posterior_marginals":
        return posterior_marginals(mdp, kw.pop("reward", REWARD), **kw)
    if name == "sample_trajectories":
        return sample_trajectories(mdp, kw.pop("policy", UNIFORM), kw.pop("n", 3), **kw)
    raise AssertionError(name)


WITH_HORIZON = ["soft_backward", "value_iteration", "visitation", "posterior_marginals", "sample_trajectories"]
WITH_DISCOUNT = ["soft_backward", "value_iteration", "visitation"]


@pytest.mark.parametrize("name", WITH_HORIZON)
@pytest.mark.parametrize("horizon, exc, match", [
    (3.0, TypeError, r"horizon must be an integer >= 1, got float 3\.0 \(write 3"),
    (np.float64(3.0), TypeError, "horizon must be an integer"),
    (2.5, TypeError, "horizon must be an integer"),
    (np.nan, TypeError, "horizon must be an integer"),
    (True, TypeError, "horizon must be an integer"),
    (np.bool_(True), TypeError, "horizon must be an integer"),
    ("3", TypeError, "horizon must be an integer"),
    (0, ValueError, "horizon must be >= 1, got 0"),
    (-2, ValueError, "horizon must be >= 1, got -2"),
    (np.int32(0), ValueError, "horizon must be >= 1"),
])
def test_bad_horizon(mdp, name, horizon, exc, match):
    with pytest.raises(exc, match=match):
        _call(name, mdp, horizon=horizon)


@pytest.mark.parametrize("name", WITH_HORIZON)
@pytest.mark.parametrize("horizon", [np.int64(2), np.int32(2), np.uint8(2)])
def test_numpy_integer_horizon_accepted(mdp, name, horizon):
    result = _call(name, mdp, horizon=horizon)
    assert result.horizon == 2 and type(result.horizon) is int


@pytest.mark.parametrize("name", WITH_DISCOUNT)
@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(discount=-0.1), ValueError, r"discount must be in \[0, 1\)"),
    (dict(discount=1.0), ValueError, r"discount must be in \[0, 1\) \(without a horizon"),
    (dict(discount=1.5), ValueError, r"discount must be in \[0, 1\)"),
    (dict(discount=np.nan), ValueError, "discount must be in"),
    (dict(discount=np.inf), ValueError, "discount must be in"),
    (dict(discount=1.01, horizon=3), ValueError, r"discount must be in \[0, 1\] \(with a horizon\)"),
    (dict(discount=-1e-12, horizon=3), ValueError, r"discount must be in \[0, 1\]"),
    (dict(discount="0.9"), TypeError, "discount must be a real number"),
    (dict(discount=True), TypeError, "discount must be a real number"),
    (dict(discount=0.9 + 0j), TypeError, "discount must be a real number"),
    ({}, ValueError, "give horizon .* discount .* or both; got neither"),
    (dict(horizon=None, discount=None), ValueError, "got neither"),
])
def test_bad_discount(mdp, name, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _call(name, mdp, **kwargs)


@pytest.mark.parametrize("kwargs", [dict(horizon=3, discount=0.9), dict(discount=0.9), dict(horizon=3, discount=0.0)])
def test_noncausal_with_discount_says_why(mdp, kwargs):
    with pytest.raises(ValueError, match=r"causal=False .* undiscounted finite horizons only"):
        soft_backward(mdp, REWARD, causal=False, **kwargs)


def test_noncausal_with_discount_one_is_the_undiscounted_model(mdp):
    a = soft_backward(mdp, REWARD, horizon=3, discount=1.0, causal=False)
    b = soft_backward(mdp, REWARD, horizon=3, causal=False)
    assert_array_equal(a.V, b.V)


@pytest.mark.parametrize("causal", [None, 1, "yes", np.array([True, False])])
def test_causal_must_be_a_bool(mdp, causal):
    with pytest.raises(TypeError, match="causal must be True or False"):
        soft_backward(mdp, REWARD, horizon=3, causal=causal)


@pytest.mark.parametrize("name", ["soft_backward", "posterior_marginals"])
@pytest.mark.parametrize("temperature, exc, match", [
    (0.0, ValueError, "temperature must be finite and > 0, got 0.0"),
    (-1.0, ValueError, "temperature must be finite and > 0"),
    (np.nan, ValueError, "temperature must be finite and > 0, got nan"),
    (np.inf, ValueError, "temperature must be finite and > 0, got inf"),
    ("1", TypeError, "temperature must be a real number"),
    (True, TypeError, "temperature must be a real number"),
    (None, TypeError, "temperature must be a real number"),
])
def test_bad_temperature(mdp, name, temperature, exc, match):
    with pytest.raises(exc, match=match):
        _call(name, mdp, horizon=3, temperature=temperature)


def test_posterior_marginals_needs_a_horizon(mdp):
    with pytest.raises(ValueError, match="horizon must be an integer >= 1 .* finite horizon"):
        posterior_marginals(mdp, REWARD, horizon=None)


@pytest.mark.parametrize("name", ["soft_backward", "value_iteration"])
@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(tol=0.0), ValueError, "tol must be a finite number > 0"),
    (dict(tol=np.nan), ValueError, "tol must be"),
    (dict(tol="small"), TypeError, "tol must be a real number > 0"),
    (dict(tol=True), TypeError, "tol must be a real number > 0"),
    (dict(max_iter=0), ValueError, "max_iter must be >= 1"),
    (dict(max_iter=10.0), TypeError, "max_iter must be an integer"),
])
def test_bad_stopping_rule(mdp, name, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _call(name, mdp, discount=0.9, **kwargs)


@pytest.mark.parametrize("name", WITH_HORIZON)
@pytest.mark.parametrize("bad", [None, P_DENSE, p_csr(), "mdp"])
def test_mdp_argument_must_be_an_MDP(name, bad):
    with pytest.raises(TypeError, match="mdp must be a tabular_irl.MDP"):
        _call(name, bad, horizon=3)


# --------------------------------------------------------------------------
# reward, policy, initial, features
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["soft_backward", "value_iteration", "posterior_marginals"])
@pytest.mark.parametrize("reward, exc, match", [
    (np.zeros(S + 1), ValueError, r"reward must have shape \(S,\) = \(3,\) or \(S, A\) = \(3, 2\), got shape \(4,\)"),
    (np.zeros((S, A + 1)), ValueError, r"reward must have shape .* got shape \(3, 3\)"),
    (np.zeros((A, S)), ValueError, r"reward must have shape .* got shape \(2, 3\)"),
    (np.zeros((S, A, 1)), ValueError, r"reward must have shape .* got shape \(3, 2, 1\)"),
    (np.float64(1.0), ValueError, r"reward must have shape .* got shape \(\)"),
    (replaced(REWARD, (2, 1)), ValueError, r"reward must be finite, got nan at index \(2, 1\)"),
    (replaced(REWARD, (0, 0), np.inf), ValueError, r"reward must be finite, got inf at index \(0, 0\)"),
    (replaced(np.zeros(S), 1, -np.inf), ValueError, r"reward must be finite, got -inf at index \(1, 0\)"),
    (REWARD.astype(complex), TypeError, "reward must hold real numbers"),
    ("abc", TypeError, "reward must hold real numbers"),
    (sp.csr_array(REWARD), TypeError, "reward must be a dense array"),
    ([[1.0], [1.0, 2.0]], TypeError, "reward must be array-like"),
])
def test_bad_reward(mdp, name, reward, exc, match):
    kwargs = dict(horizon=3) if name == "posterior_marginals" else dict(discount=0.5)
    with pytest.raises(exc, match=match):
        _call(name, mdp, reward=reward, **kwargs)


@pytest.mark.parametrize("name", ["visitation", "sample_trajectories"])
@pytest.mark.parametrize("policy, exc, match", [
    (np.full((S + 1, A), 0.5), ValueError, r"policy must have shape \(S, A\) = \(3, 2\) or \(T, S, A\) = \(4, 3, 2\)"),
    (np.full((T + 1, S, A), 0.5), ValueError, r"policy must have shape .* got shape \(5, 3, 2\)"),
    (np.full((T - 1, S, A), 0.5), ValueError, r"policy must have shape .* got shape \(3, 3, 2\)"),
    (np.full((A, S), 1 / 3), ValueError, r"policy must have shape .* got shape \(2, 3\)"),
    (replaced(UNIFORM, 1, [0.5, 0.4]), ValueError, r"policy row for \(s=1\) sums to 0.9, expected 1"),
    (replaced(np.full((T, S, A), 0.5), (2, 0), [0.0, 0.0]), ValueError, r"policy row for \(t=2, s=0\) sums to 0,"),
    (replaced(UNIFORM, 2, [1.5, -0.5]), ValueError, r"policy must be non-negative, got -0.5 at index \(2, 1\)"),
    (replaced(UNIFORM, 0, [np.nan, 1.0]), ValueError, r"policy must be finite, got nan at index \(0, 0\)"),
    (replaced(np.full((T, S, A), 0.5), (3, 1), [np.inf, 0.0]), ValueError,
     r"policy must be finite, got inf at index \(3, 1, 0\)"),
    (None, TypeError, "policy must hold real numbers"),
    (sp.csr_array(UNIFORM), TypeError, "policy must be a dense array"),
])
def test_bad_policy(mdp, name, policy, exc, match):
    with pytest.raises(exc, match=match):
        _call(name, mdp, policy=policy, horizon=T)


def test_time_indexed_policy_needs_a_horizon(mdp):
    with pytest.raises(ValueError, match=r"policy must have shape \(S, A\) = \(3, 2\), got shape \(4, 3, 2\)"):
        visitation(mdp, np.full((T, S, A), 0.5), discount=0.9)


@pytest.mark.parametrize("name", ["visitation", "posterior_marginals", "sample_trajectories"])
@pytest.mark.parametrize("initial, match", [
    ([1.0, 0.0], r"initial must have shape \(3,\)"),
    ([np.nan, 1.0, 0.0], "initial must be finite"),
    ([0.5, 0.6, -0.1], "initial must be non-negative"),
    ([0.5, 0.0, 0.0], "initial must sum to 1, got sum 0.5"),
])
def test_bad_initial_override(mdp, name, initial, match):
    with pytest.raises(ValueError, match=match):
        _call(name, mdp, horizon=T, initial=initial)


@pytest.mark.parametrize("counts", ["expected", "empirical"])
@pytest.mark.parametrize("features, exc, match", [
    (replaced(FEATURES, (1, 0, 1)), ValueError, r"features must be finite, got nan at index \(1, 0, 1\)"),
    (replaced(FEATURES[:, 0], (2, 0), np.inf), ValueError, "features must be finite, got inf"),
    (np.zeros((S, A, 0)), ValueError, r"features must have at least one feature \(d >= 1\)"),
    (np.zeros(S), ValueError, r"features must have shape \(S, d\)"),
    (np.zeros((S, A, 1, 1)), ValueError, r"features must have shape \(S, d\)"),
    (FEATURES.astype(complex), TypeError, "features must hold real numbers"),
    (sp.csr_array(replaced(FEATURES[:, 0], (1, 0))), ValueError, r"features \(non-zero entries\) must be finite"),
    ([[1.0], [1.0, 2.0]], TypeError, "features must be array-like"),
])
def test_bad_features(mdp, demos, counts, features, exc, match):
    with pytest.raises(exc, match=match):
        if counts == "expected":
            expected_feature_counts(visitation(mdp, UNIFORM, horizon=T), features)
        else:
            empirical_feature_counts(demos, features)


def test_expected_features_must_match_the_visitation(mdp):
    vis = visitation(mdp, UNIFORM, horizon=T)
    with pytest.raises(ValueError, match=r"features must have shape \(S, d\) = \(3, d\) or \(S, A, d\) = \(3, 2, d\)"):
        expected_feature_counts(vis, np.zeros((S + 1, 2)))
    with pytest.raises(ValueError, match=r"sparse features must have shape \(S, d\) = \(3, d\)"):
        expected_feature_counts(vis, sp.csr_array(np.ones((S + 1, 2))))
    with pytest.raises(TypeError, match="vis must be a Visitation"):
        expected_feature_counts(vis.total_state_action, FEATURES)


@pytest.mark.parametrize("discount, exc, match", [
    (1.5, ValueError, r"discount must be in \[0, 1\]"), (-0.5, ValueError, "discount must be in"),
    (np.nan, ValueError, "discount must be in"), ("0.9", TypeError, "discount must be a real number"),
])
def test_empirical_counts_bad_discount(demos, discount, exc, match):
    with pytest.raises(exc, match=match):
        empirical_feature_counts(demos, FEATURES, discount=discount)


# --------------------------------------------------------------------------
# Trajectories, sampling arguments
# --------------------------------------------------------------------------

STATES = np.array([[0, 1, 2], [2, 2, 1]])
ACTIONS = np.array([[0, 1], [1, 1]])


@pytest.mark.parametrize("states, actions, exc, match", [
    (STATES.astype(float), ACTIONS, TypeError, r"states must be an integer array, got dtype float64 \(cast with"),
    (STATES, ACTIONS + 0.5, TypeError, "actions must be an integer array, got dtype float64"),
    (STATES.astype(bool), ACTIONS, TypeError, "states must be an integer array, got dtype bool"),
    (STATES.astype(str), ACTIONS, TypeError, "states must be an integer array"),
    (STATES[0], ACTIONS[0], ValueError, r"states must be 2-dimensional, got shape \(3,\)"),
    (STATES, ACTIONS[None], ValueError, r"actions must be 2-dimensional, got shape \(1, 2, 2\)"),
    (STATES, ACTIONS[:, :1], ValueError, r"actions must have shape \(N, T\) = \(2, 2\) .* got shape \(2, 1\)"),
    (STATES, ACTIONS[:1], ValueError, r"actions must have shape \(N, T\) = \(2, 2\)"),
    (STATES[:0], ACTIONS[:0], ValueError, "states must hold at least one trajectory"),
    (STATES[:, :1], ACTIONS[:, :0], ValueError, r"at least one decision \(T >= 1\)"),
    ([[0, 1, 2], [0, 1]], ACTIONS, TypeError, "states must be a rectangular integer array"),
])
def test_trajectories_reject_bad_shapes_and_dtypes(states, actions, exc, match):
    with pytest.raises(exc, match=match):
        Trajectories(states, actions)


@pytest.mark.parametrize("states, actions, what", [
    ([[0, 1, S]], [[0, 1]], r"states\[0, 2\] = 3 is not a state (of this MDP \(n_states=3\)|in \[0, 3\))"),
    ([[0, -1, 2]], [[0, 1]], r"states\[0, 1\] = -1 is not a state (of this MDP \(n_states=3\)|in \[0, 3\))"),
    ([[0, 1, 2]], [[0, A]], r"actions\[0, 1\] = 2 is not an action (of this MDP \(n_actions=2\)|in \[0, 2\))"),
    ([[0, 1, 2]], [[-3, 0]], r"actions\[0, 0\] = -3 is not an action (of this MDP \(n_actions=2\)|in \[0, 2\))"),
])
def test_trajectory_indices_checked_when_used_with_an_mdp(mdp, states, actions, what):
    demos = Trajectories(np.array(states), np.array(actions))  # fine on its own
    with pytest.raises(ValueError, match=r"demos\." + what):
        demos.check_against(mdp)
    with pytest.raises(ValueError, match=r"demos\." + what):  # features sized like the MDP
        empirical_feature_counts(demos, FEATURES)


@pytest.mark.parametrize("seed, exc, match", [
    (1.5, TypeError, "seed must be None, a non-negative int or a numpy.random.Generator, got float"),
    ("7", TypeError, "seed must be None, a non-negative int or a numpy.random.Generator, got str"),
    (True, TypeError, "seed must be .* got bool"),
    (np.random.RandomState(0), TypeError, "seed must be .* got RandomState"),
    (-1, ValueError, "seed must be a non-negative int, got -1"),
])
def test_bad_seed(mdp, seed, exc, match):
    with pytest.raises(exc, match=match):
        sample_trajectories(mdp, UNIFORM, 3, horizon=T, seed=seed)


@pytest.mark.parametrize("n, exc, match", [
    (0, ValueError, "n must be >= 1, got 0"), (-5, ValueError, "n must be >= 1"),
    (2.0, TypeError, "n must be an integer"), (True, TypeError, "n must be an integer"),
    (None, TypeError, "n must be an integer"),
])
def test_bad_number_of_trajectories(mdp, n, exc, match):
    with pytest.raises(exc, match=match):
        sample_trajectories(mdp, UNIFORM, n, horizon=T, seed=0)


def test_sample_trajectories_needs_a_horizon(mdp):
    with pytest.raises(TypeError, match="horizon must be an integer"):
        sample_trajectories(mdp, UNIFORM, 3, horizon=None)


# --------------------------------------------------------------------------
# No call modifies its inputs
# --------------------------------------------------------------------------

CALLS = {
    "soft_backward/causal": lambda m, r, pi, phi, init: soft_backward(m, r, horizon=T),
    "soft_backward/noncausal": lambda m, r, pi, phi, init: soft_backward(m, r, horizon=T, causal=False),
    "soft_backward/discounted": lambda m, r, pi, phi, init: soft_backward(m, r, discount=0.9),
    "value_iteration": lambda m, r, pi, phi, init: value_iteration(m, r, horizon=T),
    "value_iteration/discounted": lambda m, r, pi, phi, init: value_iteration(m, r, discount=0.9),
    "visitation": lambda m, r, pi, phi, init: visitation(m, pi, horizon=T, initial=init),
    "visitation/discounted": lambda m, r, pi, phi, init: visitation(m, pi[0], discount=0.9, initial=init),
    "posterior_marginals": lambda m, r, pi, phi, init: posterior_marginals(m, r, horizon=T, initial=init),
    "sample_trajectories": lambda m, r, pi, phi, init: sample_trajectories(m, pi, 5, horizon=T, seed=0, initial=init),
    "expected_feature_counts": lambda m, r, pi, phi, init: expected_feature_counts(
        visitation(m, pi, horizon=T), phi),
    "empirical_feature_counts": lambda m, r, pi, phi, init: empirical_feature_counts(
        Trajectories(STATES, ACTIONS), phi, discount=0.9),
    "MDP": lambda m, r, pi, phi, init: MDP(m.transitions, init),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_inputs_are_not_modified(mdp, call):
    rng = np.random.default_rng(0)
    inputs = dict(
        r=rng.normal(size=(S, A)),  # float64 C-contiguous: the validators may pass it through uncopied
        pi=rng.dirichlet(np.ones(A), size=(T, S)),
        phi=rng.normal(size=(S, A, 2)),
        init=np.array([0.2, 0.3, 0.5]),
    )
    before = {k: v.copy() for k, v in inputs.items()}
    transitions_before = mdp.to_dense(), mdp.initial.copy()
    CALLS[call](mdp, **inputs)
    for k in inputs:
        assert_array_equal(inputs[k], before[k], err_msg=k)
        assert inputs[k].flags.writeable, k
    assert_array_equal(mdp.to_dense(), transitions_before[0])
    assert_array_equal(mdp.initial, transitions_before[1])


def test_results_are_read_only(mdp):
    plan = soft_backward(mdp, REWARD, horizon=T)
    vis = visitation(mdp, plan.policy, horizon=T)
    for arr in (plan.V, plan.Q, plan.policy, vis.state, vis.state_action, vis.total_state_action):
        with pytest.raises(ValueError, match="read-only"):
            arr[...] = 0.0


@pytest.mark.parametrize("bad_index", [10**8, -7])
def test_malformed_sparse_features_raise_instead_of_crashing(mdp, demos, bad_index):
    from tabular_irl import maxent_objective

    x = sp.csr_array(np.eye(S))
    x.indices = x.indices.copy()
    x.indices[1] = bad_index
    with pytest.raises(ValueError, match=r"features\.indices must lie in"):
        maxent_objective(mdp, x, np.zeros(S), demos, horizon=T)
    with pytest.raises(ValueError, match=r"features\.indices must lie in"):
        empirical_feature_counts(demos, x)


def test_complex_sparse_features_rejected(mdp, demos):
    with pytest.raises(TypeError, match="features must hold real numbers"):
        empirical_feature_counts(demos, sp.csr_array(np.eye(S) * (1 + 1j)))


def test_unsigned_indices_beyond_int64_rejected():
    with pytest.raises(ValueError, match=r"states must be indices \(< 2\*\*63\)"):
        Trajectories(np.array([[2**64 - 1, 0]], dtype=np.uint64), np.array([[0]]))


def test_expected_feature_counts_checks_a_hand_built_visitation():
    from tabular_irl import Visitation

    vis = Visitation(np.ones(S), np.ones((S, A)), np.full((S, A), np.nan), None, 0.9)
    with pytest.raises(ValueError, match=r"vis\.total_state_action must be finite"):
        expected_feature_counts(vis, np.eye(S))


# --------------------------------------------------------------------------
# The one validation layer: tabular_irl._validation's shared validators, and
# the public functions that reach them reading alike.

def _sixteen_state_mdp():
    P = np.zeros((16, 2, 16))
    P[:, :, 0] = 1.0
    return MDP.from_dense(P, np.eye(16)[0])


def test_check_trajectories_names_trajectory_and_step():
    from tabular_irl._validation import check_trajectories

    mdp16 = _sixteen_state_mdp()
    states = np.zeros((18, 6), dtype=int)
    states[17, 4] = 23
    bad = Trajectories(states, np.zeros((18, 5), dtype=int))
    with pytest.raises(ValueError) as info:
        check_trajectories(bad, "demos", mdp16, 5)
    assert str(info.value) == "demos.states[17, 4] = 23 is not a state of this MDP (n_states=16)"
    actions = np.zeros((18, 5), dtype=int)
    actions[3, 2] = -1
    with pytest.raises(ValueError) as info:
        check_trajectories(Trajectories(np.zeros((18, 6), dtype=int), actions), "samples", mdp16, None)
    assert str(info.value) == "samples.actions[3, 2] = -1 is not an action of this MDP (n_actions=2)"


def test_check_trajectories_type_and_horizon(mdp, demos):
    from tabular_irl._validation import check_trajectories

    assert check_trajectories(demos, "demos", mdp, T) is demos
    assert check_trajectories(demos, "demos") is demos  # no MDP, no horizon: the type alone
    with pytest.raises(TypeError, match=r"expert must be tabular_irl\.Trajectories, got array of shape \(2, 5\)"):
        check_trajectories(demos.states, "expert", mdp, T)
    with pytest.raises(ValueError, match=r"demos must have horizon T=3, got trajectories of 4 decisions"):
        check_trajectories(demos, "demos", mdp, 3)


def test_every_demonstrations_argument_reads_the_same(mdp, demos):
    """One check behind maxent, margins, apprenticeship, the approx estimators and AIRL: one wording."""
    from tabular_irl import apprenticeship_learning, max_margin_planning, maxent_objective
    from tabular_irl.approx import PolicyMixture, airl, empirical_policy, weighted_feature_expectations

    bad = Trajectories([[0, 1, 2, 5, 2]], [[0, 1, 1, 0]])
    index = r"\.states\[0, 3\] = 5 is not a state of this MDP \(n_states=3\)"
    calls = {
        "demos": [lambda x: maxent_objective(mdp, FEATURES, np.zeros(2), x, horizon=T),
                  lambda x: max_margin_planning(mdp, FEATURES, x, horizon=T),
                  lambda x: weighted_feature_expectations(mdp, x)],
        "airl": [lambda x: airl(mdp, x, discount=0.9)],
    }
    for name, fns in calls.items():
        for fn in fns:
            with pytest.raises(ValueError, match="^demos" + index):
                fn(bad)
            if name != "airl":  # AIRL's demos may be an occupancy array too
                with pytest.raises(TypeError, match="^demos must be tabular_irl\\.Trajectories, got list"):
                    fn([[0, 1]])
    with pytest.raises(ValueError, match="^demos" + index):  # or expert feature expectations
        apprenticeship_learning(mdp, FEATURES, bad, horizon=T)
    with pytest.raises(ValueError, match=r"^demos\.states\[0, 3\] = 5 is not a state in \[0, 3\)$"):
        empirical_policy(bad, S, A)
    with pytest.raises(ValueError, match=r"^trajectories\.states\[0, 3\] = 5 is not a state of the sampler's policies"):
        PolicyMixture([UNIFORM]).log_prob(bad)


def test_check_policy_names_the_argument_given():
    from tabular_irl._validation import check_policy
    from tabular_irl.metrics import expected_value_difference, policy_value
    from tabular_irl.approx import importance_sampling_theory, PolicyMixture

    bad_row = replaced(UNIFORM, (1, 0), 0.9)
    with pytest.raises(ValueError, match=r"^pi row for \(s=1\) sums to 1\.4, expected 1$"):
        check_policy(bad_row, S, A, None, name="pi")
    with pytest.raises(ValueError, match=r"^behaviour must have shape \(S, A\) = \(3, 2\) or \(T, S, A\)"):
        check_policy(np.ones((2, 2)), S, A, 4, name="behaviour")
    with pytest.raises(TypeError, match=r"^pi must hold real numbers"):
        check_policy(np.array([["a", "b"]]), S, A, None, name="pi")
    mdp = MDP(p_csr(), INITIAL)
    with pytest.raises(ValueError, match=r"^learned_policy row for \(s=1\)"):
        expected_value_difference(mdp, REWARD, UNIFORM, bad_row, horizon=T)
    with pytest.raises(ValueError, match=r"^policy row for \(s=1\)"):
        policy_value(mdp, bad_row, REWARD, horizon=T)
    with pytest.raises(ValueError, match=r"^sampler must be non-negative, got -0\.5"):
        importance_sampling_theory(mdp, FEATURES, np.zeros(2), replaced(UNIFORM, (0, 0), -0.5), horizon=T)
    with pytest.raises(ValueError, match=r"^policies\[1\] row for \(s=1\)"):
        PolicyMixture([UNIFORM, bad_row])


def test_check_option_lists_the_valid_names():
    from tabular_irl._validation import check_option

    assert check_option("b", "kind", ("a", "b")) == "b"
    with pytest.raises(ValueError, match=r"^kind must be one of 'a', 'b', got 'c'$"):
        check_option("c", "kind", ("a", "b"))
    for not_a_name in (None, 1, ["a"], b"a"):  # the wrong type is a bad value too: still a ValueError
        with pytest.raises(ValueError, match=r"^kind must be one of 'a', 'b', got "):
            check_option(not_a_name, "kind", ("a", "b"))


def test_check_names_names_the_unknown_suggests_the_close_and_lists_the_valid():
    from tabular_irl._validation import check_names

    valid = ("maxent", "mce", "mmp", "lp")
    assert check_names("mce", "spec methods", valid, what="method") == ["mce"]
    assert check_names({"mce": 1, "lp": 2}, "spec", valid) == ["mce", "lp"]  # a table: its keys
    assert check_names([], "spec", valid) == []
    with pytest.raises(ValueError) as info:
        check_names("maxnet", "spec methods", valid, what="method")
    assert str(info.value) == ("spec methods: unknown method 'maxnet' (did you mean 'maxent'?); "
                               "valid names: 'maxent', 'mce', 'mmp', 'lp'")
    with pytest.raises(ValueError) as info:  # several: each named, plural, no suggestion for what is far off
        check_names(["mce", "zzzz", "mpp"], "spec", valid)
    assert str(info.value).startswith("spec: unknown keys 'zzzz', 'mpp' (did you mean 'mmp'")
    for not_a_name in (None, 3):  # not a string: reported by its repr, still a ValueError
        with pytest.raises(ValueError, match=rf"^spec: unknown key {not_a_name!r}; valid names: 'maxent'"):
            check_names(not_a_name, "spec", valid)


def test_every_method_option_is_a_value_error_listing_the_names(mdp, demos):
    from tabular_irl import apprenticeship_learning, lp_irl, max_margin_planning, maxent_irl

    calls = [
        (lambda m: soft_backward(mdp, REWARD, discount=0.9, method=m), "'value_iteration', 'policy_iteration'"),
        (lambda m: value_iteration(mdp, REWARD, discount=0.9, method=m), "'value_iteration', 'policy_iteration'"),
        (lambda m: maxent_irl(mdp, FEATURES, demos, horizon=T, method=m), "'L-BFGS-B'"),
        (lambda m: max_margin_planning(mdp, FEATURES, demos, horizon=T, method=m), "'cutting_plane', 'subgradient'"),
        (lambda m: apprenticeship_learning(mdp, FEATURES, demos, horizon=T, method=m), "'projection', 'max_margin'"),
        (lambda m: lp_irl(mdp, np.array([0, 1, 1]), discount=0.9, method=m), "'highs'"),
        (lambda m: MDP.from_dense(P_DENSE, INITIAL, layout=m), "'ass', 'sas', 'ssa'"),
    ]
    for fn, names in calls:
        for bad in ("nope", None, 3):
            with pytest.raises(ValueError, match=f"must be one of .*{names}.*, got "):
                fn(bad)


def test_readonly_marks_arrays_and_skips_none():
    from tabular_irl import _lazy
    from tabular_irl._validation import readonly

    a, b = np.zeros(3), np.ones(2)
    assert readonly(a) is a and not a.flags.writeable
    out = readonly(b, None, np.arange(2))
    assert out[0] is b and out[1] is None and not b.flags.writeable and not out[2].flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 1.0
    assert _lazy.readonly is readonly  # one function, not a copy


def test_resolve_model():
    from tabular_irl._validation import Model, resolve_model

    assert resolve_model(5, None) == Model(5, 1.0, True, None)
    assert resolve_model(None, 0.9, temperature=2) == Model(None, 0.9, True, 2.0)
    assert resolve_model(5, None, causal=False).causal is False
    assert resolve_model(5, None).discount_argument is None  # undiscounted horizon: discount=None
    assert resolve_model(5, 0.5).discount_argument == 0.5
    assert resolve_model(None, 0.9).discount_argument == 0.9
    with pytest.raises(ValueError, match="give horizon .* discount .* or both; got neither"):
        resolve_model(None, None)
    with pytest.raises(ValueError, match="causal=False .* undiscounted finite horizons only"):
        resolve_model(5, 0.9, causal=False)
    with pytest.raises(TypeError, match="causal must be True or False, got int 1"):
        resolve_model(5, None, causal=1)
    with pytest.raises(ValueError, match="temperature must be finite and > 0, got 0.0"):
        resolve_model(5, None, temperature=0.0)
    with pytest.raises(TypeError, match=r"horizon must be an integer >= 1, got float 3\.0"):
        resolve_model(3.0, None)


def test_occupancy_measure_resolves_the_model_as_soft_backward_does(mdp):
    from tabular_irl.approx import occupancy_measure

    for fn in (lambda: occupancy_measure(mdp, UNIFORM), lambda: soft_backward(mdp, REWARD)):
        with pytest.raises(ValueError, match=r"^give horizon \(finite episodes\), discount"):
            fn()
    with pytest.raises(ValueError, match=r"discount must be in \[0, 1\) \(without a horizon"):
        occupancy_measure(mdp, UNIFORM, discount=1.0)


def test_small_shared_checks():
    from tabular_irl._validation import (
        check_bool, check_callable, check_index, check_nonnegative_array, check_real, check_type,
    )

    assert check_bool(np.bool_(True), "flag") is True
    with pytest.raises(TypeError, match=r"^flag must be True or False, got int 0$"):
        check_bool(0, "flag")
    assert check_type("x", "name", str, "a str") == "x"
    with pytest.raises(TypeError, match=r"^name must be a str, got int 3$"):
        check_type(3, "name", str, "a str")
    assert check_index(np.int64(2), "s", 3) == 2
    with pytest.raises(ValueError, match=r"^s must be in \[0, 3\), got 3$"):
        check_index(3, "s", 3)
    with pytest.raises(TypeError, match=r"^s must be an integer, got bool"):
        check_index(True, "s", 3)
    with pytest.raises(ValueError, match=r"^w must be non-negative, got -1\.0 at index \(1, 0\)$"):
        check_nonnegative_array([[0.0, 1.0], [-1.0, 2.0]], "w")
    with pytest.raises(ValueError, match=r"^w must be non-negative, got -2\.0 at index 1$"):
        check_nonnegative_array([0.0, -2.0], "w", (2,))
    assert check_real(1.0, "step", 0.0, 1.0, open_low=True) == 1.0
    with pytest.raises(ValueError, match=r"^step must be in \(0, 1\], got 0\.0$"):
        check_real(0.0, "step", 0.0, 1.0, open_low=True)
    with pytest.raises(ValueError, match=r"^w must be in \(0, 1\), got 1\.0$"):
        check_real(1.0, "w", 0.0, 1.0, open_low=True, open_high=True)
    check_callable(None, "callback")
    with pytest.raises(TypeError, match=r"^callback must be callable or None, got int 3$"):
        check_callable(3, "callback")
