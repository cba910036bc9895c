"""A version of the data: a number that moves after every committed write.

What is costly to compute and the same for many readers (the follow-up board of a province
is read by its head, its leads and their deputies, each a few times an hour) can be kept
while this version holds (:mod:`inspect_app.page_cache`). Every write transaction bumps it
once it has committed (:func:`inspect_app.db.write_transaction`), so a reader that takes the
version *before* reading the data never keeps data older than the version it keeps it
under: a write committed before that read bumps the version after it, and the next reader
computes again.

With Redis the number lives there (INCR), shared by every web process and worker on every
host; without Redis (the embedded setup) it is this process's own, and so are its jobs
(several web processes without Redis could not share it: nothing is reused then, see
``WEB_WORKERS``). A bump that cannot reach Redis is sent when it answers again. Writes made
around the app (a database console, a restore, a command-line run without Redis) are not
seen: kept pages live at most ``PAGE_CACHE_SECONDS``, kept principals
``PRINCIPAL_CACHE_SECONDS``. When Redis does not answer, :func:`current` answers None and
nothing is reused until it does.

Reading the version from Redis on every request cost more than the rest of a kept answer
(about 200 µs of CPU of the ~500 µs of the API's case, docs/performance.md). So a web
process *watches* it instead (:class:`Watch`, started by the app's lifespan): each bump
publishes the new number on a channel in the same Lua script that moves it, and the watch
takes it from there, so a request reads the version from memory. A request still asks Redis
when the watch is not subscribed, or when no round trip sent within the current
subscription has confirmed the number in the last ``VERIFY_S`` (1 s). A write in this
process is seen at once; a write in another process as soon as its message has arrived
(well under a millisecond on one network: a request that comes in that moment still sees
the old version), and if the message is lost or the subscription dies unnoticed, at most
``VERIFY_S`` after the write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar, Token
from typing import Any, Generic, TypeVar, cast

from redis.asyncio import Redis

from inspect_app import job_queue
from inspect_app.settings import get_settings

log = logging.getLogger(__name__)

KEY = "inspect:data-version"
# Names the life of KEY: a Redis that lost the counter (restarted without persistence,
# flushed, restored) starts a new epoch, so no old number can come back and match a part
# kept before.
EPOCH_KEY = "inspect:data-version-epoch"
TIMEOUT_S = 0.5
# How long a version learnt from the channel is trusted before Redis is asked again.
VERIFY_S = 1.0

# The counter and its epoch live or die together: when either key is missing (a flush, an
# eviction, a restart without persistence, a partial restore) a new epoch begins, so a
# counter that starts again from 0 can never repeat a number of the old one. Both scripts
# below start with this.
_EPOCH_GUARD = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], 0)
  redis.call('SET', KEYS[2], ARGV[1])
elseif redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], ARGV[1])
end
"""
# A read: the epoch and the number.
_READ_SCRIPT = (
    _EPOCH_GUARD
    + """
return {redis.call('GET', KEYS[2]), redis.call('GET', KEYS[1])}
"""
)
# A bump: move the counter and tell the watching processes the new version, in one step so
# that the messages come in the counter's order.
_BUMP_SCRIPT = (
    _EPOCH_GUARD
    + """
local value = redis.call('INCRBY', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], redis.call('GET', KEYS[2]) .. ' ' .. value)
return value
"""
)

# (epoch, shared counter, this process's counter).
Version = tuple[str, int, int]

# Without Redis: this process's own epoch.
_PROCESS_EPOCH = secrets.token_hex(8)
_local = 0
# Bumps that could not reach Redis: sent with the next successful contact.
_pending = 0
_down_until = 0.0


def _redis_usable() -> bool:
    return time.monotonic() >= _down_until


def _redis_failed(exc: BaseException) -> None:
    global _down_until
    if _redis_usable():
        log.warning("data version: Redis unavailable (%r); pages are computed afresh", exc)
    _down_until = time.monotonic() + job_queue.BACKOFF_S


