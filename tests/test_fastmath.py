"""The kernels' own exp and log (csrc/_fastmath.h): within 1 ulp of the C library's, at every scale."""

import numpy as np

from tabular_irl import _kernels


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance in units in the last place between finite doubles of the same sign."""
    return np.abs(a.view(np.int64) - b.view(np.int64))


def test_exp_within_one_ulp(rng):
    x = np.concatenate([
        rng.uniform(-745.0, 709.0, 200_000),   # the whole finite range
        rng.uniform(-1.0, 0.0, 50_000),         # where the kernels' shifted exponentials live
        rng.uniform(-745.13, -708.0, 50_000),   # results in the subnormal range
        np.array([0.0, -0.0, -1e-300, 1e-300, -745.13, -1.0, 1.0]),
    ])
    got, want = _kernels.fast_exp(x), np.exp(x)
    assert _ulps(got, want).max() <= 1
    assert _kernels.fast_exp(np.array([0.0]))[0] == 1.0  # exp(0) = 1 exactly: the shifted maximum's weight


def test_exp_underflows_to_zero_and_never_to_nan():
    x = np.array([-745.2, -746.0, -1000.0, -1e300, -np.inf])
    np.testing.assert_array_equal(_kernels.fast_exp(x), 0.0)


def test_log_within_one_ulp(rng):
    bits = rng.integers(1, 0x7FEFFFFFFFFFFFFF, 300_000, dtype=np.int64)  # every positive finite double
    x = np.concatenate([
        bits.view(np.float64),
        rng.uniform(0.5, 2.0, 100_000),           # sums of exponentials and row sums near 1
        1.0 + rng.uniform(-1e-8, 1e-8, 10_000),
        np.array([1.0, 5e-324, 2.2250738585072014e-308, 1e-310, 1.7976931348623157e308, 5.0]),
    ])
    got, want = _kernels.fast_log(x), np.log(x)
    assert _ulps(got, want).max() <= 1
    assert _kernels.fast_log(np.array([1.0]))[0] == 0.0
