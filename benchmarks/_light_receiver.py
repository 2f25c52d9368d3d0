"""The lightest correct HTTPS webhook receiver, for rows that measure the client side.

uvloop's TLS and llhttp (httptools) parse each request in full, body included, and each
complete request gets ``200 OK`` with an empty body: no ASGI, no signature check, no
logging. Keep-alive and pipelined requests work; a request llhttp refuses gets ``400`` and
the connection closes, as does one that asks for ``Connection: close``. Use
:func:`light_receiver` (it runs the server in its own process, optionally pinned to CPUs);
``python _light_receiver.py FD CERT KEY`` is how that process starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _harness import stop_process

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
BAD = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
PATH = "/webhooks/ecwid"


class _Receiver(asyncio.Protocol):
    """One connection: feed llhttp, answer each complete request at once."""

    def __init__(self) -> None:
        import httptools

        self._parser = httptools.HttpRequestParser(self)
        self._error = httptools.HttpParserError
        self._transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except self._error:
            self._transport.write(BAD)
            self._transport.close()

    def on_message_complete(self) -> None:
        self._transport.write(OK)
        if not self._parser.should_keep_alive():
            self._transport.close()


async def _serve(fd: int, cert: str, key: str) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = socket.socket(fileno=fd)
    server = await asyncio.get_running_loop().create_server(
        _Receiver, sock=listener, ssl=context, backlog=1024
    )
    async with server:
        await server.serve_forever()


@dataclass
class LightReceiver:
    """A running light receiver: its URL, the CA that signed it, and its process."""

    url: str
    ca: Path
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """User + system CPU the receiver process has used so far (from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def light_receiver(cpus: Sequence[int] | None = None) -> Iterator[LightReceiver]:
    """The receiver in its own process (pinned to ``cpus`` when given), over HTTPS.

    The listening socket is bound here and handed to the child, so it accepts (into the
    backlog) before the child has even started: nothing to poll for.
    """
    from ecwid_mock import TestCertificates

    certificates = TestCertificates()
    listener = socket.socket()
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        port = listener.getsockname()[1]
        with tempfile.TemporaryDirectory(prefix="ecwid-bench-") as folder:
            key, cert = Path(folder) / "key.pem", Path(folder) / "cert.pem"
            certificates.server_certificate.private_key_pem.write_to_path(str(key))
            certificates.server_certificate.cert_chain_pems[0].write_to_path(str(cert))
            fd = listener.fileno()
            command = [sys.executable, __file__, str(fd), str(cert), str(key)]
            process = subprocess.Popen(command, pass_fds=[fd], stdin=subprocess.DEVNULL)
            try:
                if cpus is not None:
                    os.sched_setaffinity(process.pid, set(cpus))
                yield LightReceiver(f"https://127.0.0.1:{port}{PATH}", certificates.ca_pem_path,
                                    process)  # fmt: skip
            finally:
                stop_process(process)
    finally:
        listener.close()
        certificates.cleanup()


def _main(argv: Sequence[str]) -> None:
    fd, cert, key = int(argv[0]), argv[1], argv[2]
    try:
        import uvloop
    except ImportError:
        runner: Any = asyncio.run
    else:
        runner = uvloop.run
    with contextlib.suppress(KeyboardInterrupt):
        runner(_serve(fd, cert, key))


if __name__ == "__main__":
    _main(sys.argv[1:])
