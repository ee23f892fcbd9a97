"""The proxy's upstream client as an httpx transport: an `httpx.AsyncClient` can use it as is."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from truewatch_contract.mock import MockState, create_app, serve
from truewatch_contract.proxy.upstream import Upstream, UpstreamTransport


def test_an_async_client_over_the_upstream_transport_gets_the_mocks_answers() -> None:
    state = MockState.default()
    info = state.connection_info("http://x")
    with serve(create_app(state), log_level="error") as server:

        async def exchange() -> list[httpx.Response]:
            transport = UpstreamTransport(Upstream.parse(server.base_url))
            async with httpx.AsyncClient(transport=transport, base_url=server.base_url) as client:
                path = f"/api/v1/error_track/{info['issue_id']}/update"
                good = {"DF-API-KEY": info["api_key"]}
                return [
                    await client.post(path, json={"issueStatus": "Resolved"}, headers=good),
                    await client.post(path, json={"issueStatus": "level"}, headers=good),
                    await client.post(path, json={"issueStatus": "Resolved"}),
                ]

        valid, invalid, keyless = asyncio.run(exchange())
    assert valid.status_code == 200 and valid.json()["content"]["issueStatus"] == "Resolved"
    assert invalid.status_code == 400 and invalid.json()["success"] is False
    assert keyless.status_code in (401, 403)


def test_an_upstream_that_cannot_be_reached_raises_httpx_errors() -> None:
    async def exchange() -> None:
        transport = UpstreamTransport(Upstream.parse("http://127.0.0.1:1"), connect_timeout=2)
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get("http://127.0.0.1:1/")

    with pytest.raises(httpx.ConnectError):
        asyncio.run(exchange())
