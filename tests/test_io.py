"""The portable ``.npz`` format: round trips, hand-written files, and clear errors on corrupt ones."""

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal

from tabular_irl import MDP, Trajectories, soft_backward
from tabular_irl.io import (
    FORMAT_VERSION,
    MDPFile,
    load_mdp,
    load_metadata,
    load_trajectories,
    save_mdp,
    save_trajectories,
)

from helpers import tiny_problem

S, A, D = 5, 3, 4


@pytest.fixture
def problem():
    mdp, _, _, r = tiny_problem(7, S, A)
    rng = np.random.default_rng(7)
    return mdp, r, rng.normal(size=(S, D)), rng.normal(size=(S, A, D))


def _fields(mdp, **extra):
    """The documented fields of an MDP file, written without tabular_irl.io."""
    P = mdp.transitions
    fields = dict(format="tabular_irl.mdp", format_version=1, n_states=mdp.n_states, n_actions=mdp.n_actions,
                  indptr=np.asarray(P.indptr, dtype=np.int64), indices=np.asarray(P.indices, dtype=np.int64),
                  data=np.asarray(P.data), initial=np.asarray(mdp.initial))
    fields.update(extra)
    return {k: v for k, v in fields.items() if v is not None}


def _assert_same_mdp(a, b):
    assert (a.n_states, a.n_actions) == (b.n_states, b.n_actions)
    for name in ("indptr", "indices", "data"):
        assert_array_equal(getattr(a.transitions, name), getattr(b.transitions, name))
    assert_array_equal(a.initial, b.initial)


# --------------------------------------------------------------------------
# round trips
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["none", "dense", "sparse", "state_action"])
@pytest.mark.parametrize("reward_kind", ["none", "state", "state_action"])
def test_mdp_round_trip(tmp_path, problem, kind, reward_kind):
    mdp, r, phi_s, phi_sa = problem
    features = {"none": None, "dense": phi_s, "sparse": sp.csr_array(np.where(phi_s > 0, phi_s, 0.0)),
                "state_action": phi_sa}[kind]
    reward = {"none": None, "state": r[:, 0], "state_action": r}[reward_kind]
    meta = {"name": "tiny", "seed": 7, "tags": ["a", "b"], "nested": {"x": 1.5, "ok": True, "none": None}}
    path = save_mdp(tmp_path / "m.npz", mdp, features=features, reward=reward, horizon=4, discount=0.9,
                    metadata=meta)
    out = load_mdp(path)
    assert isinstance(out, MDPFile)
    _assert_same_mdp(out.mdp, mdp)
    assert (out.horizon, out.discount, out.metadata) == (4, 0.9, meta)
    assert isinstance(out.horizon, int) and isinstance(out.discount, float)
    if features is None:
        assert out.features is None
    elif sp.issparse(features):
        assert sp.issparse(out.features) and out.features.shape == (S, D)
        assert_array_equal(out.features.toarray(), features.toarray())
    else:
        assert isinstance(out.features, np.ndarray) and out.features.dtype == np.float64
        assert_array_equal(out.features, features)
    if reward is None:
        assert out.reward is None
    else:
        assert_array_equal(out.reward, reward)  # shape kept: (S,) stays (S,)


@pytest.mark.parametrize("horizon, discount", [(6, None), (None, 0.8), (6, 1.0), (None, None)])
def test_loaded_mdp_plans_identically(tmp_path, problem, horizon, discount):
    mdp, r, _, _ = problem
    out = load_mdp(save_mdp(tmp_path / "m", mdp, reward=r, horizon=horizon, discount=discount))
    assert (out.horizon, out.discount, out.metadata) == (horizon, discount, {})
    T, gamma = (6, 0.95) if horizon is None and discount is None else (out.horizon, out.discount)
    for causal in ([True, False] if gamma in (None, 1.0) else [True]):
        a = soft_backward(mdp, r, horizon=T, discount=gamma, causal=causal)
        b = soft_backward(out.mdp, out.reward, horizon=T, discount=gamma, causal=causal)
        assert_array_equal(a.V, b.V)
        assert_array_equal(a.Q, b.Q)
        assert_array_equal(a.policy, b.policy)
        assert a.log_partition == b.log_partition


def test_save_appends_npz_and_returns_the_path(tmp_path, problem):
    mdp = problem[0]
    for given in (tmp_path / "plain", str(tmp_path / "as_str"), tmp_path / "name.v1"):
        written = save_mdp(given, mdp)
        assert written.name.endswith(".npz") and written.exists()
        assert written == type(written)(str(given) + ".npz")
    assert save_mdp(tmp_path / "kept.npz", mdp) == tmp_path / "kept.npz"
    assert not (tmp_path / "kept.npz.npz").exists()


