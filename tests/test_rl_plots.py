"""Figures of tabular_irl.rl: the artists hold exactly the recorded histories and tables."""

import numpy as np
import pytest

import tabular_irl as tirl
from tabular_irl.rl import (
    dagger,
    gradient_estimator_study,
    imitation_gap,
    pretrain_finetune,
    q_learning,
)

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")

from tabular_irl.plotting import (  # noqa: E402
    plot_gradient_estimator_study,
    plot_imitation_gap,
    plot_learning_curves,
)

from test_plotting import _close_figures  # noqa: E402, F401 (autouse: every figure is closed after its test)

T = 4


@pytest.fixture(scope="module")
def world():
    return tirl.gridworld(3, slip=0.1)


@pytest.fixture(scope="module")
def expert(world):
    return tirl.value_iteration(world.mdp, world.reward, horizon=T).policy


@pytest.fixture(scope="module")
def runs(world, expert):
    demos = tirl.sample_trajectories(world.mdp, expert, 5, horizon=T, seed=0)
    return {
        "pretrain, finetune": pretrain_finetune(world.mdp, world.reward, demos, horizon=T, n_iter=4, lr=1.0),
        "DAgger": dagger(world.mdp, expert, horizon=T, n_iter=3, n_per_iter=2, reward=world.reward, seed=0),
    }


def test_learning_curves_are_the_histories(world, runs, tmp_path):
    J_star = float(world.mdp.initial @ tirl.value_iteration(world.mdp, world.reward, horizon=T).V[0])
    ax = plot_learning_curves({**runs, "behavioural cloning": 0.25}, optimal_value=J_star,
                              path=tmp_path / "curves.png")
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["pretrain, finetune", "DAgger", "behavioural cloning", "J*"]
    for line, run in zip(lines, runs.values()):
        np.testing.assert_array_equal(line.get_ydata(), run.history["value"])
        np.testing.assert_array_equal(line.get_xdata(), run.history["iteration"])
    assert list(lines[2].get_ydata()) == [0.25, 0.25] and list(lines[3].get_ydata()) == [J_star, J_star]
    assert len({line.get_color() for line in lines[:3]}) == 3  # the flat level has its own colour
    assert (tmp_path / "curves.png").stat().st_size > 0


def test_q_learning_with_and_without_demos_on_their_steps(world):
    plan = tirl.value_iteration(world.mdp, world.reward, discount=0.9)
    demos = tirl.sample_trajectories(world.mdp, plan.policy, 3, horizon=6, seed=0)
    options = dict(discount=0.9, n_steps=300, buffer_size=200, batch_size=8, target_update=20, lr=0.5, epsilon=0.3,
                   n_checkpoints=4, seed=1)
    runs = {"no demos": q_learning(world.mdp, world.reward, **options),
            "demos": q_learning(world.mdp, world.reward, demos=demos, **options)}
    ax = plot_learning_curves(runs, key="q_error", logy=True)
    for line, run in zip(ax.get_lines(), runs.values()):
        np.testing.assert_array_equal(line.get_xdata(), run.history["step"])
        np.testing.assert_array_equal(line.get_ydata(), run.history["q_error"])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "environment steps"


def test_sequences_dicts_and_a_single_result(runs):
    fit = runs["pretrain, finetune"]
    (line,) = plot_learning_curves(fit).get_lines()  # one result alone, labelled by its key
    assert line.get_label() == "value"
    np.testing.assert_array_equal(line.get_ydata(), fit.history["value"])
    ax = plot_learning_curves({"mean": [1.0, 2.0, 3.0], "by labels": {"n": [2, 4], "gap": [0.5, 0.1]}},
                              key="gap", x="n")
    mean, by_labels = ax.get_lines()
    assert list(mean.get_xdata()) == [0, 1, 2] and list(mean.get_ydata()) == [1.0, 2.0, 3.0]
    assert list(by_labels.get_xdata()) == [2, 4] and list(by_labels.get_ydata()) == [0.5, 0.1]


