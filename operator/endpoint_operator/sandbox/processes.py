"""Child processes that cannot outlive the sandbox.

Each child leads its own process group, so stopping it reaches anything it
forked, and asks the kernel for SIGKILL when its parent dies, so a test run
that is itself SIGKILLed leaves no servers behind.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1
# Loaded once in the parent: the child between fork and exec should only make
# the system call, not resolve libraries.
_libc = ctypes.CDLL(None, use_errno=True)


def spawn(argv: Sequence[str], log_path: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `argv` in a new session with stdout and stderr appended to `log_path`.

    The death signal fires when the *thread* that spawned the child exits, so
    spawn from a thread that lives as long as the child should.
    """
    parent_pid = os.getpid()

    def die_with_parent() -> None:
        if _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(127)
        # The parent may have died before prctl took effect.
        if os.getppid() != parent_pid:
            os._exit(127)

    with open(log_path, "ab") as log:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )


def terminate(process: subprocess.Popen[bytes], grace_seconds: float) -> None:
    """SIGTERM the process group, SIGKILL it after `grace_seconds`, reap the leader."""
    if process.returncode is None:
        # Not yet reaped, so the group id cannot have been reused.
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


def log_tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a log file, or a note that there is none."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path.name}: no log)"
    return "\n".join(text.splitlines()[-lines:])
