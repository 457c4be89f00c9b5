r"""A portable file format for MDPs and demonstrations: ``.npz`` archives read without pickle.

:func:`save_mdp` / :func:`load_mdp` store an MDP with what an IRL problem needs
around it (features, a reward, the horizon or discount, free-form metadata);
:func:`save_trajectories` / :func:`load_trajectories` store demonstrations.
:func:`load_metadata` reads the metadata of either kind of file.

The files are ordinary NumPy ``.npz`` archives: a zip file (compressed or
not) whose members are ``<field>.npy`` files in the NumPy ``.npy`` format, one
array per field. They are read with ``numpy.load(path, allow_pickle=False)``,
so loading a file never executes code, and any language that can write a zip
file and a ``.npy`` header can write them. Strings are ``.npy`` unicode
(``<U``) arrays (byte strings ``|S`` holding UTF-8 are accepted too); a
*scalar* is a 0-d array (an array of shape ``(1,)`` is accepted as well).

Every file
----------

==================  ==========  ========================================================
field               kind        meaning
==================  ==========  ========================================================
``format``          string      ``"tabular_irl.mdp"`` or ``"tabular_irl.trajectories"``
``format_version``  int scalar  ``1``; a reader refuses versions it does not know
``metadata``        string      optional; a JSON object (UTF-8 text), ``{}`` if absent
``writer``          string      optional, informational (``"tabular_irl 0.1.0"``)
==================  ==========  ========================================================

``format = "tabular_irl.mdp"`` (``S`` states, ``A`` actions)
--------------------------------------------------------------

=====================  ====================  ==========================================================
field                  dtype, shape          meaning
=====================  ====================  ==========================================================
``n_states``           int scalar            ``S >= 1``
``n_actions``          int scalar            ``A >= 1``
``indptr``             int64 ``(S*A+1,)``    CSR row pointer of the ``(S*A, S)`` transition matrix
``indices``            int64 ``(nnz,)``      CSR column (next state) of each stored probability
``data``               float64 ``(nnz,)``    ``P(s' | s, a)``; row ``s*A + a`` sums to 1 (within 1e-9)
``initial``            float64 ``(S,)``      start distribution, sums to 1
``features``           float64               optional; dense ``(S, d)`` or ``(S, A, d)``
``features_indptr``    int64 ``(S+1,)``      optional; sparse ``(S, d)`` features in CSR form ...
``features_indices``   int64 ``(nnz_f,)``    ... column of each stored feature value
``features_data``      float64 ``(nnz_f,)``  ... the values
``features_shape``     int64 ``(2,)``        ... ``(S, d)``
``reward``             float64               optional; ``r(s)`` ``(S,)`` or ``r(s, a)`` ``(S, A)``
``horizon``            int scalar            optional; ``T >= 1`` decisions
``discount``           float scalar          optional; ``gamma`` in ``[0, 1)``, or ``[0, 1]`` with a horizon
=====================  ====================  ==========================================================

Row ``s*A + a`` of the transition matrix is ``P(. | s, a)``: the
probabilities of row ``k`` are ``data[indptr[k]:indptr[k+1]]`` and their next
states ``indices[indptr[k]:indptr[k+1]]`` (exactly ``indptr[-1] = nnz`` entries
are stored; duplicates are summed, order within a row is free). Features are
either dense (``features``) or sparse (all four ``features_*`` fields), never
both. A file may carry neither ``horizon`` nor ``discount`` (dynamics only).

``format = "tabular_irl.trajectories"``
---------------------------------------

=====================  ===================  ==========================================================
field                  dtype, shape         meaning
=====================  ===================  ==========================================================
``states``             int64 ``(N, T+1)``   ``states[i, t] = s_t`` of trajectory ``i`` (``s_T`` included)
``actions``            int64 ``(N, T)``     ``actions[i, t] = a_t``
=====================  ===================  ==========================================================

Reading
-------
Numeric fields may be written with any integer (index and count fields) or
integer / floating (value fields) dtype and either byte order; they are
converted to int64 / float64 and then validated by the same checks as the
package's constructors (:class:`~tabular_irl.MDP`, :class:`~tabular_irl.Trajectories`,
the reward, feature, horizon and discount validators). A field not listed
above for the file's format and version is an error (a typo such as
``rewards`` is not silently ignored). Every problem with a file's contents is a
``ValueError`` that names the file and the field; a missing file is the usual
``FileNotFoundError``.

Examples
--------
Writing an MDP file without tabular_irl (NumPy only):

>>> import os, tempfile
>>> import numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "two_states.npz")
>>> np.savez(path, format="tabular_irl.mdp", format_version=1, n_states=2, n_actions=1,
...          indptr=np.array([0, 1, 2]), indices=np.array([1, 1]), data=np.array([1.0, 1.0]),
...          initial=np.array([1.0, 0.0]), reward=np.array([0.0, 1.0]), horizon=3)
>>> loaded = load_mdp(path)
>>> loaded.mdp, loaded.horizon, loaded.reward
(MDP(n_states=2, n_actions=1, nnz=2), 3, array([0., 1.]))
"""

