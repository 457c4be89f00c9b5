"""A sweep is data: :func:`load_spec` reads it, :func:`expand` turns it into cells.

A spec is a TOML file (or the same structure as a Python dict, or a JSON
file)::

    name = "objectworld: EVD vs number of demonstrations"   # optional
    seeds = [0, 1, 2, 3, 4]       # one cell per seed (the demonstrations' and the builders' seed)
    n_demos = [2, 8, 32, 128]     # demonstrations per cell
    horizon = 16                  # decisions per demonstration (one value or a list)
    discount = 0.9                # optional (one value or a list); none: undiscounted
    expert = "optimal"            # "soft" (default: soft-optimal) or "optimal" (greedy)

    [[environments]]
    kind = "objectworld"          # gridworld, objectworld, random_mdp, file (path = "x.npz"), gymnasium (id = "...")
    size = 8                      # the builder's keyword parameters
    features = "discrete"         # a feature set of the problem (default: its default)
    label = "objectworld 8x8"     # optional: the name in tables and plots

    [[methods]]
    name = "maxent"               # maxent, mce, classic_maxent, apprenticeship, mmp, lp, airl, gail,
                                  # importance_maxent, bayesian
    l2 = 0.01                     # the method's options

The cells are the product ``environments x methods x horizon x discount x
n_demos x seeds``. A builder's ``seed`` defaults to the cell's seed (a new
world per seed, as in Levine et al. 2011); give it to fix the world. Each cell's
key hashes its resolved parameters (labels excluded; an MDP file by its
content) and the package version: matching keys mean the same computation.

Everything is validated before anything runs: an unknown top-level key,
environment kind or parameter, method or option is a ``ValueError`` that names
it and lists the valid names.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from .. import __version__
from .._validation import check_names, check_option, check_positive_int
from .cells import (
    ENVIRONMENT_PARAMETERS,
    ENVIRONMENTS,
    EXPERTS,
    METHODS,
    Cell,
    build_world,
    file_digest,
    method_options,
)

__all__ = ["load_spec", "expand", "cell_key"]

# top-level keys of a spec: the required ones, then the optional ones
_REQUIRED = ("seeds", "n_demos", "horizon", "environments", "methods")
_OPTIONAL = ("name", "discount", "expert")


def load_spec(path: str | os.PathLike) -> dict[str, Any]:
    """Read a sweep spec from a ``.toml`` (or ``.json``) file and validate it.

    Relative ``path`` entries of ``file`` environments are resolved against
    the spec's folder. TOML needs Python >= 3.11 (``tomllib``) or the
    ``tomli`` package (the ``[sweep]`` extra installs it on 3.10).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    dict
        The spec, as :func:`expand` takes it.

    Raises
    ------
    ValueError
        A malformed file or an invalid spec (naming the bad key).

    See Also
    --------
    expand : the cells of the spec.
    run_sweep : runs it.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "spec.toml")
    >>> with open(path, "w") as f:
    ...     _ = f.write('seeds = [0, 1]\\nn_demos = 10\\nhorizon = 5\\n'
    ...                 '[[environments]]\\nkind = "gridworld"\\nrows = 3\\n[[methods]]\\nname = "mce"\\n')
    >>> len(expand(load_spec(path)))
    2
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    try:
        if path.endswith(".json"):
            spec = json.loads(data)
        else:
            spec = _toml().loads(data.decode("utf-8"))
    except ValueError as exc:  # tomllib.TOMLDecodeError and json.JSONDecodeError are ValueErrors
        raise ValueError(f"{path}: not a valid sweep spec file: {exc}") from None
    folder = os.path.dirname(os.path.abspath(path))
    for env in spec.get("environments", []) if isinstance(spec.get("environments"), list) else []:
        if isinstance(env, dict) and env.get("kind") == "file" and isinstance(env.get("path"), str):
            env["path"] = os.path.normpath(os.path.join(folder, env["path"]))
    _check_spec(spec)
    return spec


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:
        import tomli
    except ImportError:
        raise ImportError('reading a TOML spec on Python 3.10 needs tomli: pip install "tabular_irl[sweep]" '
                          "(or pass the spec as a dict, or a .json file)") from None
    return tomli


def _values(spec: Mapping, name: str, default: Any = None) -> list:
    """A spec axis as a list (a single value is a list of one)."""
    value = spec.get(name, default)
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _check_spec(spec: Any) -> None:
    """Every check that needs no computation: keys, names, options, value types."""
    if not isinstance(spec, Mapping):
        raise TypeError(f"a sweep spec must be a mapping (a TOML table or a dict), got {type(spec).__name__}")
    check_names(spec, "sweep spec", _REQUIRED + _OPTIONAL)
    missing = [k for k in _REQUIRED if k not in spec]
    if missing:
        raise ValueError(f"sweep spec: missing {', '.join(map(repr, missing))} (required: {', '.join(_REQUIRED)})")
    for name in ("seeds", "n_demos", "horizon"):
        for value in _values(spec, name):
            check_positive_int(value, f"sweep spec {name!r}", minimum=0 if name == "seeds" else 1)
    for value in _values(spec, "discount"):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not 0.0 <= value <= 1.0):
            raise ValueError(f"sweep spec 'discount' must be numbers in [0, 1], got {value!r}")
    check_option(spec.get("expert", "soft"), "sweep spec 'expert'", EXPERTS)
    for i, env in enumerate(_tables(spec, "environments")):
        where = f"sweep spec environments[{i}]"
        kind = check_names(env.get("kind"), f"{where} 'kind'", ENVIRONMENTS, what="environment kind")[0]
        check_names(env, f"{where} ({kind})", ["kind", "label"] + _environment_parameters(kind))
    for i, method in enumerate(_tables(spec, "methods")):
        where = f"sweep spec methods[{i}]"
        name = check_names(method.get("name"), f"{where} 'name'", METHODS, what="method")[0]
        check_names(method, f"{where} ({name})", ["name", "label"] + method_options(name))


