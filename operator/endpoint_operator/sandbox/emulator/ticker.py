"""One background thread that advances everything driven by time, in virtual seconds.

Subscribers (the traffic model, Application Auto Scaling's alarm evaluation) get
`tick(now)` with the virtual time, in order, at least once per virtual `step`
seconds, never twice for the same second: at a high time scale one real wake-up
delivers many virtual seconds, one call per step, so a subscriber's state moves
as it would in real time.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from datetime import datetime, timezone

from . import clock

log = logging.getLogger(__name__)
Subscriber = Callable[[datetime], None]
MAX_REAL_SLEEP = 0.05  # seconds between real wake-ups
MAX_CATCH_UP = 86_400  # virtual steps per wake-up at most: a stalled process skips, it does not spin


class Ticker:
    def __init__(self, step: float = 1.0) -> None:
        self.step = step
        self._subscribers: list[Subscriber] = []
        self._lock = threading.RLock()
        self._last: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def exclusive(self) -> threading.RLock:
        """Held while subscribers run: a reset takes it so no tick sees half a reset."""
        return self._lock

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="emulator-ticker", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def restart_from_now(self) -> None:
        with self._lock:
            self._last = None

    def advance(self) -> int:
        """Deliver every whole step up to the virtual present; the number delivered."""
        with self._lock:
            now = clock.timestamp()
            current = math.floor(now / self.step)
            if self._last is None:
                self._last = current - 1
            first = max(self._last + 1, current - MAX_CATCH_UP + 1)
            delivered = 0
            for index in range(int(first), int(current) + 1):
                moment = datetime.fromtimestamp(index * self.step, tz=timezone.utc)
                for subscriber in list(self._subscribers):
                    try:
                        subscriber(moment)
                    except Exception:  # one faulty subscriber must not stop time for the rest
                        log.exception("ticker subscriber failed at %s", moment.isoformat())
                delivered += 1
            self._last = current
            return delivered

    def _run(self) -> None:
        while not self._stop.is_set():
            self.advance()
            self._stop.wait(min(MAX_REAL_SLEEP, self.step / max(clock.scale(), 1e-9)))
