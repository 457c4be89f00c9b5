"""Warnings (and, as they come, exceptions) that tabular_irl issues.

One home for them, so that a user filters them without importing the module
that happens to issue them::

    import warnings
    from tabular_irl.exceptions import ConvergenceWarning
    warnings.simplefilter("error", ConvergenceWarning)

Bad input is not here: it raises the built-in ``ValueError`` or ``TypeError``
with a message that names the argument.
"""

from __future__ import annotations

__all__ = ["ConvergenceWarning"]


class ConvergenceWarning(UserWarning):
    """An iterative method stopped before its tolerance held.

    Every fitted model and iterative pass reports this the same way: it warns
    with this class and returns its result with ``converged=False`` and a
    ``message`` that says what did not converge and how to fix it; it never
    raises for it.

    See Also
    --------
    tabular_irl.irl.FitResult : ``converged`` and ``message`` of every fit.

    Examples
    --------
    >>> import warnings
    >>> from tabular_irl import gridworld, soft_backward
    >>> from tabular_irl.exceptions import ConvergenceWarning
    >>> world = gridworld(3)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", ConvergenceWarning)
    ...     plan = soft_backward(world.mdp, world.reward, discount=0.99, max_iter=2,
    ...                          method="value_iteration")
    >>> plan.converged, caught[0].category is ConvergenceWarning
    (False, True)
    """
