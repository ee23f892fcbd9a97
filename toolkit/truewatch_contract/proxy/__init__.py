"""
The validating proxy: ``truewatch-contract proxy --upstream URL``.

A reverse proxy in front of the API (or the built-in mock, or staging) that forwards every request
as received and returns the upstream's answer unchanged, and judges every exchange on the update
route with the library's one judge (a `truewatch_contract.judge.Watcher`), off the response path:
the client never waits for a verdict (unless ``--annotate`` asks for one in a header). When it
stops, it writes the same reports as ``truewatch-contract run``, from the same typed run record.

- `upstream`: the upstream client, ``UpstreamTransport`` (an httpx transport) pooling HTTP/1.1.
- `passage`: `Passage`, one exchange as the proxy forwarded it, and the library's `Exchange` of it.
- `spool`: the file the event loop appends each passage to, and the judge reads back.
- `judging`: `Judging` (the Watcher, the record), run inline or in its own low-priority process.
- `app`: the ASGI application (Starlette) that forwards.
- `server`: uvicorn in a thread, answering garbage from clients with an envelope.
- `command`: the command's life: options, start, stop, judge what is left, write the reports.

Its dependencies come with the ``proxy`` extra (Starlette, uvicorn, httpx); the package itself
imports none of them at import time.
"""

from __future__ import annotations
