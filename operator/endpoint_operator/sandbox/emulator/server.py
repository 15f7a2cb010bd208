"""Serve the emulator in the foreground on a loopback port."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any

from .settings import DEFAULT_DELAY_SECONDS, DELAY_ENV, LISTENING


def serve(host: str = "127.0.0.1", port: int = 0, delay_seconds: float | None = None) -> None:
    """Serve until SIGTERM or SIGINT. Prints `emulator listening on <url>` once
    the socket is bound, so a parent that asked for port 0 learns the real one."""
    # Imported here so that launching processes do not load moto.
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    from . import lifecycle
    from .app import EmulatorApp

    lifecycle.register_default_delay(delay_seconds)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the request log is ours
    app = EmulatorApp()
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    app.state.ticker.start()
    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)
    print(f"{LISTENING}http://{host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def _exit(signum: int, frame: Any) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m endpoint_operator.sandbox.emulator",
        description="SageMaker, Application Auto Scaling, CloudWatch, S3, SNS, IAM and STS on moto, "
        "with endpoint transitions, UpdateEndpoint, fault injection and a request log.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument("--delay", type=float, default=None,
                        help=f"seconds per endpoint transition (default: ${DELAY_ENV} or {DEFAULT_DELAY_SECONDS:g})")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.delay)
