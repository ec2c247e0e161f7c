"""The request a simulation routes, and a parser for a pasted ``curl`` command."""

from __future__ import annotations

import shlex
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, Field

__all__ = ["CurlParseError", "SimulatedRequest", "from_curl"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# curl options that take a value we do not use (so the value is not read as the URL).
_VALUE_OPTIONS = frozenset(
    {
        "-o",
        "--output",
        "-u",
        "--user",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-x",
        "--proxy",
        "--cacert",
        "--cert",
        "--key",
        "-w",
        "--write-out",
        "-T",
        "--upload-file",
        "--retry",
        "-r",
        "--range",
        "-K",
        "--config",
        "--resolve",
        "--connect-to",
        "--limit-rate",
        "-y",
        "-Y",
        "--interface",
        "--unix-socket",
    }
)
_DATA_OPTIONS = frozenset(
    {
        "-d",
        "--data",
        "--data-raw",
        "--data-binary",
        "--data-ascii",
        "--data-urlencode",
        "-F",
        "--form",
        "--json",
    }
)


class CurlParseError(ValueError):
    """A curl command the parser cannot turn into a request; the message says why."""


class SimulatedRequest(BaseModel):
    """One request as a client sends it to a Gateway.

    ``headers`` are case-insensitive (kept as given, compared lower-cased; repeated headers
    joined with ``", "``). ``query`` holds every value of each parameter in order.
    ``protocol="grpc"`` routes against GRPCRoutes, with ``path`` ``/{service}/{method}``.
    ``gateway`` (``namespace/name``) picks one Gateway when several listen on the port.
    """

    method: str = "GET"
    scheme: Literal["http", "https"] = "http"
    host: str
    port: int | None = None
    path: str = "/"
    headers: dict[str, str] = Field(default_factory=dict)
    query: dict[str, list[str]] = Field(default_factory=dict)
    protocol: Literal["http", "grpc"] = "http"
    gateway: str | None = None

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else _DEFAULT_PORTS[self.scheme]

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    @classmethod
    def from_url(cls, url: str, **fields: object) -> SimulatedRequest:
        """A request for ``url`` (scheme, host, port, path and query taken from it)."""
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS:
            raise CurlParseError(f"URL {url!r}: scheme must be http or https")
        if not parts.hostname:
            raise CurlParseError(f"URL {url!r} has no host")
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        headers = dict(fields.pop("headers", {}) or {})  # type: ignore[call-overload]
        if not any(k.lower() == "host" for k in headers):
            headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
        return cls.model_validate(
            {
                "scheme": parts.scheme,
                "host": parts.hostname,
                "port": parts.port,
                "path": parts.path or "/",
                "query": query,
                "headers": headers,
                **fields,
            }
        )


def from_curl(text: str) -> SimulatedRequest:
    """Parse a pasted curl command (``curl -X POST -H 'k: v' https://host/path?q=1``).

    Understands ``-X/--request``, ``-H/--header`` (a ``Host`` header overrides the URL's host
    for routing, as with ``curl --resolve``-style testing), ``-I/--head``, data options (which
    make the default method POST), ``-G/--get`` (data goes to the query), ``--url``, line
    continuations and ``-k``/``-s``-style flags. Anything unparseable raises
    :class:`CurlParseError` with the reason.
    """
    try:
        tokens = shlex.split(text.replace("\\\r\n", " ").replace("\\\n", " "))
    except ValueError as exc:
        raise CurlParseError(f"cannot split the command: {exc}") from exc
    if not tokens or tokens[0].rsplit("/", 1)[-1] != "curl":
        raise CurlParseError("the command must start with curl")
    method: str | None = None
    headers: dict[str, str] = {}
    data: list[str] = []
    url: str | None = None
    to_query = head = False
    index = 1
    while index < len(tokens):
        token = tokens[index]
        value = tokens[index + 1] if index + 1 < len(tokens) else None
        name, _, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        takes = name in ("-X", "--request", "-H", "--header", "--url") or name in _DATA_OPTIONS
        if token.startswith("-X") and len(token) > 2:
            name, inline = "-X", token[2:]
        elif token.startswith("-H") and len(token) > 2:
            name, inline = "-H", token[2:]
        if (takes or name in _VALUE_OPTIONS) and not inline:
            if value is None:
                raise CurlParseError(f"option {name} needs a value")
            inline = value
            index += 1
        index += 1
        if name in ("-X", "--request"):
            method = inline.upper()
        elif name in ("-H", "--header"):
            key, sep, val = inline.partition(":")
            if not sep or not key.strip():
                raise CurlParseError(f"header {inline!r} is not 'Name: value'")
            key, val = key.strip(), val.strip()
            previous = next((k for k in headers if k.lower() == key.lower()), None)
            if previous is not None:
                headers[previous] = f"{headers[previous]}, {val}"
            else:
                headers[key] = val
        elif name in _DATA_OPTIONS:
            data.append(inline)
            if name == "--json":
                headers.setdefault("Content-Type", "application/json")
        elif name in ("-G", "--get"):
            to_query = True
        elif name in ("-I", "--head"):
            head = True
        elif name == "--url":
            url = inline
        elif name.startswith("-") and name not in _VALUE_OPTIONS:
            continue  # flags such as -k, -s, -v, -L, --compressed
        elif not name.startswith("-"):
            if url is not None:
                raise CurlParseError(f"more than one URL: {url!r} and {name!r}")
            url = name
    if url is None:
        raise CurlParseError("no URL in the command")
    if "://" not in url:
        url = f"http://{url}"
    if to_query and data:
        url = f"{url}{'&' if '?' in url else '?'}{'&'.join(data)}"
    default = "HEAD" if head else "POST" if data and not to_query else "GET"
    protocol = (
        "grpc"
        if (
            next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            .lower()
            .startswith("application/grpc")
        )
        else "http"
    )
    request = SimulatedRequest.from_url(
        url, method=method or default, headers=headers, protocol=protocol
    )
    host_header = request.header("host")
    if host_header:
        request.host = host_header.rsplit(":", 1)[0] if "]" not in host_header else host_header
    return request
