"""Sphinx configuration of the tabular_irl documentation site.

Build (no network needed): ``pip install ".[docs]" && sphinx-build -W -b html docs docs/_build/html``,
then ``python docs/check_site.py`` checks the result.
"""

from __future__ import annotations

import atexit
import builtins
import os
import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

import tirl_sphinx  # noqa: E402  (needs the path above)

import tabular_irl  # noqa: E402

project = "tabular_irl"
author = "the tabular_irl developers"
copyright = "the tabular_irl developers"  # noqa: A001  (Sphinx's name)
release = tabular_irl.__version__ if hasattr(tabular_irl, "__version__") else "0.1.0"
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "matplotlib.sphinxext.plot_directive",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "tirl_sphinx",
]

root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_gallery", "guide/cli_reference.rst", "**.ipynb_checkpoints", "auto_examples/**/*.ipynb",
                    "auto_examples/**/*.py", "auto_examples/**/*.zip", "auto_examples/**/*.json"]

# ---------------------------------------------------------------- API pages
# api/index.rst is written from the package's __all__ lists before autosummary
# generates one page per name from it (docs/_templates/autosummary/).
N_PUBLIC_NAMES = tirl_sphinx.write_api_index(DOCS / "api" / "index.rst")
CLI_COMMANDS = tirl_sphinx.write_cli_reference(DOCS / "guide" / "cli_reference.rst")
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # the numpydoc sections carry the types (with shapes)
autodoc_member_order = "bysource"
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False  # the class template lists members once
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# ------------------------------------------------------------------ gallery
# examples/ stays flat (the tests run the scripts there); the sections are folders
# staged at build time. The scripts save and close their figures in
# $TABULAR_IRL_FIGURE_DIR: point it at a scratch folder and collect from there.
tirl_sphinx.stage_gallery(ROOT / "examples", DOCS / "_gallery", DOCS / "auto_examples")
os.environ["TABULAR_IRL_FIGURE_DIR"] = tempfile.mkdtemp(prefix="tabular-irl-gallery-")
atexit.register(shutil.rmtree, os.environ["TABULAR_IRL_FIGURE_DIR"], ignore_errors=True)
os.environ.setdefault("TABULAR_IRL_PROGRESS", "0")  # no progress lines in captured output
sphinx_gallery_conf = {
    "examples_dirs": str(DOCS / "_gallery"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # run every example, not only plot_*.py
    "within_subsection_order": "tirl_sphinx.ExampleOrder",
    "image_scrapers": ("matplotlib", "tirl_sphinx.written_figures"),
    "abort_on_example_error": True,  # a failing assertion stops the build at its line
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "line_numbers": False,
    "capture_repr": (),
    "copyfile_regex": "",
}

# ----------------------------------------------------------------- theme
html_theme = "pydata_sphinx_theme"
html_title = "tabular_irl"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
html_show_sourcelink = False

# --------------------------------------------------------------- intersphinx
# Links to NumPy, SciPy and Python when their inventories can be fetched. This
# machine's builds and CI have no network: an unreachable host is left out at once
# (a 3 s connection probe, or TABULAR_IRL_DOCS_OFFLINE=1 to skip the probe), so the
# build never waits for it nor warns, and the names it would have linked render as
# plain text (the nitpick ignores below).
_INVENTORIES = {
    "python": ("https://docs.python.org/3/", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/", None),
    "matplotlib": ("https://matplotlib.org/stable/", None),
}
_offline = os.environ.get("TABULAR_IRL_DOCS_OFFLINE") == "1"
intersphinx_mapping = {name: target for name, target in _INVENTORIES.items()
                       if not _offline and tirl_sphinx.reachable(target[0])}
intersphinx_timeout = 10

# ----------------------------------------------------------------- nitpicky
# Every reference must resolve. The short list of exceptions:
nitpicky = True
nitpick_ignore = [
    # docstrings that link private names; to become literals in the docstring rewrite (issue 15)
    ("py:mod", "tabular_irl.irl._result"),
    ("py:func", "tabular_irl.irl.maxent.log_likelihood"),
]
nitpick_ignore_regex = []
# offline, the names an unreachable inventory would have linked stay plain text
_EXTERNAL_NAMES = {
    "python": r"(builtins|typing|collections\.abc|os|pathlib|argparse|dataclasses|numbers)\..*",
    "numpy": r"(numpy|np)\..*",
    "scipy": r"scipy\..*",
    "matplotlib": r"(matplotlib|mpl|plt)\..*",
}
for _name, _pattern in _EXTERNAL_NAMES.items():
    if _name not in intersphinx_mapping:
        nitpick_ignore_regex.append((r"py:.*", _pattern))
if "python" not in intersphinx_mapping:  # int, float, ValueError, ...
    nitpick_ignore += [(f"py:{role}", name) for name in dir(builtins)
                       for role in ("class", "exc", "func", "obj", "data")]

# ----------------------------------------------------- matplotlib's plot directive
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