def test_trajectories_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    demos = Trajectories(rng.integers(S, size=(6, 5)), rng.integers(A, size=(6, 4)))
    path = save_trajectories(tmp_path / "demos", demos, metadata={"expert": "soft", "n": 6})
    assert path.name == "demos.npz"
    out = load_trajectories(path)
    assert isinstance(out, Trajectories)
    assert out.states.dtype == out.actions.dtype == np.int64
    assert_array_equal(out.states, demos.states)
    assert_array_equal(out.actions, demos.actions)
    assert load_metadata(path) == {"expert": "soft", "n": 6}


def test_format_fields_as_documented(tmp_path, problem):
    mdp, r, phi_s, _ = problem
    path = save_mdp(tmp_path / "m", mdp, features=sp.csr_array(phi_s), reward=r, horizon=3, metadata={"k": 1})
    with np.load(path, allow_pickle=False) as f:
        assert str(f["format"]) == "tabular_irl.mdp" and int(f["format_version"]) == FORMAT_VERSION == 1
        assert set(f.files) == {"format", "format_version", "writer", "metadata", "n_states", "n_actions", "indptr",
                                "indices", "data", "initial", "reward", "horizon", "features_indptr",
                                "features_indices", "features_data", "features_shape"}
        assert f["indptr"].dtype == f["indices"].dtype == np.int64 and f["data"].dtype == np.float64
        assert f["horizon"].shape == () and json.loads(str(f["metadata"])) == {"k": 1}
        assert_array_equal(f["features_shape"], [S, D])


# --------------------------------------------------------------------------
# files written by hand, from the documentation only
# --------------------------------------------------------------------------
def test_hand_written_mdp_file_loads(tmp_path):
    # a 3-state chain, 2 actions ("stay", "right"), written with NumPy as another language would
    path = tmp_path / "hand.npz"
    np.savez(path, format=np.array("tabular_irl.mdp"), format_version=np.array(1), n_states=np.array(3),
             n_actions=np.array(2),
             indptr=np.array([0, 1, 2, 3, 5, 6, 7]), indices=np.array([0, 1, 1, 1, 2, 2, 2]),
             data=np.array([1.0, 1.0, 1.0, 0.5, 0.5, 1.0, 1.0]), initial=np.array([1.0, 0.0, 0.0]),
             features=np.eye(3), reward=np.array([0.0, 0.0, 1.0]), horizon=np.array(5),
             discount=np.array(0.99), metadata=np.array('{"source": "by hand"}'))
    out = load_mdp(path)
    P = np.zeros((3, 2, 3))
    P[0, 0, 0] = P[0, 1, 1] = P[1, 0, 1] = P[2, 0, 2] = P[2, 1, 2] = 1.0
    P[1, 1, 1] = P[1, 1, 2] = 0.5
    assert_array_equal(out.mdp.to_dense(), P)
    assert_array_equal(out.features, np.eye(3))
    assert (out.horizon, out.discount, out.metadata) == (5, 0.99, {"source": "by hand"})


def test_hand_written_variants_load(tmp_path, problem):
    mdp = problem[0]
    # byte strings, int32 indices, shape-(1,) scalars, an uncompressed archive, unsorted rows, no metadata
    P = mdp.transitions
    order = np.concatenate([np.arange(P.indptr[k], P.indptr[k + 1])[::-1] for k in range(S * A)])
    path = tmp_path / "variant.npz"
    np.savez(path, format=np.array(b"tabular_irl.mdp"), format_version=np.array([1], dtype=np.uint8),
             n_states=np.array([S]), n_actions=np.array(A, dtype=np.int32), indptr=P.indptr.astype(np.int32),
             indices=P.indices[order].astype(">i4"), data=P.data[order], initial=np.asarray(mdp.initial))
    out = load_mdp(path)
    _assert_same_mdp(out.mdp, mdp)
    assert out.metadata == {} and out.features is None and out.horizon is None

    tpath = tmp_path / "demos.npz"
    np.savez(tpath, format=np.array("tabular_irl.trajectories"), format_version=np.array(1),
             states=np.array([[0, 1, 2]], dtype=np.int32), actions=np.array([[1, 1]], dtype=np.uint16))
    demos = load_trajectories(tpath)
    assert_array_equal(demos.states, [[0, 1, 2]]) and demos.states.dtype == np.int64


# --------------------------------------------------------------------------
# corrupt or mismatched files
# --------------------------------------------------------------------------
def _write(tmp_path, **fields):
    path = tmp_path / "bad.npz"
    np.savez(path, **fields)
    return path


