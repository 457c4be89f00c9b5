"""Figures of learning without rewards: the artists hold exactly the marginals, histories and empowerment given."""

import numpy as np
import pytest

import tabular_irl as tirl
from tabular_irl import rewardfree as rf

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tabular_irl.plotting import plot_empowerment, plot_exploration_curves, plot_state_marginals  # noqa: E402
from test_plotting import _close_figures  # noqa: E402, F401 (autouse: every figure is closed after its test)

T = 6


@pytest.fixture(scope="module")
def world():
    """A 4 x 5 room with two walls and no goal, started in the top-left corner."""
    return tirl.gridworld(4, 5, slip=0.1, walls=[(1, 1), (2, 3)], goals=[], initial=(0, 0))


@pytest.fixture(scope="module")
def exploration(world):
    return rf.maxent_exploration(world.mdp, horizon=T, n_iter=8)


@pytest.fixture(scope="module")
def walk(world):
    return rf.state_marginal(world.mdp, np.full((20, 5), 0.2), horizon=T)


# --------------------------------------------------------------------------
# state marginals
# --------------------------------------------------------------------------
def test_state_marginals_are_the_images_on_one_colour_scale(world, walk, exploration, tmp_path):
    uniform = np.where(world.grid.walls.ravel(), 0.0, 1.0 / 18)
    path = tmp_path / "marginals.png"
    fig = plot_state_marginals(world, {"walk": walk, "mixture": exploration.marginal, "uniform": uniform},
                               mark=(0, 0), show_entropy=True, title="coverage", path=path, dpi=30)
    panels = fig.axes[:3]
    assert len(fig.axes) == 4  # three panels and one shared colorbar
    for ax, p in zip(panels, (walk, exploration.marginal, uniform)):
        (image,) = ax.images
        np.testing.assert_array_equal(image.get_array().data, p.reshape(4, 5))
        np.testing.assert_array_equal(image.get_array().mask, world.grid.walls)
        assert image.norm.vmin == 0.0 and image.norm.vmax == max(walk.max(), exploration.marginal.max(), 1 / 18)
        (mark,) = [line for line in ax.lines if line.get_gid() == "mark"]
        assert list(mark.get_xdata()) == [0] and list(mark.get_ydata()) == [0]
    assert panels[2].get_title() == f"uniform\nH = {np.log(18):.4f} nats"  # 18 free cells
    assert fig.get_suptitle() == "coverage" and path.stat().st_size > 0


def test_state_marginals_of_skills_and_given_axes(world, walk):
    table = np.stack([walk, np.roll(walk, 1)])  # (K, S), as skill_discovery(...).marginals
    fig = plot_state_marginals(world.grid, table, label=None)
    assert [ax.get_title() for ax in fig.axes] == ["0", "1"]  # no colorbar axes
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_state_marginals((4, 5), [walk, walk], axes=[a, b]) is fig
    np.testing.assert_array_equal(b.images[0].get_array().data, walk.reshape(4, 5))
    assert plot_state_marginals(world, walk, label=None).axes[0].get_title() == "0"  # one (S,) distribution


@pytest.mark.parametrize("marginals, error, match", [
    ({"a": np.ones(20)}, ValueError, r"marginals\['a'\] must be a distribution over states.*summing to 20"),
    ([np.full(7, 1 / 7)], ValueError, r"marginals\[0\] must have shape \(S,\) = \(20,\)"),
    ({}, ValueError, "marginals must not be empty"),
    ("abc", TypeError, "marginals must be a mapping"),
    ({1: np.full(20, 0.05)}, TypeError, "must have str labels"),
    ([np.full(20, np.nan)], ValueError, r"marginals\[0\] must be finite"),
])
def test_state_marginals_reject_what_is_not_a_distribution(world, marginals, error, match):
    with pytest.raises(error, match=match):
        plot_state_marginals(world, marginals)


def test_state_marginals_reject_bad_marks_and_axes(world, walk):
    with pytest.raises(ValueError, match=r"mark must be cells of this 4 x 5 grid, got \(4, 0\)"):
        plot_state_marginals(world, walk, mark=[(0, 0), (4, 0)])
    with pytest.raises(TypeError, match="mark must be a \\(row, col\\) pair"):
        plot_state_marginals(world, walk, mark="corner")
    with pytest.raises(ValueError, match=r"axes must hold one Axes per marginal \(1\), got 2"):
        plot_state_marginals(world, walk, axes=plt.subplots(1, 2)[1])
    with pytest.raises(TypeError, match="show_entropy must be"):
        plot_state_marginals(world, walk, show_entropy="yes")


