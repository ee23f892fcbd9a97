"""
A server run in a thread of this process: the mock's and the proxy's (both uvicorn).

`listen` binds the socket first (so a port of 0 is known before the server runs, and a port in
use is said at once); `ServerThread` runs a server object with uvicorn's shape (``run(sockets=)``,
``started``, ``should_exit``, ``force_exit``) in a daemon thread, waits until it serves, and stops
it. The standard library only: the caller creates the server.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


def listen(host: str, port: int) -> socket.socket:
    """
    A listening TCP socket on `host`:`port` (IPv6 when the host has a colon).

    Raises:
        OSError: the address cannot be bound (the socket is closed).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(host: str, port: int) -> str:
    """``http://host:port``, an IPv6 host in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class ServerThread:
    """`server` serving on `sock` in a daemon thread named `name`; the socket closes with it."""

    def __init__(self, server: Any, sock: socket.socket, name: str) -> None:
        self.server = server
        self.error: BaseException | None = None
        self._sock = sock
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self._sock])
        except BaseException as error:  # said by `start` or seen through `running`
            self.error = error
        finally:
            self._sock.close()

    def start(self, timeout: float = 15.0) -> str | None:
        """Start, and wait until the server serves: `None`, or why it did not (then stopped)."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop(1.0, 1.0)
                return str(self.error or "timed out")
            time.sleep(0.005)
        return None

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float, force_timeout: float) -> None:
        """
        Ask the server to exit and wait `timeout` seconds for it (its requests in flight may
        finish), then make it exit and wait `force_timeout` more. Idempotent.
        """
        self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.server.force_exit = True
                self._thread.join(force_timeout)

    def join(self, timeout: float | None = None) -> None:
        if self._thread.ident is not None:
            self._thread.join(timeout)
