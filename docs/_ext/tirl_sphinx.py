"""Build-time helpers of the documentation site (a Sphinx extension, importable by path).

Everything here runs when ``sphinx-build`` reads ``docs/conf.py``; nothing is copied by
hand, so the site follows the package:

* :func:`public_names` walks the package and finds every public name (the ``__all__``
  of ``tabular_irl`` and of each public module), each under one canonical dotted name
  (the top level when ``tabular_irl`` re-exports it), and :func:`write_api_index`
  writes ``api/index.rst``: autosummary tables (one generated page per name) grouped
  as the data flows (MDP -> passes -> methods -> checks/metrics -> files/plots/CLI).
* :func:`stage_gallery` copies ``examples/*.py`` into one folder per gallery section
  (sphinx-gallery makes sections from folders; the scripts stay flat in ``examples/``
  where the tests run them).
* :func:`written_figures` is a sphinx-gallery image scraper for figures the examples
  save (and close) themselves in ``$TABULAR_IRL_FIGURE_DIR``. It lives in a module,
  not in ``conf.py``, so that Sphinx can pickle the configuration that names it.
* :func:`write_cli_reference` writes the command line's reference from its parser:
  every subcommand's ``--help``, exactly as the program prints it.
* :func:`resolve_alias` lets ``:func:`tabular_irl.irl.maxent_irl``` (any public path
  of a documented object) link to its one page.
* :func:`reachable` decides whether the intersphinx inventories can be fetched, so an
  offline build neither waits nor warns.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import shutil
import socket
import types
from pathlib import Path
from urllib.parse import urlparse

PACKAGE = "tabular_irl"

# (section title, what it is for, prefixes of the modules whose names it holds), in the
# order the data flows; the first matching prefix wins, "" catches the rest
SECTIONS = [
    ("The MDP, its problems and demonstrations",
     "Build or load a validated MDP, the built-in problems, demonstrations.",
     ("tabular_irl.mdp", "tabular_irl.envs", "tabular_irl.trajectories")),
    ("Exact passes",
     "Soft and hard backward passes, forward visitation, posterior marginals, batches.",
     ("tabular_irl.planning", "tabular_irl.inference", "tabular_irl.batch")),
    ("Methods",
     "Fitted models share one result protocol (``theta``, ``reward``, ``policy``, "
     "``objective``, ``converged``, ``message``, ``n_iter``, ``method``, ``history``).",
     ("tabular_irl.irl", "tabular_irl.approx", "tabular_irl.rl", "tabular_irl.rewardfree",
      "tabular_irl.bayes", "tabular_irl.identifiability", "tabular_irl.sweep")),
    ("Checks and metrics",
     "Identities you can run on your own problem, and known-truth measures.",
     ("tabular_irl.checks", "tabular_irl.metrics")),
    ("Files, figures and the command line",
     "Portable ``.npz`` files, matplotlib figures, the ``tabular-irl`` command.",
     ("tabular_irl.io", "tabular_irl.plotting", "tabular_irl.cli")),
    ("Configuration and warnings",
     "Threads, the compiled kernels, warnings.",
     ("tabular_irl._config", "tabular_irl.exceptions")),
    ("Other public names", "", ("",)),
]

# gallery sections: folder, title, introduction, scripts (file stems) in reading order;
# a script of examples/ named in no section lands in the last one
GALLERY = [
    ("exact_passes", "Exact passes",
     "The soft Bellman recursion, the forward-backward messages and the difference between "
     "the causal and non-causal models, each computed by hand and checked against the package.",
     ["soft_bellman_by_hand", "forward_backward_messages", "noncausal_rollout_bias"]),
    ("irl", "Inverse reinforcement learning",
     "MaxEnt (its gradient and Hessian), margin methods, LP IRL and deep MaxEnt, with the identities "
     "behind them checked in code.",
     ["maxent_gradient_feature_matching", "hessian_covariance", "apprenticeship_margins",
      "lp_irl_certificate", "deep_maxent_objectworld",
      "frozenlake_irl"]),
    ("ground_truth", "Ground truth for approximations",
     "Approximate estimators measured against the exact answers.",
     ["importance_sampling_study", "gan_view_of_irl"]),
    ("rewardfree", "Learning without rewards",
     "Coverage, state-marginal matching, empowerment and skills, each measured exactly against "
     "its certified optimum or closed form instead of estimated from samples.",
     ["maxent_exploration_coverage", "state_marginal_matching_curves", "empowerment_four_rooms",
      "skill_discovery_open_grid"]),
    ("rl", "Improving RL with imitation",
     "Behavioural cloning, DAgger, finetuning, off-policy gradients and demonstrations in a replay "
     "buffer, every return and gradient computed exactly so that each claim is a measured number.",
     ["compounding_error", "imitation_learning_curves", "off_policy_gradient_with_demos",
      "demos_in_replay_buffer"]),
    ("rewards", "Uncertainty and equivalence of rewards",
     "The rewards consistent with one expert: the Bayesian posterior, EPIC distances to the truth, "
     "the reward directions no demonstration can reveal, and the regret EPIC bounds.",
     ["reward_ambiguity_gridworld", "epic_regret_bound"]),
    ("more", "More examples", "Examples of the newer families.", []),
]


# ---------------------------------------------------------------------------
# public names and the API index
# ---------------------------------------------------------------------------
def public_modules() -> list[types.ModuleType]:
    """``tabular_irl`` and every submodule without a leading underscore that has ``__all__``."""
    package = importlib.import_module(PACKAGE)
    modules = [package]
    for info in pkgutil.walk_packages(package.__path__, PACKAGE + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)  # an import error fails the build, as it should
        if hasattr(module, "__all__"):
            modules.append(module)
    return sorted(modules, key=lambda m: (m.__name__.count("."), m.__name__))


def _has_identity(obj) -> bool:
    """Classes and functions are the same object wherever re-exported; constants are not."""
    return inspect.isclass(obj) or inspect.isroutine(obj)


def public_names() -> dict[str, list[str]]:
    """``{canonical dotted name: [every public dotted name of the object]}``.

    The canonical name is ``tabular_irl.X`` when the top level exports the object,
    else the shortest public path. Submodules listed in an ``__all__`` are not
    included (their page is their section of the API index).
    """
    canonical: dict[object, str] = {}  # id(obj), or the dotted name of a constant
    names: dict[str, list[str]] = {}
    for module in public_modules():
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType):
                continue
            dotted = f"{module.__name__}.{name}"
            key = id(obj) if _has_identity(obj) else dotted
            if key not in canonical:
                canonical[key] = dotted
                names[dotted] = []
            names[canonical[key]].append(dotted)
    return names


def _home(dotted: str) -> str:
    """The module whose section a name belongs in: where it is defined, for re-exports."""
    module, _, name = dotted.rpartition(".")
    obj = getattr(importlib.import_module(module), name)
    return getattr(obj, "__module__", None) if _has_identity(obj) else module


def _package_of(home: str) -> str:
    """``tabular_irl.irl.maxent`` -> ``tabular_irl.irl``; private homes -> ``tabular_irl``."""
    parts = home.split(".")
    if len(parts) < 2 or parts[1].startswith("_"):
        return PACKAGE
    return ".".join(parts[:2])


def _summary(module_name: str) -> str:
    doc = inspect.getdoc(importlib.import_module(module_name)) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


def write_api_index(path: Path) -> int:
    """Write the API index (autosummary tables by section); return the number of names."""
    names = public_names()
    grouped: dict[str, dict[str, list[str]]] = {title: {} for title, _, _ in SECTIONS}
    for dotted in names:
        home = _home(dotted) or ""
        title = next(t for t, _, prefixes in SECTIONS if any(home.startswith(p) for p in prefixes))
        grouped[title].setdefault(_package_of(home), []).append(dotted)
    lines = [
        ".. This file is generated by docs/_ext/tirl_sphinx.py at build time; do not edit.",
        "",
        ".. _api:",
        "",
        "API reference",
        "=============",
        "",
        "Every public name of the package has its page. Import the top-level names from",
        "``tabular_irl`` (``import tabular_irl as tirl; tirl.soft_backward``); the others from",
        "their subpackage (``from tabular_irl.checks import check_bellman``). The sections",
        "follow the data flow: an MDP, the exact passes over it, the methods built on the",
        "passes, the checks and metrics that judge them, then files, figures and the",
        "command line.",
        "",
    ]
    for title, intro, prefixes in SECTIONS:
        if not grouped[title]:
            continue

        def flow_order(package: str, prefixes=prefixes) -> tuple[int, str]:
            """Packages in the order their prefixes are listed (the data flow), then by name."""
            return next((i for i, p in enumerate(prefixes) if package.startswith(p)), len(prefixes)), package

        lines += [title, "-" * len(title), "", intro, ""] if intro else [title, "-" * len(title), ""]
        for package in sorted(grouped[title], key=flow_order):
            heading = f"``{package}``"
            lines += [heading, "~" * len(heading), ""]
            if package != PACKAGE:  # the target of :mod:`tabular_irl.irl` and friends
                lines += [f".. module:: {package}", ""]
            lines += [f".. currentmodule:: {PACKAGE}", ""]
            summary = _summary(package) if package != PACKAGE else ""
            if summary:
                lines += [summary, ""]
            # names relative to the current module, as autosummary wants them
            lines += [".. autosummary::", "   :toctree: generated", "   :nosignatures:", ""]
            lines += [f"   ~{d[len(PACKAGE) + 1:]}" for d in grouped[title][package]]
            lines += [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_if_changed(path, "\n".join(lines))  # untouched: no needless rebuild
    return len(names)


# ---------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------
def _subcommands(parser) -> list[tuple[str, object]]:
    import argparse

    found = []
    for action in parser._actions:  # argparse has no public way to list subparsers
        if isinstance(action, argparse._SubParsersAction):
            found += list(action.choices.items())
    return found


def write_cli_reference(path: Path, prog: str = "tabular-irl") -> list[str]:
    """Write every subcommand's ``--help`` (from ``tabular_irl.cli.build_parser``); return their names."""
    from tabular_irl.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal width: fix it
    parser = build_parser()
    parser.prog = prog
    lines = [".. This file is generated by docs/_ext/tirl_sphinx.py at build time; do not edit.", "",
             f"``{prog}``", "-" * (len(prog) + 4), "", ".. code-block:: text", ""]
    lines += ["   " + line for line in parser.format_help().rstrip().split("\n")] + [""]
    names = []
    for name, sub in _subcommands(parser):
        names.append(name)
        title = f"``{prog} {name}``"
        lines += [f".. _cli-{name}:", "", title, "-" * len(title), "", ".. code-block:: text", ""]
        lines += [("   " + line).rstrip() for line in sub.format_help().rstrip().split("\n")] + [""]
    _write_if_changed(path, "\n".join(lines))
    return names


