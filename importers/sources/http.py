"""A small JSON-over-HTTP client for the API sources (Zammad, Zendesk).

It knows what both helpdesks' APIs do under load: they answer 429 with a
``Retry-After`` header (seconds, or an HTTP date) when the caller is too fast,
and now and then a 5xx or a dropped connection. The client waits and tries
again, a bounded number of times, and keeps a record of how long it waited
(the import report shows it; the tests check it).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import requests


class SourceHTTPError(Exception):
    """The source's API could not be read (after the retries)."""


@dataclass
class Download:
    content: bytes
    content_type: str
    too_large: bool = False


@dataclass
class JsonApi:
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    auth: tuple[str, str] | None = None
    timeout: float = 30
    max_retries: int = 5
    max_wait: float = 120
    sleep: Callable[[float], None] = time.sleep
    waited: list[float] = field(default_factory=list)
    requests_made: int = 0

    def __post_init__(self) -> None:
        if not self.base_url.endswith("/"):
            self.base_url += "/"
        self._session = requests.Session()
        self._session.headers.update({"Accept": "application/json", **self.headers})
        if self.auth:
            self._session.auth = self.auth

    def url(self, path_or_url: str) -> str:
        return urljoin(self.base_url, path_or_url.lstrip("/")) if "://" not in path_or_url else path_or_url

    def get(self, path_or_url: str, params: dict[str, Any] | None = None) -> Any:
        response = self._request(path_or_url, params=params)
        try:
            return response.json()
        except ValueError as exc:
            raise SourceHTTPError(f"{response.url}: the answer is not JSON") from exc

    def download(self, path_or_url: str, *, max_bytes: int) -> Download:
        """The bytes behind a URL, read at most ``max_bytes`` + 1 far."""
        response = self._request(path_or_url, stream=True)
        content_type = response.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                response.close()
                return Download(content=b"", content_type=content_type, too_large=True)
            chunks.append(chunk)
        return Download(content=b"".join(chunks), content_type=content_type)

    def _request(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        url = self.url(path_or_url)
        attempt = 0
        while True:
            attempt += 1
            self.requests_made += 1
            try:
                response = self._session.get(url, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                if attempt > self.max_retries:
                    raise SourceHTTPError(f"{url}: {exc}") from exc
                self._wait(min(2**attempt, self.max_wait))
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt > self.max_retries:
                    raise SourceHTTPError(f"{url}: HTTP {response.status_code} after {attempt} tries")
                wait = _retry_after(response.headers.get("Retry-After"))
                if wait is None:
                    wait = min(2**attempt, self.max_wait)
                response.close()
                self._wait(min(wait, self.max_wait))
                continue
            if response.status_code >= 400:
                detail = response.text[:200]
                raise SourceHTTPError(f"{url}: HTTP {response.status_code} {detail}")
            return response

    def _wait(self, seconds: float) -> None:
        self.waited.append(seconds)
        self.sleep(seconds)


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` is either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
