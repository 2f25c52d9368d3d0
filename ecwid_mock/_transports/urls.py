"""A URL as httpx would send it (percent-encoding, IDNA, dot segments), without importing httpx.

The network engine needs only the request target and the Host header of a webhook URL; httpx
itself costs about 17 MB of memory to import (benchmarks/run.py --row P8). These are httpx's
own rules (``httpx/_urlparse.py``: the WHATWG percent-encode sets of RFC 3986's components), and a
property test checks that both give the same bytes for any URL.
"""

from __future__ import annotations

import ipaddress
import re

__all__ = ["host_header", "normalise"]

_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_SUB_DELIMS = "!$&'()*+,;="
_QUERY_SAFE = "".join(chr(i) for i in range(0x20, 0x7F) if i not in (0x20, 0x22, 0x23, 0x3C, 0x3E))
_PATH_SAFE = "".join(c for c in _QUERY_SAFE if c not in "?`{}")
_HOST_SAFE = _SUB_DELIMS + '"`{}%|\\'
_ESCAPE = re.compile("%[A-Fa-f0-9]{2}")
_URL = re.compile(r"(?:(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*):)?(?://(?P<authority>[^/?#]*))?"
                  r"(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#.*)?")  # fmt: skip
_AUTHORITY = re.compile(r"(?:.*@)?(?P<host>\[[^\]]*\]|[^:]*)(?::(?P<port>.*))?")
_IPV4 = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _encoded(text: str, safe: str) -> str:
    keep = _UNRESERVED + safe
    if not text.rstrip(keep):
        return text
    return "".join(c if c in keep else "".join(f"%{b:02X}" for b in c.encode()) for c in text)


def _quote(text: str, safe: str) -> str:
    """Percent-encode ``text``, keeping ``%XX`` escapes that are already there."""
    parts, position = [], 0
    for match in _ESCAPE.finditer(text):
        parts.append(_encoded(text[position : match.start()], safe))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_encoded(text[position:], safe))
    return "".join(parts)


def _dot_segments(path: str) -> str:
    if "." not in path:
        return path
    components = path.split("/")
    if "." not in components and ".." not in components:
        return path
    output: list[str] = []
    for component in components:
        if component == ".":
            continue
        if component == "..":
            if output and output != [""]:
                output.pop()
        else:
            output.append(component)
    return "/".join(output)


def _host(host: str) -> str:
    if _IPV4.match(host):
        ipaddress.IPv4Address(host)  # refuses what httpx refuses
        return host
    if host.startswith("[") and host.endswith("]"):
        ipaddress.IPv6Address(host[1:-1])
        return host[1:-1]
    if host.isascii():
        return _quote(host.lower(), _HOST_SAFE)
    import idna

    return str(idna.encode(host.lower()).decode("ascii"))


def normalise(url: str) -> tuple[str, str, int, str, str]:
    """(scheme, host for connecting, port, Host header, request target) as httpx sends them."""
    match = _URL.match(url)
    assert match is not None  # the pattern matches any string
    given_scheme = match["scheme"] or ""
    scheme = given_scheme.lower()
    authority = _AUTHORITY.match(match["authority"] or "")
    assert authority is not None
    host = _host(authority["host"] or "")
    port_text = authority["port"]
    port = int(port_text) if port_text else None
    if port == _DEFAULT_PORTS.get(given_scheme):  # as httpx: the scheme as written decides
        port = None
    path = _quote(_dot_segments(match["path"] or ""), _PATH_SAFE) or "/"
    query = match["query"]
    target = path if query is None else f"{path}?{_quote(query, _QUERY_SAFE)}"
    return scheme, host, port or _DEFAULT_PORTS.get(scheme, 443), host_header(host, port), target


def host_header(host: str, port: int | None) -> str:
    """``host[:port]`` as the Host header has it: IPv6 in brackets, a port only if not default."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port is None else f"{shown}:{port}"
