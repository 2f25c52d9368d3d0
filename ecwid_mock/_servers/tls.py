"""Real HTTPS on 127.0.0.1 for tests: a throwaway CA, and a server for any ASGI or WSGI app.

Ecwid only calls HTTPS URLs, so a receiver should be tested over real TLS with certificate
checks on, never with ``verify=False``. :class:`TestCertificates` makes a private CA and a
certificate for the loopback names (with trustme); :class:`LocalHTTPSServer` serves an app with
it in a background thread, and hands out an :class:`ssl.SSLContext` that trusts only that CA.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import shutil
import socket
import socketserver
import ssl
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._errors import EcwidMockError, InvalidOption
from .._transports.apps import app_kind, describe_app

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

__all__ = ["DEFAULT_IDENTITIES", "LocalHTTPSServer", "TestCertificates"]

DEFAULT_IDENTITIES = ("127.0.0.1", "localhost", "::1")

# Ecwid calls only ports 80, 443 and 1024-65535; below 1024 a server would need root.
_MIN_PORT, _MAX_PORT = 1024, 65535
_PORT_RULE = "0 (pick a free port) or a port in 1024–65535"
_WILDCARD_HOSTS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0
_GRACEFUL_SHUTDOWN = 2.0  # how long stop() lets requests in flight finish
_WSGI_POLL_INTERVAL = 0.01  # how soon the WSGI accept loop notices stop()
_WSGI_CONNECTION_TIMEOUT = 30.0  # a silent client cannot hold a worker thread for ever
_LINGER_TIMEOUT = 1.0  # how long a closing connection waits for the client to hang up

Kind = Literal["auto", "asgi", "wsgi"]


class TestCertificates:
    """A fresh trustme CA and a leaf certificate for 127.0.0.1, localhost and ::1.

    Clients trust the CA through :meth:`client_ssl_context` (or the PEM at
    :attr:`ca_pem_path`, e.g. ``curl --cacert``); nothing is added to the system's trust store.
    """

    __test__ = False  # a helper, not a test class, despite its name

    def __init__(self, *, identities: Iterable[str] = DEFAULT_IDENTITIES) -> None:
        import trustme

        self.identities = tuple(identities)
        if not self.identities:
            raise InvalidOption("identities", self.identities, "at least one host name or IP")
        self.ca = trustme.CA(organization_name="ecwid-mock test CA")
        self.server_certificate = self.ca.issue_cert(*self.identities)
        self._lock = threading.Lock()
        self._directory: Path | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    @property
    def ca_pem_path(self) -> Path:
        """The CA certificate as a PEM file in a private temporary directory (made on first use).

        The directory is removed by :meth:`cleanup`, when this object is garbage collected,
        or at interpreter exit, whichever comes first.
        """
        with self._lock:
            if self._directory is None:
                directory = Path(tempfile.mkdtemp(prefix="ecwid-mock-ca-"))
                self._finalizer = weakref.finalize(
                    self, shutil.rmtree, str(directory), ignore_errors=True
                )
                self.ca.cert_pem.write_to_path(str(directory / "ca.pem"))
                self._directory = directory
            return self._directory / "ca.pem"

    def cleanup(self) -> None:
        """Remove the temporary directory of :attr:`ca_pem_path` now (idempotent)."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
            self._directory = None
            self._finalizer = None

    def server_ssl_context(self) -> ssl.SSLContext:
        """A new server-side context that presents the leaf certificate (HTTP/1.1 only)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["http/1.1"])
        self.server_certificate.configure_cert(context)
        return context

    def client_ssl_context(self) -> ssl.SSLContext:
        """A new client context that trusts this CA and nothing else; hostname checks stay on."""
        cadata = self.ca.cert_pem.bytes().decode("ascii")
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=cadata)
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def __repr__(self) -> str:
        return f"TestCertificates(identities={self.identities!r})"


class LocalHTTPSServer:
    """Serve an ASGI app (with uvicorn) or a WSGI app (threaded) over HTTPS in a background thread.

    ::

        with LocalHTTPSServer(app) as server:
            httpx.post(server.url + "/webhooks", verify=server.client_ssl_context())

    ``port=0`` picks a free port, so several servers (and pytest-xdist workers) never clash.
    :meth:`start` returns once the server accepts connections; :meth:`stop` always shuts it
    down and joins its thread, and may be called any number of times.
    """

    def __init__(
        self,
        app: Callable[..., Any],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        certificates: TestCertificates | None = None,
        kind: Kind = "auto",
        startup_timeout: float = _START_TIMEOUT,
    ) -> None:
        self.app = app
        self.kind: Literal["asgi", "wsgi"] = app_kind(app, kind, source="LocalHTTPSServer")
        self.host = _check_host(host)
        self._requested_port = _check_port(port)
        if certificates is None:
            names: tuple[str, ...] = DEFAULT_IDENTITIES
            if _url_host(self.host) not in names and self.host not in _WILDCARD_HOSTS:
                names = (*names, self.host)
            certificates = TestCertificates(identities=names)
        self.certificates = certificates
        if isinstance(startup_timeout, bool) or not (
            isinstance(startup_timeout, (int, float)) and 0 < startup_timeout < float("inf")
        ):
            raise InvalidOption("startup_timeout", startup_timeout, "a number of seconds > 0")
        self.startup_timeout = float(startup_timeout)
        self._lock = threading.RLock()
        self._bound_port: int | None = None
        self._thread: threading.Thread | None = None
        self._uvicorn: Any = None
        self._wsgi: WSGIServer | None = None
        self._failure: BaseException | None = None

    # -- what clients need -------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server listens on (chosen by :meth:`start` when ``port=0``)."""
        if self._bound_port is not None:
            return self._bound_port
        if self._requested_port:
            return self._requested_port
        raise EcwidMockError("the server has no port yet: port=0 is chosen by start()")

    @property
    def url(self) -> str:
        """``https://HOST:PORT`` with no trailing slash; append the receiver's path."""
        host = _url_host(self.host)
        shown = f"[{host}]" if ":" in host else host
        return f"https://{shown}:{self.port}"

    @property
    def running(self) -> bool:
        """True between a successful :meth:`start` and :meth:`stop`."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this server's CA (pass it as httpx's ``verify=``)."""
        return self.certificates.client_ssl_context()

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> LocalHTTPSServer:
        """Bind, start the serving thread and wait until it accepts connections."""
        with self._lock:
            if self._thread is not None:
                return self
            sock = _bind(self.host, self._requested_port)
            self._bound_port = sock.getsockname()[1]
            self._failure = None
            ready = threading.Event()
            try:
                target = self._prepare_asgi if self.kind == "asgi" else self._prepare_wsgi
                run = target(sock, ready)
            except BaseException:
                sock.close()
                raise
            self._thread = threading.Thread(
                target=run, name=f"ecwid-mock-https-{self._bound_port}", daemon=True
            )
            self._thread.start()
            started = ready.wait(self.startup_timeout)
            if started and self._failure is None and self._thread.is_alive():
                return self
            failure = self._failure
            self.stop()
            if failure is not None:
                raise EcwidMockError(
                    f"HTTPS server for {describe_app(self.app)} on port {self._bound_port} "
                    f"failed to start: {_reason(failure)}"
                ) from failure
            raise EcwidMockError(
                f"HTTPS server for {describe_app(self.app)} on port {self._bound_port} did not "
                f"start within {self.startup_timeout} s"
            )

    def stop(self) -> None:
        """Shut the server down and join its thread; safe to call again, or if never started."""
        with self._lock:
            thread, self._thread = self._thread, None
            uvicorn_server, self._uvicorn = self._uvicorn, None
            wsgi_server, self._wsgi = self._wsgi, None
            if uvicorn_server is not None:
                uvicorn_server.should_exit = True
                uvicorn_server.wake()
            if wsgi_server is not None and thread is not None and thread.is_alive():
                wsgi_server.shutdown()
            if thread is not None:
                thread.join(_STOP_TIMEOUT)
                if thread.is_alive() and uvicorn_server is not None:
                    uvicorn_server.force_exit = True
                    thread.join(_STOP_TIMEOUT)
            if wsgi_server is not None:
                wsgi_server.server_close()  # closes the socket, joins request threads

    def serve_forever(self) -> None:
        """Start (if needed) and block until Ctrl-C or :meth:`stop`; then shut down and return."""
        self.start()
        try:
            thread = self._thread
            while thread is not None and thread.is_alive():
                thread.join(0.5)  # a timed join keeps Ctrl-C responsive on every platform
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> LocalHTTPSServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        where = self.url if self._bound_port or self._requested_port else self.host
        return f"<LocalHTTPSServer {self.kind} {where} {state}>"

    # -- the two engines ---------------------------------------------------------------------

    def _prepare_asgi(self, sock: socket.socket, ready: threading.Event) -> Callable[[], None]:
        import uvicorn

        config = uvicorn.Config(
            self.app,
            log_config=None,  # leave the process's logging configuration alone
            log_level="warning",
            access_log=False,
            http="h11",
            ws="none",
            loop="asyncio",
            lifespan="auto",
            interface="asgi3",
            server_header=False,
            timeout_graceful_shutdown=int(_GRACEFUL_SHUTDOWN),
        )
        config.load()
        config.ssl = self.certificates.server_ssl_context()  # our context, not key files on disk
        server = _uvicorn_server(config, ready)
        self._uvicorn = server

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # SystemExit from a failed lifespan startup, too
                self._failure = exc
            finally:
                sock.close()
                ready.set()

        return run

    def _prepare_wsgi(self, sock: socket.socket, ready: threading.Event) -> Callable[[], None]:
        server = _make_wsgi_server(
            sock, self.app, self.certificates.server_ssl_context(), _url_host(self.host)
        )
        self._wsgi = server

        def run() -> None:
            ready.set()  # the socket already listens: connections queue until the loop runs
            try:
                server.serve_forever(poll_interval=_WSGI_POLL_INTERVAL)
            except BaseException as exc:
                self._failure = exc

        return run


