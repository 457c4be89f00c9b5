"""The command line: the README's main job runs and reports the exact numbers."""

import subprocess
import sys

import pytest

from tabular_irl import gridworld, posterior_marginals, soft_backward
from tabular_irl.cli import main


def test_demo_reports_exact_log_partitions(capsys):
    assert main(["demo", "--size", "4", "--horizon", "5", "--n-demos", "0"]) == 0
    out = capsys.readouterr().out
    world = gridworld(4, slip=0.2, step_reward=-0.1)
    reward = 2.0 * world.reward  # the demo's default --goal-reward-scale
    causal = soft_backward(world.mdp, reward, horizon=5).log_partition
    noncausal = posterior_marginals(world.mdp, reward, horizon=5).log_partition
    assert f"{causal:.10f}" in out
    assert f"{noncausal:.10f}" in out
    assert "S=16" in out and "T=5" in out
    assert "IRL" not in out


@pytest.mark.parametrize("algorithm", ["mce", "maxent"])
def test_demo_fits_irl_and_reports_recovery(algorithm, capsys):
    from tabular_irl import maxent_irl, sample_trajectories
    from tabular_irl.metrics import expected_value_difference

    args = ["demo", "--size", "4", "--horizon", "6", "--n-demos", "200", "--seed", "3", "--algorithm", algorithm]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "converged: True" in out
    world = gridworld(4, slip=0.2, step_reward=-0.1)
    expert = soft_backward(world.mdp, 2.0 * world.reward, horizon=6)
    demos = sample_trajectories(world.mdp, expert.policy, 200, horizon=6, seed=3)
    fit = maxent_irl(world.mdp, world.features, demos, horizon=6, l2=1e-3, causal=algorithm == "mce")
    evd = expected_value_difference(world.mdp, world.reward, expert.policy, fit.plan.policy, horizon=6)
    assert f"expected value difference under the true reward = {evd:.6f}" in out
    assert f"objective {fit.objective:.8f}" in out


def test_demo_deterministic_dynamics_shows_no_rollout_gap(capsys):
    assert main(["demo", "--size", "3", "--slip", "0", "--horizon", "4", "--n-demos", "0"]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if "exact posterior (the classic shortcut)" in row)
    assert float(line.split("=")[1].split()[0]) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("args", [["demo", "--size", "0"], ["demo", "--slip", "2"], ["demo", "--size", "x"],
                                  ["demo", "--n-demos", "-1"], ["demo", "--algorithm", "gail"],
                                  ["demo", "--l2", "-1"], ["demo", "--epsilon", "0"], ["demo", "--l2", "nan"]])
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


def test_demo_compares_every_method(capsys):
    assert main(["demo", "--size", "4", "--horizon", "6", "--n-demos", "30", "--algorithm", "all"]) == 0
    out = capsys.readouterr().out
    for name in ["maximum causal entropy IRL", "MaxEnt IRL", "apprenticeship learning",
                 "maximum margin planning", "LP IRL"]:
        assert name in out
    assert out.count("expected value difference under the true reward") == 5
    assert "nan" not in out.lower()


# --------------------------------------------------------------------------
# demo --plot, progress display and --quiet
# --------------------------------------------------------------------------
_SMALL_DEMO = ["demo", "--size", "4", "--horizon", "5", "--n-demos", "40"]


def _png_size(path):
    import struct

    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def test_demo_plot_writes_the_summary_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "demo.png"
    assert main(_SMALL_DEMO + ["--plot", str(path)]) == 0
    out = capsys.readouterr().out
    assert _png_size(path) == (1040, 640)  # 13 x 8 inches at the demo's 80 dpi
    assert f"(1040x640 px): wrote {path}" in out
    assert out.index("reward correlation") < out.index("wrote")  # drawn after the fits are reported


def test_demo_plot_without_extension_writes_png(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    from tabular_irl.cli import demo

    monkeypatch.setattr(demo, "_PLOT_DPI", 20)  # a small image: quicker
    assert main(_SMALL_DEMO + ["--algorithm", "mmp", "--plot", str(tmp_path / "fig")]) == 0
    assert _png_size(tmp_path / "fig.png") == (260, 160)
    assert "maximum margin planning" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--plot", "{tmp}/no/such/folder/demo.png"], "folder"),
    (["--plot", "{tmp}/demo.xyz"], "unknown image format '.xyz'"),
    (["--plot", "{tmp}/demo.png", "--n-demos", "0"], "needs demonstrations"),
])
def test_demo_plot_bad_target_fails_at_once_in_one_line(tmp_path, capsys, extra, message):
    pytest.importorskip("matplotlib")
    args = _SMALL_DEMO + [x.format(tmp=tmp_path) for x in extra]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing ran
    assert captured.err.startswith("tabular-irl: error: ") and captured.err.count("\n") == 1
    assert message in captured.err


def test_demo_plot_without_matplotlib_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    assert main(_SMALL_DEMO + ["--plot", str(tmp_path / "demo.png")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ('tabular-irl: error: plots need matplotlib: pip install "tabular_irl[plot]" '
                            "(or pip install matplotlib)\n")


class _Terminal:
    """A stderr that is a terminal, recording what is written."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return True


def _demo_on_a_terminal(monkeypatch, args):
    from tabular_irl import _progress

    monkeypatch.setitem(sys.modules, "tqdm", None)  # plain lines
    monkeypatch.setattr(_progress, "_AUTO_DELAY", 0.0)  # show even this quick fit
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(args) == 0
    return terminal.text


def test_demo_shows_progress_on_a_terminal_only(capsys, monkeypatch):
    assert main(_SMALL_DEMO) == 0
    assert capsys.readouterr().err == ""  # captured: not a terminal
    text = _demo_on_a_terminal(monkeypatch, _SMALL_DEMO + ["--algorithm", "mce", "mmp"])
    assert "maxent_irl (causal): iteration 1: objective" in text
    assert "max_margin_planning (cutting_plane): iteration 1: objective" in text


def test_progress_flags_override_the_default(monkeypatch, capsys):
    from tabular_irl import _progress

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setattr(_progress, "_LINE_INTERVAL", 0.0)
    assert main(_SMALL_DEMO + ["--algorithm", "mce", "--progress"]) == 0  # a log, not a terminal: shown anyway
    assert "maxent_irl (causal): iteration 1: objective" in capsys.readouterr().err
    assert _demo_on_a_terminal(monkeypatch, _SMALL_DEMO + ["--no-progress"]) == ""


def test_quiet_turns_progress_off(monkeypatch, capsys):
    assert _demo_on_a_terminal(monkeypatch, _SMALL_DEMO + ["--quiet"]) == ""
    assert "converged: True" in capsys.readouterr().out


def test_irl_command_takes_quiet(tmp_path, monkeypatch, capsys):
    from tabular_irl import sample_trajectories, save_mdp, save_trajectories

    world = gridworld(3, slip=0.1)
    expert = soft_backward(world.mdp, world.reward, horizon=4)
    save_mdp(tmp_path / "world.npz", world.mdp, features=world.features, horizon=4)
    save_trajectories(tmp_path / "demos.npz", sample_trajectories(world.mdp, expert.policy, 30, horizon=4, seed=0))
    args = ["irl", str(tmp_path / "world.npz"), str(tmp_path / "demos.npz"), "--l2", "0.01",
            "--out", str(tmp_path / "fit.npz")]
    assert _demo_on_a_terminal(monkeypatch, args + ["--quiet"]) == ""
    assert "iteration 1: objective" in _demo_on_a_terminal(monkeypatch, args)
