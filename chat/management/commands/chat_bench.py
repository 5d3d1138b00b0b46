"""``manage.py chat_bench``: N concurrent customer WebSockets against ONE uvicorn process.

The entry point is ``bench/chat.py`` (it calls this command). Measures (issue #12's bench): memory per
idle connection (the server's RSS before and after N bare connections), then N chats started and spread
over a team of agents as the product allows (``--per-agent`` chats per agent connection, the team cap's
default 3, so 500 chats → 167 agents), and one line from each customer, paced at ``--rate`` lines/s:
delivery customer → agent (sent → seen by that chat's agent) p50 / p95 / max, and lines lost.
Writes chats and tickets into DATABASE_URL: run it against a bench or development database.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Bench the live chat: N customer WebSockets on one ASGI process (delivery latency, memory)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--connections", type=int, default=500)
        parser.add_argument("--rate", type=float, default=50.0, help="customer lines per second")
        parser.add_argument("--per-agent", type=int, default=3, help="chats watched by one agent connection")

    def handle(self, *args: Any, **opts: Any) -> None:
        from accounts.models import Team, User
        from chat.models import ChatSettings

        team = Team.objects.filter(tier=1, is_default_for_tier=True).first() or Team.objects.create(
            name="Chat bench", tier=1, is_default_for_tier=True
        )
        cookies = []
        for k in range(-(-opts["connections"] // max(1, opts["per_agent"]))):
            agent, _created = User.objects.get_or_create(
                username=f"chat-bench-agent-{k}",
                defaults={
                    "role": User.Role.AGENT,
                    "first_name": f"Bench {k}",
                    "email": f"chat-bench-{k}@example.invalid",
                },
            )
            agent.teams.add(team)
            client = Client()
            client.force_login(agent)
            cookies.append(f"sessionid={client.cookies['sessionid'].value}")
        row = ChatSettings.load()
        bot_before = row.bot_enabled
        row.bot_enabled = False  # the bench measures delivery, not the search engine
        row.save(update_fields=["bot_enabled"])
        port = _free_port()
        env = {**os.environ, "CHAT_STARTS_PER_ADDRESS_HOUR": "1000000", "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "uvicorn", "helpdesk.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--ws", "websockets", "--lifespan", "off", "--no-access-log",
             "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            result = asyncio.run(self.bench(port, cookies, opts["connections"], opts["rate"], proc.pid))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            row.bot_enabled = bot_before
            row.save(update_fields=["bot_enabled"])
        self.stdout.write(json.dumps(result, indent=2))

    async def bench(self, port: int, cookies: list[str], n: int, rate: float, pid: int) -> dict[str, Any]:
        import websockets

        url = f"ws://127.0.0.1:{port}/ws/chat/"
        origin = f"http://127.0.0.1:{port}"
        seen: dict[str, float] = {}
        gate = asyncio.Semaphore(50)

        async def agent_connect(cookie: str) -> Any:
            async with gate:
                ws = await websockets.connect(
                    url + "agent/", origin=origin, additional_headers={"Cookie": cookie}, max_size=2**22
                )
                json.loads(await ws.recv())  # hello
                return ws

        agents = await asyncio.gather(*(agent_connect(c) for c in cookies))

        async def agent_reader(agent: Any) -> None:
            try:
                async for raw in agent:
                    frame = json.loads(raw)
                    if frame.get("type") == "message" and frame.get("kind") == "customer":
                        seen.setdefault(frame["client_id"], time.perf_counter())
            except Exception:  # noqa: BLE001, S110 - closed at the end
                pass

        readers = [asyncio.create_task(agent_reader(a)) for a in agents]
        await asyncio.sleep(1)
        rss_before = _rss_kib(pid)

        async def open_one(i: int) -> Any:
            async with gate:
                return await websockets.connect(url, origin=origin)

        conns = await asyncio.gather(*(open_one(i) for i in range(n)))
        await asyncio.sleep(2)
        rss_idle = _rss_kib(pid)

        async def start(i: int, ws: Any) -> int:
            async with gate:
                await ws.send(
                    json.dumps({"type": "start", "name": f"Bench {i}", "email": f"bench{i}@example.invalid"})
                )
                while True:
                    frame = json.loads(await ws.recv())
                    if frame["type"] == "joined":
                        return frame["chat"]["id"]

        t0 = time.perf_counter()
        chat_ids = await asyncio.gather(*(start(i, ws) for i, ws in enumerate(conns)))
        start_seconds = time.perf_counter() - t0
        per = -(-n // len(agents))
        for i, chat_id in enumerate(chat_ids):
            await agents[i // per].send(json.dumps({"type": "open", "chat": chat_id, "after": 10**12}))
        await asyncio.sleep(3)
        rss_chats = _rss_kib(pid)

        async def drain(ws: Any) -> None:
            try:
                async for _raw in ws:
                    pass
            except Exception:  # noqa: BLE001, S110 - closed at the end
                pass

        drains = [asyncio.create_task(drain(ws)) for ws in conns]
        sent: dict[str, float] = {}
        for i, ws in enumerate(conns):
            cid = f"bench-{i}-{time.time_ns()}"
            sent[cid] = time.perf_counter()
            await ws.send(
                json.dumps({"type": "message", "body": f"line from customer {i}", "client_id": cid})
            )
            await asyncio.sleep(1 / rate)
        deadline = time.perf_counter() + 15
        while len([c for c in sent if c in seen]) < len(sent) and time.perf_counter() < deadline:
            await asyncio.sleep(0.2)
        latencies = [(seen[c] - sent[c]) * 1000 for c in sent if c in seen]
        for ws in conns:
            await ws.close()
        for agent in agents:
            await agent.close()
        for task in readers:
            task.cancel()
        for task in drains:
            task.cancel()
        return {
            "connections": n,
            "agent_connections": len(agents),
            "server_rss_mib": {
                "before": rss_before // 1024,
                "idle": rss_idle // 1024,
                "chats": rss_chats // 1024,
            },
            "kib_per_idle_connection": round((rss_idle - rss_before) / n, 1),
            "kib_per_open_chat_connection": round((rss_chats - rss_before) / n, 1),
            "chat_starts_seconds": round(start_seconds, 1),
            "lines_sent": len(sent),
            "lines_lost": len(sent) - len(latencies),
            "delivery_ms": {
                "p50": round(statistics.median(latencies), 1) if latencies else None,
                "p95": round(_pct(latencies, 95), 1) if latencies else None,
                "max": round(max(latencies), 1) if latencies else None,
            },
            "rate_per_second": rate,
            "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
        }
