"""Check the built documentation site: pages, figures and links are all there.

Run after ``sphinx-build -W -b html docs docs/_build/html``::

    python docs/check_site.py [docs/_build/html]

It opens the built HTML (no browser, no network) and fails, listing every problem, when

* a public name has no page: every name in ``tabular_irl.__all__`` and in the
  ``__all__`` of each public module (found by the same walk that wrote the API
  index) must have its generated page with the object's anchor on it, and each
  public module its anchor in the API index;
* a gallery example has no page, or its page shows no figure: every script of
  ``examples/`` must have a page in ``auto_examples/`` with at least one
  ``sphx_glr_<name>_NNN`` image that exists on disk and is not empty, and its
  captured output;
* an internal link or image is broken: every relative ``href`` and ``src`` of every
  page must name a file that exists, and its ``#fragment`` an ``id`` on that page.

The exit status is 0 when all holds, 1 otherwise.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import tirl_sphinx  # noqa: E402  (needs the path above)


class Page(HTMLParser):
    """The ids, links, images and gallery output blocks of one HTML file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.images: list[str] = []
        self.outputs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attrs_ = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs_.get(key):
                self.ids.add(attrs_[key])
        if tag in ("a", "link") and attrs_.get("href"):
            self.links.append(attrs_["href"])
        if tag in ("img", "script", "source") and attrs_.get("src"):
            (self.images if tag == "img" else self.links).append(attrs_["src"])
        if tag == "img" and attrs_.get("srcset"):
            self.images += [part.split()[0] for part in attrs_["srcset"].split(",") if part.strip()]
        if "sphx-glr-script-out" in (attrs_.get("class") or ""):
            self.outputs += 1


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def is_internal(url: str) -> bool:
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")))


def check_links(site: Path, pages: dict[Path, Page]) -> list[str]:
    """Every relative link and image resolves to a file, every fragment to an id."""
    problems = []
    for path, page in pages.items():
        for url in page.links + page.images:
            if not is_internal(url):
                continue
            parts = urlsplit(url)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            name = path.relative_to(site)
            if not target.is_file():
                problems.append(f"{name}: broken link or image {url!r}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{name}: {url!r} names no anchor on its page")
    return problems


def check_api(site: Path, pages: dict[Path, Page]) -> tuple[list[str], int]:
    """Every public name has its page with its anchor; every public module its anchor."""
    problems = []
    names = tirl_sphinx.public_names()
    for canonical, aliases in names.items():
        page = (site / "api" / "generated" / f"{canonical}.html").resolve()
        if page not in pages:
            problems.append(f"no page for {canonical} (public as {', '.join(aliases)})")
        elif canonical not in pages[page].ids:
            problems.append(f"api/generated/{canonical}.html has no anchor #{canonical}")
    index = (site / "api" / "index.html").resolve()
    for module in tirl_sphinx.public_modules():
        package = tirl_sphinx._package_of(module.__name__)
        if package != tirl_sphinx.PACKAGE and f"module-{package}" not in pages.get(index, Page()).ids:
            problems.append(f"api/index.html has no anchor for the module {package}")
    return problems, len(names)


def check_gallery(site: Path, pages: dict[Path, Page]) -> tuple[list[str], list[str]]:
    """Every script of examples/ has a page with a non-empty figure on disk and its output."""
    problems, found = [], []
    for script in sorted((DOCS.parent / "examples").glob("*.py")):
        candidates = sorted((site / "auto_examples").glob(f"*/{script.stem}.html"))
        if not candidates:
            problems.append(f"examples/{script.name} has no gallery page")
            continue
        page_path = candidates[0].resolve()
        page = pages[page_path]
        found.append(str(page_path.relative_to(site.resolve())))
        figures = [(page_path.parent / unquote(urlsplit(src).path)).resolve() for src in page.images
                   if f"sphx_glr_{script.stem}_" in src and "_thumb" not in src]
        if not any(f.is_file() and f.stat().st_size > 0 for f in figures):
            problems.append(f"{found[-1]}: no non-empty figure image on disk ({len(figures)} referenced)")
        if page.outputs == 0:
            problems.append(f"{found[-1]}: no captured output")
    return problems, found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    site = Path(argv[0]) if argv else DOCS / "_build" / "html"
    if not (site / "index.html").is_file():
        print(f"check_site: no built site at {site} (run sphinx-build first)")
        return 1
    # _static holds the theme's templates (webpack-macros.html), not pages
    pages = {path.resolve(): parse(path) for path in sorted(site.rglob("*.html"))
             if path.relative_to(site).parts[0] != "_static"}
    api_problems, n_names = check_api(site, pages)
    gallery_problems, gallery = check_gallery(site, pages)
    link_problems = check_links(site.resolve(), pages)
    problems = api_problems + gallery_problems + link_problems
    n_links = sum(len(p.links) + len(p.images) for p in pages.values())
    print(f"check_site: {len(pages)} pages, {n_names} public names with a page, "
          f"{len(gallery)} gallery pages with figures, {n_links} links and images checked")
    for name in gallery:
        print(f"  gallery: {name}")
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    if problems:
        print(f"check_site: {len(problems)} problem(s)")
        return 1
    print("check_site: all good")
    return 0


if __name__ == "__main__":
    sys.exit(main())