def test_truncated_file(tmp_path, problem):
    path = save_mdp(tmp_path / "m", problem[0], features=problem[2])
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match=r"m\.npz: not a readable \.npz \(zip\) archive.*BadZipFile"):
        load_mdp(path)
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"m\.npz: not a \.npz \(zip\) archive.*starts with b''"):
        load_mdp(path)


def test_corrupt_member_names_the_field(tmp_path, problem):
    # the zip directory survives but the compressed bytes of 'data.npy' are damaged
    path = save_mdp(tmp_path / "m", problem[0])
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("data.npy")
    raw = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[start:start + info.compress_size] = bytes(info.compress_size)
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"field 'data' cannot be read"):
        load_mdp(path)


def test_text_file_and_npy_file(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("S A\n3 2\n")
    with pytest.raises(ValueError, match=r"notes\.npz: not a \.npz \(zip\) archive.*starts with b'S A\\n3 '"):
        load_mdp(text)
    npy = tmp_path / "array.npy"
    np.save(npy, np.arange(3))
    with pytest.raises(ValueError, match=r"single \.npy array, not a \.npz archive"):
        load_trajectories(npy)
    with pytest.raises(ValueError, match="no 'format' field"):
        load_mdp(_write(tmp_path, x=np.arange(3)))


def test_missing_file_passes_through(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_mdp(tmp_path / "absent.npz")


def test_wrong_loader_says_which_to_use(tmp_path, problem):
    demos = save_trajectories(tmp_path / "d", Trajectories([[0, 1]], [[0]]))
    with pytest.raises(ValueError, match=r"d\.npz: field 'format' is 'tabular_irl\.trajectories'.*load_trajectories"):
        load_mdp(demos)
    m = save_mdp(tmp_path / "m", problem[0])
    with pytest.raises(ValueError, match=r"expected 'tabular_irl\.trajectories'.*load_mdp"):
        load_trajectories(m)
    with pytest.raises(ValueError, match=r"field 'format' is 'something\.else'"):
        load_mdp(_write(tmp_path, format="something.else", format_version=1))


def test_newer_version_says_upgrade(tmp_path, problem):
    path = _write(tmp_path, **_fields(problem[0], format_version=99))
    with pytest.raises(ValueError, match=r"'format_version' is 99.*upgrade tabular_irl"):
        load_mdp(path)
    with pytest.raises(ValueError, match=r"'format_version' is 0"):
        load_mdp(_write(tmp_path, **_fields(problem[0], format_version=0)))
    with pytest.raises(ValueError, match=r"'format_version' must hold integer values, got dtype float64"):
        load_mdp(_write(tmp_path, **_fields(problem[0], format_version=1.0)))


def test_missing_and_unknown_fields(tmp_path, problem):
    fields = _fields(problem[0])
    del fields["indptr"]
    with pytest.raises(ValueError, match=r"bad\.npz: field 'indptr' is missing"):
        load_mdp(_write(tmp_path, **fields))
    with pytest.raises(ValueError, match=r"field\(s\) \['rewards'\] are not part of format 'tabular_irl\.mdp'"):
        load_mdp(_write(tmp_path, **_fields(problem[0], rewards=np.zeros(S))))
    with pytest.raises(ValueError, match="field 'features_shape' is missing"):
        load_mdp(_write(tmp_path, **_fields(problem[0], features_indptr=np.zeros(S + 1, dtype=int))))


def test_invalid_transitions(tmp_path, problem):
    mdp = problem[0]
    indices = np.asarray(mdp.transitions.indices, dtype=np.int64).copy()
    indices[2] = S + 2
    with pytest.raises(ValueError, match=rf"transitions.*indices must lie in \[0, {S}\), got {S + 2}"):
        load_mdp(_write(tmp_path, **_fields(mdp, indices=indices)))
    data = np.asarray(mdp.transitions.data).copy()
    data[0] *= 0.5
    with pytest.raises(ValueError, match=r"transitions.*row for \(s=0, a=0\) sums to .*expected 1"):
        load_mdp(_write(tmp_path, **_fields(mdp, data=data)))
    indptr = np.asarray(mdp.transitions.indptr, dtype=np.int64).copy()
    indptr[1], indptr[2] = indptr[2], indptr[1]  # decreasing: would crash scipy's C code
    with pytest.raises(ValueError, match="indptr must start at 0 and be non-decreasing"):
        load_mdp(_write(tmp_path, **_fields(mdp, indptr=indptr)))
    with pytest.raises(ValueError, match=rf"indptr must have length {S * (A + 1) + 1}, got length {S * A + 1}"):
        load_mdp(_write(tmp_path, **_fields(mdp, n_actions=A + 1)))
    with pytest.raises(ValueError, match="'indices' and 'data' must have the same length"):
        load_mdp(_write(tmp_path, **_fields(mdp, data=np.append(data, 1.0))))
    nnz = data.size
    with pytest.raises(ValueError, match=rf"field 'indptr' ends at {nnz}, but {nnz + 1} entries are stored"):
        load_mdp(_write(tmp_path, **_fields(mdp, indices=np.append(mdp.transitions.indices, 0),
                                            data=np.append(mdp.transitions.data, 1.0))))
    with pytest.raises(ValueError, match="field 'data' must hold real values, got dtype <U"):
        load_mdp(_write(tmp_path, **_fields(mdp, data=np.array(["x"] * data.size))))
    with pytest.raises(ValueError, match="field 'initial' is invalid: initial must sum to 1"):
        load_mdp(_write(tmp_path, **_fields(mdp, initial=np.full(S, 0.1))))
    with pytest.raises(ValueError, match="field 'n_states' is invalid: n_states must be >= 1"):
        load_mdp(_write(tmp_path, **_fields(mdp, n_states=0)))


def test_invalid_features_and_reward(tmp_path, problem):
    mdp, r, phi_s, _ = problem
    wrong_rows = rf"field 'features' is invalid: .*\(S, d\) = \({S}, d\).*got shape \({S - 1}, "
    with pytest.raises(ValueError, match=wrong_rows):
        load_mdp(_write(tmp_path, **_fields(mdp, features=phi_s[:-1])))
    with pytest.raises(ValueError, match=r"'features_shape' must be \(S, d\)"):
        load_mdp(_write(tmp_path, **_fields(mdp, features_indptr=np.zeros(S + 2, dtype=int),
                                            features_indices=np.zeros(0, dtype=int), features_data=np.zeros(0),
                                            features_shape=np.array([S + 1, 2]))))
    with pytest.raises(ValueError, match="given together with sparse features"):
        load_mdp(_write(tmp_path, **_fields(mdp, features=phi_s, features_shape=np.array([S, D]))))
    with pytest.raises(ValueError, match=rf"field 'reward' is invalid: reward must have shape \(S,\) = \({S},\)"):
        load_mdp(_write(tmp_path, **_fields(mdp, reward=r.T)))
    bad = r.copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="field 'reward' is invalid: reward must be finite"):
        load_mdp(_write(tmp_path, **_fields(mdp, reward=bad)))


def test_invalid_horizon_discount(tmp_path, problem):
    mdp = problem[0]
    with pytest.raises(ValueError, match=r"field 'horizon' is invalid: horizon must be an integer >= 1, got float"):
        load_mdp(_write(tmp_path, **_fields(mdp, horizon=3.0)))
    with pytest.raises(ValueError, match="field 'horizon' is invalid: horizon must be >= 1"):
        load_mdp(_write(tmp_path, **_fields(mdp, horizon=0)))
    with pytest.raises(ValueError, match=r"field 'discount' is invalid: discount must be in \[0, 1\)"):
        load_mdp(_write(tmp_path, **_fields(mdp, discount=1.0)))
    with pytest.raises(ValueError, match="field 'horizon' must be a scalar"):
        load_mdp(_write(tmp_path, **_fields(mdp, horizon=np.array([3, 4]))))


def test_bad_metadata(tmp_path, problem):
    mdp = problem[0]
    with pytest.raises(ValueError, match="field 'metadata' is not valid JSON"):
        load_mdp(_write(tmp_path, **_fields(mdp, metadata="{'single': 'quotes'}")))
    with pytest.raises(ValueError, match="field 'metadata' must be a JSON object, got list"):
        load_mdp(_write(tmp_path, **_fields(mdp, metadata="[1, 2]")))
    with pytest.raises(ValueError, match="field 'metadata' is not valid JSON"):
        load_metadata(_write(tmp_path, **_fields(mdp, metadata="{")))
    with pytest.raises(TypeError, match="metadata must hold only JSON-serialisable values"):
        save_mdp(tmp_path / "m", mdp, metadata={"array": np.zeros(2)})
    with pytest.raises(TypeError, match="metadata must be a mapping"):
        save_trajectories(tmp_path / "d", Trajectories([[0, 1]], [[0]]), metadata=["x"])
    with pytest.raises(ValueError, match="metadata must be representable in standard JSON"):
        save_mdp(tmp_path / "m", mdp, metadata={"x": float("nan")})


def test_invalid_trajectories(tmp_path):
    head = dict(format="tabular_irl.trajectories", format_version=1)
    with pytest.raises(ValueError, match=r"fields 'states' and 'actions' is invalid: actions must have shape"):
        load_trajectories(_write(tmp_path, states=np.zeros((2, 4), dtype=int), actions=np.zeros((2, 4), dtype=int),
                                 **head))
    with pytest.raises(ValueError, match="field 'states' must hold integer values, got dtype float64"):
        load_trajectories(_write(tmp_path, states=np.zeros((2, 4)), actions=np.zeros((2, 3), dtype=int), **head))
    with pytest.raises(ValueError, match="field 'actions' must hold indices >= 0, got -1"):
        load_trajectories(_write(tmp_path, states=np.zeros((1, 2), dtype=int), actions=-np.ones((1, 1), dtype=int),
                                 **head))
    with pytest.raises(ValueError, match="field 'actions' is missing"):
        load_trajectories(_write(tmp_path, states=np.zeros((1, 2), dtype=int), **head))


def test_save_validates_its_arguments(tmp_path, problem):
    mdp, r, phi_s, _ = problem
    with pytest.raises(TypeError, match="mdp must be a tabular_irl.MDP"):
        save_mdp(tmp_path / "m", "not an mdp")
    with pytest.raises(ValueError, match="features must have shape"):
        save_mdp(tmp_path / "m", mdp, features=phi_s[:-1])
    with pytest.raises(ValueError, match="reward must have shape"):
        save_mdp(tmp_path / "m", mdp, reward=r.T)
    with pytest.raises(TypeError, match="horizon must be an integer"):
        save_mdp(tmp_path / "m", mdp, horizon=2.0)
    with pytest.raises(ValueError, match=r"discount must be in \[0, 1\)"):
        save_mdp(tmp_path / "m", mdp, discount=1.0)
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        save_mdp(3, mdp)
    with pytest.raises(TypeError, match="demos must be tabular_irl.Trajectories"):
        save_trajectories(tmp_path / "d", mdp)
    assert not list(tmp_path.iterdir())  # nothing written on bad input
    assert isinstance(load_mdp(save_mdp(tmp_path / "m", mdp)).mdp, MDP)


# --------------------------------------------------------------------------
# files from a stranger: sizes checked from the headers before any data is read
# --------------------------------------------------------------------------

def _npy_header(shape, dtype) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": np.dtype(dtype).str, "fortran_order": False,
                                                  "shape": shape})
    return buffer.getvalue()


