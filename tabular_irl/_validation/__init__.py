"""The one place where user input is checked.

Every public function calls these validators once, at the boundary, and hands
the kernels only what they return: C-contiguous float64 / int64 arrays whose
shapes, ranges and normalisation have been proven. Each validator raises
``TypeError`` (wrong kind of object) or ``ValueError`` (right kind, wrong
value) with a message of the form

    "<argument> must be <expectation>, got <what was received>"

so that a user can fix the call without reading the source.

Representations checked here
----------------------------
transitions
    ``scipy.sparse`` matrix of shape ``(S*A, S)``; row ``s*A + a`` is
    ``P(. | s, a)``: indices in range, entries finite and non-negative, every
    row summing to 1 within ``ROW_SUM_ATOL``. Never densified.
distributions (``initial``)
    length-``S`` finite non-negative vector summing to 1 within ``ROW_SUM_ATOL``.
reward
    ``(S,)`` or ``(S, A)`` finite float, broadcast to ``(S, A)``.
horizon / discount
    ``horizon`` an integer >= 1, ``discount`` a real in ``[0, 1)`` (``[0, 1]``
    together with a horizon); at least one of them. :func:`resolve_model`
    turns them (with ``causal`` and ``temperature``) into one :class:`Model`.
policy
    ``(S, A)`` stationary or ``(T, S, A)`` time-indexed; rows are distributions.
demonstrations
    :class:`~tabular_irl.Trajectories` whose horizon matches the model's and
    whose state and action indices fit the MDP; an index out of range is
    named by trajectory and step (``demos.states[17, 4] = 23 is not a state
    of this MDP (n_states=16)``).
options
    a ``method=`` or other string option is one of a fixed set of names; any
    other value (a non-string too) is a ``ValueError`` that lists them.
names
    the keys of a table a user wrote (a sweep spec's keys, methods, columns):
    :func:`check_names` names the unknown ones, suggests the close valid
    names and lists them all.

Results are made immutable with :func:`readonly`.

The layer is one package of small modules: :mod:`.scalars` (numbers,
options, plain arrays, distributions, the horizon/discount :class:`Model`,
:func:`readonly`), :mod:`.transitions` (the sparse transition matrix, rewards,
features), :mod:`.policies` (policies, logits, index arrays, demonstrations)
and :mod:`.figures` (the arguments of figures), :mod:`.bayes` (boxes, grid steps,
probabilities and joint tables of Bayesian IRL, EPIC and identifiability).
"""

from __future__ import annotations

from .scalars import (  # noqa: F401
    check_base,
    check_probabilities,
    Model,
    ROW_SUM_ATOL,
    check_bool,
    check_callable,
    check_discount,
    check_distribution,
    check_finite_array,
    check_horizon,
    check_horizon_discount,
    check_index,
    check_nonnegative_array,
    check_names,
    check_option,
    check_positive_int,
    check_positive_real,
    check_real,
    check_seed,
    check_temperature,
    check_type,
    discount_argument,
    readonly,
    resolve_model,
    _as_dense_array,
    _as_float_array,
    _describe,
)
from .transitions import (  # noqa: F401
    check_features,
    check_reward,
    check_transitions,
    _check_compressed_structure,
    _coo_triplets,
)
from .policies import (  # noqa: F401
    check_index_array,
    check_indices,
    check_logits,
    check_policy,
    check_trajectories,
    check_trajectory_indices,
)
from .figures import (  # noqa: F401
    as_state_values,
    check_count,
    check_curves,
    check_finite_numbers,
    check_gap_series,
    check_grid,
    check_grid_problem,
    check_grid_values,
    check_history,
    check_path,
    check_policy_at,
    check_real_half_open,
    check_state_paths,
    check_table,
    check_state_distributions,
    check_cells,
    check_iteration_curves,
    check_partial_state_values,
)
from .bayes import (  # noqa: F401
    check_bounds,
    check_grid_step,
    check_in_box,
    check_probability,
    check_joint_distribution,
)

__all__ = [
    "ROW_SUM_ATOL",
    "check_distribution",
    "check_transitions",
    "check_reward",
    "check_features",
    "check_horizon",
    "check_discount",
    "check_horizon_discount",
    "discount_argument",
    "Model",
    "resolve_model",
    "check_temperature",
    "check_policy",
    "check_positive_int",
    "check_indices",
    "check_index_array",
    "check_trajectories",
    "check_trajectory_indices",
    "check_option",
    "check_type",
    "check_index",
    "check_bool",
    "check_callable",
    "readonly",
    "check_finite_array",
    "check_nonnegative_array",
    "check_seed",
    "check_real",
    "check_positive_real",
    "check_count",
    "check_real_half_open",
    "check_path",
    "check_finite_numbers",
    "as_state_values",
    "check_grid",
    "check_grid_problem",
    "check_grid_values",
    "check_policy_at",
    "check_state_paths",
    "check_history",
    "check_table",
    "check_state_distributions",
    "check_cells",
    "check_iteration_curves",
    "check_partial_state_values",
    "check_logits",
    "check_names",
    "check_curves",
    "check_gap_series",
    "check_bounds",
    "check_grid_step",
    "check_in_box",
    "check_probability",
    "check_joint_distribution",
    "check_probabilities",
    "check_base",
]