# Within one request the version is read once (the principal and a kept page both ask):
# (this process's counter when read, the version). A write of the request itself moves the
# counter, and the version is read again after it.
_read: ContextVar[tuple[int, Version | None] | None] = ContextVar("data_version_read", default=None)


def begin_request() -> Token[tuple[int, Version | None] | None]:
    """Forget the version read by an earlier request of this context (middleware)."""
    return _read.set(None)


def end_request(token: Token[tuple[int, Version | None] | None]) -> None:
    """Undo :func:`begin_request`."""
    _read.reset(token)


async def current() -> Version | None:
    """The version now; None when it cannot be known (then nothing may be reused)."""
    seen = _read.get()
    if seen is not None and seen[0] == _local:
        return seen[1]
    watch = _watch_of_this_loop()
    if watch is None:
        version = await _fetch()
    else:
        version = watch.version()
        if version is None:
            version = await watch.confirm()
    _read.set((_local, version))
    return version


async def _fetch() -> Version | None:
    settings = get_settings()
    url = settings.redis_url
    if not url:
        # Several web processes without Redis could not tell each other of a write.
        return (_PROCESS_EPOCH, 0, _local) if settings.web_workers <= 1 else None
    if not _redis_usable():
        return None
    try:
        pool = await job_queue.redis_pool(url)
        await _send_pending(pool)
        read = pool.eval(_READ_SCRIPT, 2, KEY, EPOCH_KEY, secrets.token_hex(8))
        epoch, value = await asyncio.wait_for(cast(Awaitable[list[Any]], read), TIMEOUT_S)
    except Exception as exc:  # redis-py raises its own ConnectionError/TimeoutError types
        _redis_failed(exc)
        return None
    name = epoch.decode() if isinstance(epoch, bytes) else str(epoch)
    return (name, int(value), _local)


def channel(redis: Redis) -> str:
    """The channel of the version's moves: one per Redis database, as the counter is."""
    return f"{KEY}:moved:{redis.connection_pool.connection_kwargs.get('db', 0)}"


async def move(redis: Redis, count: int = 1) -> None:
    """The Redis side of a bump: move the shared number and tell the watching processes."""
    moved = redis.eval(
        _BUMP_SCRIPT, 2, KEY, EPOCH_KEY, secrets.token_hex(8), str(count), channel(redis)
    )
    await cast(Awaitable[str], moved)


async def _send_pending(pool: Redis) -> None:
    global _pending
    if _pending:
        count, _pending = _pending, 0
        try:
            await asyncio.wait_for(move(pool, count), TIMEOUT_S)
        except BaseException:
            _pending += count
            raise


async def bump() -> None:
    """Move the version on: call after a write has committed, never before."""
    global _local, _pending
    _local += 1
    url = get_settings().redis_url
    if not url:
        return
    # Counted first: a bump that does not reach Redis now (down, slow, or this request
    # cancelled) is sent with the next successful contact of this process.
    _pending += 1
    if not _redis_usable():
        return
    try:
        await _send_pending(await job_queue.redis_pool(url))
    except Exception as exc:
        _redis_failed(exc)


