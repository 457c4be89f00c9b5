"""Scalars, options, plain arrays and distributions; the horizon/discount model; read-only results."""

from __future__ import annotations

import numbers
import operator
from typing import Any, Collection, Iterable, NamedTuple

import numpy as np
import scipy.sparse as sp


# Rows of P and the initial distribution are accepted when they sum to 1 within
# this tolerance: tight enough to catch a forgotten normalisation, loose enough
# for probabilities read from text files or summed from many small pieces.
ROW_SUM_ATOL = 1e-9

# Time-indexed results are (T, S, A) arrays; past this no machine holds them,
# and the kernels index time with a C integer.
MAX_HORIZON = 2**31 - 1


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    if sp.issparse(value):
        return f"sparse {value.format} matrix of shape {value.shape}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _as_dense_array(value: Any, name: str, dense: str, array_like: str) -> np.ndarray:
    """``np.asarray(value)``; TypeError ``"{name} must be {dense}, got ..."`` for a sparse matrix,
    ``"{name} must be {array_like}, got ..."`` for what numpy cannot make an array of."""
    if sp.issparse(value):
        raise TypeError(f"{name} must be {dense}, got {_describe(value)}")
    try:
        return np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be {array_like}, got {_describe(value)}") from exc


def _as_float_array(value: Any, name: str) -> np.ndarray:
    arr = _as_dense_array(value, name, "a dense array", "array-like of real numbers")
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating)
        or np.issubdtype(arr.dtype, np.integer)
        or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name} must hold real numbers, got {_describe(value)}")
    # not np.ascontiguousarray: it turns a scalar into shape (1,), which would
    # slip past the shape checks (and misreport the shape received)
    return np.asarray(arr, dtype=np.float64, order="C")


