"""The engine's URL encoding is httpx's: the same request target and Host header, byte for byte."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecwid_mock._transports.urls import normalise

HOSTS = st.sampled_from(
    ["receiver.test", "Example.COM", "127.0.0.1", "[::1]", "b\u00fccher.example",
     "xn--bcher-kva.example", "\u4f8b\u3048.jp", "a-b.c-d.example"]
)  # fmt: skip
PORTS = st.sampled_from(["", ":443", ":80", ":8443", ":1024", ":65535"])
SEGMENT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="/?#"),
    max_size=12,
)
PATHS = st.lists(st.one_of(SEGMENT, st.sampled_from([".", "..", "%41", "%zz", "a b", "~x"])),
                 max_size=5).map(lambda parts: "/" + "/".join(parts))  # fmt: skip
QUERIES = st.one_of(
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="#"),
            max_size=20),
)  # fmt: skip


def httpx_view(url: str) -> tuple[str, str, int, str, str]:
    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return (
        parsed.scheme,
        parsed.raw_host.decode("ascii"),
        port,
        parsed.netloc.decode("ascii"),
        parsed.raw_path.decode("ascii"),
    )


@settings(max_examples=400, deadline=None)
@given(
    scheme=st.sampled_from(["https", "http", "HTTPS"]),
    host=HOSTS,
    port=PORTS,
    path=PATHS,
    query=QUERIES,
)
def test_any_url_is_encoded_as_httpx_encodes_it(
    scheme: str, host: str, port: str, path: str, query: str | None
) -> None:
    url = f"{scheme}://{host}{port}{path}" + ("" if query is None else f"?{query}")
    try:
        expected = httpx_view(url)
    except httpx.InvalidURL:
        return  # the URL rules refuse these before any engine sees them
    assert normalise(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://receiver.test/webhooks/ecwid?eventtype=order.created",
        "https://receiver.test:8443/a/./b/../c?x=%20y&z=a b",
        "https://[::1]:8443/hook",
        "https://b\u00fccher.example/h\u00e9ll\u00f6?q=\u00e9",
        "http://127.0.0.1:80/",
        "https://receiver.test",
    ],
)
def test_the_urls_webhooks_use(url: str) -> None:
    assert normalise(url) == httpx_view(url)
