"""Type stubs for the compiled kernels (see csrc/_kernels.pyx for the design note)."""

from typing import Callable

import numpy as np
from numpy.typing import NDArray

MODE_CAUSAL: int
MODE_NONCAUSAL: int
MODE_HARD: int

def openmp_enabled() -> bool: ...
def max_threads() -> int: ...
def backward_finite(
    indptr: NDArray[np.integer], indices: NDArray[np.integer], data: NDArray[np.float64],
    reward: NDArray[np.float64], horizon: int, gamma: float, tau: float, mode: int, n_threads: int,
    keep_q: bool = True, keep_policy: bool = True, succ: NDArray[np.integer] | None = None,
    V_out: NDArray[np.float64] | None = None, policy_out: NDArray[np.float64] | None = None,
    pace: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.float64] | None]: ...
def evaluate_policy(
    indptr: NDArray[np.integer], indices: NDArray[np.integer], data: NDArray[np.float64],
    reward: NDArray[np.float64], policy: NDArray[np.float64], horizon: int, gamma: float, n_threads: int,
    keep_q: bool = True, succ: NDArray[np.integer] | None = None,
    pace: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]: ...
def policy_gradient_finite(
    indptr: NDArray[np.integer], indices: NDArray[np.integer], data: NDArray[np.float64],
    t_indptr: NDArray[np.integer], t_indices: NDArray[np.integer], t_data: NDArray[np.float64],
    reward: NDArray[np.float64], initial: NDArray[np.float64], logits: NDArray[np.float64],
    horizon: int, gamma: float, n_threads: int,
    succ: NDArray[np.integer] | None = None, pred: NDArray[np.integer] | None = None,
    pace: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def backward_discounted(
    indptr: NDArray[np.integer], indices: NDArray[np.integer], data: NDArray[np.float64],
    reward: NDArray[np.float64], gamma: float, tau: float, mode: int, tol: float, max_iter: int,
    n_threads: int, succ: NDArray[np.integer] | None = None, report: Callable[[int, float], None] | None = None,
    pace: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], int, float, bool]: ...
def forward_finite(
    t_indptr: NDArray[np.integer], t_indices: NDArray[np.integer], t_data: NDArray[np.float64],
    initial: NDArray[np.float64], policy: NDArray[np.float64], horizon: int, n_threads: int,
    pred: NDArray[np.integer] | None = None, gamma: float = 1.0,
    pace: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]: ...
def soft_forward(
    indptr: NDArray[np.integer], indices: NDArray[np.integer], data: NDArray[np.float64],
    t_indptr: NDArray[np.integer], t_indices: NDArray[np.integer], t_data: NDArray[np.float64],
    reward: NDArray[np.float64], initial: NDArray[np.float64], V: NDArray[np.float64],
    policy: NDArray[np.float64] | None, gamma: float, tau: float, mode: int, store_state: bool, n_threads: int,
    succ: NDArray[np.integer] | None = None, pred: NDArray[np.integer] | None = None,
    store_state_action: bool = False, posterior: bool = True,
    pace: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.float64] | None]: ...
def plan_arrays(
    indptr: NDArray[np.integer], indices: NDArray[np.integer], data: NDArray[np.float64],
    reward: NDArray[np.float64], V: NDArray[np.float64], gamma: float, tau: float, mode: int, n_threads: int,
    keep_q: bool = True, keep_policy: bool = True, succ: NDArray[np.integer] | None = None,
    pace: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64] | None, NDArray[np.float64] | None]: ...
def backward_values_batch(
    indptr: NDArray[np.integer], indices: NDArray[np.integer], data: NDArray[np.float64],
    rewards: NDArray[np.float64], horizon: int, gamma: float, tau: float, mode: int, n_threads: int,
    succ: NDArray[np.integer] | None = None,
    pace: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]: ...
def fast_exp(x: NDArray[np.float64]) -> NDArray[np.float64]: ...
def fast_log(x: NDArray[np.float64]) -> NDArray[np.float64]: ...
def rows_are_distributions(x: NDArray[np.float64], atol: float) -> bool: ...
