"""Progress display of the IRL fits: off unless stderr is a terminal (or forced), tqdm or plain lines."""

import io
import re
import sys
import warnings

import numpy as np
import pytest

import tabular_irl as tirl
from tabular_irl import _progress
from tabular_irl._progress import Progress, check_progress, progress_bar


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self):
        return True


@pytest.fixture(scope="module")
def problem():
    world = tirl.gridworld(4, slip=0.1, step_reward=-0.1)
    expert = tirl.soft_backward(world.mdp, 2.0 * world.reward, horizon=6)
    demos = tirl.sample_trajectories(world.mdp, expert.policy, 50, horizon=6, seed=0)
    return world, demos


@pytest.fixture
def no_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `import tqdm` raises ImportError


def _use_terminal(monkeypatch):
    """Make ``sys.stderr`` a terminal; call it in the test body (pytest's capture replaces sys.stderr after
    fixtures are set up)."""
    fake = _Terminal()
    monkeypatch.setattr(sys, "stderr", fake)
    return fake


def _fit(world, demos, **kwargs):
    return tirl.maxent_irl(world.mdp, world.features, demos, horizon=6, l2=1e-2, **kwargs)


def _iteration_lines(text):
    return [line for line in text.splitlines() if re.search(r": iteration \d+", line)]


def test_quick_work_is_silent_when_stderr_is_not_a_terminal(problem, capsys):
    world, demos = problem
    fit = _fit(world, demos)  # progress=None: automatic; a quick fit prints nothing in a log
    assert fit.converged
    assert capsys.readouterr().err == ""


def test_long_work_writes_timestamped_lines_to_a_log(problem, capsys, monkeypatch):
    """Where stderr is not a terminal (pipe, CI log, nohup), long work says where it is: plain lines, no tqdm."""
    world, demos = problem
    monkeypatch.setattr(_progress, "_PIPE_DELAY", 0.0)
    monkeypatch.setattr(_progress, "_PIPE_INTERVAL", 0.0)
    fit = _fit(world, demos)
    lines = _iteration_lines(capsys.readouterr().err)
    assert len(lines) == fit.n_iter  # one per iteration at interval 0 (no tqdm redraws in a log)
    assert re.fullmatch(r"maxent_irl \(causal\): iteration 1, \d+\.\d s: objective -?[\d.]+, .*", lines[0])
    monkeypatch.setattr(_progress, "_PIPE_INTERVAL", 1e9)
    _fit(world, demos)
    assert len(_iteration_lines(capsys.readouterr().err)) == 2  # the first line, and the last at the end


def test_known_totals_give_an_eta(capsys):
    with _progress.Progress("study", total=4, plain=True, interval=0.0) as bar:
        bar.update(1, residual=0.5)
        bar.update(2, residual=0.25)
    lines = capsys.readouterr().err.splitlines()
    assert re.fullmatch(r"study: iteration 2/4, \d+\.\d s, ETA \d+ s: residual 2\.50e-01", lines[-1])


@pytest.mark.parametrize("value, shown", [("0", False), ("off", False), ("1", True)])
def test_environment_decides_the_automatic_display(problem, capsys, no_tqdm, monkeypatch, value, shown):
    world, demos = problem
    monkeypatch.setenv("TABULAR_IRL_PROGRESS", value)
    monkeypatch.setattr(_progress, "_PIPE_DELAY", 0.0)
    monkeypatch.setattr(_progress, "_PIPE_INTERVAL", 0.0)
    monkeypatch.setattr(_progress, "_LINE_INTERVAL", 0.0)
    _fit(world, demos)
    assert bool(_iteration_lines(capsys.readouterr().err)) == shown
    assert isinstance(progress_bar("x", None), _progress._Silent) == (not shown)
    assert isinstance(progress_bar("x", False), _progress._Silent)  # the argument wins over the environment


def test_forced_on_prints_plain_lines_without_tqdm(problem, capsys, no_tqdm, monkeypatch):
    world, demos = problem
    monkeypatch.setattr(_progress, "_LINE_INTERVAL", 0.0)  # every iteration
    fit = _fit(world, demos, progress=True)
    lines = _iteration_lines(capsys.readouterr().err)
    n = len(fit.history["objective"])
    assert n == fit.n_iter > 1
    assert len(lines) == n
    assert lines[0].startswith("maxent_irl (causal): iteration 1: objective ")
    # the last line shows the last recorded iteration with its objective and gradient norm
    assert lines[-1] == (f"maxent_irl (causal): iteration {n}: objective {fit.history['objective'][-1]:.8g}, "
                         f"max|gradient| {fit.history['grad_norm'][-1]:.2e}")


def test_plain_lines_come_at_a_bounded_rate(problem, capsys, no_tqdm, monkeypatch):
    world, demos = problem
    monkeypatch.setattr(_progress, "_LINE_INTERVAL", 1e9)  # at most one line per "forever"
    fit = _fit(world, demos, progress=True)
    lines = _iteration_lines(capsys.readouterr().err)
    # the first iteration at once, then only the final one when the fit ends
    assert [int(re.search(r"iteration (\d+)", line).group(1)) for line in lines] == [1, fit.n_iter]