@pytest.mark.parametrize("curves, kwargs, error, match", [
    ({"a": object()}, {}, TypeError, r"curves\['a'\] must be a result with a history"),
    ({"a": {"iteration": [0, 1]}}, {}, ValueError, r"history has no series 'value'"),
    ({"a": {"value": [1.0, np.nan]}}, {}, ValueError, r"curves\['a'\]\['value'\]"),
    ({"a": {"value": [1.0, 2.0], "iteration": [0]}}, {}, ValueError, r"one entry per value"),
    ({"a": {"value": [1.0]}}, {"x": "step"}, ValueError, r"x must name a series"),
    ({}, {}, ValueError, r"at least one curve"),
    ({1: [1.0]}, {}, TypeError, r"labels must be strings"),
    ({"a": [1.0]}, {"key": 3}, TypeError, r"key must be the name"),
    ({"a": [1.0]}, {"optimal_value": "high"}, TypeError, r"optimal_value"),
    ({"a": [1.0]}, {"logy": "yes"}, TypeError, r"logy"),
])
def test_bad_curves_are_named(curves, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_learning_curves(curves, **kwargs)


def _rope(recoverable):
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = 1.0
    P[1, :, 0 if recoverable else 1] = 1.0
    return tirl.MDP.from_dense(P, initial=[1.0, 0.0]), np.array([[1.0, 0.0], [0.0, 0.0]])


def _gaps(recoverable, horizons=(10, 5, 20)):
    mdp, r = _rope(recoverable)
    expert, learner = np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([[0.99, 0.01], [0.5, 0.5]])
    return [imitation_gap(mdp, r, expert, learner, horizon=T) for T in horizons]


def test_gap_against_horizon_with_both_bounds(tmp_path):
    gaps = _gaps(False)
    ax = plot_imitation_gap(gaps, path=tmp_path / "gap.png")
    gap, quadratic, linear = ax.get_lines()
    by_T = sorted(gaps, key=lambda g: g.horizon)  # drawn sorted by horizon
    assert list(gap.get_xdata()) == [5, 10, 20]
    np.testing.assert_array_equal(gap.get_ydata(), [g.gap for g in by_T])
    np.testing.assert_array_equal(quadratic.get_ydata(), [g.bc_bound for g in by_T])
    np.testing.assert_allclose(linear.get_ydata(), [g.horizon * g.epsilon * g.reward_range for g in by_T],
                               rtol=1e-15)
    np.testing.assert_allclose(linear.get_ydata() * gap.get_xdata(), quadratic.get_ydata(), rtol=1e-12)
    assert (quadratic.get_gid(), linear.get_gid()) == ("bc_bound", "linear_bound")
    assert ax.get_xscale() == ax.get_yscale() == "log"


def test_two_ropes_share_their_bounds_and_tables_work():
    ax = plot_imitation_gap({"tightrope": _gaps(False), "recoverable": _gaps(True)}, loglog=False)
    assert [line.get_gid() for line in ax.get_lines()] == ["tightrope", "recoverable", "bc_bound", "linear_bound"]
    assert ax.get_yscale() == "linear"
    table = {"horizon": [5, 10], "gap": [0.1, 0.3], "bc_bound": [0.2, 0.8], "linear_bound": [0.04, 0.08]}
    ax = plot_imitation_gap({"a": table, "b": {**table, "bc_bound": [0.3, 0.9]}})
    assert [line.get_gid() for line in ax.get_lines()] == ["a", "b", "bc_bound:a", "linear_bound:a",
                                                          "bc_bound:b", "linear_bound:b"]
    assert list(ax.get_lines()[3].get_ydata()) == [0.04, 0.08]
    assert len(plot_imitation_gap(table, bounds=False).get_lines()) == 1


@pytest.mark.parametrize("gaps, error, match", [
    ([], TypeError, r"gaps must be a non-empty list of imitation_gap results"),
    ([1.0], TypeError, r"gaps\[0\] must be an imitation_gap result"),
    ({"horizon": [5], "gap": [0.1]}, ValueError, r"missing \['bc_bound'\]"),
    ({"horizon": [5, 10], "gap": [0.1], "bc_bound": [0.2, 0.3]}, ValueError, r"of one length"),
    ({"horizon": [0], "gap": [0.1], "bc_bound": [0.2]}, ValueError, r"horizons must be >= 1"),
    ({"horizon": [5], "gap": [np.inf], "bc_bound": [0.2]}, ValueError, r"gap"),
])
def test_bad_gaps_are_named(gaps, error, match):
    with pytest.raises(error, match=match):
        plot_imitation_gap(gaps)


@pytest.fixture(scope="module")
def study(world):
    expert = tirl.soft_backward(world.mdp, 3 * world.reward, horizon=T).policy
    return gradient_estimator_study(world.mdp, world.reward, np.zeros((9, 5)), expert, horizon=T, n=100, seed=0)


@pytest.mark.parametrize("quantity", ["bias", "variance", "ess"])
def test_estimator_bars_are_the_table(study, quantity):
    ax = plot_gradient_estimator_study(study, quantity)
    assert [bar.get_height() for bar in ax.patches] == study.column(quantity).tolist()
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels == [f"{s}\n{'all' if f else 'up to t'}" for s, f in zip(study.column("sampler"),
                                                                          study.column("future_ratios"))]
    assert ax.get_yscale() == ("log" if quantity == "variance" else "linear")


def test_bias_bars_carry_their_standard_errors(study):
    ax = plot_gradient_estimator_study(study, error_bars=3.0)
    from matplotlib.container import BarContainer

    (bars,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    segments = bars.errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([seg[1, 1] - seg[0, 1] for seg in segments], 6.0 * study.column("bias_se"))
    assert not any(c.errorbar for c in plot_gradient_estimator_study(study, error_bars=0).containers)


@pytest.mark.parametrize("table, kwargs, error, match", [
    ("table", {}, TypeError, r"table must be the StudyTable of gradient_estimator_study"),
    (None, {"quantity": "mean"}, ValueError, r"quantity must be one of 'bias', 'variance', 'ess'"),
    (None, {"error_bars": -1.0}, ValueError, r"error_bars"),
    (None, {"log": 1}, TypeError, r"log"),
])
def test_bad_study_arguments_are_named(study, table, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_gradient_estimator_study(study if table is None else table, **kwargs)
