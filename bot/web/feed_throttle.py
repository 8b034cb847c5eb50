"""The feed endpoint's guard against token guessing: a bounded delay and bounded concurrency.

Per client address it counts bad tokens in a sliding window. Past `free` of them every request
from the address waits (doubling to `max_delay`), at most `in_flight` of its requests run at
once and `waiting` more queue; beyond that it is answered 404 at once, unlooked-up. Memory is
bounded: `max_addresses` addresses, at most `free + max_counted` failure times each. One log
line says an address is being slowed down, once per window, not one per request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class _Gate:
    """One address's requests: admitted (running or waiting), running, most running at once."""

    slots: asyncio.Semaphore
    users: int = 0
    running: int = 0
    busiest: int = 0


@dataclass
class BadTokenThrottle:
    """Counts bad tokens per client address; says how long its next request must wait."""

    free: int = 5
    window: float = 300.0
    base_delay: float = 0.5
    max_delay: float = 10.0
    max_addresses: int = 10_000
    max_counted: int = 64
    in_flight: int = 8
    waiting: int = 64
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _logged: dict[str, float] = field(default_factory=dict)
    _gates: dict[str, _Gate] = field(default_factory=dict)

    def _recent(self, address: str) -> deque[float]:
        """The address's failures within the window (older ones dropped)."""
        failures = self._failures.get(address)
        if failures is None:
            return deque(maxlen=self.free + self.max_counted)
        cutoff = self.clock() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        return failures

    def blocked(self, address: str) -> bool:
        """True when an address has used up its free bad tokens in the window."""
        return len(self._recent(address)) >= self.free

    def delay(self, address: str) -> float:
        """Seconds to wait before answering this address: 0 until it has `free` failures."""
        excess = len(self._recent(address)) - self.free
        if excess < 0:
            return 0.0
        # The exponent is capped: 2 ** 1000 as a float overflows.
        return min(self.max_delay, self.base_delay * 2.0 ** min(excess, 30))

    def failed(self, address: str) -> None:
        """Note a bad token from an address."""
        if address not in self._failures and len(self._failures) >= self.max_addresses:
            self._prune()
        failures = self._recent(address)
        failures.append(self.clock())
        self._failures[address] = failures
        if len(failures) == self.free:
            self._note(address)

    def _note(self, address: str) -> None:
        """One log line per address and window when it starts being slowed down."""
        now = self.clock()
        if now - self._logged.get(address, -self.window) < self.window:
            return
        if len(self._logged) >= self.max_addresses:
            self._logged = {a: t for a, t in self._logged.items() if now - t < self.window}
            while len(self._logged) >= self.max_addresses:
                del self._logged[next(iter(self._logged))]
        self._logged[address] = now
        log.warning(
            "feeds: %s sent %d bad tokens within %.0f s; slowing it down",
            address,
            self.free,
            self.window,
        )

    def _prune(self) -> None:
        """Forget addresses with no recent failure; when all are recent, the oldest ones."""
        for address in list(self._failures):
            if not self._recent(address):
                del self._failures[address]
        while len(self._failures) >= self.max_addresses:
            del self._failures[next(iter(self._failures))]

    @asynccontextmanager
    async def admit(self, address: str) -> AsyncIterator[bool]:
        """Hold one of the address's request slots; False when a slowed address has too many."""
        gate = self._gates.get(address)
        if gate is None:
            gate = self._gates[address] = _Gate(asyncio.Semaphore(self.in_flight))
        if gate.users >= self.in_flight + self.waiting and self.blocked(address):
            yield False
            return
        gate.users += 1
        try:
            async with gate.slots:
                gate.running += 1
                gate.busiest = max(gate.busiest, gate.running)
                try:
                    yield True
                finally:
                    gate.running -= 1
        finally:
            gate.users -= 1
            if gate.users == 0:
                del self._gates[address]
