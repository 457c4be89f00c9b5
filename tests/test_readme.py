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


def test_readme_command_line_session_runs(tmp_path, monkeypatch, capsys):
    """The README's command-line session (make -> sample -> irl -> info -> plot) runs as written."""
    import shlex

    from tabular_irl.cli import main

    if not README.exists():  # pragma: no cover - installed without the source tree
        pytest.skip("README.md not found")
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    session = [b for b in blocks if "tabular-irl make" in b]
    assert session, "README has no command-line session"
    monkeypatch.chdir(tmp_path)
    for line in session[0].splitlines():
        argv = shlex.split(line, comments=True)
        assert argv[0] == "tabular-irl"
        if argv[1] == "plot":
            pytest.importorskip("matplotlib")
        assert main(argv[1:]) == 0, line
    out = capsys.readouterr().out
    assert "a fit written by 'tabular-irl irl'" in out
    assert (tmp_path / "fit.npz").exists() and (tmp_path / "fit.png").stat().st_size > 0
