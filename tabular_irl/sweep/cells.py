"""One cell of a sweep, measured against the truth: :func:`run_cell`.

A cell is one environment, one method with its options, one seed, one number
of demonstrations and one model (``horizon``, ``discount``). Running it:

1. builds the environment (a builder of :mod:`tabular_irl.envs`, an MDP file
   of :mod:`tabular_irl.io`, or a Gymnasium toy-text id) and its true reward;
2. plans the expert for the true reward (``"soft"``: the soft-optimal policy
   of :func:`~tabular_irl.soft_backward`; ``"optimal"``: the greedy policy of
   :func:`~tabular_irl.value_iteration`) and samples ``n_demos``
   demonstrations of ``horizon`` decisions with the cell's seed;
3. fits the method and measures, exactly, with :mod:`tabular_irl.metrics`:

   * ``evd``: expected value difference (Levine et al. 2011) of the policy
     *optimal for the learned reward* against the expert, under the true
     reward; ``evd_policy``: the same for the fit's own ``policy`` (the result
     protocol: soft for MaxEnt, the mixture for apprenticeship learning, the
     policy explained for LP IRL);
   * ``kl`` and ``total_variation`` of the fit's policy from the expert's, on
     the expert's states (:func:`~tabular_irl.metrics.policy_divergence`);
   * ``reward_correlation`` and ``reward_correlation_shaping`` (modulo
     potential shaping, :func:`~tabular_irl.approx.reward_correlation_modulo_shaping`;
     discount 1 for an undiscounted horizon); ``None`` where undefined (a
     constant learned reward);
   * ``epic``: the EPIC distance to the true reward (Gleave et al. 2021,
     :func:`~tabular_irl.metrics.epic_distance`); with a discount below 1 both
     rewards are compared as the MDP sees them (``mdp=``: the MDP's expected
     shaping ``r + gamma P h - h``, which no demonstration can reveal, is
     ignored too), for an undiscounted horizon it is the paper's distance
     with ``discount=1`` (no dynamics); ``None`` where undefined;
   * the fit's ``converged``, ``n_iter``, ``objective`` and ``message``, and
     the fields a method adds (``gail_js``; ``is_ess``; ``acceptance_rate``,
     ``ess`` and ``rhat`` of ``bayesian``: ``tabular_irl.sweep._methods``);
   * ``wall_time`` (seconds, the whole cell) and ``peak_memory`` (bytes: on
     Linux, the peak resident memory of the process during the cell less its
     resident memory at the start, the kernel's high-water mark reset through
     ``/proc/self/clear_refs``, at no cost; elsewhere the peak of what Python
     and NumPy allocate, by :mod:`tracemalloc`, which slows Python-heavy
     methods, and ``wall_time`` with them, by up to a half).

Everything random draws from the cell's seed (and an environment's own
``seed``, which defaults to the cell's), so a cell gives the same numbers, bit
for bit, on any machine and in any engine; only ``wall_time`` and
``peak_memory`` vary.

The registries :data:`ENVIRONMENTS` and :data:`METHODS` name what a spec may
use; ``tabular_irl.sweep.spec`` checks names and parameters against them.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..approx import airl, reward_correlation_modulo_shaping
from ..envs import gridworld, objectworld, random_mdp
from ..irl import apprenticeship_learning, classic_maxent_irl, lp_irl, max_margin_planning, maxent_irl
from ..metrics import epic_distance, expected_value_difference, policy_divergence, reward_correlation
from ..planning import soft_backward, value_iteration
from ..trajectories import Trajectories, sample_trajectories
from ._methods import (
    BAYESIAN_OPTIONS,
    GAIL_OPTIONS,
    IMPORTANCE_MAXENT_OPTIONS,
    fit_bayesian,
    fit_gail,
    fit_importance_maxent,
)

__all__ = ["Cell", "run_cell", "ENVIRONMENTS", "METHODS", "EXPERTS", "TIMING_FIELDS"]

# row fields that measure the run, not the result: they differ between runs of one cell
TIMING_FIELDS = ("wall_time", "peak_memory")

# LP IRL is defined for discounted problems only; without a cell discount it uses this one
_LP_DISCOUNT = 0.9


@dataclass(frozen=True)
class Cell:
    """One cell of a sweep (made by :func:`tabular_irl.sweep.expand`).

    Attributes
    ----------
    key : str
        Hash of the resolved parameters and the package version (16 hex digits).
    environment : dict
        ``{"kind": ..., **parameters}``, resolved (a builder's ``seed`` filled in).
    method : dict
        ``{"name": ..., **options}``.
    seed, n_demos, horizon : int
    discount : float or None
    expert : str
        ``"soft"`` or ``"optimal"``.
    env_label, method_label : str
        Names for tables and legends (not part of the key).

    See Also
    --------
    expand : makes the cells of a spec.
    run_cell : runs one.

    Examples
    --------
    >>> from tabular_irl.sweep import expand
    >>> cell = expand({"seeds": 3, "n_demos": 10, "horizon": 5, "environments": [{"kind": "objectworld", "size": 4}],
    ...                "methods": [{"name": "mmp", "C": 0.5}]})[0]
    >>> cell.environment, cell.method, len(cell.key)
    ({'kind': 'objectworld', 'size': 4, 'seed': 3}, {'name': 'mmp', 'C': 0.5}, 16)
    """

    key: str
    environment: dict
    method: dict
    seed: int
    n_demos: int
    horizon: int
    discount: float | None
    expert: str
    env_label: str
    method_label: str

    def params(self) -> dict[str, Any]:
        """The cell's parameters as one JSON-ready dict (what every row of the results starts with).

        Examples
        --------
        >>> from tabular_irl.sweep import expand
        >>> cell = expand({"seeds": 0, "n_demos": 10, "horizon": 5, "environments": [{"kind": "gridworld"}],
        ...                "methods": [{"name": "mce"}]})[0]
        >>> sorted(cell.params())  # doctest: +NORMALIZE_WHITESPACE
        ['discount', 'env_params', 'environment', 'expert', 'horizon', 'key', 'method', 'method_options',
         'n_demos', 'seed']
        """
        return {"key": self.key, "environment": self.env_label, "method": self.method_label,
                "seed": self.seed, "n_demos": self.n_demos, "horizon": self.horizon, "discount": self.discount,
                "expert": self.expert, "env_params": dict(self.environment), "method_options": dict(self.method)}


@dataclass(frozen=True)
class World:
    """What a cell's environment gives: dynamics, features and the true reward."""

    mdp: Any
    features: Any
    reward: np.ndarray


# -- environments --------------------------------------------------------------------


def _builder_world(builder: Callable) -> Callable[[dict], World]:
    def build(params: dict) -> World:
        params = dict(params)
        feature_set = params.pop("features", None)
        problem = builder(**params)
        features = problem.features if feature_set is None else problem.feature_sets[feature_set]
        return World(problem.mdp, features, np.asarray(problem.reward))
    build.signature_of = builder  # the parameters a spec may give (tabular_irl.sweep.spec checks them)
    return build


def file_digest(path: str) -> str:
    """SHA-256 of a file's bytes: an MDP file enters a cell's key by its content, not its name."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_world(params: dict) -> World:
    from ..io import load_mdp

    loaded = load_mdp(params["path"])
    if loaded.reward is None:
        raise ValueError(f"environment file {params['path']}: stores no reward, so there is no truth to measure "
                         "against; write it with a reward (tabular_irl.io.save_mdp(..., reward=...))")
    features = loaded.features if loaded.features is not None else np.eye(loaded.mdp.n_states)
    return World(loaded.mdp, features, np.asarray(loaded.reward))


def _gymnasium_world(params: dict) -> World:
    try:
        import gymnasium
    except ImportError as exc:
        raise ImportError('a Gymnasium environment needs gymnasium: pip install "tabular_irl[gymnasium]"') from exc
    from ..mdp import MDP

    mdp, reward = MDP.from_gymnasium(gymnasium.make(params["id"]))
    return World(mdp, np.eye(mdp.n_states), reward)


# kind -> build(params) -> World. The builders' keyword parameters are the valid
# parameters (plus "features", the name of one of the problem's feature sets);
# "file" takes "path" (its "sha256" is added by expand), "gymnasium" takes "id".
ENVIRONMENTS: dict[str, Callable[[dict], World]] = {
    "gridworld": _builder_world(gridworld),
    "objectworld": _builder_world(objectworld),
    "random_mdp": _builder_world(random_mdp),
    "file": _file_world,
    "gymnasium": _gymnasium_world,
}
# parameters of the environments that are not builders
ENVIRONMENT_PARAMETERS = {"file": ("path", "sha256"), "gymnasium": ("id",)}


def build_world(environment: Mapping[str, Any]) -> World:
    """The :class:`World` of a cell's resolved ``environment`` dict (``{"kind": ..., **parameters}``)."""
    params = dict(environment)
    return ENVIRONMENTS[params.pop("kind")](params)


# -- methods ------------------------------------------------------------------------
#
# fit(world, demos, horizon, discount, seed, options) -> a result of the result protocol


def _maxent(causal: bool):
    def fit(world, demos, T, gamma, seed, options):
        return maxent_irl(world.mdp, world.features, demos, horizon=T, discount=gamma, causal=causal,
                          progress=False, **options)
    return fit


def _classic_maxent(world, demos, T, gamma, seed, options):
    if gamma is not None:
        raise ValueError(f"method 'classic_maxent' is undiscounted: remove discount={gamma} from its cells")
    return classic_maxent_irl(world.mdp, world.features, demos, horizon=T, progress=False, **options)


def _apprenticeship(world, demos, T, gamma, seed, options):
    return apprenticeship_learning(world.mdp, world.features, demos, horizon=T, discount=gamma, progress=False,
                                   **options)


def _mmp(world, demos, T, gamma, seed, options):
    return max_margin_planning(world.mdp, world.features, demos, horizon=T, discount=gamma, progress=False,
                               **options)


def demonstrated_policy(demos: Trajectories, n_states: int, n_actions: int) -> tuple[np.ndarray, np.ndarray]:
    """``(actions (S,), visited (S,) bool)``: each state's most demonstrated action (ties and unseen: lowest)."""
    counts = np.zeros((n_states, n_actions))
    np.add.at(counts, (demos.states[:, :-1].ravel(), demos.actions.ravel()), 1.0)
    return counts.argmax(axis=1), counts.sum(axis=1) > 0


def _lp(world, demos, T, gamma, seed, options):
    # LP IRL explains a deterministic policy: the demonstrations' most frequent action
    # per state, with the objective summed over the states they visit (Ng & Russell's S_0)
    options = dict(options)
    discount = options.pop("discount", _LP_DISCOUNT if gamma is None or gamma >= 1.0 else gamma)
    features = world.features if options.pop("use_features", False) else None
    actions, visited = demonstrated_policy(demos, world.mdp.n_states, world.mdp.n_actions)
    return lp_irl(world.mdp, actions, discount=discount, features=features, states=visited, **options)


def _airl(world, demos, T, gamma, seed, options):
    options = dict(options)
    discount = options.pop("discount", _LP_DISCOUNT if gamma is None or gamma >= 1.0 else gamma)
    return airl(world.mdp, demos, discount=discount, horizon=T, seed=seed, **options)


# parameters every method gets from the cell, never from its options
CELL_PARAMETERS = ("horizon", "discount", "causal", "progress", "seed", "callback", "theta0", "states", "features")


def _keyword_options(function: Callable, *extra: str) -> tuple[str, ...]:
    """The keyword-only parameters of ``function`` a spec may set (not those the cell sets), plus ``extra``."""
    return tuple(p for p, v in inspect.signature(function).parameters.items()
                 if v.kind is inspect.Parameter.KEYWORD_ONLY and p not in CELL_PARAMETERS) + extra


# name -> (fit, the option names a spec may give it)
METHODS: dict[str, tuple[Callable, tuple[str, ...]]] = {
    "maxent": (_maxent(causal=False), _keyword_options(maxent_irl)),
    "mce": (_maxent(causal=True), _keyword_options(maxent_irl)),
    "classic_maxent": (_classic_maxent, _keyword_options(classic_maxent_irl)),
    "apprenticeship": (_apprenticeship, _keyword_options(apprenticeship_learning)),
    "mmp": (_mmp, _keyword_options(max_margin_planning)),
    # lp_irl's own discount (default 0.9 when the cell has none) and the env's features (use_features = true)
    "lp": (_lp, _keyword_options(lp_irl, "discount", "use_features")),
    "airl": (_airl, _keyword_options(airl, "discount")),
    # adapters of tabular_irl.sweep._methods (its docstring says what each row's reward and policy are)
    "gail": (fit_gail, GAIL_OPTIONS),
    "importance_maxent": (fit_importance_maxent, IMPORTANCE_MAXENT_OPTIONS),
    "bayesian": (fit_bayesian, BAYESIAN_OPTIONS),
}


def method_options(name: str) -> list[str]:
    """The option names a spec may give method ``name``."""
    return list(METHODS[name][1])


EXPERTS = ("soft", "optimal")


# -- one cell -----------------------------------------------------------------------


def _expert_policy(world: World, expert: str, T: int, gamma: float | None) -> np.ndarray:
    if expert == "soft":
        return soft_backward(world.mdp, world.reward, horizon=T, discount=gamma).policy
    return value_iteration(world.mdp, world.reward, horizon=T, discount=gamma).policy


def _defined(metric: Callable[[], float]) -> float | None:
    """A metric's value, or ``None`` where it is undefined (a constant reward has no correlation)."""
    try:
        return float(metric())
    except ValueError:
        return None


def _measure(world: World, cell: Cell, expert: np.ndarray, fit: Any) -> dict[str, Any]:
    """The known-truth metrics of one fit (the module docstring lists them)."""
    mdp, T, gamma = world.mdp, cell.horizon, cell.discount
    greedy = value_iteration(mdp, fit.reward, horizon=T, discount=gamma).policy
    shaping_discount = 1.0 if gamma is None else gamma
    divergence = policy_divergence(mdp, expert, fit.policy, horizon=T, discount=gamma)
    return {
        "evd": expected_value_difference(mdp, world.reward, expert, greedy, horizon=T, discount=gamma),
        "evd_policy": expected_value_difference(mdp, world.reward, expert, fit.policy, horizon=T, discount=gamma),
        "kl": divergence.kl,
        "total_variation": divergence.total_variation,
        "reward_correlation": _defined(lambda: reward_correlation(world.reward, fit.reward)),
        "reward_correlation_shaping": _defined(lambda: reward_correlation_modulo_shaping(
            mdp, world.reward, fit.reward, discount=shaping_discount)),
        "epic": _defined(lambda: epic_distance(world.reward, fit.reward, discount=gamma, mdp=mdp)
                         if gamma is not None and gamma < 1.0 else epic_distance(world.reward, fit.reward, discount=1.0)),
        "converged": bool(fit.converged),
        "n_iter": int(fit.n_iter),
        "objective": None if fit.objective is None else float(fit.objective),
        "message": str(fit.message),
        # a method's own diagnostics (tabular_irl.sweep._methods: a sampler's acceptance rate and ESS)
        **getattr(fit, "extra", {}),
    }


def _fit_and_measure(cell: Cell) -> dict[str, Any]:
    world = build_world(cell.environment)
    T, gamma = cell.horizon, cell.discount
    expert = _expert_policy(world, cell.expert, T, gamma)
    demos = sample_trajectories(world.mdp, expert, cell.n_demos, horizon=T, seed=cell.seed)
    options = {k: v for k, v in cell.method.items() if k != "name"}
    fit_method = METHODS[cell.method["name"]][0]
    with warnings.catch_warnings():
        # the row records converged and message; a warning per cell would only be noise
        warnings.simplefilter("ignore")
        fit = fit_method(world, demos, T, gamma, cell.seed, options)
        return _measure(world, cell, expert, fit)


def _status_bytes(field: str) -> int:
    """A ``kB`` line of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"/proc/self/status has no {field}")


def _reset_resident_peak() -> int:
    """Reset the process's resident high-water mark (Linux); return the resident bytes now."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # 5: reset the peak resident set size (Linux >= 4.0)
    return _status_bytes("VmRSS")


@contextlib.contextmanager
def _peak_memory(out: dict[str, Any]) -> Iterator[None]:
    """Set ``out["peak_memory"]``: the bytes the block added at its peak (module docstring)."""
    try:
        start = _reset_resident_peak()
    except OSError:  # not Linux, or /proc unavailable: trace allocations instead
        start = None
    if start is not None:
        try:
            yield
        finally:
            out["peak_memory"] = max(_status_bytes("VmHWM") - start, 0)
        return
    tracing = not tracemalloc.is_tracing()  # a caller that already traces keeps its own trace
    if tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        yield
    finally:
        out["peak_memory"] = tracemalloc.get_traced_memory()[1]
        if tracing:
            tracemalloc.stop()


def run_cell(cell: Cell) -> dict[str, Any]:
    """Run one cell and return its row: parameters, status, error and the known-truth metrics.

    An exception raised by the cell (bad parameters for this environment, a
    method that fails) does not propagate: the row has ``status="failed"``
    and ``error`` the exception's type and message. ``KeyboardInterrupt``
    (and other ``BaseException``) does propagate: an interrupted sweep stops.

    Parameters
    ----------
    cell : Cell
        One element of :func:`tabular_irl.sweep.expand`.

    Returns
    -------
    dict
        JSON-ready: :meth:`Cell.params`, then ``status`` (``"ok"`` or
        ``"failed"``), ``error`` (``None`` when ok), the metrics of the module
        docstring (ok rows), ``wall_time`` and ``peak_memory``.

    See Also
    --------
    run_sweep : runs every cell of a spec.
    tabular_irl.metrics.expected_value_difference : its main measure.

    Examples
    --------
    >>> from tabular_irl.sweep import expand
    >>> spec = {"seeds": [0], "n_demos": [20], "horizon": 5,
    ...         "environments": [{"kind": "gridworld", "rows": 3}], "methods": [{"name": "mce", "l2": 0.1}]}
    >>> row = run_cell(expand(spec)[0])
    >>> row["status"], row["method"], row["converged"], sorted(row)[:4]
    ('ok', 'mce', True, ['converged', 'discount', 'env_params', 'environment'])
    """
    row = cell.params()
    memory: dict[str, Any] = {}
    start = time.perf_counter()
    with _peak_memory(memory):
        try:
            row.update(status="ok", error=None, **_fit_and_measure(cell))
        except Exception as exc:  # recorded, not raised: one failing cell must not stop the sweep
            row.update(status="failed", error=f"{type(exc).__name__}: {exc}")
    row["wall_time"] = time.perf_counter() - start
    row.update(memory)
    return row
