"""A polite HTTP fetcher for news pages: robots.txt, per-host pacing, retries, a size cap.

Politeness rules, each because a news site can (and will) block a careless crawler:

* a ``User-Agent`` that names visitrack, so site owners know who is calling;
* robots.txt honoured per host (RFC 9309: a missing robots.txt allows everything, an
  unreachable one forbids everything until it can be read), including ``Crawl-delay``;
* one request per host at a time (a per-host lock), at least ``min_delay`` seconds apart;
* retries with exponential backoff only for failures that may pass (5xx, 429, timeouts,
  dropped connections), never for 4xx;
* a size cap checked on ``Content-Length`` and again while streaming, so a video or a dump
  never fills memory.

Nothing here raises for one bad URL: :meth:`Fetcher.fetch` returns a :class:`FetchFailure`.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

import httpx

from visitrack import __version__
from visitrack.readers.decode import decode_body

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchFailure",
    "FetchResult",
    "Fetcher",
]

DEFAULT_USER_AGENT = f"visitrack/{__version__} (+https://github.com/visitrack; news research bot)"
# The product token robots.txt rules are matched against.
ROBOTS_AGENT = "visitrack"
# Seconds for connect and for each read; a news page that has sent nothing for this long is
# not going to.
DEFAULT_TIMEOUT_S = 15.0
# Attempts after the first one, for failures that may be transient.
DEFAULT_RETRIES = 3
# First backoff wait; doubled on each further retry (0.5, 1, 2 ...).
DEFAULT_BACKOFF_S = 0.5
# Longest single backoff wait, also the cap on a server's Retry-After we are willing to honour.
MAX_BACKOFF_S = 30.0
# Seconds between the starts of two requests to one host (a crawl-delay may ask for more).
DEFAULT_MIN_DELAY_S = 1.0
# A news article page is well under this; anything larger is not an article.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# robots.txt files beyond this are truncated (Google reads 500 KiB; the rest is ignored).
MAX_ROBOTS_BYTES = 512 * 1024
STREAM_CHUNK_BYTES = 64 * 1024
# Reasons that say the host itself could not be reached (as opposed to an HTTP answer).
_NETWORK_FAILURES = ("connection failed", "host name not found", "timed out")
# The robots.txt that forbids everything, for hosts whose real one cannot be read.
_DISALLOW_ALL = ("User-agent: *", "Disallow: /")

HTTP_OK = 200
HTTP_TOO_MANY_REQUESTS = 429
HTTP_SERVER_ERROR = 500

# Types a news article (or a feed) can come as; anything else (PDF, image, video) is refused.
TEXT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A page fetched with status 200: its final URL (after redirects), type and text."""

    url: str
    final_url: str
    content_type: str
    text: str
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchFailure:
    """Why a URL could not be fetched, worded for a person."""

    url: str
    reason: str


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Host:
    """Per-host state: the lock that serialises requests, pacing, and the parsed robots.txt."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_allowed = 0.0
        self.robots: urllib.robotparser.RobotFileParser | None = None
        self.robots_loaded = False
        # Why the host could not be reached when its robots.txt was asked for, if it could not.
        self.unreachable: str | None = None


class Fetcher:
    """Fetch pages politely; thread-safe, so several hosts can be fetched at once.

    Use as a context manager (or call :meth:`close`) to release the connection pool.
    ``transport`` lets tests plug in an ``httpx.MockTransport``; ``sleep`` and ``clock`` let
    them skip real waiting.
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = DEFAULT_TIMEOUT_S,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF_S,
        min_delay: float = DEFAULT_MIN_DELAY_S,
        max_bytes: int = DEFAULT_MAX_BYTES,
        respect_robots: bool = True,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user_agent = user_agent
        self.retries = retries
        self.backoff = backoff
        self.min_delay = min_delay
        self.max_bytes = max_bytes
        self.respect_robots = respect_robots
        self._sleep = sleep
        self._clock = clock
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml,*/*"},
            timeout=timeout,
            follow_redirects=True,
            transport=transport,
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    # --- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- public ---------------------------------------------------------------------------

    def fetch(self, url: str) -> FetchResult | FetchFailure:
        """Fetch one URL; never raises for a network or HTTP problem."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return FetchFailure(url, "not an http(s) URL")
        host = self._host(parts.scheme, parts.netloc)
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        with host.lock:
            if self.respect_robots:
                if not host.robots_loaded:
                    self._load_robots(host, origin)
                if host.unreachable is not None:
                    # RFC 9309 forbids fetching when robots.txt cannot be read, but the reason
                    # to report is the network's ("connection refused"), not robots.txt.
                    return FetchFailure(url, host.unreachable)
                if host.robots is not None and not host.robots.can_fetch(ROBOTS_AGENT, url):
                    return FetchFailure(url, "disallowed by robots.txt")
            return self._fetch_with_retries(host, url)

    # --- internals ------------------------------------------------------------------------

    def _host(self, scheme: str, netloc: str) -> _Host:
        key = f"{scheme}://{netloc.lower()}"
        with self._hosts_lock:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host()
            return host

    def _pace(self, host: _Host) -> None:
        # Called with the host lock held, so waiting here also holds back the host's queue.
        wait = host.next_allowed - self._clock()
        if wait > 0:
            self._sleep(wait)
        delay = self.min_delay
        if host.robots is not None:
            crawl_delay = host.robots.crawl_delay(ROBOTS_AGENT)
            if crawl_delay is not None:
                delay = max(delay, min(float(crawl_delay), MAX_BACKOFF_S))
        host.next_allowed = self._clock() + delay

    def _load_robots(self, host: _Host, origin: str) -> None:
        host.robots_loaded = True
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        result = self._fetch_with_retries(host, origin + "/robots.txt", robots=True)
        if isinstance(result, FetchResult):
            parser.parse(result.text.splitlines())
        elif result.reason.startswith(("HTTP 401", "HTTP 403")):
            # An access-protected robots.txt: urllib.robotparser's reading, no access at all.
            parser.parse(_DISALLOW_ALL)
        elif result.reason.startswith("HTTP 4"):
            # No robots.txt: everything is allowed.
            parser.parse([])
        else:
            # Unreachable (5xx, timeouts): RFC 9309 says assume complete disallow.
            parser.parse(_DISALLOW_ALL)
            if result.reason.startswith(_NETWORK_FAILURES):
                host.unreachable = result.reason
        host.robots = parser

    def _fetch_with_retries(
        self, host: _Host, url: str, *, robots: bool = False
    ) -> FetchResult | FetchFailure:
        attempt = 0
        while True:
            self._pace(host)
            try:
                return self._get(url, robots=robots)
            except _Refused as exc:
                return FetchFailure(url, exc.reason)
            except _Retryable as exc:
                if attempt >= self.retries:
                    tries = attempt + 1
                    return FetchFailure(url, f"{exc.reason} (after {tries} attempts)")
                wait = min(self.backoff * (2**attempt), MAX_BACKOFF_S)
                if exc.wait is not None:
                    wait = max(wait, min(exc.wait, MAX_BACKOFF_S))
                self._sleep(wait)
                attempt += 1

    def _get(self, url: str, *, robots: bool) -> FetchResult:
        limit = MAX_ROBOTS_BYTES if robots else self.max_bytes
        try:
            with self._client.stream("GET", url) as response:
                status = response.status_code
                if status == HTTP_TOO_MANY_REQUESTS or status >= HTTP_SERVER_ERROR:
                    raise _Retryable(f"HTTP {status}", _retry_after(response))
                if status != HTTP_OK:
                    raise _Refused(f"HTTP {status}")
                ctype, charset = _content_type(response.headers.get("content-type", ""))
                if not robots and ctype and ctype not in TEXT_TYPES:
                    raise _Refused(f"not a web page (content type {ctype})")
                declared = response.headers.get("content-length", "")
                if not robots and declared.isdigit() and int(declared) > limit:
                    raise _Refused(_too_large(limit))
                body = bytearray()
                for chunk in response.iter_bytes(STREAM_CHUNK_BYTES):
                    body += chunk
                    if len(body) > limit:
                        if robots:
                            del body[limit:]
                            break
                        raise _Refused(_too_large(limit))
                return FetchResult(
                    url=url,
                    final_url=str(response.url),
                    content_type=ctype,
                    text=decode_body(bytes(body), charset),
                    last_modified=response.headers.get("last-modified"),
                )
        except httpx.TimeoutException:
            raise _Retryable("timed out") from None
        except httpx.ConnectError as exc:
            if _name_not_found(exc):
                # The name does not exist (an .invalid host, a typo): asking again cannot help.
                raise _Refused(f"host name not found: {_os_message(exc)}") from None
            raise _Retryable(f"connection failed: {_os_message(exc)}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retryable(f"connection failed: {_os_message(exc)}") from None
        except httpx.TooManyRedirects:
            raise _Refused("too many redirects") from None
        except httpx.HTTPError as exc:
            raise _Refused(f"request failed ({type(exc).__name__}: {exc})") from None


_ERRNO_PREFIX_RE = re.compile(r"^\[Errno -?\d+\]\s*")


def _os_message(exc: Exception) -> str:
    """The OS's words for a connection error ("connection refused"), else the error's type."""
    text = _ERRNO_PREFIX_RE.sub("", str(exc).strip().splitlines()[0] if str(exc).strip() else "")
    return text.lower() or type(exc).__name__


def _name_not_found(exc: BaseException) -> bool:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        err = todo.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, socket.gaierror):
            return err.errno == socket.EAI_NONAME
        todo.extend([err.__cause__, err.__context__])
        todo.extend(a for a in err.args if isinstance(a, BaseException))
    return False


def _content_type(header: str) -> tuple[str, str | None]:
    msg = Message()
    msg["content-type"] = header or "application/octet-stream"
    ctype = msg.get_content_type().lower() if header else ""
    charset = msg.get_param("charset")
    return ctype, charset if isinstance(charset, str) else None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _too_large(limit: int) -> str:
    return f"page too large (over the {limit // 1024} KiB limit)"
