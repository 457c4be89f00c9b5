"""Plots: rendered headless (Agg) into PNG files; the artists hold exactly the data given."""

import os
import struct
import subprocess
import sys
import warnings

import numpy as np
import pytest

import tabular_irl as tirl

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tabular_irl import plotting  # noqa: E402
from tabular_irl.envs.gridworld import ACTION_NAMES  # noqa: E402
from tabular_irl.plotting import (  # noqa: E402
    plot_convergence,
    plot_grid_values,
    plot_gridworld_summary,
    plot_policy,
    plot_reward_scatter,
    plot_trajectories,
)

T = 6


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def world():
    """A 4 x 5 gridworld with two walls and the goal at the bottom right."""
    return tirl.gridworld(4, 5, slip=0.1, walls=[(1, 1), (2, 3)], step_reward=-0.1)


@pytest.fixture(scope="module")
def demos(world):
    expert = tirl.soft_backward(world.mdp, 2.0 * world.reward, horizon=T)
    return tirl.sample_trajectories(world.mdp, expert.policy, 60, horizon=T, seed=0)


@pytest.fixture(scope="module")
def fit(world, demos):
    return tirl.maxent_irl(world.mdp, world.features, demos, horizon=T, l2=1e-2)


def png_size(path):
    """``(width, height)`` of a PNG file, after checking its signature and header chunk."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def n_free_cells(world):
    return world.grid.n_states - int(world.grid.walls.sum()) - len(world.grid.goals)


# --------------------------------------------------------------------------
# matplotlib stays optional
# --------------------------------------------------------------------------
def test_importing_the_package_does_not_import_matplotlib_and_scripts_get_agg(tmp_path):
    code = ("import sys, tabular_irl, tabular_irl.plotting, tabular_irl.cli\n"
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported at package import'\n"
            "import matplotlib\n"
            "from tabular_irl.plotting import _pyplot\n"
            "_pyplot()\n"
            "print(matplotlib.get_backend().lower())\n")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "agg"  # a script with no backend chosen: the file-only backend


def test_a_backend_chosen_by_the_user_is_kept(tmp_path):
    code = ("import matplotlib\n"
            "matplotlib.use('svg')\n"  # as %matplotlib inline or MPLBACKEND would choose one
            "from tabular_irl.plotting import _pyplot\n"
            "_pyplot()\n"
            "print(matplotlib.get_backend().lower())\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "svg"


def test_without_matplotlib_a_clear_import_error_names_the_extra(world, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "tabular_irl\[plot\]"'):
        plot_grid_values(world, world.reward)


# --------------------------------------------------------------------------
# heatmaps
# --------------------------------------------------------------------------
def test_grid_values_heatmap_holds_the_values_and_saves_a_png(world, tmp_path):
    values = np.arange(world.n_states, dtype=float)
    path = tmp_path / "values.png"
    ax = plot_grid_values(world, values, title="index", label="s", path=path, dpi=40)
    image = ax.images[0]
    data = image.get_array()
    np.testing.assert_array_equal(data.data, values.reshape(4, 5))
    np.testing.assert_array_equal(data.mask, world.grid.walls)  # walls drawn in the 'bad' grey
    assert image.get_extent() == [-0.5, 4.5, 3.5, -0.5]  # cell (row, col) centred at (col, row), row 0 on top
    assert ax.yaxis_inverted()
    assert len(ax.figure.axes) == 2  # the panel and its colorbar
    assert ax.figure.axes[1].get_ylabel() == "s"
    goal = [line for line in ax.lines if line.get_gid() == "goal"]
    assert len(goal) == 1 and list(goal[0].get_xdata()) == [4] and list(goal[0].get_ydata()) == [3]
    assert png_size(path) == (round(5.0 * 40), round(4.2 * 40))


def test_grid_values_accepts_a_grid_array_a_state_only_table_and_a_shape(world):
    values = np.linspace(-1, 1, world.n_states)
    expected = values.reshape(4, 5)
    for given in (expected, np.repeat(values[:, None], 5, axis=1)):
        np.testing.assert_array_equal(plot_grid_values(world.grid, given).images[0].get_array().data, expected)
    ax = plot_grid_values((4, 5), values, colorbar=False)
    assert len(ax.figure.axes) == 1 and not ax.images[0].get_array().mask.any()


def test_grid_values_draws_into_a_given_axes(world):
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_grid_values(world, world.reward, ax=right, colorbar=False) is right
    assert not left.images and len(right.images) == 1


@pytest.mark.parametrize("values, error, match", [
    (np.zeros(7), ValueError, r"values must have shape \(S,\) = \(20,\) or \(rows, cols\) = \(4, 5\).*got shape \(7,\)"),
    (np.zeros((T + 1, 20)), ValueError, r"time-indexed \(T\+1, S\) array"),
    (np.arange(100.0).reshape(20, 5), ValueError, r"depends on the action.*values.max\(axis=1\)"),
    (np.full(20, np.nan), ValueError, "values must be finite"),
    ("abc", TypeError, "values must be an array of numbers"),
])
def test_grid_values_bad_values_name_the_argument(world, values, error, match):
    with pytest.raises(error, match=match):
        plot_grid_values(world, values)


def test_bad_grid_ax_path_and_dpi_are_named(world):
    with pytest.raises(TypeError, match="grid must be a GridGeometry"):
        plot_grid_values("4x5", world.reward)
    with pytest.raises(ValueError, match="grid must have a grid layout"):
        plot_grid_values(tirl.random_mdp(6, 2, 2, seed=0), np.zeros(6))
    with pytest.raises(TypeError, match=r"grid\[0\] \(rows\) must be an integer >= 1"):
        plot_grid_values((4.0, 5), world.reward)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_grid_values(world, world.reward, ax="left")
    with pytest.raises(TypeError, match="path must be a file name"):
        plot_grid_values(world, world.reward, path=3)
    with pytest.raises(ValueError, match="dpi must be a finite number > 0"):
        plot_grid_values(world, world.reward, dpi=0)


# --------------------------------------------------------------------------
# policy arrows
# --------------------------------------------------------------------------
def test_policy_arrows_one_per_free_cell_with_the_expected_move(world):
    plan = tirl.soft_backward(world.mdp, 2.0 * world.reward, horizon=T)
    ax = plot_policy(world, plan.policy, t=2, values=plan.V[2])
    (quiver,) = [c for c in ax.collections if c.get_gid() == "policy"]
    assert quiver.N == n_free_cells(world) == 20 - 2 - 1
    free = np.flatnonzero(~world.grid.walls.ravel() & (np.arange(20) != world.grid.state(3, 4)))
    np.testing.assert_array_equal(quiver.X, free % 5)
    np.testing.assert_array_equal(quiver.Y, free // 5)
    deltas = np.array(world.grid.action_deltas, dtype=float)  # (drow, dcol)
    move = plan.policy[2] @ deltas
    np.testing.assert_allclose(quiver.U, move[free, 1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(quiver.V, move[free, 0], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(ax.images[0].get_array().data, plan.V[2].reshape(4, 5))


def test_policy_time_indexed_equals_its_stationary_slice_and_int_actions_work(world):
    plan = tirl.soft_backward(world.mdp, world.reward, horizon=T)
    a = plot_policy(world, plan.policy, t=T - 1).collections[0]
    b = plot_policy(world, plan.policy[T - 1]).collections[0]
    np.testing.assert_array_equal(a.U, b.U)
    np.testing.assert_array_equal(a.V, b.V)
    down = np.full(world.n_states, ACTION_NAMES.index("down"))
    q = plot_policy(world, down).collections[0]
    np.testing.assert_array_equal(q.U, 0.0)
    np.testing.assert_array_equal(q.V, 1.0)  # +1 row: pointing down the (inverted) y axis
    argmax = plot_policy(world, plan.policy[0], kind="argmax").collections[0]
    assert set(np.hypot(argmax.U, argmax.V)) <= {0.0, 1.0}


@pytest.mark.parametrize("policy, kwargs, error, match", [
    (np.full((20, 4), 0.25), {}, ValueError, r"policy must have shape \(S, A\) = \(20, 5\)"),
    (np.full((T, 20, 5), 0.2), {"t": T}, ValueError, r"t must be in \[0, T\) = \[0, 6\)"),
    (np.full((T, 20, 5), 0.2), {"t": 1.0}, TypeError, "t must be an integer"),
    (np.full((20, 5), 0.3), {}, ValueError, "policy rows must be probability distributions"),
    (np.full(20, 7), {}, ValueError, r"entries in \[0, 5\)"),
    (np.full((20, 5), 0.2), {"kind": "max"}, ValueError, "kind must be 'mean' or 'argmax'"),
])
def test_bad_policies_are_named(world, policy, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_policy(world, policy, **kwargs)


# --------------------------------------------------------------------------
# demonstrations
# --------------------------------------------------------------------------
def test_trajectories_one_line_per_path_through_the_cell_centres(world, demos):
    ax = plot_trajectories(world, demos, n=7, jitter=0.0)
    lines = [line for line in ax.lines if line.get_gid() == "trajectory"]
    assert len(lines) == 7
    for line, states in zip(lines, demos.states[:7]):
        np.testing.assert_array_equal(line.get_xdata(), states % 5)
        np.testing.assert_array_equal(line.get_ydata(), states // 5)
    jittered = [line for line in plot_trajectories(world, demos.states, n=None, jitter=0.2, seed=0).lines
                if line.get_gid() == "trajectory"]
    assert len(jittered) == demos.n_trajectories
    shift = jittered[0].get_xdata() - demos.states[0] % 5
    assert np.all(shift == shift[0]) and 0 < abs(shift[0]) <= 0.2  # one constant offset per path


def test_bad_trajectories_are_named(world):
    with pytest.raises(ValueError, match=r"demos must hold states in \[0, 20\)"):
        plot_trajectories(world, np.array([[0, 1, 25]]))
    with pytest.raises(TypeError, match="demos must be Trajectories or integer state sequences"):
        plot_trajectories(world, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        plot_trajectories(world, np.array([0, 1]), n=0)
    with pytest.raises(ValueError, match="jitter must be in"):
        plot_trajectories(world, np.array([0, 1]), jitter=0.5)


# --------------------------------------------------------------------------
# convergence and reward scatter
# --------------------------------------------------------------------------
def test_convergence_curves_are_the_recorded_history(fit, tmp_path):
    ax = plot_convergence(fit, path=tmp_path / "conv.png", dpi=30)
    (objective,) = ax.lines
    np.testing.assert_array_equal(objective.get_ydata(), fit.history["objective"])
    np.testing.assert_array_equal(objective.get_xdata(), np.arange(1, fit.n_iter + 1))
    (twin,) = [a for a in ax.figure.axes if a is not ax]
    (grad,) = twin.lines
    np.testing.assert_array_equal(grad.get_ydata(), fit.history["grad_norm"])
    assert twin.get_yscale() == "log" and ax.get_yscale() == "linear"
    assert png_size(tmp_path / "conv.png") == (150, 126)


def test_convergence_of_margin_methods_and_plain_sequences(world, demos):
    mmp = tirl.max_margin_planning(world.mdp, world.features, demos, horizon=T)
    ax = plot_convergence(mmp)
    assert [line.get_gid() for line in ax.lines] == ["objective", "lower_bound"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), mmp.history["lower_bound"])
    twin = [a for a in ax.figure.axes if a is not ax][0]
    np.testing.assert_array_equal(twin.lines[0].get_ydata(), mmp.history["max_violation"])
    app = tirl.apprenticeship_learning(world.mdp, world.features, demos, horizon=T, method="max_margin",
                                       epsilon=0.05)
    ax = plot_convergence(app)
    assert len(ax.figure.axes) == 1 and ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), app.margins)
    np.testing.assert_array_equal(plot_convergence([3.0, 2.0, 1.5]).lines[0].get_ydata(), [3.0, 2.0, 1.5])


def test_convergence_rejects_results_without_history(world):
    policy = tirl.value_iteration(world.mdp, world.reward, discount=0.9).policy
    lp = tirl.lp_irl(world.mdp, policy, discount=0.9)
    with pytest.raises(TypeError, match="lp_irl solves a single linear programme"):
        plot_convergence(lp)
    with pytest.raises(ValueError, match="has none of the series"):
        plot_convergence({"loss": [1.0]})
    with pytest.raises(TypeError, match="result must be a fit result"):
        plot_convergence(3.0)


def test_reward_scatter_points_and_correlation(world, fit):
    ax = plot_reward_scatter(world.reward, fit.reward)  # (S,) against a state-only (S, A)
    (points,) = [c for c in ax.collections if c.get_gid() == "reward_scatter"]
    np.testing.assert_array_equal(points.get_offsets(), np.column_stack([world.reward, fit.reward[:, 0]]))
    rho = tirl.metrics.reward_correlation(world.reward, fit.reward)
    assert ax.get_title() == f"correlation {rho:.3f}"
    ax = plot_reward_scatter(np.ones(3), [1.0, 2.0, 3.0])  # constant truth: no correlation, no error
    assert "undefined" in ax.get_title()
    with pytest.raises(ValueError, match="learned_reward must have the shape of true_reward"):
        plot_reward_scatter(world.reward, np.zeros(5))


# --------------------------------------------------------------------------
# the summary figure
# --------------------------------------------------------------------------
def test_summary_figure_of_a_maxent_fit(world, demos, fit, tmp_path):
    path = tmp_path / "summary.png"
    fig = plot_gridworld_summary(world, fit, demos=demos, n=4, figsize=(6.5, 4.0), dpi=40, path=path,
                                 title="test")
    assert png_size(path) == (260, 160)
    panels = {ax.get_label(): ax for ax in fig.axes if ax.get_label()}
    assert set(panels) >= {"true_reward", "learned_reward", "reward_scatter", "visitation", "policy",
                           "convergence"}
    np.testing.assert_array_equal(panels["true_reward"].images[0].get_array().data, world.grid.as_grid(world.reward))
    np.testing.assert_array_equal(panels["learned_reward"].images[0].get_array().data,
                                  world.grid.as_grid(fit.reward[:, 0]))
    visits = fit.visitation.total_state_action.sum(axis=1)
    shown = panels["visitation"].images[0].get_array()
    reachable = ~shown.mask & (visits.reshape(4, 5) > 1e-6 * visits.max())
    np.testing.assert_allclose(shown.data[reachable], visits.reshape(4, 5)[reachable], rtol=1e-15)
    assert len([line for line in panels["visitation"].lines if line.get_gid() == "trajectory"]) == 4
    (quiver,) = panels["policy"].collections
    assert quiver.N == n_free_cells(world)
    np.testing.assert_array_equal(panels["convergence"].lines[0].get_ydata(), fit.history["objective"])
    assert fig.get_suptitle() == "test"


def test_summary_plans_with_the_learned_reward_when_the_fit_has_no_plan(world, demos):
    mmp = tirl.max_margin_planning(world.mdp, world.features, demos, horizon=T)
    fig = plot_gridworld_summary(world, mmp, demos=demos)  # the horizon comes from the demonstrations
    (quiver,) = [ax for ax in fig.axes if ax.get_label() == "policy"][0].collections
    policy = tirl.value_iteration(world.mdp, mmp.reward, horizon=T).policy[0]
    free = np.flatnonzero(~world.grid.walls.ravel() & (np.arange(20) != world.grid.state(3, 4)))
    np.testing.assert_array_equal(quiver.U, (policy @ np.array(world.grid.action_deltas, float))[free, 1])
    with pytest.raises(ValueError, match="horizon or discount is needed"):
        plot_gridworld_summary(world, mmp.reward[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a plain reward array and an apprenticeship mixture draw cleanly
        plot_gridworld_summary(world, mmp.reward[:, 0], horizon=T)
        app = tirl.apprenticeship_learning(world.mdp, world.features, demos, horizon=T, epsilon=0.5)
        plot_gridworld_summary(world, app, horizon=T)


def _policy_arrows(fig):
    (quiver,) = [ax for ax in fig.axes if ax.get_label() == "policy"][0].collections
    return quiver


def test_summary_draws_every_fit_through_the_result_protocol(world, demos):
    """No class switch: each fit's own reward, policy (at t=0) and that policy's visitation are drawn."""
    discount = 0.9
    expert = tirl.value_iteration(world.mdp, world.reward, discount=discount).policy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tirl.ConvergenceWarning)  # AIRL run short on purpose
        fits = {
            "apprenticeship": (tirl.apprenticeship_learning(world.mdp, world.features, demos, horizon=T,
                                                            epsilon=0.5), {"horizon": T}),
            "lp": (tirl.lp_irl(world.mdp, expert, discount=discount), {"discount": discount}),
            "airl": (tirl.approx.airl(world.mdp, demos, discount=discount, max_iter=5), {"discount": discount}),
        }
    deltas = np.array(world.grid.action_deltas, dtype=float)
    free = np.flatnonzero(~world.grid.walls.ravel() & (np.arange(20) != world.grid.state(3, 4)))
    for name, (fit, model) in fits.items():
        fig = plot_gridworld_summary(world, fit, **model)
        policy_0 = fit.policy[0] if fit.policy.ndim == 3 else fit.policy
        np.testing.assert_array_equal(_policy_arrows(fig).U, (policy_0 @ deltas)[free, 1], err_msg=name)
        visits = tirl.visitation(world.mdp, fit.policy, **model).total_state_action.sum(axis=1)
        shown = [ax for ax in fig.axes if ax.get_label() == "visitation"][0].images[0].get_array()
        big = ~shown.mask & (visits.reshape(4, 5) > 1e-6 * visits.max())
        np.testing.assert_allclose(shown.data[big], visits.reshape(4, 5)[big], rtol=1e-15, err_msg=name)
        scatter = [ax for ax in fig.axes if ax.get_label() == "reward_scatter"][0].collections[0]
        state_only = np.all(fit.reward == fit.reward[:, :1])
        points = fit.reward[:, 0] if state_only else fit.reward.ravel()  # per state, or per pair if the action matters
        np.testing.assert_array_equal(scatter.get_offsets()[:, 1], points, err_msg=name)
        learned = [ax for ax in fig.axes if ax.get_label() == "learned_reward"][0].images[0].get_array().data
        expected = fit.reward[:, 0] if state_only else fit.reward.max(axis=1)  # AIRL's f(s, a): best action
        np.testing.assert_array_equal(learned, expected.reshape(4, 5), err_msg=name)
        panel = [ax for ax in fig.axes if ax.get_label() == "convergence"][0]
        assert bool(panel.lines) == bool(fit.history), name  # LP keeps no history: a note instead of curves


def test_convergence_of_airl_is_its_recorded_history(world, demos):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tirl.ConvergenceWarning)
        fit = tirl.approx.airl(world.mdp, demos, discount=0.9, max_iter=5)
    ax = plot_convergence(fit)
    lines = {line.get_gid(): line for line in ax.lines}
    np.testing.assert_array_equal(lines["js_divergence"].get_ydata(), fit.history["js_divergence"])
    np.testing.assert_array_equal(lines["occupancy_change"].get_ydata(), fit.history["occupancy_change"])


def test_approx_imports_nothing_of_plotting_and_keeps_its_figure_name():
    import ast
    import pathlib

    import tabular_irl.approx as approx
    import tabular_irl.plotting.approx

    for path in pathlib.Path(approx.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        top_level = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        assert not any("plotting" in (getattr(node, "module", None) or "") or
                       any("plotting" in alias.name for alias in node.names) for node in top_level), path
    assert approx.plot_importance_sampling_study is tabular_irl.plotting.approx.plot_importance_sampling_study


def test_module_lists_its_functions():
    assert set(plotting.__all__) == {"plot_grid_values", "plot_policy", "plot_trajectories", "plot_convergence",
                                     "plot_reward_scatter", "plot_gridworld_summary", "save_figure",
                                     "plot_learning_curves", "plot_imitation_gap", "plot_gradient_estimator_study",
                                     "plot_state_marginals", "plot_exploration_curves", "plot_empowerment"}
