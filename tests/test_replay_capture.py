"""Capture middleware: the app sees the request untouched; the cassette keeps it, scrubbed."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from replay_helpers import (
    ODD_BODY,
    SECRET,
    SeenRequest,
    asgi_app,
    call_asgi,
    call_wsgi,
    order_body,
    signed_headers,
    wsgi_app,
)

from ecwid_mock import CaptureMiddleware, Cassette, Scrubber, WSGICaptureMiddleware

ODD_ALLOW = ["data.rate", "data.big"]


def expected_scrubbed(original: bytes, recorded: bytes) -> bytes:
    """``original`` with only its storeId and entityId values replaced by the recorded ones."""
    new = json.loads(recorded)
    return original.replace(b"61882411", str(new["storeId"]).encode()).replace(
        b'"entityId":42', f'"entityId":{new["entityId"]}'.encode()
    )


def test_asgi_app_sees_the_exact_messages_and_the_cassette_keeps_every_other_byte(
    tmp_path: Path,
) -> None:
    seen = SeenRequest()
    path = tmp_path / "c.jsonl"
    app = CaptureMiddleware(
        asgi_app(seen), path, scrubber=Scrubber("k", allow=ODD_ALLOW), client_secret=SECRET
    )
    headers = [*signed_headers(ODD_BODY), (b"x-app-trace", b"abc")]
    sent = call_asgi(app, ODD_BODY, headers=headers, chunks=3)

    assert seen.body == ODD_BODY
    assert [m["more_body"] for m in seen.messages] == [True, True, False]  # chunks as sent
    assert seen.headers == headers  # the signature header too: the app must verify it
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"ok"

    (record,) = Cassette.load(path)
    assert record.body == expected_scrubbed(ODD_BODY, record.body)
    assert b'"rate":1.50,"big":1e2' in record.body
    assert record.method == "POST"
    assert record.path == "/webhooks/ecwid"
    assert record.query == "eventtype=order.created"
    assert record.status == 200
    assert record.elapsed is not None
    assert record.elapsed >= 0
    assert record.received_at > 1_700_000_000
    assert record.signature == "valid"
    assert record.schema == "valid"  # tolerant: unknown fields are allowed
    assert ("x-app-trace", "abc") in record.headers
    assert record.header("x-ecwid-webhook-signature") is None


def test_wsgi_app_sees_the_exact_body_and_environ(tmp_path: Path) -> None:
    seen = SeenRequest()
    path = tmp_path / "c.jsonl"
    app = WSGICaptureMiddleware(
        wsgi_app(seen, "202 Accepted"),
        path,
        scrubber=Scrubber("k", allow=ODD_ALLOW),
        client_secret=SECRET,
    )
    signature = signed_headers(ODD_BODY)[1][1].decode()
    status, content = call_wsgi(app, ODD_BODY, headers=[("X-Ecwid-Webhook-Signature", signature)])
    assert (status, content) == ("202 Accepted", b"ok")
    assert seen.body == ODD_BODY
    assert seen.environ["HTTP_X_ECWID_WEBHOOK_SIGNATURE"] == signature
    assert seen.environ["QUERY_STRING"] == "eventtype=order.created"

    (record,) = Cassette.load(path)
    assert record.body == expected_scrubbed(ODD_BODY, record.body)
    assert record.status == 202
    assert record.signature == "valid"
    assert record.header("content-type") == "application/json; charset=UTF-8"


@pytest.mark.parametrize(
    ("headers", "verdict"),
    [
        pytest.param(signed_headers(order_body()), "valid", id="valid"),
        pytest.param(signed_headers(order_body(), "other"), "invalid", id="wrong-secret"),
        pytest.param(signed_headers(order_body())[:1], "missing", id="missing"),
    ],
)
def test_the_signature_verdict_is_recorded(
    tmp_path: Path, headers: list[tuple[bytes, bytes]], verdict: str
) -> None:
    app = CaptureMiddleware(
        asgi_app(SeenRequest()), tmp_path / "c.jsonl", scrubber=Scrubber("k"), client_secret=SECRET
    )
    call_asgi(app, order_body(), headers=headers)
    assert app.cassette[0].signature == verdict
    assert app.cassette[0].schema == "valid"


def test_without_a_secret_the_signature_is_not_checked(tmp_path: Path) -> None:
    app = CaptureMiddleware(asgi_app(SeenRequest()), tmp_path / "c.jsonl", scrubber=Scrubber("k"))
    call_asgi(app, order_body(), headers=signed_headers(order_body()))
    assert app.cassette[0].signature == "not checked"


def test_schema_problems_are_recorded_by_path_never_by_value(tmp_path: Path) -> None:
    body = order_body(newPaymentStatus="NOT-A-STATUS-4711")
    app = CaptureMiddleware(asgi_app(SeenRequest()), tmp_path / "c.jsonl", scrubber=Scrubber("k"))
    call_asgi(app, body)
    record = app.cassette[0]
    assert record.schema == "invalid"
    assert record.schema_problems == ("data.newPaymentStatus",)


def test_a_delivery_that_cannot_be_scrubbed_is_answered_but_not_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seen = SeenRequest()
    path = tmp_path / "c.jsonl"
    app = CaptureMiddleware(asgi_app(seen, status=201), path, scrubber=Scrubber("k"))
    body = order_body(shippingPerson="Jane Doe")  # a field the schema does not know
    sent = call_asgi(app, body)
    assert seen.body == body
    assert sent[0]["status"] == 201
    assert not path.exists()
    assert len(app.refused) == 1
    assert "data.shippingPerson" in app.refused[0]
    assert "Jane" not in app.refused[0] + caplog.text


def test_lifespan_and_other_scopes_pass_through(tmp_path: Path) -> None:
    import asyncio

    calls: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        calls.append(str(scope["type"]))

    app = CaptureMiddleware(inner, tmp_path / "c.jsonl", scrubber=Scrubber("k"))
    asyncio.run(app({"type": "lifespan"}, None, None))  # type: ignore[arg-type]
    assert calls == ["lifespan"]
    assert len(app.cassette) == 0


def test_the_middleware_needs_a_scrubber(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="Scrubber"):
        CaptureMiddleware(asgi_app(SeenRequest()), tmp_path / "c", scrubber=None)  # type: ignore[arg-type]


def test_only_posts_are_recorded(tmp_path: Path) -> None:
    seen = SeenRequest()
    app = CaptureMiddleware(asgi_app(seen), tmp_path / "c.jsonl", scrubber=Scrubber("k"))
    import asyncio

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    scope = {"type": "http", "method": "GET", "path": "/health", "query_string": b"", "headers": []}
    asyncio.run(app(scope, receive, send))
    wsgi = WSGICaptureMiddleware(
        wsgi_app(SeenRequest()), tmp_path / "w.jsonl", scrubber=Scrubber("k")
    )
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/health", "wsgi.input": io.BytesIO()}
    assert wsgi(environ, lambda *a: None) == [b"ok"]
    assert len(app.cassette) == len(wsgi.cassette) == 0
    assert app.refused == wsgi.refused == []


def test_a_failing_scrub_hook_or_disk_never_reaches_the_app(tmp_path: Path) -> None:
    def broken(payload: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError(f"cannot handle {payload['data']}")

    seen = SeenRequest()
    app = CaptureMiddleware(asgi_app(seen), tmp_path / "c", scrubber=Scrubber("k", scrub=broken))
    assert call_asgi(app, order_body())[0]["status"] == 200
    assert app.refused == ["the scrub= hook raised RuntimeError"]

    blocked = tmp_path / "file"
    blocked.write_text("")
    unwritable = CaptureMiddleware(asgi_app(seen), blocked / "c.jsonl", scrubber=Scrubber("k"))
    assert call_asgi(unwritable, order_body())[0]["status"] == 200
    assert len(unwritable.refused) == 1
    assert "while recording" in unwritable.refused[0]


def test_the_record_is_written_before_the_answer_completes(tmp_path: Path) -> None:
    import asyncio

    path = tmp_path / "c.jsonl"
    app = CaptureMiddleware(asgi_app(SeenRequest()), path, scrubber=Scrubber("k"))
    lines_when_answered: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": order_body(), "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            lines_when_answered.append(len(path.read_text().splitlines()))

    scope = {"type": "http", "method": "POST", "path": "/", "query_string": b"", "headers": []}
    asyncio.run(app(scope, receive, send))
    assert lines_when_answered == [1]
    assert len(Cassette.load(path)) == 1  # recorded once, not again when the app returned


def test_wsgi_record_is_written_before_the_last_chunk_and_chunks_pass_intact(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.jsonl"

    def streaming(environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.input"].read()
        start_response("200 OK", [])
        yield b"a"
        yield b"b"
        yield b"c"

    app = WSGICaptureMiddleware(streaming, path, scrubber=Scrubber("k"))
    body = order_body()
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    result = app(environ, lambda *a: None)
    seen = []
    for chunk in result:
        seen.append((chunk, path.exists() and len(path.read_text().splitlines())))
    result.close()  # type: ignore[attr-defined]
    assert seen == [(b"a", False), (b"b", False), (b"c", 1)]
    assert len(Cassette.load(path)) == 1