# ---------------------------------------------------------------------------
# the gallery
# ---------------------------------------------------------------------------
def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def stage_gallery(examples: Path, staging: Path, built: Path | None = None) -> list[str]:
    """Copy ``examples/*.py`` into ``staging/<section>/``; return the scripts' stems.

    Files are rewritten only when their content changed, so sphinx-gallery's own
    check (by checksum) reruns only the examples that changed. Section folders of
    an earlier layout of :data:`GALLERY` (a section added before another renumbers
    it) are removed from ``staging`` and, when given, from ``built`` (sphinx-gallery's
    output folder), where a stale copy would be built as a second page of a script.
    """
    scripts = sorted(p.stem for p in examples.glob("*.py"))
    placed = {stem for *_, stems in GALLERY for stem in stems}
    staging.mkdir(parents=True, exist_ok=True)
    _write_if_changed(staging / "GALLERY_HEADER.rst",
                      ".. _gallery:\n\nGallery\n=======\n\nEvery page below is a script of "
                      "``examples/`` run when the site was built: its numbers and figures are "
                      "the output of that run, and each script asserts the identity it shows, "
                      "so a page with a wrong number cannot be built. Each runs as a plain "
                      "script too: ``python examples/NAME.py``.\n")
    for i, (folder, title, intro, stems) in enumerate(GALLERY):
        section = staging / f"{i + 1}_{folder}"
        members = [s for s in stems if s in scripts]
        if folder == GALLERY[-1][0]:
            members += [s for s in scripts if s not in placed]
        if section.exists():
            for old in section.glob("*.py"):
                if old.stem not in members:
                    old.unlink()
        if not members:
            if section.exists():
                shutil.rmtree(section)
            continue
        section.mkdir(exist_ok=True)
        _write_if_changed(section / "GALLERY_HEADER.rst", f"{title}\n{'-' * len(title)}\n\n{intro}\n")
        for stem in members:
            _write_if_changed(section / f"{stem}.py", (examples / f"{stem}.py").read_text())
    current = {f"{i + 1}_{folder}" for i, (folder, *_) in enumerate(GALLERY)}
    for root in (staging, built):
        if root is not None and root.is_dir():
            for old in root.iterdir():
                if old.is_dir() and old.name[:1].isdigit() and old.name not in current:
                    shutil.rmtree(old)
    return scripts


