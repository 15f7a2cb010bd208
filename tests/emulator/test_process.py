"""The emulator process: starts on a free port, stops cleanly, dies with its parent."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import urllib.request

import pytest

from endpoint_operator.sandbox.emulator import Emulator

from .helpers import single_variant_endpoint, wait_for

pytestmark = pytest.mark.emulator


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited all the same.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


def test_stop_leaves_no_process():
    emulator = Emulator(delay_seconds=0).start()
    pid = emulator.pid
    assert emulator.client.health()
    assert os.getpgid(pid) == pid  # its own process group
    emulator.stop()
    assert not alive(pid)


def test_server_dies_with_the_process_that_started_it():
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from endpoint_operator.sandbox.emulator import Emulator
        emulator = Emulator(delay_seconds=0).start()
        print(emulator.pid, flush=True)
        time.sleep(600)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(parent.stdout.readline())
        assert alive(pid)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        parent.stdout.close()
    wait_for(lambda: alive(pid), lambda running: not running, timeout=20)


def test_moto_state_manager_paces_endpoints_too(aws):
    """moto's own HTTP API for transitions steers the emulated endpoints."""
    body = json.dumps({"model_name": "sagemaker::endpoint", "transition": {"progression": "manual", "times": 2}})
    request = urllib.request.Request(f"{aws.url}/moto-api/state-manager/set-transition", data=body.encode(),
                                     method="POST")
    urllib.request.urlopen(request, timeout=10).close()

    single_variant_endpoint(aws.sagemaker, "recs")
    statuses = [aws.sagemaker.describe_endpoint(EndpointName="recs")["EndpointStatus"] for _ in range(2)]
    assert statuses == ["Creating", "InService"]
    assert aws.emulator.transition() == {"progression": "manual", "times": 2}
