"""The gallery example on reward ambiguity runs, in a reduced configuration, and shows what it claims."""

import importlib.util
import sys
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "reward_ambiguity_gridworld.py"


def _load():
    spec = importlib.util.spec_from_file_location("examples_reward_ambiguity_gridworld", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_reward_ambiguity_example():
    out = _load().run(size=3, n_demos=20, n_samples=600, seed=0, verbose=False)
    assert out["nullspace_state_action"] == 9  # S potential-shaping directions
    assert out["nullspace_state"] == 1  # constants
    assert out["nullspace_two_dynamics"] == 1  # Cao et al.: constants
    assert out["goal_is_best"]
    d = out["distances"]
    assert d.size > 10 and np.all((d >= 0) & (d <= 1))
    assert 0 <= out["mean_reward_distance"] < np.median(d) + 0.2
