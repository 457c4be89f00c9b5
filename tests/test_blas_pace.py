"""BLAS threads: one thread for a block, and the pace that measures all threads against one."""

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from tabular_irl import _blas
from tabular_irl._blas import BlasPace, blas_threads


def _blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_one_thread_inside_the_block_and_the_callers_setting_after():
    assert _blas_threads(), "no BLAS library loaded"
    with threadpool_limits(limits=2, user_api="blas"):  # the caller's setting, other than 1 on any machine
        before = _blas_threads()
        assert set(before) == {2}
        with blas_threads(1):
            assert set(_blas_threads()) == {1}
        assert _blas_threads() == before
        with blas_threads(None):
            assert _blas_threads() == before


def _run(pace, seconds_of, steps):
    """The thread choice of each step, recording ``seconds_of[choice]`` for it."""
    seen = []
    for _ in range(steps):
        with pace.step():
            seen.append(pace._current)
            pace.record(seconds_of[pace._current])
    return seen


@pytest.mark.parametrize("all_threads, one, expect", [(1.0, 1.4, None), (2.0, 1.0, 1), (0.97, 1.0, 1)])
def test_the_faster_choice_is_kept_and_the_other_probed_ever_less_often(all_threads, one, expect):
    # one thread to warm up (not measured) and once measured, then all; all threads only when >= 5% faster;
    # the other choice probed after 8 steps, then after 16 (each probe confirmed the choice)
    seen = _run(BlasPace(probe_every=8), {None: all_threads, 1: one}, 40)
    assert seen[:3] == [1, 1, None]
    other = 1 if expect is None else None
    assert [i for i, c in enumerate(seen) if i >= 3 and c == other] == [11, 27]
    assert all(c == expect for i, c in enumerate(seen) if i >= 3 and i not in (11, 27))


def test_a_neighbour_arriving_or_leaving_mid_run_is_noticed():
    pace = BlasPace(probe_every=4)
    assert _run(pace, {None: 1.0, 1: 1.4}, 6)[-1] is None
    # all threads slow now: their own next measurement says so
    assert _run(pace, {None: 3.0, 1: 1.4}, 3)[-1] == 1
    # (that step was a probe of all threads, which confirmed one thread: the next probe 8 steps later)
    # the neighbour leaves: only that probe of all threads can tell, and then they are kept
    assert _run(pace, {None: 1.0, 1: 1.4}, 8) == [1] * 6 + [None, None]


def test_without_threadpoolctl_nothing_changes(monkeypatch):
    monkeypatch.setattr(_blas, "_controller", lambda: None)
    before = _blas_threads()
    seen = _run(BlasPace(), {None: 2.0, 1: 1.0}, 12)
    assert seen == [None] * 12
    with blas_threads(1):
        assert _blas_threads() == before


def test_unmeasured_steps_keep_one_thread():
    # a step whose BLAS part never ran (its factorisation fell back on sparse LU) records nothing
    pace = BlasPace(probe_every=2)
    seen = []
    for _ in range(6):
        with pace.step():
            seen.append(pace._current)
    assert seen == [1] * 6 and pace.seconds == {}
