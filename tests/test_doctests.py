"""The examples in the docstrings run, and every public function and class has one.

The doctests run on the *imported* package (``import tabular_irl...``), the
installed one with its compiled kernels; ``pytest --doctest-modules`` would
import the source tree instead, which has no compiled kernels in CI.

Examples are written to print the same on every platform and NumPy >= 1.25:
shapes, bools, ``.tolist()`` and ``round(float(x), k)`` rather than NumPy
scalars (NumPy 2 prints ``np.float64(0.5)``) or long float arrays.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import io
import pkgutil

import numpy as np
import pytest

import tabular_irl

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS

# Importing __main__ runs the command line.
NOT_IMPORTED = {"tabular_irl.__main__"}

# Modules whose examples are known to fail, with the reason; they run as
# non-strict xfails until fixed (an XPASS in the summary means: remove the entry).
# (module, reason, run): run=False for an example too slow to run meanwhile.
KNOWN_FAILURES: dict[str, tuple[str, bool]] = {}  # module -> (reason, run): keep it empty

# Public functions and classes that do not have an example yet. Shrink this set;
# never grow it: a new public function comes with its example.
MISSING_EXAMPLES: set[str] = set()  # every public name has one: keep it empty


def _modules() -> list[str]:
    found = ["tabular_irl"] + [m.name for m in pkgutil.walk_packages(tabular_irl.__path__, "tabular_irl.")]
    return sorted(name for name in found if name not in NOT_IMPORTED)


MODULES = _modules()


def _param(name: str):
    if name in KNOWN_FAILURES:
        reason, run = KNOWN_FAILURES[name]
        return pytest.param(name, marks=pytest.mark.xfail(reason=reason, strict=False, run=run))
    return name


def test_the_modules_are_found():
    for name in ("tabular_irl.mdp", "tabular_irl.envs.gridworld", "tabular_irl.trajectories",
                 "tabular_irl.metrics", "tabular_irl.io", "tabular_irl.planning", "tabular_irl.inference",
                 "tabular_irl.irl.maxent"):
        assert name in MODULES


@pytest.mark.parametrize("name", [_param(name) for name in MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = io.StringIO()
    # optional dependencies (the [plot] and [parquet] extras): "# needs <module>" skips an example without it
    for needed in ("matplotlib", "pyarrow"):
        if importlib.util.find_spec(needed) is None:
            for test in tests:
                for example in test.examples:
                    if f"# needs {needed}" in example.source:
                        example.options[doctest.SKIP] = True
    # NumPy's default print options, whatever another test may have set
    with np.printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                         nanstr="nan", infstr="inf", sign="-", floatmode="maxprec", legacy=False):
        for test in sorted(tests, key=lambda t: t.name):
            runner.run(test, out=report.write)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} of {attempted} examples in {name} failed:\n{report.getvalue()}"


def _public_objects() -> dict[str, object]:
    """Functions and classes named in the ``__all__`` of a public module (no ``_`` in its path)."""
    objects = {}
    for name in MODULES:
        if any(part.startswith("_") for part in name.split(".")):
            continue
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if inspect.isfunction(obj) or (inspect.isclass(obj) and not issubclass(obj, BaseException)):
                objects.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return objects


def _without_examples() -> set[str]:
    """Public functions, classes and their public methods whose own docstring has no ``>>>``."""
    missing = set()
    for qualname, obj in _public_objects().items():
        if ">>>" not in (inspect.getdoc(obj) or ""):
            missing.add(qualname)
        if inspect.isclass(obj):  # methods; properties are the class example's business
            for attr, value in vars(obj).items():
                func = getattr(value, "__func__", value)
                if not attr.startswith("_") and inspect.isfunction(func) and ">>>" not in (inspect.getdoc(func) or ""):
                    missing.add(f"{qualname}.{attr}")
    return missing


def test_every_public_function_has_an_example():
    assert len(_public_objects()) > 40
    new = sorted(_without_examples() - MISSING_EXAMPLES)
    assert not new, (f"public functions and classes without a docstring example: {new}; add one "
                     "(or, for work in progress, list the name in MISSING_EXAMPLES here)")