# --------------------------------------------------------------------------
# curves
# --------------------------------------------------------------------------
def test_exploration_curves_hold_the_histories_the_optimum_and_the_gaps(world, exploration, tmp_path):
    naive = rf.state_marginal_matching(world.mdp, exploration.marginal, horizon=T, n_iter=5, method="naive")
    best = rf.max_state_entropy(world.mdp, horizon=T, tol=1e-6)
    ax = plot_exploration_curves({"fully-corrective": exploration, "list": [1.0, 2.0]}, optimum=best,
                                 ylabel="H", path=tmp_path / "c.png")
    lines = [line for line in ax.lines if line.get_gid() == "history"]
    np.testing.assert_array_equal(lines[0].get_ydata(), exploration.history)
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(1, 9))
    np.testing.assert_array_equal(lines[1].get_ydata(), [1.0, 2.0])
    (opt,) = [line for line in ax.lines if line.get_gid() == "optimum"]
    assert list(opt.get_ydata()) == [best.value, best.value]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["fully-corrective", "list", "exact optimum"]

    ax = plot_exploration_curves(exploration, gap=True, optimum=2.5)
    (twin,) = [other for other in ax.figure.axes if other is not ax]
    (gap,) = twin.lines
    np.testing.assert_array_equal(gap.get_ydata(), exploration.gap_history)
    assert gap.get_gid() == "gap" and twin.get_yscale() == "log"
    ax = plot_exploration_curves({"naive": naive}, gap=True)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), naive.history)


@pytest.mark.parametrize("curves, kwargs, error, match", [
    ({"a": {"objective": [1.0]}}, {}, TypeError, r"curves\['a'\] must be a result with a history array"),
    (np.zeros((2, 3)), {}, ValueError, r"curves must be one value per iteration \(1-d\), got shape \(2, 3\)"),
    ([1.0, np.nan], {}, ValueError, "must hold numbers or \\+inf"),
    (["a", "b"], {}, TypeError, "curves must be an array of numbers"),
    ([1.0], {"optimum": "high"}, TypeError, "optimum must be"),
    ([1.0], {"dpi": 0}, ValueError, "dpi must be"),
])
def test_exploration_curves_reject_bad_arguments(curves, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_exploration_curves(curves, **kwargs)


# --------------------------------------------------------------------------
# empowerment
# --------------------------------------------------------------------------
def test_empowerment_map_holds_the_values_walls_and_missing_states_masked(world):
    free = np.flatnonzero(~world.grid.walls.ravel())
    emp = rf.empowerment(world.mdp, 2, states=free[:-3])
    ax = plot_empowerment(world, emp, title="E_2")
    data = ax.images[0].get_array()
    expected = np.full(20, np.nan)
    expected[emp.states] = emp.value
    np.testing.assert_array_equal(data.mask.ravel(), np.isnan(expected))
    np.testing.assert_array_equal(data.data.ravel()[emp.states], emp.value)
    assert ax.figure.axes[1].get_ylabel() == "2-step empowerment (nats)" and ax.get_title() == "E_2"
    values = np.arange(20.0)
    ax = plot_empowerment((4, 5), values, colorbar=False)
    np.testing.assert_array_equal(ax.images[0].get_array().data, values.reshape(4, 5))
    assert len(ax.figure.axes) == 1


def test_empowerment_map_rejects_bad_arguments(world):
    class Result:  # the fields of an EmpowermentResult
        value = np.ones(3)
        states = np.array([0, 1, 99])

    with pytest.raises(ValueError, match=r"empowerment.states must be states of this 4 x 5 grid"):
        plot_empowerment(world, Result())
    Result.states = np.array([0, 1])
    with pytest.raises(ValueError, match=r"empowerment must hold one value per state of states \(2\)"):
        plot_empowerment(world, Result())
    with pytest.raises(ValueError, match=r"empowerment must have shape \(S,\) = \(20,\)"):
        plot_empowerment(world, np.ones(7))
    with pytest.raises(TypeError, match="grid must be a GridGeometry"):
        plot_empowerment("grid", np.ones(20))