class Watch:
    """This process's subscription to the version's moves (one per event loop).

    :meth:`version` answers from memory while the subscription holds and a round trip to
    Redis confirmed the epoch less than ``VERIFY_S`` ago; else None, and the caller asks
    Redis (:func:`current`), whose answer confirms the watch again (:meth:`checked`).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.users = 1  # apps of this event loop that started it (stop_watch counts down)
        self.epoch: str | None = None
        self.value = 0
        self.subscribed = False
        # Counts the subscriptions made: a round trip confirms only the one it was sent in.
        self.generation = 0
        self.confirmed_at = float("-inf")
        self._confirming: asyncio.Task[Version | None] | None = None
        self.clock: Callable[[], float] = time.monotonic  # tests move it
        # A connection of its own, held while subscribed, closed with the watch.
        self.client: Redis = Redis.from_url(url, socket_connect_timeout=TIMEOUT_S)
        self.task = asyncio.ensure_future(self._listen())

    def version(self) -> Version | None:
        """The version now, from the channel; None when Redis must be asked."""
        if not self.subscribed or self.epoch is None:
            return None
        if self.clock() - self.confirmed_at > VERIFY_S:
            return None
        return (self.epoch, self.value, _local)

    async def confirm(self) -> Version | None:
        """Ask Redis (one round trip at a time: the requests that come meanwhile wait for
        it, rather than each sending its own when the confirmation runs out under load);
        the version then, or None when Redis cannot be read."""
        if self._confirming is None:
            self._confirming = asyncio.ensure_future(self._confirm_once())
            self._confirming.add_done_callback(self._confirmed)
        fetched = await asyncio.shield(self._confirming)
        # With what was heard meanwhile (a move while the answer was on its way), and with
        # this process's counter as it is now: a caller who joined a round trip sent before
        # a write of this process must not get the number from before that write.
        if fetched is None:
            return None
        return self.version() or (fetched[0], fetched[1], _local)

    async def _confirm_once(self) -> Version | None:
        # What the watch may take from this round trip is decided before it is sent.
        ticket = self.ticket()
        version = await _fetch()
        if version is not None:
            self.checked(version[0], version[1], ticket)
        return version

    def _confirmed(self, task: asyncio.Task[Version | None]) -> None:
        self._confirming = None
        if not task.cancelled():
            task.exception()  # seen by every waiter; marked retrieved if nobody waited

    def ticket(self) -> tuple[int, float] | None:
        """Taken before a round trip is sent: the subscription it was sent in, and when
        (None when not subscribed: nothing heard then is known to be complete)."""
        return (self.generation, self.clock()) if self.subscribed else None

    def checked(self, epoch: str, value: int, ticket: tuple[int, float] | None) -> None:
        """What a round trip read: it decides the epoch; the number never goes back. It
        vouches for the watch from the moment it was sent, and only if the subscription it
        was sent in still holds: a move made before that could have been missed."""
        if ticket is None or not self.subscribed or ticket[0] != self.generation:
            return
        if epoch != self.epoch:
            self.epoch, self.value = epoch, value
        else:
            self.value = max(self.value, value)
        self.confirmed_at = max(self.confirmed_at, ticket[1])

    def moved(self, payload: bytes | str) -> None:
        """A bump's message: "<epoch> <value>". One of another epoch means Redis began a
        new one: the next request asks it (a round trip alone decides the epoch)."""
        text = payload.decode() if isinstance(payload, bytes) else payload
        epoch, _, value = text.partition(" ")
        if epoch != self.epoch:
            self.confirmed_at = float("-inf")
        elif value.isdigit():
            self.value = max(self.value, int(value))

    async def _listen(self) -> None:
        warned = False
        while True:
            try:
                async with self.client.pubsub() as pubsub:
                    await pubsub.subscribe(channel(self.client))
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            # Moves from now on are heard; the next request confirms the
                            # epoch and the number with a round trip.
                            self.confirmed_at = float("-inf")
                            self.generation += 1
                            self.subscribed = True
                            warned = False
                        elif message["type"] == "message":
                            self.moved(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # redis-py raises its own connection error types
                if not warned:
                    log.warning("data version: not watching Redis (%r); asking it instead", exc)
                    warned = True
            finally:
                self.subscribed = False
            await asyncio.sleep(job_queue.BACKOFF_S)

    async def stop(self) -> None:
        """Unsubscribe, end the task and close the watch's connection (even one that the
        task was still opening)."""
        self.subscribed = False
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.client.aclose(close_connection_pool=True)


_watches: dict[asyncio.AbstractEventLoop, Watch] = {}


def _watch_of_this_loop() -> Watch | None:
    try:
        return _watches.get(asyncio.get_running_loop())
    except RuntimeError:
        return None


def start_watch() -> Watch | None:
    """Watch the version from this event loop on (app start-up; without Redis: nothing)."""
    url = get_settings().redis_url
    if not url:
        return None
    loop = asyncio.get_running_loop()
    watch = _watches.get(loop)
    if watch is None:
        watch = _watches[loop] = Watch(url)
    else:
        watch.users += 1
    return watch


async def stop_watch() -> None:
    """Stop this event loop's watch once the last app that started it stops (shutdown)."""
    loop = asyncio.get_running_loop()
    watch = _watches.get(loop)
    if watch is None:
        return
    watch.users -= 1
    if watch.users <= 0:
        del _watches[loop]
        await watch.stop()


