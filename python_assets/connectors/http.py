"""One HTTP session with the retry policy every connector shares.

Retries 429 (honouring Retry-After), 5xx, connection errors and timeouts with capped exponential backoff and
jitter, and a 403 that says it is a rate limit (`x-ratelimit-remaining: 0` or a Retry-After, as GitHub answers):
after Retry-After, else until `x-ratelimit-reset`, never longer than the policy's max delay; counts retries so the
caller can log them per batch. Secrets never reach a log line: request bodies and headers are not logged, and URLs
are logged without their query string.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

log = logging.getLogger(__name__)

RETRY_STATUS = {429, 500, 502, 503, 504}


class PullFailed(RuntimeError):
    """A request failed permanently (after retries, or with a status that retrying cannot fix). `status` is the
    last HTTP status when there was one (410 on an expired Graph delta token, say)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    timeout_s: float = 30.0


@dataclass
class CallStats:
    """Counts for one batch of requests, for structured run logs and the ingest_batches table."""

    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, requests_: int, retries: int, seconds: float) -> None:
        with self._lock:
            self.requests += requests_
            self.retries += retries
            self.seconds += seconds


def safe_url(url: str) -> str:
    """The URL without query or credentials: query strings can carry tokens."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}{parts.path}"


def _retry_after_seconds(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After") or resp.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _ratelimit_reset_seconds(resp: requests.Response) -> float | None:
    """Seconds until `x-ratelimit-reset` (epoch seconds, GitHub's header), when the answer carries one."""
    try:
        return max(0.0, float(resp.headers["x-ratelimit-reset"]) - time.time())
    except (KeyError, TypeError, ValueError):
        return None


def rate_limited(resp: requests.Response) -> bool:
    """A throttled answer: 429, or a 403 that says it is a rate limit (a plain 403 is a permission error)."""
    if resp.status_code == 429:
        return True
    return resp.status_code == 403 and (resp.headers.get("x-ratelimit-remaining") == "0"
                                        or _retry_after_seconds(resp) is not None)


def request_fingerprint(method: str, url: str, body: dict | None, secret_fields: tuple[str, ...] = ()) -> str:
    """What was asked, as a stable id: method, path, query and body minus secrets. The host is left out, so the
    same request to another address of the same API (a local fake's random port) keeps its id."""
    public = {k: v for k, v in (body or {}).items() if k not in secret_fields}
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    text = f"{method} {target} {json.dumps(public, sort_keys=True, default=str)}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, text))


def served_at(resp: requests.Response) -> datetime:
    """When the server produced the response (its Date header), else now: the pull time bronze records."""
    try:
        return parsedate_to_datetime(resp.headers["Date"]).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        return datetime.now(UTC)


class HttpClient:
    """A thread-safe wrapper over a pooled `requests.Session`; one per connector instance."""

    def __init__(self, policy: RetryPolicy | None = None, headers: dict[str, str] | None = None,
                 pool_size: int = 8) -> None:
        self.policy = policy or RetryPolicy()
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        if headers:
            self.session.headers.update(headers)

    def request(self, method: str, url: str, stats: CallStats | None = None, secret_fields: tuple[str, ...] = (),
                **kwargs) -> tuple[requests.Response, str]:
        """Send with retries; return the final successful response and a request id for lineage.

        The id is derived from what was asked (method, URL, body less `secret_fields`), so the same pull asked
        twice carries the same id and a re-run leaves bronze unchanged."""
        request_id = request_fingerprint(method, url, kwargs.get("json"), secret_fields)
        policy = self.policy
        started = time.monotonic()
        retries = 0
        last_error = ""
        resp: requests.Response | None = None
        for attempt in range(1, policy.max_attempts + 1):
            wait: float | None = None
            try:
                resp = self.session.request(method, url, timeout=policy.timeout_s, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                resp = None
                last_error = f"{type(exc).__name__}"
            else:
                if resp.status_code < 400:
                    if stats is not None:
                        stats.add(1, retries, time.monotonic() - started)
                    return resp, request_id
                last_error = f"HTTP {resp.status_code}"
                throttled = rate_limited(resp)
                if resp.status_code not in RETRY_STATUS and not throttled:
                    # Not retryable (auth, bad request): say what the server said, briefly.
                    last_error += f" {resp.text[:200].strip()}" if resp.text else ""
                    break
                wait = _retry_after_seconds(resp)
                if throttled:
                    last_error += " (rate limited)"
                    if wait is None:
                        wait = _ratelimit_reset_seconds(resp)
            if attempt == policy.max_attempts:
                break
            if wait is None:
                wait = min(policy.max_delay_s, policy.base_delay_s * 2 ** (attempt - 1))
                wait *= 0.5 + random.random() / 2
            retries += 1
            log.warning("retry %s %s after %s (attempt %d, waiting %.2fs)", method, safe_url(url), last_error,
                        attempt, wait)
            time.sleep(min(wait, policy.max_delay_s))
        if stats is not None:
            stats.add(1, retries, time.monotonic() - started)
        raise PullFailed(f"{method} {safe_url(url)} failed after {retries + 1} attempt(s): {last_error}",
                         status=resp.status_code if resp is not None else None)