def test_automatic_on_a_terminal_waits_for_long_work(problem, no_tqdm, monkeypatch):
    world, demos = problem
    terminal = _use_terminal(monkeypatch)
    _fit(world, demos)
    assert terminal.getvalue() == ""  # a fit quicker than _AUTO_DELAY shows nothing
    monkeypatch.setattr(_progress, "_AUTO_DELAY", 0.0)
    monkeypatch.setattr(_progress, "_LINE_INTERVAL", 0.0)
    fit = _fit(world, demos)
    assert len(_iteration_lines(terminal.getvalue())) == fit.n_iter


def test_tqdm_is_used_when_installed(problem, monkeypatch):
    pytest.importorskip("tqdm")
    world, demos = problem
    terminal = _use_terminal(monkeypatch)
    monkeypatch.setattr(_progress, "_TQDM_MININTERVAL", 0.0)  # redraw at every iteration
    fit = _fit(world, demos, progress=True)
    out = terminal.getvalue()
    assert "maxent_irl (causal):" in out and "it [" in out  # tqdm's counter: "12it [00:00, ...]"
    assert f"{fit.n_iter}it [" in out
    assert f"objective {fit.history['objective'][-1]:.8g}, max|gradient| {fit.history['grad_norm'][-1]:.2e}" in out
    assert not _iteration_lines(out)  # no plain lines alongside


@pytest.mark.parametrize("method", ["cutting_plane", "subgradient"])
def test_max_margin_planning_reports_every_round(problem, capsys, no_tqdm, monkeypatch, method):
    world, demos = problem
    monkeypatch.setattr(_progress, "_LINE_INTERVAL", 0.0)
    fit = tirl.max_margin_planning(world.mdp, world.features, demos, horizon=6, method=method, max_iter=30,
                                   tol=1e-8 if method == "cutting_plane" else 1.0, progress=True)
    lines = _iteration_lines(capsys.readouterr().err)
    assert len(lines) == fit.n_iter == len(fit.history["objective"])
    assert lines[0].startswith(f"max_margin_planning ({method}): iteration 1: objective ")
    assert "gap" in lines[-1]


def test_apprenticeship_reports_every_iteration(problem, capsys, no_tqdm, monkeypatch):
    world, demos = problem
    monkeypatch.setattr(_progress, "_LINE_INTERVAL", 0.0)
    fit = tirl.apprenticeship_learning(world.mdp, world.features, demos, horizon=6, method="max_margin",
                                       epsilon=1e-3, progress=True)
    lines = _iteration_lines(capsys.readouterr().err)
    assert len(lines) == fit.n_iter == len(fit.margins)
    assert lines[-1].startswith(f"apprenticeship_learning (max_margin): iteration {fit.n_iter}: "
                                f"margin {fit.margins[-1]:.2e}, hull distance ")


def test_progress_off_prints_nothing_even_on_a_terminal(problem, monkeypatch):
    world, demos = problem
    terminal = _use_terminal(monkeypatch)
    monkeypatch.setattr(_progress, "_AUTO_DELAY", 0.0)
    _fit(world, demos, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tirl.ConvergenceWarning)  # the classic gradient is biased here
        tirl.classic_maxent_irl(world.mdp, world.features, demos, horizon=6, l2=1e-2, progress=False)
    assert terminal.getvalue() == ""


@pytest.mark.parametrize("bad", ["yes", 1, 0.5, [True]])
def test_bad_progress_argument_is_a_type_error(problem, bad):
    world, demos = problem
    with pytest.raises(TypeError, match="progress must be True, False or None"):
        _fit(world, demos, progress=bad)
    with pytest.raises(TypeError, match="progress"):
        tirl.max_margin_planning(world.mdp, world.features, demos, horizon=6, progress=bad)
    with pytest.raises(TypeError, match="progress"):
        tirl.apprenticeship_learning(world.mdp, world.features, demos, horizon=6, progress=bad)
    assert check_progress(np.bool_(True)) is True and check_progress(None) is None


def test_progress_object_without_tqdm_writes_to_its_stream(no_tqdm, monkeypatch):
    monkeypatch.setattr(_progress, "_LINE_INTERVAL", 1e9)
    out = io.StringIO()
    with Progress("job", stream=out) as bar:
        bar.update(1, objective=-2.5, residual=0.125)
        bar.update(2, objective=-2.25, residual=0.0625)  # held back: within _LINE_INTERVAL of the first
    assert out.getvalue().splitlines() == ["job: iteration 1: objective -2.5, residual 1.25e-01",
                                           "job: iteration 2: objective -2.25, residual 6.25e-02"]


@pytest.mark.parametrize("method", ["value_iteration", "policy_iteration"])
def test_discounted_solves_report_their_progress(capsys, no_tqdm, monkeypatch, method):
    monkeypatch.setattr(_progress, "_LINE_INTERVAL", 0.0)
    world = tirl.gridworld(6, slip=0.2)
    plan = tirl.soft_backward(world.mdp, world.reward, discount=0.99, method=method, progress=True)
    lines = _iteration_lines(capsys.readouterr().err)
    assert lines and all(line.startswith(f"soft_backward ({method}, discount 0.99): iteration") for line in lines)
    last = float(re.search(r"error_bound ([0-9.e+-]+)", lines[-1]).group(1))
    assert plan.converged and last > 0  # the bound reported before the last sweep/evaluation
    tirl.value_iteration(world.mdp, world.reward, discount=0.99, progress=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(TypeError, match="progress must be True, False or None"):
        tirl.soft_backward(world.mdp, world.reward, discount=0.99, progress="yes")
