"""The ``Idempotency-Key`` cache (API_NOTES §1): replays, conflicts, expiry.

The first request with a key executes and its response is kept 30 minutes; a
retry with the same key gets it back with ``Idempotency-Replayed: true``; a
retry while the first is still running gets HTTP 409 ``IDEMPOTENCY_CONFLICT``.
Choices where monday documents nothing are written next to the code.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ordersync.sandbox.clock import Clock, SystemClock
from ordersync.sandbox.errors import MondayError


@dataclass(frozen=True)
class CachedResponse:
    """A response as sent: HTTP status, headers and the JSON body."""

    status: int
    headers: Mapping[str, str]
    body: Any


class KeyReuse(StrEnum):
    """What to do when a cached key comes back with a different request body."""

    REJECT = "reject"  # HTTP 422 IDEMPOTENCY_KEY_REUSED (the default)
    REPLAY = "replay"  # replay the first response anyway


@dataclass(frozen=True)
class IdempotencyPolicy:
    """The two behaviours monday leaves undocumented (API_NOTES §1), chosen per sandbox
    (``--faults "replay_errors=no,key_reuse=replay"`` or a faults table) so a client can
    be tested both ways — and whether the key is honoured at all.

    ``replay_errors``: whether a response carrying application errors (a refused value,
    a partly failed batch) is kept for replay (True, the default) or forgotten, so a
    retry with the same key executes again (False).  ``key_reuse``: what a cached key
    sent with another request body gets.  ``honour_keys``: False (``idempotency=ignore``)
    plays a server, or a proxy in front of one, that does not know the header: every
    request executes, a retry of an applied one too.
    """

    replay_errors: bool = True
    key_reuse: KeyReuse = KeyReuse.REJECT
    honour_keys: bool = True


def request_fingerprint(query: str, variables: Mapping[str, Any] | None = None) -> str:
    """A digest of the request body, to tell a retry from a reused key."""
    text = json.dumps({"query": query, "variables": variables or {}}, sort_keys=True,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class _Entry:
    fingerprint: str | None  # None: stored after its in-flight record was given up
    started_at: float
    response: CachedResponse | None = None
    stored_at: float = 0.0


class IdempotencyCache:
    """``Idempotency-Key`` handling for mutation requests (§1).

    Protocol: ``begin(key, fingerprint)`` returns a ``CachedResponse`` to replay
    (its headers carry ``Idempotency-Replayed: true``), raises HTTP 409
    ``IDEMPOTENCY_CONFLICT`` while the key is in flight, or returns ``None``: the
    caller executes, then calls ``finish`` with the response it built — even
    when a fault then drops that response, since the mutation *was* applied —
    or ``release`` when nothing was executed (rejected by a limit, a fault
    before execution), so that a retry runs.

    Choices where §1 says UNCERTAIN:
    - errors: by default what was executed is cached, whatever its outcome — a 200
      with application errors or a partly failed batch replays as it was (the
      aliases that succeeded must not run twice); with ``replay_errors=False`` a
      response with errors is forgotten and a retry executes again (``store``).
      What was not executed is never cached.
    - same key, different body: ``KeyReuse.REJECT`` → HTTP 422
      ``IDEMPOTENCY_KEY_REUSED`` (after the IETF idempotency-key draft); a client
      that passes the sandbox then never depends on monday's unknown behaviour.
    - the 30 minutes run from when the response is stored; an in-flight key
      that is never finished is given up after 60 s (monday's request timeout).
    - no limit on key length; the 409 carries ``retry_in_seconds`` as well as
      ``Retry-After`` (1 s), and its message is the sandbox's own.
    """

    def __init__(self, clock: Clock | None = None, *, ttl_seconds: float = 1800.0,
                 in_flight_timeout_seconds: float = 60.0, conflict_retry_seconds: int = 1,
                 on_key_reuse: KeyReuse = KeyReuse.REJECT, replay_errors: bool = True) -> None:
        self.clock: Clock = clock or SystemClock()
        self.replay_errors = replay_errors
        self.ttl_seconds = ttl_seconds
        self.in_flight_timeout_seconds = in_flight_timeout_seconds
        self.conflict_retry_seconds = conflict_retry_seconds
        self.on_key_reuse = on_key_reuse
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def begin(self, key: str, fingerprint: str) -> CachedResponse | None:
        if not key:
            raise ValueError("an empty Idempotency-Key is no key: treat it as absent")
        with self._lock:
            now = self.clock.now()
            self._purge(now)
            entry = self._entries.get(key)
            if entry is None:
                self._entries[key] = _Entry(fingerprint, now)
                return None
            if entry.response is None:
                raise MondayError(
                    "IDEMPOTENCY_CONFLICT",
                    "A request with this Idempotency-Key is already in progress",
                    http_status=409, retry_in_seconds=self.conflict_retry_seconds)
            if (entry.fingerprint not in (None, fingerprint)
                    and self.on_key_reuse is KeyReuse.REJECT):
                raise MondayError(
                    "IDEMPOTENCY_KEY_REUSED",
                    "This Idempotency-Key was already used with a different request body",
                    http_status=422)
            cached = entry.response
            return CachedResponse(cached.status,
                                  {**cached.headers, "Idempotency-Replayed": "true"},
                                  copy.deepcopy(cached.body))

    def finish(self, key: str, response: CachedResponse) -> None:
        """Store the response of an executed request under ``key``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:  # given up as abandoned meanwhile: still worth keeping
                entry = self._entries[key] = _Entry(None, self.clock.now())
            entry.response = CachedResponse(response.status, dict(response.headers),
                                            copy.deepcopy(response.body))
            entry.stored_at = self.clock.now()

    def store(self, key: str, response: CachedResponse, *, has_errors: bool) -> None:
        """``finish`` the key, or (``replay_errors`` off and errors in the response)
        forget it so that a retry executes again."""
        if has_errors and not self.replay_errors:
            with self._lock:
                self._entries.pop(key, None)
            return
        self.finish(key, response)

    def release(self, key: str) -> None:
        """Forget an in-flight key whose request was not executed."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.response is None:
                del self._entries[key]

    def __len__(self) -> int:
        with self._lock:
            self._purge(self.clock.now())
            return len(self._entries)

    def _purge(self, now: float) -> None:
        expired = [key for key, e in self._entries.items()
                   if (e.response is not None and now >= e.stored_at + self.ttl_seconds)
                   or (e.response is None
                       and now >= e.started_at + self.in_flight_timeout_seconds)]
        for key in expired:
            del self._entries[key]
