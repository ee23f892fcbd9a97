"""
The exchanges of a large record, left in its file: `StoredExchanges`.

A suite's run judges a few thousand exchanges; a validating proxy in front of busy traffic judges
hundreds of thousands, and each one read into memory costs about 8 KB (its parsed bodies and
headers). Past `IN_MEMORY` exchanges, `read_record` keeps only where each exchange line starts
(8 bytes each) and reads a line again whenever it is asked for: every report walks the exchanges
a few times, each walk holding one exchange at a time, so the memory a report takes no longer
grows with the traffic. The file stays open, so it can be read even after it was removed (a
temporary directory cleaned up).
"""

from __future__ import annotations

import json
import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, overload

from truewatch_contract.record.lines import ExchangeLine, line_from_json

#: Up to this many exchanges, a record's exchanges are read into memory (a suite's run, always).
IN_MEMORY = 5_000
#: How much of the file one read takes while walking it.
_CHUNK = 1 << 20


#: A change made to each line as it is read, and the test of the line's text that says whether
#: it is needed (`None`: always).
Transform = tuple[Callable[[ExchangeLine], ExchangeLine], Callable[[str], bool] | None]


class StoredExchanges(Sequence[ExchangeLine]):
    """
    The exchange lines of a record file, by where each starts; read again on every access, and
    passed through the `transforms` (the redacted view of `Record.redacted`).
    """

    def __init__(
        self, handle: BinaryIO, offsets: array[int], transforms: tuple[Transform, ...] = ()
    ) -> None:
        self._handle = handle
        self._offsets = offsets
        self._transforms = transforms

    def mapped(
        self,
        transform: Callable[[ExchangeLine], ExchangeLine],
        when: Callable[[str], bool] | None = None,
    ) -> StoredExchanges:
        """
        The same exchanges, each passed through `transform` after this one's own; with `when`,
        only the lines whose text it is true of (the rest are left as read, which saves the
        transform's cost on every line it would not change).
        """
        return StoredExchanges(self._handle, self._offsets, (*self._transforms, (transform, when)))

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> ExchangeLine: ...

    @overload
    def __getitem__(self, index: slice) -> list[ExchangeLine]: ...

    def __getitem__(self, index: int | slice) -> ExchangeLine | list[ExchangeLine]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._line(_read_line(self._handle.fileno(), self._offsets[index]))

    def select(self, keep: Callable[[ExchangeLine], bool], *, by_time: bool) -> StoredExchanges:
        """The exchanges `keep` is true of (in the order of their ``t`` when `by_time`)."""
        offsets, times = array("q"), array("d")
        for offset, line in self._walk():
            if keep(line):
                offsets.append(offset)
                times.append(line.t)
        if by_time and any(times[i] > times[i + 1] for i in range(len(times) - 1)):
            order = sorted(range(len(times)), key=times.__getitem__)
            offsets = array("q", (offsets[i] for i in order))
        return StoredExchanges(self._handle, offsets, self._transforms)

    def __iter__(self) -> Iterator[ExchangeLine]:
        for _, line in self._walk():
            yield line

    def _walk(self) -> Iterator[tuple[int, ExchangeLine]]:
        offsets = self._offsets
        if not offsets:
            return
        if any(offsets[i] >= offsets[i + 1] for i in range(len(offsets) - 1)):
            # Not in the file's order (a selection by time): each line read where it starts.
            fd = self._handle.fileno()
            for offset in offsets:
                yield offset, self._line(_read_line(fd, offset))
            return
        # One pass over the file from the first exchange on: a line whose start is the next
        # offset is an exchange; the others (tests, behaviours) were kept in memory already.
        fd = self._handle.fileno()
        wanted, position = 0, offsets[0]  # the next exchange; where `buffer` starts in the file
        buffer, at = b"", 0  # the bytes read and not yet split; where the next line starts in it
        while True:
            end = buffer.find(b"\n", at)
            if end < 0:
                position += at
                buffer = buffer[at:]
                at = 0
                chunk = os.pread(fd, _CHUNK, position + len(buffer))
                if chunk:
                    buffer += chunk
                    continue
                end = len(buffer) - 1  # a last line without its newline
                if end < 0:
                    return
            if position + at == offsets[wanted]:
                yield offsets[wanted], self._line(buffer[at : end + 1])
                wanted += 1
                if wanted == len(offsets):
                    return
            at = end + 1

    def _line(self, raw: bytes) -> ExchangeLine:
        text = raw.decode("utf-8", "replace")
        line = line_from_json(json.loads(text))
        if not isinstance(line, ExchangeLine):  # the file changed under the record
            raise ValueError("the record file changed while it was being read")
        for transform, when in self._transforms:
            if when is None or when(text):
                line = transform(line)
        return line


def _read_line(fd: int, start: int) -> bytes:
    """The line that starts at `start` (a line ends at its newline, or at the end of the file)."""
    parts = []
    while True:
        chunk = os.pread(fd, 1 << 16, start)
        if not chunk:
            break
        cut = chunk.find(b"\n")
        if cut >= 0:
            parts.append(chunk[: cut + 1])
            break
        parts.append(chunk)
        start += len(chunk)
    return b"".join(parts)


def select(
    exchanges: Sequence[ExchangeLine],
    keep: Callable[[ExchangeLine], bool],
    *,
    by_time: bool = False,
) -> Sequence[ExchangeLine]:
    """
    The exchanges `keep` is true of, in the order of their ``t`` when `by_time`: a list, or for
    a large record's `StoredExchanges`, another (their lines stay in the file).
    """
    if isinstance(exchanges, StoredExchanges):
        return exchanges.select(keep, by_time=by_time)
    chosen = [exchange for exchange in exchanges if keep(exchange)]
    return sorted(chosen, key=lambda e: e.t) if by_time else chosen