def check_finite_array(value: Any, name: str, shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a C-contiguous float64 array, checking shape and finiteness.

    ``shape`` entries that are ``None`` match any length.
    """
    arr = _as_float_array(value, name)
    if shape is not None:
        ok = arr.ndim == len(shape) and all(e is None or e == g for e, g in zip(shape, arr.shape))
        if not ok:
            want = "(" + ", ".join("n" if e is None else str(e) for e in shape) + (",)" if len(shape) == 1 else ")")
            raise ValueError(f"{name} must have shape {want}, got shape {arr.shape}")
    # a finite sum proves every entry finite (NaN and inf propagate) at a third of isfinite's cost;
    # a sum that overflows (entries near 1e308) falls back to the entry-wise check
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    if not np.isfinite(total) and not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite, got {arr[bad]} at index {bad if len(bad) != 1 else bad[0]}")
    return arr


def check_nonnegative_array(value: Any, name: str, shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """As :func:`check_finite_array`, and every entry >= 0 (the first negative one is named with its index)."""
    arr = check_finite_array(value, name, shape)
    if np.any(arr < 0):
        bad = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        raise ValueError(f"{name} must be non-negative, got {arr[bad]} at index {bad if len(bad) != 1 else bad[0]}")
    return arr


def check_distribution(value: Any, name: str, size: int) -> np.ndarray:
    """Validate a probability vector of length ``size``; returns float64, read-only."""
    arr = check_nonnegative_array(value, name, (size,))
    total = float(arr.sum())
    if abs(total - 1.0) > ROW_SUM_ATOL:
        raise ValueError(f"{name} must sum to 1, got sum {total!r}")
    return arr


def check_positive_int(value: Any, name: str, minimum: int = 1, maximum: int | None = None, *,
                       maximum_label: str | None = None) -> int:
    """Accept Python or NumPy integers (not bools, not floats) in ``[minimum, maximum]`` (at most ``2**62``).

    ``maximum_label`` says what the maximum is (``"n_states = 5 (successors are distinct)"``).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = operator.index(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum_label or maximum}, got {value}")
    if value > 2**62:  # counts reach C as 64-bit integers
        raise ValueError(f"{name} must be <= 2**62, got {value}")
    return value


def check_horizon(horizon: Any) -> int:
    """``horizon`` as an int in ``[1, MAX_HORIZON]``; a float (even ``3.0``) is a ``TypeError``."""
    if isinstance(horizon, (float, np.floating)):
        raise TypeError(f"horizon must be an integer >= 1, got float {horizon!r} (write {int(horizon)} if you mean it)"
                        if float(horizon).is_integer() else f"horizon must be an integer >= 1, got float {horizon!r}")
    T = check_positive_int(horizon, "horizon")
    if T > MAX_HORIZON:
        raise ValueError(f"horizon must be <= {MAX_HORIZON} (time-indexed arrays are (T, S, A)), got {T}")
    return T


def check_discount(discount: Any, allow_one: bool) -> float:
    """``discount`` as a float in ``[0, 1)``, or ``[0, 1]`` with ``allow_one`` (together with a horizon)."""
    if isinstance(discount, (bool, np.bool_)) or not isinstance(discount, numbers.Real):
        raise TypeError(f"discount must be a real number, got {_describe(discount)}")
    value = float(discount)
    upper_ok = value <= 1.0 if allow_one else value < 1.0
    if not (np.isfinite(value) and value >= 0.0 and upper_ok):
        interval = "[0, 1] (with a horizon)" if allow_one else "[0, 1) (without a horizon, the sum must converge)"
        raise ValueError(f"discount must be in {interval}, got {value!r}")
    return value


def check_horizon_discount(horizon: Any, discount: Any, causal: bool = True) -> tuple[int | None, float]:
    """Resolve the (horizon, discount) pair into ``(T or None, gamma)``.

    ``horizon`` alone: finite, undiscounted (``gamma = 1``). ``discount`` alone:
    infinite, discounted. Both: finite and discounted.
    """
    if horizon is None and discount is None:
        raise ValueError(
            "give horizon (finite episodes), discount (infinite, discounted) or both; got neither"
        )
    T = None if horizon is None else check_horizon(horizon)
    gamma = 1.0 if discount is None else check_discount(discount, allow_one=T is not None)
    check_bool(causal, "causal")
    if not causal and (T is None or gamma < 1.0):
        raise ValueError(
            "causal=False (MaxEnt over whole trajectories) is defined for undiscounted finite "
            f"horizons only, got horizon={horizon!r}, discount={discount!r}: a discount has no "
            "trajectory-distribution meaning there; use causal=True (maximum causal entropy)"
        )
    return T, gamma


def discount_argument(horizon: int | None, gamma: float) -> float | None:
    """The ``discount=`` that :func:`check_horizon_discount` maps back to ``(horizon, gamma)``."""
    return None if horizon is not None and gamma == 1.0 else gamma


class Model(NamedTuple):
    """The model a call asked for, resolved once: what ``(horizon, discount, causal, temperature)`` mean.

    ``horizon`` is ``T`` (``None``: infinite, discounted); ``discount`` is
    ``gamma`` as a float (``1.0`` when undiscounted); ``causal`` a bool;
    ``temperature`` a float > 0, or ``None`` when the call has none.
    """

    horizon: int | None
    discount: float
    causal: bool = True
    temperature: float | None = None

    @property
    def discount_argument(self) -> float | None:
        """The ``discount=`` that resolves back to this model (``None`` for an undiscounted horizon)."""
        return discount_argument(self.horizon, self.discount)


def resolve_model(horizon: Any, discount: Any, *, causal: Any = True, temperature: Any = None) -> Model:
    """Validate ``(horizon, discount, causal, temperature)`` and resolve them into a :class:`Model`.

    As :func:`check_horizon_discount` (``horizon`` alone: finite and
    undiscounted; ``discount`` alone: infinite and discounted; both: finite
    and discounted; ``causal=False`` only for undiscounted finite horizons),
    with ``temperature`` checked by :func:`check_temperature` when given.
    """
    T, gamma = check_horizon_discount(horizon, discount, causal)
    tau = None if temperature is None else check_temperature(temperature)
    return Model(T, gamma, bool(causal), tau)


def check_temperature(temperature: Any) -> float:
    """``temperature`` as a finite float > 0 (the hard maximum is ``value_iteration``, not ``temperature=0``)."""
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature must be a real number > 0, got {_describe(temperature)}")
    value = float(temperature)
    if not (np.isfinite(value) and value > 0.0):
        raise ValueError(f"temperature must be finite and > 0, got {value!r} "
                         "(use value_iteration for the hard maximum)")
    return value


def check_option(value: Any, name: str, options: Collection[str]) -> str:
    """``value`` if it is one of the names ``options``, else a ``ValueError`` that lists them.

    A value that is not a string at all (``None``, a number) is a
    ``ValueError`` too: the argument's type is right in spirit (an option),
    its value is not one of the valid ones.
    """
    if isinstance(value, str) and value in options:
        return value
    got = repr(value) if isinstance(value, str) else _describe(value)
    raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {got}")


def check_names(value: Any, name: str, valid: Collection[str], *, what: str = "key") -> list[str]:
    """``value`` (one name, or an iterable of names: a dict's keys) as a list, each one of ``valid``.

    Otherwise a ``ValueError`` that names ``name``, the unknown names (with the
    closest valid names, by :func:`difflib.get_close_matches`, when some are
    close) and lists every valid name::

        spec methods: unknown method 'maxnet' (did you mean 'maxent'?); valid names: 'maxent', 'mce', ...

    ``what`` says what a name is (``"key"``, ``"method"``, ``"column"``); a
    name that is not a string is reported by its ``repr`` like any other.
    """
    import difflib  # only on the error path

    names = [value] if isinstance(value, str) or not isinstance(value, Iterable) else list(value)
    valid = list(valid)
    bad = [n for n in names if not (isinstance(n, str) and n in valid)]
    if not bad:
        return names
    parts = []
    for n in bad:
        close = difflib.get_close_matches(n, valid, n=3) if isinstance(n, str) else []
        parts.append(repr(n) + (f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""))
    plural = what + ("s" if len(bad) > 1 else "")
    raise ValueError(f"{name}: unknown {plural} {', '.join(parts)}; valid names: {', '.join(map(repr, valid))}")


def check_type(value: Any, name: str, types: type | tuple[type, ...], expected: str) -> Any:
    """``value`` if it is an instance of ``types``, else ``TypeError("<name> must be <expected>, got ...")``."""
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {expected}, got {_describe(value)}")
    return value


def check_index(value: Any, name: str, upper: int) -> int:
    """One index: a Python or NumPy integer (not a bool) in ``[0, upper)``, as a Python int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = int(value)
    if not 0 <= value < upper:
        raise ValueError(f"{name} must be in [0, {upper}), got {value}")
    return value


def check_bool(value: Any, name: str) -> bool:
    """A Python or NumPy bool, as a Python bool; ``TypeError`` for anything else (``0``, ``"yes"``, ``None``)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def check_callable(value: Any, name: str, allow_none: bool = True) -> None:
    """``TypeError`` unless ``value`` is callable (or ``None`` when ``allow_none``)."""
    if not (callable(value) or (allow_none and value is None)):
        raise TypeError(f"{name} must be callable{' or None' if allow_none else ''}, got {_describe(value)}")


def readonly(*arrays: np.ndarray | None) -> Any:
    """Mark each array read-only (``None`` is skipped): results are immutable.

    Returns what it was given, as ``numpy.atleast_1d`` does: the array itself
    for one argument, a tuple for several, so that ``x = readonly(np.array(...))``
    reads in one line.
    """
    for a in arrays:
        if a is not None:
            a.flags.writeable = False
    return arrays[0] if len(arrays) == 1 else arrays


def check_seed(seed: Any) -> np.random.Generator:
    """``seed`` (``None``, a non-negative int or a ``Generator``) as a ``numpy.random.Generator``.

    A ``Generator`` is used as given (and advanced); an int gives a fresh,
    reproducible one; ``None`` draws fresh entropy from the OS.
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be None, a non-negative int or a numpy.random.Generator, got {_describe(seed)}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {int(seed)}")
    return np.random.default_rng(int(seed))


def check_real(value: Any, name: str, low: float | None = None, high: float | None = None, *,
               open_low: bool = False, open_high: bool = False) -> float:
    """A finite real number (not a bool) in ``[low, high]``, as a Python float.

    ``open_low`` / ``open_high`` exclude the bound itself (``(0, 1]`` is
    ``low=0, high=1, open_low=True``).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out!r}")
    below = low is not None and (out <= low if open_low else out < low)
    above = high is not None and (out >= high if open_high else out > high)
    if below or above:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f"{'(' if open_low else '['}{lo}, {hi}{')' if open_high else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {out!r}")
    return out