def _tables(spec: Mapping, name: str) -> list[dict]:
    tables = spec[name]
    if not isinstance(tables, list) or not tables or not all(isinstance(t, Mapping) for t in tables):
        raise ValueError(f"sweep spec {name!r} must be a non-empty list of tables ([[{name}]] in TOML), "
                         f"got {tables!r}")
    return [dict(t) for t in tables]


def _environment_parameters(kind: str) -> list[str]:
    if kind in ENVIRONMENT_PARAMETERS:
        return list(ENVIRONMENT_PARAMETERS[kind])
    builder = ENVIRONMENTS[kind].signature_of
    return list(inspect.signature(builder).parameters) + ["features"]


def _resolve_environment(env: dict, seed: int) -> dict:
    """``{"kind": ..., **parameters}`` with what the key must see filled in."""
    resolved = {k: v for k, v in env.items() if k != "label"}
    kind = resolved["kind"]
    if kind == "file":
        resolved["sha256"] = file_digest(resolved["path"])
    elif kind in ENVIRONMENT_PARAMETERS:
        pass
    elif "seed" in inspect.signature(ENVIRONMENTS[kind].signature_of).parameters:
        resolved.setdefault("seed", seed)
    return resolved


def _labels(tables: list[dict], head: str) -> list[str]:
    """``label`` when given, else the name, with the parameters when the name appears twice."""
    names = [t[head] for t in tables]
    labels = []
    for t in tables:
        if "label" in t:
            labels.append(str(t["label"]))
            continue
        rest = {k: v for k, v in t.items() if k not in (head, "label")}
        if names.count(t[head]) > 1 and rest:
            labels.append(f"{t[head]}(" + ", ".join(f"{k}={v!r}" for k, v in rest.items()) + ")")
        else:
            labels.append(str(t[head]))
    if len(set(labels)) != len(labels):
        what = "environments" if head == "kind" else "methods"
        raise ValueError(f"sweep spec: two {what} have the same label {labels}; give each a distinct 'label'")
    return labels


def cell_key(params: Mapping[str, Any], version: str = __version__) -> str:
    """The stable key of a cell: SHA-256 of its resolved parameters and the package version (16 hex digits).

    Examples
    --------
    >>> cell_key({"seed": 0}) == cell_key({"seed": 0}), cell_key({"seed": 0}) == cell_key({"seed": 1})
    (True, False)
    """
    text = json.dumps({"params": params, "version": version}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def expand(spec: Mapping[str, Any]) -> list[Cell]:
    """The cells of a sweep spec, in a fixed order, each with its stable key.

    Parameters
    ----------
    spec : mapping
        As :func:`load_spec` returns (the module docstring describes it).

    Returns
    -------
    list of Cell
        ``environments x methods x horizon x discount x n_demos x seeds``,
        the last varying fastest.

    Raises
    ------
    ValueError
        An unknown key, kind, method or option (named, with the valid names),
        or an environment that cannot be built with its parameters; nothing
        has run.

    See Also
    --------
    load_spec : reads a spec.
    run_sweep : runs its cells.

    Examples
    --------
    >>> spec = {"seeds": [0, 1], "n_demos": [10, 20], "horizon": 5,
    ...         "environments": [{"kind": "gridworld", "rows": 3}],
    ...         "methods": [{"name": "mce"}, {"name": "mmp"}]}
    >>> cells = expand(spec)
    >>> len(cells), cells[0].method_label, cells[0].n_demos, cells[0].seed
    (8, 'mce', 10, 0)
    >>> expand({**spec, "methods": [{"name": "mce", "step": 1}]})
    Traceback (most recent call last):
    ...
    ValueError: sweep spec methods[0] (mce): unknown key 'step'; valid names: 'name', 'label', 'l2', 'method', 'max_iter', 'tol'
    """
    _check_spec(spec)
    envs, methods = _tables(spec, "environments"), _tables(spec, "methods")
    env_labels, method_labels = _labels(envs, "kind"), _labels(methods, "name")
    expert = spec.get("expert", "soft")
    seeds = [int(s) for s in _values(spec, "seeds")]
    cells = []
    for (env, env_label), (method, method_label), horizon, discount, n, seed in itertools.product(
            zip(envs, env_labels), zip(methods, method_labels), _values(spec, "horizon"),
            _values(spec, "discount"), _values(spec, "n_demos"), seeds):
        environment = _resolve_environment(env, seed)
        method = {k: v for k, v in method.items() if k != "label"}
        discount = None if discount is None else float(discount)
        params = {"environment": environment, "method": method, "seed": seed, "n_demos": int(n),
                  "horizon": int(horizon), "discount": discount, "expert": expert}
        cells.append(Cell(key=cell_key(params), env_label=env_label, method_label=method_label, **params))
    _check_environments(cells)
    return cells


def _check_environments(cells: list[Cell]) -> None:
    """Build each distinct environment once (they are small): bad parameters fail before anything runs."""
    seen = set()
    for cell in cells:
        text = json.dumps(cell.environment, sort_keys=True)
        if text in seen:
            continue
        seen.add(text)
        try:
            build_world(cell.environment)
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"sweep spec environment {cell.env_label!r} with {cell.environment}: cannot be "
                             f"built: {exc}") from None
