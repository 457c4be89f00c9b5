r"""State-marginal matching (Lee et al. 2019): the exact minimum of ``KL(p_pi || target)`` and the iterations.

:func:`min_state_marginal_kl` solves the convex program
:math:`\min_{d \in \mathcal{K}} \mathrm{KL}(d \,\|\, p^*)` over achievable state
marginals with the machinery of :func:`~tabular_irl.rewardfree.max_state_entropy`;
:func:`state_marginal_matching` runs the exploration reward
:math:`\log p^*(s) - \log p(s)` either against the latest policy's marginal
(``method="naive"``, which is not marginal matching: it oscillates) or
against the mixture of all policies so far (``method="averaged"``,
fictitious play, i.e. Frank--Wolfe).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_option, check_distribution, check_positive_int, check_positive_real
from ._exact import METHODS as EXACT_METHODS
from ._exact import exact_optimum
from ._frank_wolfe import STEPS, exploration_result, start
from ._model import Model, resolve_model
from ._results import ExplorationResult, MarginalOptimum
from .exploration import planner_temperature

__all__ = ["state_marginal_matching", "min_state_marginal_kl"]

METHODS = ("averaged", "naive")


def _target(model: Model, target: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(log target, forbidden)``: the log on the states where the target is > 0 (0 elsewhere), and the
    states some policy reaches where it is 0 (KL is +inf for the policies that visit them)."""
    q = check_distribution(target, "target", model.mdp.n_states)
    reachable = model.marginal(model.uniform_policy()) > 0
    return np.log(q, where=q > 0, out=np.zeros(q.shape)), reachable & (q <= 0)


def _log_target(model: Model, target: Any) -> np.ndarray:
    """``log target`` for the iterative methods, which start from the uniform policy: target > 0 wherever
    a policy can go."""
    log_q, forbidden = _target(model, target)
    missing = np.flatnonzero(forbidden)
    if missing.size:
        raise ValueError(f"target must be > 0 on every state a policy can reach (else KL(p || target) is inf "
                         f"for the policies that visit it), got 0 at states {missing[:10].tolist()}"
                         f"{'...' if missing.size > 10 else ''}; min_state_marginal_kl accepts such a target")
    return log_q


def min_state_marginal_kl(mdp: Any, target: Any, *, horizon: int | None = None, discount: float | None = None,
                          initial: Any = None, tol: float = 1e-10, max_iter: int = 1000,
                          method: str = "auto") -> MarginalOptimum:
    r"""The exact minimum of :math:`\mathrm{KL}(p_\pi \,\|\, p^*)` over all policies, with a certificate.

    The convex program :math:`\min_{d \in \mathcal{K}} \sum_s d_s \log(d_s / p^*_s)`
    over the polytope of achievable state marginals, solved like
    :func:`~tabular_irl.rewardfree.max_state_entropy`: an interior-point
    method on the occupancy measures (fully-corrective Frank--Wolfe as a
    fallback), certified by an actual policy's exact KL (``upper``) and a
    dual bound from hard planning for the reward
    :math:`\log p^*(s) - \log d(s)` (``lower``), stopped at a gap ``<= tol``.
    The optimum is 0 exactly when ``target`` is achievable.

    Parameters
    ----------
    mdp : MDP
    target : array_like, shape (S,)
        The target marginal :math:`p^*`. Where it is 0, ``KL = +inf`` for
        every policy that visits the state: the minimum is over the policies
        that avoid all such states with certainty (a state is avoidable if
        some policy's marginal is 0 there, even though others reach it), and
        ``+inf`` when every policy visits one of them with positive
        probability (an unavoidable state: then ``value = lower = upper =
        inf``, ``gap = 0``, and ``policy`` is the uniform one, standing for all).
    horizon, discount, initial
        As in :func:`~tabular_irl.rewardfree.state_marginal`.
    tol : float, default 1e-10
    max_iter : int, default 1000
    method : {"auto", "interior-point", "frank-wolfe"}, default "auto"
        As in :func:`~tabular_irl.rewardfree.max_state_entropy`; a target
        with zeros on reachable states needs the interior-point method
        (Frank--Wolfe starts from the uniform policy, which visits them).

    Returns
    -------
    MarginalOptimum
        ``value`` (the KL of ``marginal``, the upper bound) with ``lower = value - gap``.

    Raises
    ------
    ValueError
        If ``target`` is not a distribution.

    See Also
    --------
    state_marginal_matching, max_state_entropy

    References
    ----------
    .. [1] L. Lee, B. Eysenbach, E. Parisotto, E. Xing, S. Levine,
       R. Salakhutdinov. "Efficient Exploration via State Marginal Matching."
       arXiv:1906.05274, 2019.

    Examples
    --------
    A target that some policy achieves has minimum 0:

    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import min_state_marginal_kl, state_marginal
    >>> world = gridworld(3, slip=0.1, goals=[])
    >>> target = state_marginal(world.mdp, np.full((9, 5), 0.2), horizon=4)
    >>> opt = min_state_marginal_kl(world.mdp, target, horizon=4)
    >>> opt.converged, bool(opt.value < 1e-10)
    (True, True)
    """
    model = resolve_model(mdp, horizon, discount, initial)
    log_q, forbidden = _target(model, target)
    tol = check_positive_real(tol, "tol")
    max_iter = check_positive_int(max_iter, "max_iter")
    exact_method = check_option(method, "method", EXACT_METHODS)
    return exact_optimum(model, log_q, maximise_entropy=False, tol=tol, max_iter=max_iter,
                         what="min_state_marginal_kl", method=exact_method, forbidden=forbidden)


