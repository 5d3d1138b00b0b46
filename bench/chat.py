"""Bench: the live chat at N concurrent customer WebSockets on one ASGI process (issue #12; docs/chat.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        python bench/chat.py [--connections 500] [--rate 50] [--per-agent 3]

Starts one uvicorn process, opens N customer WebSockets (memory per idle connection), starts N chats,
spreads them over a team of agent connections (``--per-agent`` each, the team cap's default 3), sends one
line per customer at ``--rate`` lines/s and reports delivery customer → agent p50 / p95 / max and lines
lost. The work is ``manage.py chat_bench`` (chat/management/commands/chat_bench.py); this is its entry
point. It writes chats, tickets and bench agents: run it on a bench or development database.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

if __name__ == "__main__":
    call_command("chat_bench", *sys.argv[1:])