def _uvicorn_server(config: Any, ready: threading.Event) -> Any:
    """A uvicorn.Server that says when it listens and stops at once when told to.

    uvicorn polls ``should_exit`` every 0.1 s and sleeps another 0.1 s in its shutdown; a test
    that starts and stops a server per test would pay 0.2 s each time. This one wakes its main
    loop from :meth:`LocalHTTPSServer.stop` and skips the sleep when nothing is left to wait for.
    """
    import asyncio

    import uvicorn

    class Server(uvicorn.Server):
        _loop: asyncio.AbstractEventLoop | None = None
        _wake: asyncio.Event | None = None

        def wake(self) -> None:
            """Have the main loop look at ``should_exit`` now (from any thread)."""
            loop, wake = self._loop, self._wake
            if loop is not None and wake is not None:
                with contextlib.suppress(RuntimeError):  # the loop already ended
                    loop.call_soon_threadsafe(wake.set)

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
            await super().startup(sockets=sockets)
            if self.started:
                ready.set()

        async def main_loop(self) -> None:
            # uvicorn's loop (its tick keeps the Date header fresh), woken early by wake()
            assert self._wake is not None
            counter = 0
            should_exit = await self.on_tick(counter)
            while not should_exit:
                counter = (counter + 1) % 864000
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 0.1)
                should_exit = await self.on_tick(counter)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            await _drop_idle_connections(self)
            if self.server_state.connections or self.server_state.tasks:
                # something outlived the graceful window: uvicorn's own way (it cancels),
                # then no TLS goodbye is awaited from the connections it answered
                await super().shutdown(sockets=sockets)
                await _drop_idle_connections(self)
                return
            for listener in self.servers:
                await listener.wait_closed()
            if not self.force_exit:
                await self.lifespan.shutdown()

    return Server(config)


