"""
The spool: the file between the proxy's event loop and its judge.

The event loop appends each passage (a `marshal` frame: a 4-byte length, then the bytes) to a
buffer in memory and writes the buffer to the file every few milliseconds, or when it grows past
`FLUSH_BYTES`: one ``os.write`` for many requests, and never a wait for the judge. The judge reads
the file as it grows (`SpoolReader`), so a judge that falls behind costs disk, not memory. A frame
of length 0 ends the spool.
"""

from __future__ import annotations

import marshal
import os
import struct
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


class SpoolReader:
    """
    Reads the spool as it grows: `take` returns the passages whose frames are whole (up to a
    size), `ended` tells that the end frame was read, `size` how much the writer has written.
    """

    def __init__(self, path: Path) -> None:
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by `close`
        self._buffer = bytearray()
        self.ended = False

    def size(self) -> int:
        return os.fstat(self._handle.fileno()).st_size

    def take(self, limit: int = 1 << 20) -> list[Passage]:
        """The whole passages written since the last call (reading at most `limit` bytes)."""
        if self.ended:
            return []
        chunk = self._handle.read(limit)
        if chunk:
            self._buffer += chunk
        found: list[Passage] = []
        buffer = self._buffer
        offset = 0
        while len(buffer) - offset >= 4:
            (length,) = _LENGTH.unpack_from(buffer, offset)
            if length == 0:
                self.ended = True
                break
            if len(buffer) - offset - 4 < length:
                break
            start = offset + 4
            values: Any = marshal.loads(bytes(buffer[start : start + length]))
            found.append(from_plain(values))
            offset = start + length
        del buffer[:offset]
        return found

    def close(self) -> None:
        self._handle.close()