def check_positive_real(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """A finite real number (not a bool) > 0 (>= 0 with ``allow_zero``), as a Python float."""
    op = ">=" if allow_zero else ">"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number {op} 0, got {_describe(value)}")
    out = float(value)
    if not (np.isfinite(out) and (out >= 0.0 if allow_zero else out > 0.0)):
        raise ValueError(f"{name} must be a finite number {op} 0, got {value!r}")
    return out


# distributions of any shape and logarithm bases (tabular_irl.rewardfree)

def check_probabilities(value: Any, name: str, axis: int | None = -1, *, ndim: int | None = None) -> np.ndarray:
    """Validate an array whose slices along ``axis`` are probability distributions.

    ``axis=None``: the whole array is one distribution (a joint table). Entries
    must be finite and non-negative and every slice must sum to 1 within
    ``ROW_SUM_ATOL``; ``ndim`` fixes the number of dimensions. Returns float64.
    """
    arr = check_finite_array(value, name)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-d, got shape {arr.shape}")
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty array of probabilities, got shape {arr.shape}")
    if np.any(arr < 0):
        idx = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        raise ValueError(f"{name} must be non-negative, got {arr[idx]} at index {idx if len(idx) > 1 else idx[0]}")
    if axis is None:
        total = float(arr.sum())
        if abs(total - 1.0) > ROW_SUM_ATOL:
            raise ValueError(f"{name} must sum to 1, got sum {total!r}")
        return arr
    try:
        sums = arr.sum(axis=axis)
    except np.exceptions.AxisError as exc:
        raise ValueError(f"axis={axis!r} is out of range for {name} of shape {arr.shape}") from exc
    bad = np.abs(sums - 1.0) > ROW_SUM_ATOL
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0]) if np.ndim(sums) else ()
        where = f" (slice {idx} along axis {axis})" if idx else ""
        raise ValueError(f"{name} must sum to 1 along axis {axis}{where}, got sum {float(sums[idx])!r}")
    return arr


def check_base(base: Any) -> float | None:
    """The base of a logarithm: ``None`` (natural, nats) or a real > 0 other than 1."""
    if base is None:
        return None
    value = check_positive_real(base, "base")
    if value == 1.0:
        raise ValueError("base must be a real > 0 other than 1 (2 for bits, None for nats), got 1")
    return value