async def _drop_idle_connections(server: Any) -> None:
    """Close keep-alive connections at once instead of waiting for the client's TLS goodbye.

    uvicorn closes an idle connection gracefully, and a TLS transport then waits (up to 30 s)
    for the client's close_notify, which an idle pooled client never sends. Requests still
    in flight get until uvicorn's graceful timeout to finish, as usual.
    """
    import asyncio

    for listener in getattr(server, "servers", []):
        listener.close()  # accept nothing new
    connections = server.server_state.connections
    for connection in list(connections):
        connection.shutdown()  # closes idle ones; lets busy ones finish their response
    for _ in range(int(_GRACEFUL_SHUTDOWN / 0.01)):
        for connection in list(connections):
            transport = getattr(connection, "transport", None)
            if transport is None or not transport.is_closing():
                continue  # still answering a request
            if transport.get_write_buffer_size() == 0:
                transport.abort()  # everything was sent: skip the TLS close handshake
        if not connections:
            return
        await asyncio.sleep(0.01)


def _make_wsgi_server(
    sock: socket.socket, app: Callable[..., Any], context: ssl.SSLContext, host_name: str
) -> WSGIServer:
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    class Handler(WSGIRequestHandler):
        def get_environ(self) -> dict[str, Any]:
            environ = super().get_environ()
            environ["HTTPS"] = "on"  # wsgiref derives wsgi.url_scheme from this
            return environ

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read deliveries from the app, not from an access log."""

    class Server(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = False
        block_on_close = True  # server_close() joins request threads: no leaks

        def __init__(self) -> None:
            address = sock.getsockname()
            socketserver.BaseServer.__init__(self, address, Handler)
            self.socket = sock  # already bound and listening; avoids getfqdn() lookups
            self.server_name = host_name
            self.server_port = address[1]
            self.setup_environ()
            self.set_app(app)
            self._open: dict[object, socket.socket] = {}  # connections being served

        def finish_request(self, request: Any, client_address: Any) -> None:
            # The TLS handshake runs here, in the request's own thread, not the accept loop.
            request.settimeout(_WSGI_CONNECTION_TIMEOUT)
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
            key = object()
            self._open[key] = tls
            try:
                try:
                    tls.do_handshake()
                except (OSError, ValueError):
                    tls.close()
                    return  # an untrusting or non-TLS client went away: nothing to serve
                try:
                    Handler(tls, client_address, self)
                finally:
                    _lingering_close(tls)
            finally:
                self._open.pop(key, None)

        def server_close(self) -> None:
            # Wake request threads still waiting on a silent client, then join them.
            for sock in list(self._open.values()):
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
            super().server_close()

        def handle_error(self, request: Any, client_address: Any) -> None:
            exc = sys.exc_info()[1]
            if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError)):
                return  # clients hanging up are normal for a test server
            super().handle_error(request, client_address)

    return Server()


def _lingering_close(tls: ssl.SSLSocket) -> None:
    """Send FIN after the response, then drain the client's unread bytes before closing.

    Closing a socket with unread input (a body the app did not read) makes the kernel send
    a reset, which can destroy the response before the client reads it.
    """
    try:
        tls.shutdown(socket.SHUT_WR)
        tls.settimeout(_LINGER_TIMEOUT)
        while tls.recv(65536):
            pass
    except OSError:
        pass
    finally:
        tls.close()


# -- checks ----------------------------------------------------------------------------------


def _check_port(port: object) -> int:
    if isinstance(port, bool) or not isinstance(port, int):
        raise InvalidOption("port", port, _PORT_RULE, source="LocalHTTPSServer")
    if port != 0 and not _MIN_PORT <= port <= _MAX_PORT:
        raise InvalidOption("port", port, _PORT_RULE, source="LocalHTTPSServer")
    return port


def check_listen_host(host: object, *, source: str = "LocalHTTPSServer") -> str:
    """``host`` without IPv6 brackets, if a server could listen on it; else one clear line."""
    from .._checks import check_host

    if not isinstance(host, str):
        raise InvalidOption("host", host, "a host name or IP address string", source=source)
    bare = host.strip("[]")
    problem = check_host(bare) if bare.isprintable() and " " not in bare else "no spaces"
    if problem is not None:
        raise InvalidOption("host", host, f"a host name or IP address ({problem})", source=source)
    return bare


_check_host = check_listen_host


def _url_host(host: str) -> str:
    return _WILDCARD_HOSTS.get(host, host)


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); port 0 draws until the port is in 1024–65535."""
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
        address: tuple[Any, ...] = (host, port)
    except ValueError:
        try:
            infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise InvalidOption(
                "host", host, f"a resolvable host name or an IP address ({exc})"
            ) from None
        family, _, _, _, address = infos[0]
    for _attempt in range(20):
        # proto must say TCP: asyncio sets TCP_NODELAY on accepted connections only then,
        # and without it every keep-alive response waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(128)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise InvalidOption(
                    "port", port, f"a free port ({port} is already in use on {host})"
                ) from None
            raise InvalidOption(
                "host", host, f"an address this machine can listen on ({exc.strerror or exc})"
            ) from None
        chosen: int = sock.getsockname()[1]
        if port or _MIN_PORT <= chosen <= _MAX_PORT:
            return sock
        sock.close()  # an ephemeral port below 1024 would break Ecwid's rule: draw again
    raise EcwidMockError(f"could not get a free port in 1024–65535 on {host}")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return "the app's lifespan startup failed (see the log above)"
    return f"{type(exc).__name__}: {exc}"
