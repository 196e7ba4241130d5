"""Values read from the store, kept while the store's version (`Store.version`) stays the same.

Read the version before reading the value: a write that commits in between then makes the value
newer than its version, which costs one more read later, never a stale answer.
"""

import asyncio
import threading
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class VersionedCache(Generic[Value]):
    def __init__(self, capacity: int = 1024) -> None:
        self._capacity = capacity
        self._kept: dict[Hashable, tuple[Hashable, Value]] = {}
        self._lock = threading.Lock()
        self._reading: dict[tuple[int, Hashable, Hashable], asyncio.Future[Value | None]] = {}

    def get(self, key: Hashable, version: Hashable) -> Value | None:
        found = self._kept.get(key)
        if found is None or found[0] != version:
            return None
        return found[1]

    def put(self, key: Hashable, version: Hashable, value: Value) -> None:
        with self._lock:
            if len(self._kept) >= self._capacity and key not in self._kept:
                self._kept.clear()  # Rare (a client cycling through many keys), and always safe.
            self._kept[key] = (version, value)

    async def read_through(self, key: Hashable, version: Hashable, read: Callable[[], Awaitable[Value | None]]) -> Value | None:
        """The value kept for `key` at `version`, else what `read` returns (kept unless None).
        Requests that miss together wait for one read rather than each making their own; if that
        one fails or finds nothing to keep, each makes its own."""
        found = self.get(key, version)
        if found is not None:
            return found
        loop = asyncio.get_running_loop()
        flight = (id(loop), key, version)
        leader = self._reading.get(flight)
        if leader is not None:
            shared = await asyncio.shield(leader)
            if shared is not None:
                return shared
            return await read()
        self._reading[flight] = future = loop.create_future()
        value = None
        try:
            value = await read()
            if value is not None:
                self.put(key, version, value)
            return value
        finally:
            del self._reading[flight]
            future.set_result(value)
