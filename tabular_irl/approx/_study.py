"""Studies: approximate estimators measured against the exact answers, as tables.

* :func:`importance_sampling_study` -- bias, variance and effective sample size
  of the importance-sampled MaxEnt gradient and log partition, per sampler
  and sample size, against the exact non-causal gradient and log partition,
  beside their exact large-sample predictions.
* :func:`feature_expectation_study` -- error of Monte-Carlo feature
  expectations against ``n``, with the fitted log-log slope (``-1/2`` expected)
  and the exact ``sqrt(trace(Cov) / n)``.
* :func:`adversarial_study` -- AIRL against exact MaxEnt (maximum causal
  entropy with tabular features) on the same demonstrations.

Replicates reuse prefixes of one long draw per replicate (the estimate at
``n`` uses the first ``n`` samples), so the curves are smooth in ``n`` and each
replicate costs one draw.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._deprecation import renamed_arguments
from .._features import as_linear_features
from .._progress import check_progress, progress_bar
from .._validation import (
    _describe,
    check_finite_array,
    check_horizon,
    check_policy,
    check_positive_int,
    check_real,
    check_seed,
    check_trajectories,
)
from ..inference import posterior_marginals
from ..irl.maxent import maxent_irl, maxent_objective
from ..mdp import MDP, check_mdp
from ..metrics import epic_distance, expected_value_difference, policy_divergence
from ..planning import policy_plan
from ..trajectories import Trajectories, sample_trajectories
from ._adversarial import airl
from ._gail import _js, occupancy_measure
from ._importance import _log_weights, snis
from ._sampled import _trajectory_feature_counts, check_ns, feature_count_moments
from ._sampler import PolicyMixture, as_sampler, empirical_policy
from ._shaping import reward_correlation_modulo_shaping
from ._theory import importance_sampling_theory

__all__ = [
    "StudyTable",
    "importance_sampling_study",
    "feature_expectation_study",
    "adversarial_study",
]


@dataclass(frozen=True, eq=False)
class StudyTable:
    """A small table: named columns, one tuple per row, and the exact reference values in ``meta``.

    ``None`` marks a value that is not available (printed as ``-``).

    Attributes
    ----------
    columns : tuple of str
        The column names.
    rows : tuple of tuple
        One tuple per row, in the order of ``columns``.
    meta : dict
        Exact reference values and the arguments of the study that made it.

    See Also
    --------
    importance_sampling_study, feature_expectation_study, adversarial_study : return it.

    Examples
    --------
    >>> t = StudyTable(("method", "error"), [("a", 0.5), ("b", None)], {"note": "demo"})
    >>> print(t)
    | method | error |
    |--------|-------|
    |      a |   0.5 |
    |      b |     - |
    """

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    meta: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(tuple(r) for r in self.rows))
        object.__setattr__(self, "meta", types.MappingProxyType(dict(self.meta)))
        for r in self.rows:
            if len(r) != len(self.columns):
                raise ValueError(f"rows must have {len(self.columns)} entries, got {len(r)}")

    def column(self, name: str) -> np.ndarray:
        """One column as an array (float, ``nan`` for ``None``, when numeric; object otherwise).

        Examples
        --------
        >>> StudyTable(("n", "x"), [(1, 0.5), (2, None)], {}).column("x").tolist()
        [0.5, nan]
        """
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; columns are {list(self.columns)}")
        i = self.columns.index(name)
        values = [r[i] for r in self.rows]
        if all(v is None or isinstance(v, (int, float, np.integer, np.floating, bool)) for v in values):
            return np.array([np.nan if v is None else float(v) for v in values])
        return np.array(values, dtype=object)

    def where(self, **equal: Any) -> StudyTable:
        """The rows whose columns equal the given values, e.g. ``table.where(sampler="uniform")``.

        Examples
        --------
        >>> StudyTable(("s", "n"), [("u", 1), ("v", 1), ("u", 2)], {}).where(s="u").rows
        (('u', 1), ('u', 2))
        """
        idx = {k: self.columns.index(k) for k in equal}
        rows = [r for r in self.rows if all(r[i] == equal[k] for k, i in idx.items())]
        return StudyTable(self.columns, rows, self.meta)

    def to_dicts(self) -> list[dict[str, Any]]:
        """One ``{column: value}`` dict per row.

        Examples
        --------
        >>> StudyTable(("s", "n"), [("u", 1)], {}).to_dicts()
        [{'s': 'u', 'n': 1}]
        """
        return [dict(zip(self.columns, r)) for r in self.rows]

    def to_text(self, columns: Any = None, fmt: str = "{:.3g}") -> str:
        """Aligned plain-text table (a Markdown pipe table) of ``columns`` (all by default).

        Examples
        --------
        >>> print(StudyTable(("s", "n", "x"), [("u", 10, 0.123456)], {}).to_text(["n", "x"], fmt="{:.2f}"))
        |  n |    x |
        |----|------|
        | 10 | 0.12 |
        """
        cols = list(self.columns) if columns is None else list(columns)
        for c in cols:
            if c not in self.columns:
                raise KeyError(f"no column {c!r}; columns are {list(self.columns)}")
        idx = [self.columns.index(c) for c in cols]

        def cell(v):
            if v is None:
                return "-"
            if isinstance(v, (bool, np.bool_)):
                return str(bool(v))
            if isinstance(v, (int, np.integer)):
                return str(int(v))
            if isinstance(v, (float, np.floating)):
                return fmt.format(float(v))
            return str(v)

        body = [[cell(r[i]) for i in idx] for r in self.rows]
        widths = [max([len(c)] + [len(b[j]) for b in body]) for j, c in enumerate(cols)]
        line = lambda items: "| " + " | ".join(s.rjust(w) for s, w in zip(items, widths)) + " |"  # noqa: E731
        out = [line(cols), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        out += [line(b) for b in body]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


def _check_repeats(n_repeats: Any, minimum: int = 2) -> int:
    return check_positive_int(n_repeats, "n_repeats", minimum=minimum)


# --------------------------------------------------------------------------
# importance sampling
# --------------------------------------------------------------------------

IS_COLUMNS = ("sampler", "n", "grad_bias", "grad_bias_se", "grad_bias_pred", "grad_var", "grad_var_pred",
              "grad_mse", "logZ_bias", "logZ_bias_se", "logZ_bias_pred", "logZ_var", "logZ_var_pred",
              "ess_fraction", "ess_fraction_pred", "n_failed")


def _default_samplers(mdp: MDP, reward: np.ndarray, demos: Trajectories, T: int,
                      mixture_weight: float) -> dict[str, Any]:
    S, A = mdp.n_states, mdp.n_actions
    soft = np.array(policy_plan(mdp, reward, horizon=T).policy)
    noncausal = np.array(policy_plan(mdp, reward, horizon=T, causal=False).policy)
    bc = empirical_policy(demos, S, A)
    return {
        "uniform": np.full((S, A), 1.0 / A),
        "soft_optimal": soft,
        "noncausal": noncausal,
        "mixture": PolicyMixture([soft, bc], [1.0 - mixture_weight, mixture_weight]),
    }


@renamed_arguments(ns="n")
def importance_sampling_study(
    mdp: MDP,
    features: Any,
    theta: Any,
    demos: Trajectories,
    *,
    horizon: int,
    samplers: Mapping[str, Any] | None = None,
    n: Any = (10, 30, 100, 300, 1000),
    n_repeats: int = 50,
    seed: int | np.random.Generator | None = None,
    mixture_weight: float = 0.5,
    progress: bool | None = None,
) -> StudyTable:
    r"""Bias, variance and ESS of the importance-sampled gradient and log partition, against the exact ones.

    For each sampler and each sample size in ``n``, ``n_repeats`` independent
    estimates (:func:`importance_sampled_gradient`, samples started from the
    demonstrations' start distribution) are compared with the exact
    non-causal gradient (``maxent_objective(..., causal=False)``) and log
    partition (``rho @ V_0``). Columns:

    ``grad_bias``
        ``|| mean_r g_hat_r - g ||_2``; its noise floor is ``grad_bias_se =
        sqrt(grad_var / R)`` (a bias below it is not resolved).
    ``grad_var``, ``grad_mse``
        ``trace`` of the sample covariance over replicates, and
        ``mean_r ||g_hat_r - g||^2``.
    ``logZ_bias`` (``logZ_bias_se``), ``logZ_var``
        The same for ``log Z_hat``.
    ``ess_fraction``
        Mean of ``effective_sample_size / n``.
    ``*_pred``
        Exact leading-order predictions (:func:`importance_sampling_theory`):
        ``O(1/n)`` bias and variance, the population ESS fraction
        ``1 / E_q[(p/q)^2]``; ``None`` for mixture samplers.
    ``n_failed``
        Replicates left out because a demonstration start state had no sample.

    Parameters
    ----------
    mdp : MDP
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
    theta : array_like, shape (d,)
        Where the gradient is evaluated.
    demos : Trajectories
        Demonstrations of horizon ``T``.
    horizon : int
    samplers : mapping of str to policy array or PolicyMixture, optional
        Default: ``"uniform"``; ``"soft_optimal"`` (the causal soft-optimal
        policy of ``R_theta``, what guided cost learning's policy step
        yields); ``"noncausal"`` (the non-causal model's own policy, which
        differs from its posterior only by the luck of the dynamics:
        ``p / q = exp(sum_t V_{t+1}(s_{t+1}) - log E_{s'} exp V_{t+1}(s'))``);
        ``"mixture"`` of the soft-optimal policy with the demonstrations'
        behaviour-cloned policy (weight ``mixture_weight``, see
        :func:`empirical_policy`).
    n : sequence of int, default (10, 30, 100, 300, 1000)
        Increasing sample sizes (formerly ``ns``, deprecated).
    n_repeats : int, default 50
        Replicates per sampler (>= 2).
    seed : int, Generator or None, optional
        Seed of the samples (fresh entropy by default); give one to repeat a study.
    mixture_weight : float in (0, 1), default 0.5
    progress : bool or None, default None
        Progress over the (sampler, n) cells on ``stderr`` (with an ETA):
        ``None`` shows it on a terminal after a second and in logs once the
        study has run a few seconds (``TABULAR_IRL_PROGRESS=0`` silences it).

    Returns
    -------
    StudyTable
        One row per (sampler, n); ``meta`` holds ``exact_gradient``,
        ``exact_log_partition``, ``exact_objective`` and the arguments.

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``demos`` of the wrong type, ``seed`` neither an
        integer nor a Generator; the message names it.
    ValueError
        ``features``, ``theta``, ``demos``, ``horizon``, ``samplers``, ``n``,
        ``n_repeats`` or ``mixture_weight`` out of range, of the wrong shape or
        not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    importance_sampled_gradient : the estimator studied.
    importance_sampling_theory : the exact predictions.
    plot_importance_sampling_study : draws the table.

    References
    ----------
    Finn, Levine & Abbeel (2016), "Guided cost learning: deep inverse optimal control via policy optimization", ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld, soft_backward, sample_trajectories
    >>> world = gridworld(3, slip=0.2, initial=(0, 0))
    >>> expert = soft_backward(world.mdp, 3 * world.reward, horizon=4)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 20, horizon=4, seed=0)
    >>> table = importance_sampling_study(world.mdp, world.features, 2 * world.reward, demos,
    ...                                   horizon=4, n=(10, 100), n_repeats=10, seed=0)
    >>> len(table.rows), table.columns[:3]  # 4 samplers x 2 sizes
    (8, ('sampler', 'n', 'grad_bias'))
    """
    mdp = check_mdp(mdp)
    T = check_horizon(horizon)
    lf = as_linear_features(features, mdp.n_states, mdp.n_actions)
    th = check_finite_array(theta, "theta", (lf.d,))
    demos = check_trajectories(demos, "demos", mdp, T)
    ns = check_ns(n, "n")
    R = _check_repeats(n_repeats)
    rng = check_seed(seed)
    mixture_weight = check_real(mixture_weight, "mixture_weight", 0.0, 1.0, open_low=True, open_high=True)
    reward = lf.reward(th)
    if samplers is None:
        samplers = _default_samplers(mdp, reward, demos, T, float(mixture_weight))
    if not isinstance(samplers, Mapping) or len(samplers) == 0:  # an empty one too: TypeError, as documented
        raise TypeError(f"samplers must be a non-empty mapping of name to policy or PolicyMixture, "
                        f"got {_describe(samplers)}")
    checked = {str(name): as_sampler(q, mdp, T, name=f"samplers[{name!r}]") for name, q in samplers.items()}

    S = mdp.n_states
    rho = demos.start_distribution(S)
    groups = np.flatnonzero(rho > 0)
    exact_value, exact_grad = maxent_objective(mdp, lf.phi, th, demos, horizon=T, causal=False)
    exact_logz = posterior_marginals(mdp, reward, horizon=T, initial=rho).log_partition
    empirical = _trajectory_feature_counts(demos, lf, 1.0).mean(axis=0)
    n_max = int(ns[-1])
    rows = []
    bar = progress_bar("importance_sampling_study", check_progress(progress), total=len(checked) * len(ns))
    for name, q in checked.items():
        single = len(q.policies) == 1 and bool(np.all(q.policies[0] > 0))
        theory = (importance_sampling_theory(mdp, lf.phi, th, q.policies[0], horizon=T, initial=rho)
                  if single else None)
        tr = q.sample(mdp, R * n_max, horizon=T, seed=rng, initial=rho)
        ones = np.ones(tr.n_trajectories)
        log_w = _log_weights(tr, reward, q, ones)
        C = _trajectory_feature_counts(tr, lf, 1.0)
        starts = tr.states[:, 0]
        for n in ns:
            grads, logzs, ess = [], [], []
            failed = 0
            for r in range(R):
                block = slice(r * n_max, r * n_max + int(n))
                try:
                    log_z, _, expected, e = snis(log_w[block], ones[block], starts[block], groups, rho[groups],
                                                 C[block])
                except ValueError:
                    failed += 1
                    continue
                grads.append(empirical - expected)
                logzs.append(float(rho[groups] @ log_z))
                ess.append(e / int(n))
            rows.append(_is_row(name, int(n), np.array(grads).reshape(-1, lf.d), np.array(logzs),
                                np.array(ess), exact_grad, exact_logz, theory, failed))
            bar.update(len(rows))
    bar.close()
    meta = {"exact_gradient": exact_grad, "exact_log_partition": exact_logz, "exact_objective": exact_value,
            "theta": th, "horizon": T, "n_repeats": R, "ns": tuple(int(n) for n in ns),
            "samplers": tuple(checked)}
    return StudyTable(IS_COLUMNS, rows, meta)


def _is_row(name, n, grads, logzs, ess, exact_grad, exact_logz, theory, failed) -> tuple:
    k = grads.shape[0]
    if k < 2:
        return (name, n) + (None,) * (len(IS_COLUMNS) - 3) + (failed,)
    err = grads - exact_grad
    grad_var = float(np.trace(np.atleast_2d(np.cov(grads, rowvar=False))))
    logz_var = float(np.var(logzs, ddof=1))
    pred = (None,) * 5
    if theory is not None:
        pred = (float(np.linalg.norm(theory.gradient_bias(n))), float(theory.gradient_variance(n)),
                float(theory.log_partition_bias(n)), float(theory.log_partition_variance(n)),
                float(theory.ess_fraction))
    return (name, n, float(np.linalg.norm(err.mean(axis=0))), float(np.sqrt(grad_var / k)), pred[0], grad_var,
            pred[1], float(np.mean(np.sum(err**2, axis=1))), float(np.mean(logzs) - exact_logz),
            float(np.sqrt(logz_var / k)), pred[2], logz_var, pred[3], float(np.mean(ess)), pred[4], failed)


# --------------------------------------------------------------------------
# Monte-Carlo feature expectations
# --------------------------------------------------------------------------


@renamed_arguments(ns="n")
def feature_expectation_study(
    mdp: MDP,
    policy: Any,
    features: Any,
    *,
    horizon: int,
    discount: float | None = None,
    n: Any = (10, 100, 1000, 10000),
    n_repeats: int = 20,
    seed: int | np.random.Generator | None = None,
    initial: Any = None,
) -> StudyTable:
    r"""Error of Monte-Carlo feature expectations against ``n``, and the ``1/sqrt(n)`` rate.

    Columns ``n``, ``rmse`` (``sqrt(mean_r ||C_hat_r - E C||^2)`` over
    ``n_repeats`` replicates), ``rmse_pred`` (exact ``sqrt(trace(Cov[C]) / n)``,
    :func:`feature_count_moments`) and ``ratio = rmse / rmse_pred``.
    ``meta["slope"]`` is the least-squares slope of ``log rmse`` on ``log n``
    (``-0.5`` expected); ``meta["exact_features"]`` the exact expectation.

    Parameters
    ----------
    mdp : MDP
    policy : array_like, shape (S, A) or (T, S, A)
    features : array_like or sparse matrix, shape (S, d) or (S, A, d)
    horizon : int
    discount : float, optional
    n : sequence of int, default (10, 100, 1000, 10000)
        Increasing sample sizes (formerly ``ns``, deprecated).
    n_repeats : int, default 20
    seed : int, Generator or None, optional
        Seed of the samples (fresh entropy by default); give one to repeat a study.
    initial : array_like, shape (S,), optional

    Returns
    -------
    StudyTable

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``horizon`` not an integer
        (``3.0`` included), ``seed`` neither an integer nor a Generator; the
        message names it.
    ValueError
        ``policy``, ``features``, ``horizon``, ``discount``, ``n``,
        ``n_repeats`` or ``initial`` out of range, of the wrong shape or not
        finite.

    See Also
    --------
    sampled_feature_expectations : the estimator studied.
    feature_count_moments : the exact prediction.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> world = gridworld(4, slip=0.2)
    >>> table = feature_expectation_study(world.mdp, np.full((16, 5), 0.2), world.features, horizon=6,
    ...                                   n=(10, 100, 1000), n_repeats=20, seed=0)
    >>> bool(abs(table.meta["slope"] + 0.5) < 0.1)
    True
    """
    mdp = check_mdp(mdp)
    T = check_horizon(horizon)
    pi = check_policy(policy, mdp.n_states, mdp.n_actions, T)
    lf = as_linear_features(features, mdp.n_states, mdp.n_actions)
    ns = check_ns(n, "n")
    R = _check_repeats(n_repeats)
    rng = check_seed(seed)
    moments = feature_count_moments(mdp, pi, lf.phi, horizon=T, discount=discount, initial=initial)
    gamma = 1.0 if discount is None else float(discount)
    n_max = int(ns[-1])
    tr = sample_trajectories(mdp, pi, R * n_max, horizon=T, seed=rng, initial=initial)
    C = _trajectory_feature_counts(tr, lf, gamma).reshape(R, n_max, lf.d)
    sums = np.cumsum(C, axis=1)
    rows = []
    for n in ns:
        err = sums[:, n - 1] / n - moments.mean
        rmse = float(np.sqrt(np.mean(np.sum(err**2, axis=1))))
        pred = float(moments.rmse(n))
        rows.append((int(n), rmse, pred, rmse / pred if pred > 0 else None))
    rmses = np.array([r[1] for r in rows])
    slope = float(np.polyfit(np.log(ns.astype(float)), np.log(rmses), 1)[0]) if len(ns) > 1 and np.all(rmses > 0) \
        else None
    meta = {"slope": slope, "exact_features": moments.mean, "total_variance": moments.total_variance,
            "n_repeats": R, "horizon": T}
    return StudyTable(("n", "rmse", "rmse_pred", "ratio"), rows, meta)


# --------------------------------------------------------------------------
# adversarial IRL against exact MaxEnt
# --------------------------------------------------------------------------


def adversarial_study(
    mdp: MDP,
    demos: Trajectories,
    *,
    discount: float,
    expert_policy: Any,
    true_reward: Any,
    l2: float = 1e-3,
    max_iter: int = 300,
) -> StudyTable:
    r"""AIRL against exact maximum causal entropy IRL on the same demonstrations.

    Methods (rows): ``"maxent"`` -- :func:`~tabular_irl.irl.maxent_irl`
    (causal, discounted) with one-hot state-action features, i.e. a tabular
    reward, penalised by ``l2``; ``"airl"`` -- :func:`airl` with ``f(s, a)``
    on the demonstrations, exact policy occupancies, no penalty;
    ``"airl_shaped"`` -- AIRL's disentangled ``g(s) + gamma h(s') - h(s)``
    (``policy_step=0.5``: see :func:`airl`); ``"airl_exact"`` -- AIRL on the
    expert's exact occupancy (the infinite-demonstration limit).

    Columns: ``evd`` (expected value difference under ``true_reward``),
    ``kl`` and ``total_variation`` (:func:`~tabular_irl.metrics.policy_divergence`
    from the expert), ``reward_correlation`` (with ``true_reward``, modulo
    shaping: :func:`reward_correlation_modulo_shaping`), ``epic`` (the EPIC
    distance to ``true_reward`` on ``mdp``,
    :func:`~tabular_irl.metrics.epic_distance` with ``mdp=``: both rewards
    lifted through the dynamics, so it is 0 for the MDP's expected shaping
    ``r + gamma P h - h`` that AIRL's ``f = log pi_E`` recovers in the
    infinite-sample limit; read as ``R(s, a, s') = R(s, a)`` that limit would
    score 0.64 on the example below), ``js_divergence`` (exact JS
    between the expert's and the learned policy's occupancies), ``n_iter``,
    ``converged``.

    Parameters
    ----------
    mdp : MDP
    demos : Trajectories
        Demonstrations (step ``t`` weighted ``gamma^t``; use a horizon of
        several ``1 / (1 - gamma)`` so truncation is negligible).
    discount : float
        ``gamma`` in ``[0, 1)``.
    expert_policy : array_like, shape (S, A)
        The stationary policy that produced ``demos``.
    true_reward : array_like, shape (S,) or (S, A)
    l2 : float, default 1e-3
        Penalty of MaxEnt (demonstrations leave pairs unseen, whose optimal
        reward is otherwise ``-inf``). AIRL runs unpenalised (see its ``l2``).
    max_iter : int, default 300
        AIRL iterations.

    Returns
    -------
    StudyTable

    Raises
    ------
    TypeError
        ``mdp`` not an :class:`~tabular_irl.MDP`, ``demos`` of the wrong type;
        the message names it.
    ValueError
        ``demos``, ``discount``, ``expert_policy``, ``true_reward``, ``l2`` or
        ``max_iter`` out of range, of the wrong shape or not finite.
        Demonstrations whose indices or horizon do not fit the MDP.

    See Also
    --------
    airl : one of the two fits compared.
    tabular_irl.maxent_irl : the other.

    References
    ----------
    Fu, Luo & Levine (2018), "Learning robust rewards with adversarial inverse reinforcement learning", ICLR.

    Examples
    --------
    >>> from tabular_irl import gridworld, sample_trajectories, soft_backward
    >>> world = gridworld(2, slip=0.1)
    >>> expert = soft_backward(world.mdp, 2 * world.reward, discount=0.7)
    >>> demos = sample_trajectories(world.mdp, expert.policy, 50, horizon=20, seed=0)
    >>> table = adversarial_study(world.mdp, demos, discount=0.7, expert_policy=expert.policy,
    ...                           true_reward=world.reward)
    >>> list(table.column("method")), bool(table.where(method="airl_exact").column("js_divergence")[0] < 1e-12)
    (['maxent', 'airl', 'airl_shaped', 'airl_exact'], True)
    >>> bool(table.where(method="airl_exact").column("epic")[0] < 1e-6)   # the truth, up to shaping and scale
    True
    """
    mdp = check_mdp(mdp)
    demos = check_trajectories(demos, "demos", mdp, None)
    S, A = mdp.n_states, mdp.n_actions
    rho_E = occupancy_measure(mdp, expert_policy, discount=discount)
    onehot = np.eye(S * A).reshape(S, A, S * A)
    rows = []

    def row(method, reward, policy, n_iter, converged):
        evd = expected_value_difference(mdp, true_reward, expert_policy, policy, discount=discount)
        div = policy_divergence(mdp, expert_policy, policy, discount=discount)
        corr = reward_correlation_modulo_shaping(mdp, true_reward, reward, discount=discount)
        epic = epic_distance(true_reward, reward, discount=discount, mdp=mdp)
        js = _js(rho_E, occupancy_measure(mdp, policy, discount=discount))
        rows.append((method, evd, div.kl, div.total_variation, corr, epic, js, int(n_iter), bool(converged)))

    fit = maxent_irl(mdp, onehot, demos, discount=discount, l2=l2)
    row("maxent", fit.reward, fit.plan.policy, fit.n_iter, fit.converged)
    for method, kw in (("airl", {}), ("airl_shaped", {"shaping": True, "state_only": True, "policy_step": 0.5})):
        res = airl(mdp, demos, discount=discount, max_iter=max_iter, **kw)
        row(method, res.reward, res.policy, res.n_iter, res.converged)
    res = airl(mdp, rho_E, discount=discount, max_iter=max_iter)
    row("airl_exact", res.reward, res.policy, res.n_iter, res.converged)
    columns = ("method", "evd", "kl", "total_variation", "reward_correlation", "epic", "js_divergence", "n_iter",
               "converged")
    return StudyTable(columns, rows, {"discount": discount, "l2": l2, "n_demos": demos.n_trajectories})