from __future__ import annotations

import json
import os
import types
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._features import as_linear_features
from ._npzfile import NpzReader as _Reader
from ._validation import (
    _check_compressed_structure,
    check_discount,
    check_distribution,
    check_finite_array,
    check_horizon,
    check_positive_int,
    check_reward,
    check_trajectories,
    check_type,
    resolve_model,
)
from .mdp import MDP, check_mdp
from .trajectories import Trajectories

__all__ = ["MDPFile", "save_mdp", "load_mdp", "save_trajectories", "load_trajectories", "load_metadata",
           "FORMAT_VERSION"]

FORMAT_VERSION = 1
"""The format version this module writes, and the newest it reads."""

_MDP_FORMAT = "tabular_irl.mdp"
_TRAJ_FORMAT = "tabular_irl.trajectories"
_LOADERS = {_MDP_FORMAT: "load_mdp", _TRAJ_FORMAT: "load_trajectories"}
_NOUNS = {_MDP_FORMAT: "an MDP", _TRAJ_FORMAT: "demonstrations"}

_COMMON_FIELDS = {"format", "format_version", "metadata", "writer"}
_SPARSE_FEATURE_FIELDS = ("features_indptr", "features_indices", "features_data", "features_shape")
_MDP_FIELDS = _COMMON_FIELDS | {"n_states", "n_actions", "indptr", "indices", "data", "initial", "features",
                                "reward", "horizon", "discount", *_SPARSE_FEATURE_FIELDS}
_TRAJ_FIELDS = _COMMON_FIELDS | {"states", "actions"}
_FIELDS = {_MDP_FORMAT: _MDP_FIELDS, _TRAJ_FORMAT: _TRAJ_FIELDS}

_INT_KINDS = "iu"
_REAL_KINDS = "iuf"


@dataclass(frozen=True, eq=False)
class MDPFile:
    """What :func:`load_mdp` returns.

    Attributes
    ----------
    mdp : MDP
    features : ndarray of shape (S, d) or (S, A, d), scipy.sparse.csr_array of shape (S, d), or None
        float64, as saved (dense stays dense, sparse stays sparse).
    reward : ndarray of shape (S,) or (S, A), or None
        float64, in the shape it was saved with.
    horizon : int or None
    discount : float or None
    metadata : dict
        The JSON object saved with the file (``{}`` when none was).

    See Also
    --------
    load_mdp : returns it.
    save_mdp : writes the file.

    Examples
    --------
    >>> import os, tempfile
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3)
    >>> path = save_mdp(os.path.join(tempfile.mkdtemp(), "grid"), world.mdp, features=world.features,
    ...                 discount=0.9, metadata={"name": "3x3"})
    >>> loaded = load_mdp(path)
    >>> loaded.features.shape, loaded.reward, loaded.horizon, loaded.discount, loaded.metadata
    ((9, 9), None, None, 0.9, {'name': '3x3'})
    """

    mdp: MDP
    features: np.ndarray | sp.csr_array | None = None
    reward: np.ndarray | None = None
    horizon: int | None = None
    discount: float | None = None
    metadata: dict = field(default_factory=dict)


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------
def _npz_path(path: Any) -> Path:
    """``path`` as a ``Path`` ending in ``.npz`` (appended when missing, as NumPy does)."""
    check_type(path, "path", (str, os.PathLike), "a str or os.PathLike")
    p = Path(os.fsdecode(os.fspath(path)))
    return p if p.name.endswith(".npz") else p.with_name(p.name + ".npz")