def state_marginal_matching(mdp: Any, target: Any, *, horizon: int | None = None, discount: float | None = None,
                            initial: Any = None, method: str = "averaged", n_iter: int = 100,
                            step: str = "fully-corrective", planner: str = "hard",
                            temperature: float = 1.0) -> ExplorationResult:
    r"""State-marginal matching: minimise :math:`\mathrm{KL}(p_\pi \,\|\, p^*)` with the exploration reward.

    Start from the uniformly random policy; iteration ``k`` plans for the reward
    :math:`r_k(s) = \log p^*(s) - \log p_k(s)` (``- 1``, which changes no plan):

    * ``method="naive"``: :math:`p_k` is the marginal of the latest policy and
      the next policy replaces it. This is *not* marginal matching: the policy
      chases away from its own marginal and its KL keeps oscillating.
    * ``method="averaged"`` (default): :math:`p_k` is the marginal of the
      mixture of all policies so far (fictitious play), and the result is that
      mixture; it is Frank--Wolfe, with the ``step`` rules of
      :func:`~tabular_irl.rewardfree.maxent_exploration`
      (``"1/(k+2)"`` is literal fictitious play, the plain average; the
      default fully-corrective step converges to
      :func:`min_state_marginal_kl`).

    Parameters
    ----------
    mdp : MDP
    target : array_like, shape (S,)
        Positive on every reachable state.
    horizon, discount, initial
        As in :func:`~tabular_irl.rewardfree.state_marginal`.
    method : {"averaged", "naive"}
    n_iter : int, default 100
    step : {"fully-corrective", "line-search", "2/(k+2)", "1/(k+2)"}
        Of the averaged method.
    planner : {"hard", "soft"}, default "hard"
    temperature : float, default 1.0
        Of the soft planner.

    Returns
    -------
    ExplorationResult
        ``value`` is the final ``KL(marginal || target)``, ``history`` the
        exact KL after each iteration; ``gap`` is ``nan`` for the naive method.

    Raises
    ------
    ValueError
        For an unknown ``method``, ``step`` or ``planner`` (the message lists
        the valid names), or a bad ``target``.

    See Also
    --------
    min_state_marginal_kl : the optimum, certified.

    References
    ----------
    .. [1] L. Lee, B. Eysenbach, E. Parisotto, E. Xing, S. Levine,
       R. Salakhutdinov. "Efficient Exploration via State Marginal Matching."
       arXiv:1906.05274, 2019.
    .. [2] G. W. Brown. "Iterative Solution of Games by Fictitious Play."
       Activity Analysis of Production and Allocation, 1951.

    Examples
    --------
    >>> import numpy as np
    >>> from tabular_irl import gridworld
    >>> from tabular_irl.rewardfree import min_state_marginal_kl, state_marginal_matching
    >>> world = gridworld(4, slip=0.1, goals=[], initial=(0, 0))
    >>> target = np.linspace(1.0, 2.0, 16) / np.linspace(1.0, 2.0, 16).sum()
    >>> averaged = state_marginal_matching(world.mdp, target, horizon=8)   # 100 iterations
    >>> naive = state_marginal_matching(world.mdp, target, horizon=8, n_iter=40, method="naive")
    >>> best = min_state_marginal_kl(world.mdp, target, horizon=8)
    >>> bool(averaged.value - best.value < 1e-6), bool(naive.value - best.value > 0.1)
    (True, True)
    """
    model = resolve_model(mdp, horizon, discount, initial)
    method = check_option(method, "method", METHODS)
    n_iter = check_positive_int(n_iter, "n_iter")
    step = check_option(step, "step", STEPS)
    tau = planner_temperature(planner, temperature)
    log_q = _log_target(model, target)
    fw = start(model, log_q, step="naive" if method == "naive" else step, temperature=tau)
    gap, _, done = fw.run(n_iter)
    return exploration_result(fw, gap, done, negate=False, planner=planner)