V = TypeVar("V")


class KeptByVersion(Generic[V]):
    """Values kept per process under the version they were made under, each at most
    ``max_age`` seconds, the oldest out first once their weights pass ``max_weight``.

    The one store of what is kept between requests: rendered page parts (weighed in bytes,
    :mod:`inspect_app.page_cache`) and who is asking (weighed one each,
    :mod:`inspect_app.services.identity`), the menu's counts and the lists' counts per
    status (:mod:`inspect_app.services.menu`, :mod:`inspect_app.services.cases.queries`).
    """

    def __init__(self, max_weight: int, weigh: Callable[[V], int] = lambda _: 1) -> None:
        self.max_weight = max_weight
        self.weigh = weigh
        self.weight = 0
        self.entries: OrderedDict[Hashable, tuple[Version, float, V]] = OrderedDict()
        self.clock: Callable[[], float] = time.monotonic  # tests move it
        # What through() is computing, by (key, version); and how often it found a value.
        self._running: dict[tuple[Hashable, Version], asyncio.Task[V]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, version: Version | None, max_age: float) -> tuple[bool, V | None]:
        """(True, value) when ``key`` was kept under ``version`` less than ``max_age`` ago."""
        entry = self.entries.get(key)
        if version is None or entry is None or entry[0] != version:
            return False, None
        if self.clock() - entry[1] > max_age:
            return False, None
        self.entries.move_to_end(key)
        return True, entry[2]

    def put(self, key: Hashable, version: Version | None, value: V) -> None:
        """Keep ``value`` under ``version`` (nothing without a version, or too heavy)."""
        self.drop(key)
        weight = self.weigh(value)
        if version is None or weight > self.max_weight:
            return
        self.entries[key] = (version, self.clock(), value)
        self.weight += weight
        while self.weight > self.max_weight:
            _, (_, _, oldest) = self.entries.popitem(last=False)
            self.weight -= self.weigh(oldest)

    def drop(self, key: Hashable) -> None:
        """Forget ``key``."""
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.weight -= self.weigh(entry[2])

    def clear(self) -> None:
        """Forget everything (and the counts of hits and misses)."""
        self.entries.clear()
        self.weight = 0
        self.hits = self.misses = 0

    async def through(
        self, key: Hashable, max_age: float, compute: Callable[[], Awaitable[V]]
    ) -> V:
        """The value kept for ``key`` under the current version, else ``compute()``, kept
        for the next caller (the version is read before it runs). Callers who ask while it
        runs wait for that run rather than computing it again (after a write, every reader
        of a busy page would otherwise make it at once); it runs as a task of its own, so a
        caller who goes away does not cancel it for the others, and a failure reaches every
        waiter and keeps nothing. Nothing is kept when ``max_age`` is 0 or the version
        cannot be read."""
        version = await current() if max_age > 0 else None
        if version is None:
            self.misses += 1
            return await compute()
        found, value = self.get(key, version, max_age)
        if found:
            self.hits += 1
            return cast(V, value)
        task = self._running.get((key, version))
        if task is None:
            self.misses += 1
            task = asyncio.ensure_future(self._compute_and_keep(key, version, compute))
            self._running[(key, version)] = task
            task.add_done_callback(lambda done: self._finished(key, version, done))
        else:
            self.hits += 1
        return await asyncio.shield(task)

    async def _compute_and_keep(
        self, key: Hashable, version: Version, compute: Callable[[], Awaitable[V]]
    ) -> V:
        value = await compute()
        self.put(key, version, value)
        return value

    def _finished(self, key: Hashable, version: Version, task: asyncio.Task[V]) -> None:
        self._running.pop((key, version), None)
        if not task.cancelled():
            task.exception()  # seen by every waiter; marked retrieved if nobody waited
