"""`CoalescingTransport`: one turn's writes leave in one write, in order, never after a close."""

from __future__ import annotations

import asyncio
from typing import Any

from truewatch_contract.mock.transport import CoalescingTransport


class Recording(asyncio.Transport):
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.calls.append(("write", bytes(data)))

    def close(self) -> None:
        self.calls.append(("close", None))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", None))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 1)}.get(name, default)

    def pause_reading(self) -> None:
        self.calls.append(("pause_reading", None))


def _run(body: Any) -> Recording:
    async def main() -> Recording:
        inner = Recording()
        await body(CoalescingTransport(inner, asyncio.get_running_loop()), inner)
        await asyncio.sleep(0)
        return inner

    return asyncio.run(main())


def test_writes_of_one_turn_leave_in_one_write_in_order() -> None:
    async def body(transport: CoalescingTransport, inner: Recording) -> None:
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(bytearray(b"{"))
        transport.writelines([b'"a"', memoryview(b":1}")])
        assert inner.calls == []  # held until the loop's next turn
        assert transport.get_write_buffer_size() == len(b'HTTP/1.1 200 OK\r\n\r\n{"a":1}')

    inner = _run(body)
    assert inner.calls == [("write", b'HTTP/1.1 200 OK\r\n\r\n{"a":1}')]


def test_each_turn_gets_its_own_write() -> None:
    async def body(transport: CoalescingTransport, inner: Recording) -> None:
        transport.write(b"one")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        transport.write(b"two")

    assert _run(body).calls == [("write", b"one"), ("write", b"two")]


def test_close_sends_what_is_held_first() -> None:
    async def body(transport: CoalescingTransport, inner: Recording) -> None:
        transport.write(b"answer")
        transport.close()
        assert transport.is_closing()

    assert _run(body).calls == [("write", b"answer"), ("close", None)]


def test_nothing_is_written_once_the_connection_is_closing_or_aborted() -> None:
    async def closed_under_us(transport: CoalescingTransport, inner: Recording) -> None:
        transport.write(b"late")
        inner.closing = True  # the peer went away before the loop's next turn

    async def aborted(transport: CoalescingTransport, inner: Recording) -> None:
        transport.write(b"dropped")
        transport.abort()

    assert _run(closed_under_us).calls == []
    assert _run(aborted).calls == [("abort", None)]


def test_everything_else_is_the_real_transports() -> None:
    async def body(transport: CoalescingTransport, inner: Recording) -> None:
        assert transport.get_extra_info("peername") == ("127.0.0.1", 1)
        assert transport.get_extra_info("socket", "none") == "none"
        transport.pause_reading()

    assert _run(body).calls == [("pause_reading", None)]
