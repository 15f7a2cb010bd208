"""The operator as a child process: for the demo, the end-to-end tests, the benchmarks
and the chaos runs (which SIGKILL it and start it again)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .ports import free_loopback_ports
from .processes import log_tail, spawn, terminate


class OperatorError(RuntimeError):
    pass


class OperatorProcess:
    def __init__(self, kubeconfig: Path, aws_endpoint_url: str, log_path: Path,
                 extra_args: list[str] | None = None, env: dict[str, str] | None = None):
        self.kubeconfig = Path(kubeconfig)
        self.aws_endpoint_url = aws_endpoint_url
        self.log_path = Path(log_path)
        self.extra_args = list(extra_args or [])
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self.metrics_port: int | None = None

    def start(self, ready_timeout: float = 60.0) -> "OperatorProcess":
        self.port, self.metrics_port = free_loopback_ports(2)
        argv = [sys.executable, "-m", "endpoint_operator.cli", "run",
                "--kubeconfig", str(self.kubeconfig),
                "--aws-endpoint-url", self.aws_endpoint_url,
                "--liveness-port", str(self.port), "--metrics-port", str(self.metrics_port),
                *self.extra_args]
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox",
               "AWS_DEFAULT_REGION": "us-east-1", "PYTHONUNBUFFERED": "1", **self.env}
        env.pop("AWS_PROFILE", None)
        self.process = spawn(argv, self.log_path, env=env)
        self._wait_healthy(ready_timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise OperatorError(f"operator exited with {self.process.returncode}:\n{log_tail(self.log_path)}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise OperatorError(f"operator not healthy within {timeout:.0f}s:\n{log_tail(self.log_path)}")

    def metrics(self) -> str:
        """The Prometheus exposition text the operator serves now."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
            return response.read().decode()

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a node loss would: no cleanup runs."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process, grace_seconds=10)

    def log(self) -> str:
        return log_tail(self.log_path, lines=200)

    def __enter__(self) -> "OperatorProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
