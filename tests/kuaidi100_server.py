"""A local Kuaidi100 for the tests: the real-time query and the subscription, with the
request and answer shapes of Kuaidi100's public documentation, signatures checked, and the
ability to push a waybill's status to a subscriber's callback URL signed with its salt.

It lives in tests, never in the product: the bot talks to it over HTTP exactly as it would
to poll.kuaidi100.com.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

KEY = "test-kuaidi100-key"
CUSTOMER = "TESTCUSTOMER0001"
NEEDS_PHONE = {"shunfeng", "shunfengkuaiyun", "zhongtong"}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


@dataclass
class Waybill:
    """A parcel the fake knows: state, and events newest first as (ftime, area, context,
    statusCode)."""

    com: str
    num: str
    state: str
    events: list[tuple[str, str, str, str]]
    phone_last4: str | None = None

    def result(self) -> dict[str, Any]:
        return {
            "message": "ok",
            "nu": self.num,
            "ischeck": "1" if self.state.startswith("3") else "0",
            "com": self.com,
            "status": "200",
            "condition": "F00",
            "state": self.state,
            "data": [
                {
                    "time": when,
                    "ftime": when,
                    "context": context,
                    "areaName": area,
                    "statusCode": code,
                }
                for when, area, context, code in self.events
            ],
        }


@dataclass
class Subscription:
    company: str
    number: str
    callback_url: str
    salt: str


@dataclass
class FakeKuaidi100:
    base_url: str = ""
    waybills: dict[str, Waybill] = field(default_factory=dict)
    queries: list[dict[str, Any]] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def knows(self, waybill: Waybill) -> None:
        self.waybills[waybill.num] = waybill

    async def _query(self, request: web.Request) -> web.Response:
        form = await request.post()
        customer, sign, param = str(form["customer"]), str(form["sign"]), str(form["param"])
        if customer != CUSTOMER or sign != _md5(param + KEY + customer):
            self.refused.append("sign")
            return web.json_response(
                {"result": False, "returnCode": "503", "message": "验证签名失败"}
            )
        body = json.loads(param)
        self.queries.append(body)
        waybill = self.waybills.get(body.get("num", ""))
        if waybill is None:
            return web.json_response(
                {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}
            )
        if waybill.com in NEEDS_PHONE and not body.get("phone"):
            return web.json_response(
                {"result": False, "returnCode": "408", "message": "快递公司参数异常：验证码错误"}
            )
        return web.json_response(waybill.result())

    async def _subscribe(self, request: web.Request) -> web.Response:
        form = await request.post()
        body = json.loads(str(form["param"]))
        if body.get("key") != KEY or form.get("schema") != "json":
            return web.json_response(
                {"result": False, "returnCode": "600", "message": "您不是合法的订阅者"}
            )
        parameters = body.get("parameters", {})
        if any(s.number == body["number"] for s in self.subscriptions):
            return web.json_response({"result": False, "returnCode": "501", "message": "重复订阅"})
        self.subscriptions.append(
            Subscription(
                body.get("company", ""),
                body["number"],
                parameters["callbackurl"],
                parameters.get("salt", ""),
            )
        )
        return web.json_response({"result": True, "returnCode": "200", "message": "提交成功"})

    def push_form(self, number: str, *, forge: bool = False) -> dict[str, str]:
        """The form Kuaidi100 posts to a subscriber when the waybill changes."""
        subscription = next(s for s in self.subscriptions if s.number == number)
        waybill = self.waybills[number]
        signed = waybill.state.startswith("3")
        param = json.dumps(
            {
                "status": "shutdown" if signed else "polling",
                "billstatus": "check" if signed else "got",
                "message": "",
                "lastResult": waybill.result(),
            },
            ensure_ascii=False,
        )
        sign = _md5(param + ("not-the-salt" if forge else subscription.salt))
        return {"param": param, "sign": sign}

    async def push(self, number: str, *, forge: bool = False) -> httpx.Response:
        """Push the waybill's status to its subscriber's callback URL."""
        subscription = next(s for s in self.subscriptions if s.number == number)
        async with httpx.AsyncClient() as client:
            return await client.post(
                subscription.callback_url, data=self.push_form(number, forge=forge)
            )


@asynccontextmanager
async def fake_kuaidi100() -> AsyncIterator[FakeKuaidi100]:
    server = FakeKuaidi100()
    app = web.Application()
    app.router.add_post("/poll/query.do", server._query)
    app.router.add_post("/poll", server._subscribe)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base_url = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()
