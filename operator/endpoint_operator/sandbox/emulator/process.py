"""Emulator: the emulator server as a child process on a free loopback port."""

from __future__ import annotations

import ctypes
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from types import TracebackType

from .client import EmulatorClient
from .settings import DELAY_ENV, LISTENING

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: if the parent dies, the kernel
    # sends SIGTERM, so a crashed test run leaves no server behind.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class EmulatorStartError(RuntimeError):
    pass


class Emulator:
    """Start with `with Emulator(delay_seconds=0.2) as emulator:`; then `emulator.url`
    is the endpoint_url for boto3 and `emulator.client` the control API."""

    def __init__(self, *, delay_seconds: float | None = None, host: str = "127.0.0.1",
                 port: int = 0, startup_timeout: float = 60.0) -> None:
        self.delay_seconds = delay_seconds
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the emulator is not running")
        return self._url

    @property
    def client(self) -> EmulatorClient:
        return EmulatorClient(self.url)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> Emulator:
        if self._process is not None:
            raise RuntimeError("the emulator is already running")
        command = [sys.executable, "-m", "endpoint_operator.sandbox.emulator", "--host", self.host,
                   "--port", str(self.port)]
        env = dict(os.environ)
        if self.delay_seconds is not None:
            env[DELAY_ENV] = str(self.delay_seconds)
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr,
            start_new_session=True, preexec_fn=_die_with_parent,
        )
        try:
            self._url = self._await_listening()
            self._await_health()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        self._url = None
        if process is not None and process.poll() is None:
            self._signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(process, signal.SIGKILL)
                process.wait(timeout)
        if process is not None and process.stdout:
            process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # ---- start-up ----------------------------------------------------------------

    def _await_listening(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        selector = selectors.DefaultSelector()
        selector.register(self._process.stdout, selectors.EVENT_READ)
        try:
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    continue
                line = self._process.stdout.readline().decode()
                if not line:
                    raise EmulatorStartError(f"the emulator exited during start-up: {self._stderr_tail()}")
                if line.startswith(LISTENING):
                    return line[len(LISTENING):].strip()
        finally:
            selector.close()
        raise EmulatorStartError(f"the emulator did not start in {self.startup_timeout:g}s: {self._stderr_tail()}")

    def _await_health(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        client = EmulatorClient(self.url, timeout=2.0)
        while True:
            try:
                if client.health():
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise EmulatorStartError(f"the emulator at {self.url} does not answer") from None
            time.sleep(0.05)

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-2000:].decode("utf-8", "replace")

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
        try:
            os.killpg(process.pid, sig)  # its own session: the group is the server alone
        except ProcessLookupError:
            pass
