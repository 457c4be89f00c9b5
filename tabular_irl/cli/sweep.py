"""``tabular-irl sweep`` and ``tabular-irl sweep-report``: :mod:`tabular_irl.sweep` on the command line.

The ``*_command`` functions take the parsed ``argparse.Namespace``; they are
run by :func:`tabular_irl.cli.main`, not an API of their own (hence no
``__all__``).
"""

from __future__ import annotations

import argparse

from ..sweep import plot_sweep, run_sweep, summarize


def sweep_command(args: argparse.Namespace) -> int:
    """Run the cells of SPEC not yet in --out; print what ran."""
    engine = args.engine
    if engine == "serial":
        engine = None
    progress = False if args.quiet else args.progress
    run = run_sweep(args.spec, args.out, engine=engine, workers=args.workers, address=args.address,
                    resume=args.resume, progress=progress)
    print(f"tabular-irl sweep {args.spec}: {run}")
    return 0


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "-" if value is None else str(value)


def sweep_report_command(args: argparse.Namespace) -> int:
    """Print the summary table of RESULTS (mean and standard error per setting); --plot draws the figure."""
    metrics = args.metrics
    table = summarize(args.results, metrics=metrics)
    # only the settings that vary, then the counts and the metrics
    keep = [i for i, c in enumerate(table.columns) if i >= len(table.columns) - 2 - 2 * len(metrics)
            or len({r[i] for r in table.rows}) > 1]
    print("\t".join(table.columns[i] for i in keep))
    for row in table.rows:
        print("\t".join(_format(row[i]) for i in keep))
    if args.plot is not None:
        from ..plotting._figure import pyplot

        ax = plot_sweep(args.results, x=args.x, y=args.y, hue=args.hue, path=args.plot, dpi=args.dpi)
        pyplot().close(ax.figure)
        print(f"wrote {args.plot}")
    return 0
