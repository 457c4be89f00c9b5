"""The command line: the README's main job runs and reports the exact numbers."""

import subprocess
import sys

import pytest

from tabular_irl import gridworld, posterior_marginals, soft_backward
from tabular_irl.cli import main


def test_demo_reports_exact_log_partitions(capsys):
    assert main(["demo", "--size", "4", "--horizon", "5"]) == 0
    out = capsys.readouterr().out
    world = gridworld(4, slip=0.2)
    causal = soft_backward(world.mdp, world.reward, horizon=5).log_partition
    noncausal = posterior_marginals(world.mdp, world.reward, horizon=5).log_partition
    assert f"{causal:.10f}" in out
    assert f"{noncausal:.10f}" in out
    assert "S=16" in out and "T=5" in out


def test_demo_deterministic_dynamics_shows_no_rollout_gap(capsys):
    assert main(["demo", "--size", "3", "--slip", "0", "--horizon", "4"]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if "exact posterior (the classic shortcut)" in row)
    assert float(line.split("=")[1].split()[0]) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("args", [["demo", "--size", "0"], ["demo", "--slip", "2"], ["demo", "--size", "x"]])
def test_bad_arguments_exit_nonzero_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_module_entry_point_runs(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tabular_irl", "config"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "openmp" in proc.stdout and "kernels_compiled" in proc.stdout
