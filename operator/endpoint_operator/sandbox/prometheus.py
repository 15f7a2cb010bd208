"""A real Prometheus server on loopback, scraping a small exporter, for the tests of
Prometheus gates. The binary is Debian's package, unpacked into the cache directory by
`prometheus/fetch.sh` (reused when present). A missing binary is an error, never a skip.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .controlplane import repo_root
from .ports import free_loopback_ports
from .processes import log_tail, spawn, terminate

SCRAPE_SECONDS = 1


class PrometheusError(RuntimeError):
    pass


def ensure_prometheus() -> Path:
    """The `prometheus` binary, fetched (or reused from the cache) by prometheus/fetch.sh."""
    script = repo_root() / "prometheus" / "fetch.sh"
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    lines = result.stdout.strip().splitlines()
    binary = Path(lines[-1]) / "prometheus" if result.returncode == 0 and lines else None
    if binary is None or not binary.is_file():
        tail = "\n".join((result.stderr + result.stdout).splitlines()[-20:])
        raise PrometheusError(f"{script} failed with exit code {result.returncode}:\n{tail}")
    return binary


class Exporter:
    """/metrics with the gauges a test sets: {name: {labels: value}}."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        self._lock = threading.Lock()
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                body = exporter.exposition().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.target = f"127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, name="exporter", daemon=True).start()

    def set(self, name: str, value: float, **labels: str) -> None:
        with self._lock:
            self._values[(name, tuple(sorted(labels.items())))] = value

    def exposition(self) -> str:
        with self._lock:
            rows = sorted(self._values.items())
        lines = []
        for (name, labels), value in rows:
            shown = ",".join(f'{k}="{v}"' for k, v in labels)
            lines.append(f"{name}{{{shown}}} {value!r}")
        return "\n".join(lines) + "\n"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class PrometheusServer:
    """Prometheus scraping `targets` every second, with its data in a temporary directory."""

    def __init__(self, targets: list[str]) -> None:
        self._targets = targets
        self._dir = Path(tempfile.mkdtemp(prefix="prometheus-"))
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, ready_timeout: float = 60.0) -> "PrometheusServer":
        binary = ensure_prometheus()
        config = self._dir / "prometheus.yml"
        config.write_text(json.dumps({  # YAML reads JSON
            "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": f"{SCRAPE_SECONDS}s"},
            "scrape_configs": [{"job_name": "exporter", "static_configs": [{"targets": self._targets}]}],
        }))
        [port] = free_loopback_ports(1)
        self.url = f"http://127.0.0.1:{port}"
        self._process = spawn([str(binary), f"--config.file={config}", f"--storage.tsdb.path={self._dir / 'data'}",
                               f"--web.listen-address=127.0.0.1:{port}"], self._dir / "prometheus.log")
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise PrometheusError(f"prometheus exited with {self._process.returncode}:\n"
                                      f"{log_tail(self._dir / 'prometheus.log')}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)  # polling a starting server's readiness, not waiting for a state
        raise PrometheusError(f"prometheus not ready in {ready_timeout}s:\n{log_tail(self._dir / 'prometheus.log')}")

    def query(self, promql: str) -> list[Mapping[str, Any]]:
        address = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(address, timeout=5) as response:
            return json.load(response)["data"]["result"]

    def stop(self) -> None:
        if self._process is not None:
            terminate(self._process, 5.0)

    def __enter__(self) -> "PrometheusServer":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