def test_member_declaring_more_than_it_holds_is_refused_from_its_header(tmp_path, problem):
    """A valid MDP file whose 'indices' header declares 10^9 int64 entries (8 GB): refused, nothing allocated."""
    path = _write(tmp_path, **_fields(problem[0]))
    with zipfile.ZipFile(path, "a") as archive:  # replace 'indices' by a header with a few bytes behind it
        entries = {info.filename: archive.read(info) for info in archive.infolist() if info.filename != "indices.npy"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, raw in entries.items():
            archive.writestr(name, raw)
        archive.writestr("indices.npy", _npy_header((10**9,), np.int64) + bytes(16))
    tracemalloc.start()
    with pytest.raises(ValueError, match=r"field 'indices' declares shape \(1000000000,\) of int64 "
                                         r"\(8,000,000,000 bytes\) in its header, but the archive stores 16 bytes"):
        load_mdp(path)
    assert tracemalloc.get_traced_memory()[1] < 50e6  # the declared 8 GB were never allocated
    tracemalloc.stop()


def test_members_beyond_what_the_format_allows_are_refused(tmp_path, problem, monkeypatch):
    mdp = problem[0]
    S, A = mdp.n_states, mdp.n_actions
    too_many = np.zeros(S * A * S + 1, dtype=np.int64)  # more entries than a (S*A, S) matrix has
    with pytest.raises(ValueError, match=rf"field 'indices' declares {S * A * S + 1:,} entries .* more than the "
                                         rf"{S * A * S:,} the format allows here"):
        load_mdp(_write(tmp_path, **_fields(mdp, indices=too_many, data=np.zeros(too_many.size))))
    with pytest.raises(ValueError, match=rf"field 'initial' must have shape \({S},\), its header declares \(2, {S}\)"):
        load_mdp(_write(tmp_path, **_fields(mdp, initial=np.full((2, S), 1.0 / S))))
    monkeypatch.setenv("TABULAR_IRL_MEMORY_LIMIT", "100")  # bytes: the file's own arrays do not fit
    with pytest.raises(ValueError, match=r"field 'indptr' cannot be read: field 'indptr' of .* needs 128 B, more than the 100 B"):
        load_mdp(_write(tmp_path, **_fields(mdp)))
