"""Study tables: contents checked against the exact answers, the plot, and bad input."""


import numpy as np
import pytest
from numpy.testing import assert_allclose

from tabular_irl import gridworld, posterior_marginals, sample_trajectories, soft_backward
from tabular_irl.approx import (
    StudyTable,
    adversarial_study,
    importance_sampling_study,
    plot_importance_sampling_study,
)
from tabular_irl.approx._study import IS_COLUMNS
from tabular_irl.irl import maxent_objective


@pytest.fixture(scope="module")
def setup():
    w = gridworld(3, slip=0.2, initial=(0, 0))
    T = 5
    expert = soft_backward(w.mdp, 5.0 * w.reward, horizon=T)
    demos = sample_trajectories(w.mdp, expert.policy, 30, horizon=T, seed=0)
    return w, T, demos


@pytest.fixture(scope="module")
def table(setup):
    w, T, demos = setup
    return importance_sampling_study(w.mdp, w.features, 2.0 * w.reward, demos, horizon=T, n=(10, 100, 1000),
                                     n_repeats=20, seed=0)


def test_importance_sampling_table(setup, table):
    w, T, demos = setup
    assert table.columns == IS_COLUMNS
    assert len(table.rows) == 4 * 3
    assert list(dict.fromkeys(table.column("sampler"))) == ["uniform", "soft_optimal", "noncausal", "mixture"]
    value, grad = maxent_objective(w.mdp, w.features, 2.0 * w.reward, demos, horizon=T, causal=False)
    assert_allclose(table.meta["exact_gradient"], grad, atol=1e-12)
    assert table.meta["exact_log_partition"] == pytest.approx(
        posterior_marginals(w.mdp, 2.0 * w.reward, horizon=T).log_partition, abs=1e-12)
    assert np.all(table.column("n_failed") == 0)
    for name in ("uniform", "soft_optimal", "noncausal"):
        sub = table.where(sampler=name)
        assert np.all(np.diff(sub.column("grad_var")) < 0)  # 10x the samples each step
        assert np.all(np.diff(sub.column("grad_mse")) < 0)
        assert_allclose(sub.column("grad_var_pred") * sub.column("n"), sub.column("grad_var_pred")[0] * 10)
        assert np.all((sub.column("ess_fraction") > 0) & (sub.column("ess_fraction") <= 1))
    assert np.all(np.isnan(table.where(sampler="mixture").column("grad_var_pred")))
    text = table.to_text(["sampler", "n", "grad_var", "grad_var_pred"])
    assert text.count("\n") == 1 + len(table.rows)
    assert " - |" in table.to_text()  # missing predictions printed as "-"


def test_uncovered_replicates_are_counted_not_fatal():
    w = gridworld(3, slip=0.2)  # uniform start: demonstrations from 8 states
    T = 4
    demos = sample_trajectories(w.mdp, np.full((9, 5), 0.2), 40, horizon=T, seed=0)
    table = importance_sampling_study(w.mdp, w.features, w.reward, demos, horizon=T, n=(3, 300),
                                      n_repeats=5, seed=0, samplers={"uniform": np.full((9, 5), 0.2)})
    failed = table.column("n_failed")
    assert failed[0] == 5 and failed[1] == 0  # 3 samples cannot start in 8 states
    assert table.rows[0][2] is None


def test_study_table_type():
    t = StudyTable(("a", "b"), [("x", 1.0), ("y", None)], {"k": 1})
    assert_allclose(t.column("b"), [1.0, np.nan])
    assert t.where(a="y").rows == (("y", None),)
    assert t.to_dicts()[0] == {"a": "x", "b": 1.0}
    with pytest.raises(KeyError, match="no column 'c'"):
        t.column("c")
    with pytest.raises(ValueError, match="rows must have 2 entries"):
        StudyTable(("a", "b"), [("x",)], {})
    with pytest.raises(TypeError):
        t.meta["k"] = 2  # read-only


def test_plot_rejects_other_tables():
    # (the figure itself is drawn and saved by the example's test)
    with pytest.raises(TypeError, match="table must be the StudyTable of importance_sampling_study"):
        plot_importance_sampling_study(StudyTable(("a",), [], {}))


def test_adversarial_study_rows():
    w = gridworld(3, slip=0.2)
    expert = soft_backward(w.mdp, 3.0 * w.reward, discount=0.8)
    demos = sample_trajectories(w.mdp, expert.policy, 100, horizon=30, seed=0)
    t = adversarial_study(w.mdp, demos, discount=0.8, expert_policy=expert.policy, true_reward=w.reward)
    assert list(t.column("method")) == ["maxent", "airl", "airl_shaped", "airl_exact"]
    exact = t.where(method="airl_exact").to_dicts()[0]
    # the infinite-demonstration limit recovers the expert: EVD, divergences and JS vanish, and the
    # reward (the expert's soft advantage, 3 r shaped) correlates perfectly modulo shaping
    assert exact["converged"] and abs(exact["evd"]) < 1e-6 and exact["js_divergence"] < 1e-12
    assert exact["total_variation"] < 1e-6 and exact["reward_correlation"] > 1 - 1e-6
    for row in t.to_dicts():
        assert row["converged"], row
        assert 0 <= row["js_divergence"] < 0.05 and -1 <= row["reward_correlation"] <= 1


def test_bad_input_is_named(setup):
    w, T, demos = setup
    with pytest.raises(TypeError, match="samplers must be a non-empty mapping"):
        importance_sampling_study(w.mdp, w.features, w.reward, demos, horizon=T, samplers={})
    with pytest.raises(ValueError, match=r"samplers\['bad'\] must have shape"):
        importance_sampling_study(w.mdp, w.features, w.reward, demos, horizon=T, samplers={"bad": np.ones(3)})
    with pytest.raises(ValueError, match="mixture_weight must be in"):
        importance_sampling_study(w.mdp, w.features, w.reward, demos, horizon=T, mixture_weight=1.0)
    with pytest.raises(TypeError, match=r"n\[0\] must be an integer"):
        importance_sampling_study(w.mdp, w.features, w.reward, demos, horizon=T, n=(1.5,))

