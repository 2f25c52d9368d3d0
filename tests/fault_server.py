"""A scripted raw HTTPS server on 127.0.0.1: it answers with exactly the bytes a test gives.

Real servers that misbehave in ways frameworks never do (bare LF, obs-fold, a reset in
mid-answer, a close after every answer) are what the delivery engine must judge the same
way on every path. The server runs its own event loop in a thread, so sync and async
clients, the CLI and the plugin can all be pointed at it.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from ecwid_mock import TestCertificates

#: Actions of a script: bytes to write, ("sleep", s), "close" (FIN) or "reset" (RST).
Action = bytes | tuple[str, float] | str
Script = Callable[[int], Sequence[Action]]


@dataclass
class FaultServer:
    url: str
    ca_path: str
    context: ssl.SSLContext
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0

    @property
    def received(self) -> int:
        return len(self.requests)


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return head + await reader.readexactly(length)


@contextmanager
def fault_server(
    script: Script, certificates: TestCertificates, *, close_after_each: bool = False
) -> Iterator[FaultServer]:
    """Serve ``script(n)`` as the answer to request n (1-based), over TLS on 127.0.0.1."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict[str, object] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.connections += 1
        try:
            while True:
                try:
                    request = await _read_request(reader)
                except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
                    return
                server.requests.append(request)
                for action in script(len(server.requests)):
                    if isinstance(action, bytes):
                        writer.write(action)
                        await writer.drain()
                    elif isinstance(action, tuple):
                        await asyncio.sleep(action[1])
                    elif action == "reset":
                        sock = writer.get_extra_info("socket")
                        sock.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        writer.transport.abort()
                        return
                    elif action == "close":
                        return
                if close_after_each:
                    return
        except (ConnectionError, ssl.SSLError):
            return
        finally:
            writer.close()

    async def start() -> None:
        srv = await asyncio.start_server(
            handle, "127.0.0.1", 0, ssl=certificates.server_ssl_context()
        )
        state["server"] = srv
        started.set()

    def run() -> None:
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, name="fault-server", daemon=True)
    thread.start()
    started.wait(10)
    srv = state["server"]
    port = srv.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    server = FaultServer(
        url=f"https://127.0.0.1:{port}/hook",
        ca_path=str(certificates.ca_pem_path),
        context=certificates.client_ssl_context(),
    )
    try:
        yield server
    finally:

        async def stop() -> None:
            srv.close()  # type: ignore[attr-defined]
            await srv.wait_closed()  # type: ignore[attr-defined]

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
