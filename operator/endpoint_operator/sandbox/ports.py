"""Free TCP ports on the loopback interface."""

from __future__ import annotations

import contextlib
import socket

LOOPBACK = "127.0.0.1"


def free_loopback_ports(count: int) -> list[int]:
    """Return `count` distinct ports that were free a moment ago.

    The sockets are held open until all ports are chosen so the kernel cannot
    hand out the same port twice. Another process may still take a port before
    our server binds it; callers retry start-up on "address already in use".
    """
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((LOOPBACK, 0))
            ports.append(sock.getsockname()[1])
        return ports
