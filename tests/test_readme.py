"""The README's Python examples run as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run():
    if not README.exists():  # pragma: no cover - installed without the source tree
        pytest.skip("README.md not found")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python examples"
    namespace: dict = {}
    for block in blocks:  # later blocks build on earlier ones, as a reader would type them
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["fit"].converged
