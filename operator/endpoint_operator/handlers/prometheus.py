"""Instant queries against a Prometheus server's HTTP API (GET /api/v1/query), for
the Prometheus gates. Every failure comes back as text for the gate to wait on."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from ..plan.gates import PrometheusAnswer

TIMEOUT_SECONDS = 5.0
NO_SERVER = ("no Prometheus server: set spec.rollout.analysis.prometheus[].url "
             "or start the operator with --prometheus-url")


class PrometheusReader:
    def __init__(self, default_url: str | None = None, timeout: float = TIMEOUT_SECONDS) -> None:
        self.default_url = default_url
        self.timeout = timeout

    def instant(self, url: str | None, query: str, at: datetime) -> PrometheusAnswer:
        """The value of each series `query` returns at `at`, or why there is none."""
        server = url or self.default_url
        if not server:
            return NO_SERVER
        address = f"{server.rstrip('/')}/api/v1/query?" + urllib.parse.urlencode({"query": query, "time": at.timestamp()})
        try:
            with urllib.request.urlopen(address, timeout=self.timeout) as response:
                body = json.load(response)
        except urllib.error.HTTPError as error:
            return f"{server} answered HTTP {error.code}: {_error_text(error)}"
        except (OSError, ValueError) as error:
            return f"{server} did not answer: {error}"
        return _values(body)


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        return json.load(error).get("error") or error.reason
    except (OSError, ValueError):
        return str(error.reason)


def _values(body: dict) -> PrometheusAnswer:
    """Prometheus's result types: a vector or a scalar; a matrix or a string is not a value."""
    if body.get("status") != "success":
        return f"query failed: {body.get('error', 'no error given')}"
    data = body.get("data") or {}
    kind, result = data.get("resultType"), data.get("result")
    try:
        if kind == "vector":
            return tuple(float(sample["value"][1]) for sample in result)
        if kind == "scalar":
            return (float(result[1]),)
    except (KeyError, IndexError, TypeError, ValueError):
        return f"an answer of type {kind} that is not a number"
    return f"the query returns a {kind}, not one value: use an instant vector or a scalar"
