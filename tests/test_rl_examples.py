"""The rl gallery scripts run, in a reduced configuration, and check what they claim."""

import numpy as np

from test_examples import _run_gallery


def test_compounding_error(tmp_path, capsys):
    out, printed = _run_gallery("compounding_error", tmp_path, capsys)
    rope, recoverable = out["tables"]["tightrope"], out["tables"]["recoverable"]
    # columns: T, gap, T^2 eps R, T eps R, online bound
    assert np.all(rope[:, 1] <= rope[:, 2]) and np.all(rope[:, 1] > 0.45 * rope[:, 2])  # quadratic, nearly attained
    assert np.all(recoverable[:, 1] <= 2 * recoverable[:, 3])  # linear when a slip can be undone
    assert "T^2 eps R" in printed


def test_demos_in_replay_buffer(tmp_path, capsys):
    module_main = __import__("test_examples")._load("demos_in_replay_buffer").main
    out = module_main(tmp_path / "q.png", n_steps=4000, n_seeds=2)
    curves = out["curves"]
    early = list(out["steps"]).index(800)
    assert curves["demos + margin"]["value"][early] > 5 * curves["no demos"]["value"][early]
    assert "||Q - Q*||_inf" in capsys.readouterr().out


def test_off_policy_gradient_with_demos(tmp_path, capsys):
    out, printed = _run_gallery("off_policy_gradient_with_demos", tmp_path, capsys)
    table = out["table"]
    for row in table.where(future_ratios=True).rows:
        assert row[3] < 5 * row[4]  # unbiased: within the noise
    fusion = table.where(sampler="fusion", future_ratios=False).rows[0]
    assert fusion[3] > 5 * fusion[4]


def test_imitation_learning_curves(tmp_path, capsys):
    load = __import__("test_examples")._load
    out = load("imitation_learning_curves").main(tmp_path / "lc.png", n_iter=4, n_seeds=2, finetune_iter=6)
    bc, dg = out["bc_gap"], out["dagger_gap"]
    assert bc[0] == dg[0]  # the first round of DAgger is cloning of the same expert trajectories
    assert bc[-1] < bc[0] and dg[-1] < dg[0]
    exact = np.asarray(out["finetune"]["exact"])
    assert np.all(np.diff(exact) > 0) and exact[-1] < out["optimal_value"]
    worst = out["finetune"]["worst single run"]
    assert worst[0] == exact[0] and worst[1:].min() < worst[0]  # a small batch can undo the cloning at first
    assert "DAgger" in capsys.readouterr().out
