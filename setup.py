"""Build the compiled kernels ``tabular_irl._kernels`` from ``csrc/``.

Environment switches
--------------------
TABULAR_IRL_DEBUG=1
    Compile with Cython bounds, wraparound and initialisation checks on, and
    without optimisation, to chase an indexing bug.
TABULAR_IRL_NO_OPENMP=1
    Do not try OpenMP even if the compiler supports it.
"""

import os
import shutil
import sys
import tempfile
import textwrap

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


DEBUG = _flag("TABULAR_IRL_DEBUG")


def _openmp_flags():
    """Return (compile_args, link_args) for OpenMP, or ([], []) when unsupported."""
    if _flag("TABULAR_IRL_NO_OPENMP") or sys.platform == "darwin":
        return [], []
    from setuptools._distutils.ccompiler import new_compiler
    from setuptools._distutils.sysconfig import customize_compiler

    compiler = new_compiler()
    customize_compiler(compiler)
    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(tmp, "omp_check.c")
        with open(src, "w") as fh:
            fh.write(textwrap.dedent("""
                #include <omp.h>
                int main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }
            """))
        flag = "/openmp" if sys.platform == "win32" else "-fopenmp"
        objs = compiler.compile([src], output_dir=tmp, extra_postargs=[flag])
        compiler.link_executable(objs, "omp_check", output_dir=tmp,
                                 extra_postargs=[] if sys.platform == "win32" else [flag])
        return [flag], ([] if sys.platform == "win32" else [flag])
    except Exception:
        return [], []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


omp_compile, omp_link = _openmp_flags()
# Safe for our log-space maths (never -ffast-math: its reassociation and
# finite-math assumptions would break the exactness tests and the -inf handling):
#   -fno-math-errno, -fno-trapping-math: we never read errno or FP exception
#     flags, so comparisons and selects may be if-converted and loops over our
#     own exp/log (csrc/_fastmath.h) vectorised; values are unchanged;
#   -ffp-contract=off: no fused multiply-adds, so every clone (AVX2 or baseline)
#     and every scalar call computes the same bits on any x86-64 CPU.
opt = ["-O0", "-g"] if DEBUG else ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"]
if sys.platform == "win32":
    opt = ["/Od"] if DEBUG else ["/O2"]

extension = Extension(
    "tabular_irl._kernels",
    sources=["csrc/_kernels.pyx"],
    include_dirs=[np.get_include(), "csrc"],
    depends=["csrc/_fastmath.h", "csrc/_products.h"],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
                   ("TABULAR_IRL_OPENMP", "1" if omp_compile else "0")],
    extra_compile_args=opt + omp_compile,
    extra_link_args=omp_link,
)

directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
}

setup(
    ext_modules=cythonize([extension], compiler_directives=directives),
    cmdclass={"build_ext": build_ext},
)
