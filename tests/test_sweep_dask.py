"""The Dask engine of tabular_irl.sweep on real local clusters (skipped without dask.distributed).

* an in-process LocalCluster gives the same rows, bit for bit, as the serial loop;
* killing a worker process of a LocalCluster(processes=True) mid-sweep still
  completes the sweep with every cell present once (Dask reruns the lost cells).
"""

import json
import os
import signal
import threading
import time

import pytest

distributed = pytest.importorskip("distributed")

from test_sweep import SPEC, results  # noqa: E402  (the same small spec and row comparison)
from test_sweep_methods import METHODS_SPEC  # noqa: E402  (gail, importance_maxent, bayesian)

from tabular_irl.sweep import expand, run_sweep  # noqa: E402


@pytest.mark.parametrize("spec", [SPEC, METHODS_SPEC], ids=["mce-mmp", "gail-importance_maxent-bayesian"])
def test_a_local_dask_cluster_gives_the_rows_of_the_serial_loop(tmp_path, spec):
    run_sweep(spec, tmp_path / "serial.jsonl", progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        run = run_sweep(spec, tmp_path / "dask.jsonl", engine=client, progress=False)
        assert client.status == "running"  # a client given is left open for its owner
    assert (run.n_ok, run.n_failed) == (len(expand(spec)), 0)
    assert results(tmp_path / "dask.jsonl") == results(tmp_path / "serial.jsonl")


def test_killing_a_worker_mid_sweep_still_runs_every_cell_once(tmp_path):
    # 16 cells of about 0.3 s on 2 single-threaded worker processes; one is killed
    # (SIGKILL, as a machine lost) once the first rows are in: its cells run again elsewhere
    spec = {**SPEC, "seeds": [0, 1, 2, 3]}
    out = tmp_path / "results.jsonl"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        outcome = {}
        sweep = threading.Thread(target=lambda: outcome.update(run=run_sweep(spec, out, engine=client,
                                                                             progress=False)))
        sweep.start()
        deadline = time.monotonic() + 120
        while (not out.exists() or len(out.read_bytes().splitlines()) < 2) and time.monotonic() < deadline:
            time.sleep(0.02)
        rows_at_kill = len(out.read_bytes().splitlines())
        victim = next(iter(cluster.workers.values()))
        os.kill(victim.process.process.pid, signal.SIGKILL)
        sweep.join(timeout=180)
        assert not sweep.is_alive()
    assert rows_at_kill < 16  # the kill happened mid-sweep
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    keys = [r["key"] for r in rows]
    assert len(keys) == 16 and len(set(keys)) == 16  # every cell once
    assert all(r["status"] == "ok" for r in rows), [r["error"] for r in rows if r["status"] != "ok"]
    assert (outcome["run"].n_ok, outcome["run"].n_failed) == (16, 0)
    print(f"worker killed after {rows_at_kill} of 16 rows; the sweep finished with all 16 cells, each once")
