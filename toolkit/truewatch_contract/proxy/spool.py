"""
The spool: the file between the proxy's event loop and its judge.

The event loop appends each passage (a `marshal` frame: a 4-byte length, then the bytes) to a
buffer in memory and writes the buffer to the file every few milliseconds, or when it grows past
`FLUSH_BYTES`: one ``os.write`` for many requests, and never a wait for the judge. The judge reads
the file as it grows (`read_spool`), so a judge that falls behind costs disk, not memory. A frame
of length 0 ends the spool.
"""

from __future__ import annotations

import marshal
import os
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from truewatch_contract.proxy.passage import Passage, from_plain, to_plain

FLUSH_BYTES = 256 * 1024
_LENGTH = struct.Struct(">I")
_END = _LENGTH.pack(0)


class SpoolWriter:
    """Appends passages to the spool file; `flush` writes what is buffered (not thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._buffer: list[bytes] = []
        self._size = 0
        self.written = 0

    def put(self, passage: Passage) -> None:
        frame = marshal.dumps(to_plain(passage))
        self._buffer.append(_LENGTH.pack(len(frame)))
        self._buffer.append(frame)
        self._size += len(frame) + 4
        self.written += 1
        if self._size >= FLUSH_BYTES:
            self.flush()

    @property
    def pending(self) -> bool:
        return self._size > 0

    def flush(self) -> None:
        if not self._buffer or self._fd is None:
            return
        data = b"".join(self._buffer)
        self._buffer.clear()
        self._size = 0
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]

    def close(self) -> None:
        """Write what is left and the end frame."""
        if self._fd is None:
            return
        self._buffer.append(_END)
        self._size += len(_END)
        self.flush()
        os.close(self._fd)
        self._fd = None


def read_spool(
    path: Path, *, alive: Callable[[], bool] = lambda: True, poll: float = 0.01
) -> Iterator[Passage]:
    """
    Every passage of the spool, in order, waiting for more until its end frame; stops early
    (after what is whole) when `alive` says the writer is gone.
    """
    with open(path, "rb") as handle:
        buffer = bytearray()
        gone = False
        while True:
            chunk = handle.read(1 << 20)
            if chunk:
                buffer += chunk
                offset = 0
                while len(buffer) - offset >= 4:
                    (length,) = _LENGTH.unpack_from(buffer, offset)
                    if length == 0:
                        return
                    if len(buffer) - offset - 4 < length:
                        break
                    start = offset + 4
                    values: Any = marshal.loads(bytes(buffer[start : start + length]))
                    offset = start + length
                    yield from_plain(values)
                del buffer[:offset]
                continue
            if gone:
                return  # the writer is gone and nothing more came: what was whole is judged
            if not alive():
                gone = True  # one more read: what it wrote before it went
                continue
            time.sleep(poll)