def _metadata_json(metadata: Any) -> str:
    if metadata is None:
        return "{}"
    check_type(metadata, "metadata", Mapping, "a mapping (a JSON object)")
    try:
        return json.dumps(dict(metadata), allow_nan=False)
    except TypeError as exc:
        raise TypeError(f"metadata must hold only JSON-serialisable values (str, int, float, bool, None, "
                        f"lists and dicts of them): {exc}") from exc
    except ValueError as exc:  # NaN / inf, circular references
        raise ValueError(f"metadata must be representable in standard JSON: {exc}") from exc


def _write(path: Any, fields: dict[str, Any]) -> Path:
    from . import __version__

    out = _npz_path(path)
    fields = {"format_version": np.int64(FORMAT_VERSION), "writer": np.str_(f"tabular_irl {__version__}"),
              **fields}
    with open(out, "wb") as fh:  # a file object: NumPy leaves the name alone
        np.savez_compressed(fh, **fields)
    return out


def save_mdp(
    path: str | os.PathLike,
    mdp: MDP,
    *,
    features: Any = None,
    reward: Any = None,
    horizon: int | None = None,
    discount: float | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write an MDP (and optionally its features, reward, horizon, discount) to a ``.npz`` file.

    The format is documented field by field in :mod:`tabular_irl.io`.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write. ``".npz"`` is appended when the name does not end with
        it (as :func:`numpy.savez` does); an existing file is overwritten.
    mdp : MDP
    features : array_like of shape (S, d) or (S, A, d), or sparse of shape (S, d), optional
        Stored dense as given, or (sparse) in CSR form.
    reward : array_like of shape (S,) or (S, A), optional
    horizon : int, optional
        ``T >= 1``.
    discount : float, optional
        ``gamma`` in ``[0, 1)``, or ``[0, 1]`` together with a horizon.
    metadata : mapping, optional
        JSON-serialisable values only (a ``TypeError`` otherwise); values that
        JSON represents differently come back in JSON's form (tuples as lists,
        non-string keys as strings).

    Returns
    -------
    pathlib.Path
        The path actually written (with ``.npz``): pass it to :func:`load_mdp`.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included); the message names it.
    ValueError
        ``features``, ``reward``, ``horizon``, ``discount`` or ``metadata`` out
        of range, of the wrong shape or not finite.

    See Also
    --------
    load_mdp : reads it back.
    save_trajectories : the demonstrations' file.

    Examples
    --------
    >>> import os, tempfile
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3, 3)
    >>> path = save_mdp(os.path.join(tempfile.mkdtemp(), "grid"), world.mdp, reward=world.reward, horizon=5)
    >>> path.name
    'grid.npz'
    >>> load_mdp(path).horizon
    5
    """
    check_mdp(mdp)
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.transitions
    fields: dict[str, Any] = {
        "format": np.str_(_MDP_FORMAT),
        "n_states": np.int64(S),
        "n_actions": np.int64(A),
        "indptr": np.asarray(P.indptr, dtype=np.int64),
        "indices": np.asarray(P.indices, dtype=np.int64),
        "data": np.asarray(P.data, dtype=np.float64),
        "initial": np.asarray(mdp.initial, dtype=np.float64),
    }
    if features is not None:
        phi = as_linear_features(features, S, A).phi
        if sp.issparse(phi):
            fields.update(features_indptr=np.asarray(phi.indptr, dtype=np.int64),
                          features_indices=np.asarray(phi.indices, dtype=np.int64),
                          features_data=np.asarray(phi.data, dtype=np.float64),
                          features_shape=np.asarray(phi.shape, dtype=np.int64))
        else:
            fields["features"] = np.asarray(phi, dtype=np.float64)
    if reward is not None:
        r = check_finite_array(reward, "reward")
        fields["reward"] = r if r.shape == (S,) else check_reward(r, S, A)
    if horizon is not None or discount is not None:
        T = resolve_model(horizon, discount).horizon
        if T is not None:
            fields["horizon"] = np.int64(T)
        if discount is not None:
            fields["discount"] = np.float64(discount)
    fields["metadata"] = np.str_(_metadata_json(metadata))
    return _write(path, fields)


def save_trajectories(path: str | os.PathLike, demos: Trajectories, *,
                      metadata: Mapping[str, Any] | None = None) -> Path:
    """Write demonstrations to a ``.npz`` file (format ``"tabular_irl.trajectories"``).

    Parameters
    ----------
    path : str or os.PathLike
        ``".npz"`` is appended when missing; an existing file is overwritten.
    demos : Trajectories
        ``states (N, T+1)`` and ``actions (N, T)``, stored as int64.
    metadata : mapping, optional
        JSON-serialisable values only (a ``TypeError`` otherwise).

    Returns
    -------
    pathlib.Path
        The path actually written.

    Raises
    ------
    TypeError
        ``demos`` of the wrong type; the message names it.
    ValueError
        ``demos`` or ``metadata`` out of range, of the wrong shape or not
        finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    load_trajectories : reads it back.
    save_mdp : the problem's file.

    Examples
    --------
    >>> import os, tempfile
    >>> from tabular_irl import Trajectories
    >>> demos = Trajectories(states=[[0, 1, 2]], actions=[[1, 1]])
    >>> path = save_trajectories(os.path.join(tempfile.mkdtemp(), "demos"), demos, metadata={"expert": "me"})
    >>> path.name, load_trajectories(path).states.tolist(), load_metadata(path)
    ('demos.npz', [[0, 1, 2]], {'expert': 'me'})
    """
    check_trajectories(demos, "demos")
    fields = {"format": np.str_(_TRAJ_FORMAT), "states": np.asarray(demos.states, dtype=np.int64),
              "actions": np.asarray(demos.actions, dtype=np.int64),
              "metadata": np.str_(_metadata_json(metadata))}
    return _write(path, fields)


# --------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------
def _open(path: Any, expected: str | None, read: Any) -> Any:
    """Open ``path``, check its header (format, version, field names), then return ``read(_Reader)``.

    ``expected`` is the format the caller reads (``None``: either).
    """
    check_type(path, "path", (str, os.PathLike), "a str or os.PathLike")
    where = os.fsdecode(os.fspath(path))
    with open(where, "rb") as fh:  # FileNotFoundError and the like pass through unchanged
        head = fh.read(6)
    if head.startswith(b"\x93NUMPY"):
        raise ValueError(f"{where}: is a single .npy array, not a .npz archive, so not a tabular_irl file")
    if not head.startswith(b"PK"):  # numpy would otherwise try to unpickle it
        raise ValueError(f"{where}: not a .npz (zip) archive, so not a tabular_irl file (it starts with {head!r})")
    try:
        npz = np.load(where, allow_pickle=False)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise ValueError(f"{where}: not a readable .npz (zip) archive, so not a tabular_irl file "
                         f"({type(exc).__name__}: {exc})") from exc
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"{where}: is a single .npy array, not a .npz archive, so not a tabular_irl file")
    with npz:
        r = _Reader(npz, where)
        if not r.has("format"):
            raise ValueError(f"{where}: not a tabular_irl file (no 'format' field; "
                             f"fields found: {sorted(npz.files)[:10]})")
        found = r.string("format")
        if expected is not None and found != expected:
            hint = (f"; it holds {_NOUNS[found]}: read it with tabular_irl.io.{_LOADERS[found]}"
                    if found in _LOADERS else "")
            raise r.error("field 'format'", f"is {found!r}, expected {expected!r}{hint}")
        if found not in _FIELDS:
            raise r.error("field 'format'", f"is {found!r}, expected one of {sorted(_FIELDS)}")
        version = r.scalar("format_version", _INT_KINDS)
        if version > FORMAT_VERSION:
            raise r.error("field 'format_version'", f"is {version}, but this tabular_irl reads format version "
                                                    f"{FORMAT_VERSION} at most: upgrade tabular_irl to read it")
        if version < 1:
            raise r.error("field 'format_version'", f"is {version}, expected an integer from 1 to {FORMAT_VERSION}")
        unknown = sorted(set(npz.files) - _FIELDS[found])
        if unknown:
            raise r.error(f"field(s) {unknown}", f"are not part of format {found!r} version {version}")
        return read(r)


def _metadata(r: _Reader) -> dict:
    if not r.has("metadata"):
        return {}
    text = r.string("metadata")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise r.error("field 'metadata'", f"is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise r.error("field 'metadata'", f"must be a JSON object, got {type(value).__name__}")
    return value


def _read_csr(r: _Reader, prefix: str, n_rows: int, n_cols: int, name: str, what: str) -> sp.csr_array:
    """A CSR matrix from ``<prefix>indptr/indices/data``, its structure proven before scipy sees it."""
    indptr = r.array(f"{prefix}indptr", _INT_KINDS, (1,), shape=(n_rows + 1,))
    indices = r.array(f"{prefix}indices", _INT_KINDS, (1,), max_entries=n_rows * n_cols)
    data = r.array(f"{prefix}data", _REAL_KINDS, (1,), max_entries=n_rows * n_cols)
    if indices.size != data.size:
        raise r.error(f"fields {prefix + 'indices'!r} and {prefix + 'data'!r}",
                      f"must have the same length, got {indices.size} and {data.size}")
    parts = types.SimpleNamespace(indptr=indptr, indices=indices, data=data)
    nnz = r.check(what, _check_compressed_structure, parts, n_rows, n_cols, 1, name)
    if nnz != indices.size:
        raise r.error(f"field {prefix + 'indptr'!r}", f"ends at {nnz}, but {indices.size} entries are stored")
    return sp.csr_array((np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64),
                         np.asarray(indptr, dtype=np.int64)), shape=(n_rows, n_cols))


def _read_mdp(r: _Reader) -> MDPFile:
    S = r.check("field 'n_states'", check_positive_int, r.scalar("n_states", _INT_KINDS), "n_states")
    A = r.check("field 'n_actions'", check_positive_int, r.scalar("n_actions", _INT_KINDS), "n_actions")
    initial = r.check("field 'initial'", check_distribution, r.array("initial", _REAL_KINDS, (1,), shape=(S,)), "initial", S)
    P = _read_csr(r, "", S * A, S, "transitions", "transitions (fields 'indptr', 'indices', 'data')")
    mdp = r.check("transitions (fields 'indptr', 'indices', 'data')", MDP, P, initial, A)

    features = None
    sparse_parts = [name for name in _SPARSE_FEATURE_FIELDS if r.has(name)]
    if r.has("features") and sparse_parts:
        raise r.error("field 'features'", f"is given together with sparse features {sparse_parts}: store one")
    if r.has("features"):
        phi = r.array("features", _REAL_KINDS, (2, 3))
        features = r.check("field 'features'", as_linear_features, phi, S, A).phi
    elif sparse_parts:
        shape = r.array("features_shape", _INT_KINDS, (1,), shape=(2,))
        if shape.shape != (2,) or shape[0] != S or shape[1] < 1:
            raise r.error("field 'features_shape'", f"must be (S, d) = ({S}, d >= 1), got {shape.tolist()}")
        csr = _read_csr(r, "features_", S, int(shape[1]), "features", "sparse features (fields 'features_*')")
        features = r.check("sparse features (fields 'features_*')", as_linear_features, csr, S, A).phi

    reward = None
    if r.has("reward"):
        arr = r.array("reward", _REAL_KINDS, (1, 2), max_entries=S * A)
        checked = r.check("field 'reward'", check_reward, arr, S, A)
        reward = checked[:, 0].copy() if arr.ndim == 1 else checked

    horizon = discount = None
    if r.has("horizon"):
        horizon = r.check("field 'horizon'", check_horizon, r.scalar("horizon", _REAL_KINDS))
    if r.has("discount"):
        discount = r.check("field 'discount'", check_discount, r.scalar("discount", _REAL_KINDS), horizon is not None)
    return MDPFile(mdp=mdp, features=features, reward=reward, horizon=horizon, discount=discount,
                   metadata=_metadata(r))


def _read_trajectories(r: _Reader) -> Trajectories:
    states = r.array("states", _INT_KINDS, (2,))
    # (N, T+1) states bound the (N, T) actions; a smaller mismatch is Trajectories' to explain
    actions = r.array("actions", _INT_KINDS, (2,), max_entries=states.size)
    _metadata(r)  # a corrupt metadata field is a corrupt file
    for name, arr in (("states", states), ("actions", actions)):
        if arr.size and arr.min() < 0:
            raise r.error(f"field {name!r}", f"must hold indices >= 0, got {int(arr.min())}")
    return r.check("fields 'states' and 'actions'", Trajectories, states, actions)


def load_mdp(path: str | os.PathLike) -> MDPFile:
    """Read an MDP file written by :func:`save_mdp` (or by hand, in the documented format).

    Parameters
    ----------
    path : str or os.PathLike
        The exact path (no ``.npz`` is appended when reading).

    Returns
    -------
    MDPFile
        ``mdp``, ``features``, ``reward``, ``horizon``, ``discount``,
        ``metadata``; absent optional fields are ``None`` (metadata ``{}``).

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        The file is not a ``.npz`` archive, holds another kind of
        tabular_irl file, has a newer format version, or a field is missing,
        of the wrong dtype or shape, or fails validation; the message names the
        file and the field.

    See Also
    --------
    save_mdp : writes the file.
    load_metadata : the metadata alone.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(3)
    >>> path = save_mdp(os.path.join(tempfile.mkdtemp(), "grid.npz"), world.mdp, reward=world.reward, horizon=4)
    >>> loaded = load_mdp(path)
    >>> bool(np.array_equal(loaded.mdp.to_dense(), world.mdp.to_dense())), loaded.reward.shape, loaded.horizon
    (True, (9,), 4)
    >>> load_trajectories(path)
    Traceback (most recent call last):
        ...
    ValueError: ...grid.npz: field 'format' is 'tabular_irl.mdp', expected 'tabular_irl.trajectories'; ...
    """
    return _open(path, _MDP_FORMAT, _read_mdp)


def load_trajectories(path: str | os.PathLike) -> Trajectories:
    """Read demonstrations written by :func:`save_trajectories`.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Trajectories
        Read the file's metadata with :func:`load_metadata`.

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`load_mdp`.

    See Also
    --------
    save_trajectories : writes the file.
    load_metadata : the metadata alone.

    Examples
    --------
    A file written with NumPy alone:

    >>> import os, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "demos.npz")
    >>> np.savez(path, format="tabular_irl.trajectories", format_version=1,
    ...          states=np.array([[0, 1, 1]]), actions=np.array([[1, 0]]))
    >>> demos = load_trajectories(path)
    >>> demos.states.shape, demos.actions.tolist()
    ((1, 3), [[1, 0]])
    """
    return _open(path, _TRAJ_FORMAT, _read_trajectories)


def load_metadata(path: str | os.PathLike) -> dict:
    """The metadata of an MDP or a trajectories file, as a dict (``{}`` when none was saved).

    Only the header and the ``metadata`` field are read; errors as :func:`load_mdp`.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_mdp` or :func:`save_trajectories`.

    Returns
    -------
    dict
        The metadata saved with the file (``{}`` when none was).

    Raises
    ------
    OSError
        The file cannot be read.
    ValueError
        Not a tabular_irl file, or a damaged one; as :func:`load_mdp`.

    See Also
    --------
    load_mdp, load_trajectories : the whole file.

    Examples
    --------
    >>> import os, tempfile
    >>> from tabular_irl import gridworld
    >>> folder = tempfile.mkdtemp()
    >>> with_metadata = save_mdp(os.path.join(folder, "a"), gridworld(2).mdp, metadata={"seed": 0, "tags": ["grid"]})
    >>> load_metadata(with_metadata)
    {'seed': 0, 'tags': ['grid']}
    >>> load_metadata(save_mdp(os.path.join(folder, "b"), gridworld(2).mdp))
    {}
    """
    return _open(path, None, _metadata)