def example_order(path: str) -> int:
    """sphinx-gallery ``within_subsection_order``: the reading order of :data:`GALLERY`."""
    order = [stem for *_, stems in GALLERY for stem in stems]
    stem = Path(path).stem
    return order.index(stem) if stem in order else len(order)


class ExampleOrder:
    """Sort key class as sphinx-gallery expects (``ExampleOrder(src_dir)(filename)``)."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> int:
        return example_order(filename)

    def __repr__(self) -> str:  # sphinx-gallery hashes the config through repr
        return "ExampleOrder"


def written_figures(block, block_vars, gallery_conf) -> str:
    """sphinx-gallery scraper: move the images a code block wrote into the gallery.

    The examples save (and close) their figures in ``$TABULAR_IRL_FIGURE_DIR``,
    which ``conf.py`` points at an empty scratch folder; every image found there
    after a block is moved to the path sphinx-gallery assigns and shown under it.
    """
    from sphinx_gallery.scrapers import figure_rst

    folder = os.environ.get("TABULAR_IRL_FIGURE_DIR")
    if not folder or not os.path.isdir(folder):
        return ""
    written = sorted(Path(folder).glob("*.png"), key=lambda p: (p.stat().st_mtime, p.name))
    paths = []
    for image, target in zip(written, block_vars["image_path_iterator"]):
        shutil.move(str(image), target)
        paths.append(target)
    return figure_rst(paths, gallery_conf["src_dir"])


# ---------------------------------------------------------------------------
# links
# ---------------------------------------------------------------------------
_ALIASES: dict[str, str] = {}
_SHORT: dict[str, str] = {}


def resolve_alias(app, env, node, contnode):
    """``missing-reference``: link any public path of a documented object to its page."""
    if node.get("refdomain") != "py" or not _ALIASES:
        return None
    target = node.get("reftarget", "")
    canonical = _ALIASES.get(target)
    if canonical is None and "." not in target:  # a bare name unique among the public ones
        canonical = _SHORT.get(target)
    if canonical is None or canonical == target:
        return None
    found = env.get_domain("py").resolve_any_xref(env, node["refdoc"], app.builder, canonical, node, contnode)
    return found[0][1] if found else None


def reachable(url: str, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the URL's host opens within ``timeout`` seconds."""
    host = urlparse(url).hostname
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def setup(app):
    names = public_names()
    for canonical, dotted_names in names.items():
        for dotted in dotted_names:
            _ALIASES[dotted] = canonical
        obj_module = _home(canonical)
        if obj_module:  # the defining module's path too (tabular_irl.irl.maxent.maxent_irl)
            _ALIASES[f"{obj_module}.{canonical.rpartition('.')[2]}"] = canonical
    short: dict[str, set[str]] = {}
    for canonical in names:
        short.setdefault(canonical.rpartition(".")[2], set()).add(canonical)
    _SHORT.update({name: next(iter(c)) for name, c in short.items() if len(c) == 1})
    app.connect("missing-reference", resolve_alias)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
