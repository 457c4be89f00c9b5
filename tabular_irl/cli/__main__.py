"""``python -m tabular_irl.cli``: the ``tabular-irl`` command line, as ``python -m tabular_irl``."""

import sys

from . import main

if __name__ == "__main__":  # imported (by a doctest collector, say), it runs nothing
    sys.exit(main())
