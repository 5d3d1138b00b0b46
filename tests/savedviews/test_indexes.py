"""The index the saved views' channel + creation-date filter counts on (savedviews migration 0002)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="PostgreSQL's catalog and planner")
def test_open_tickets_by_channel_and_creation_have_their_partial_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_open_channel_created'")
        row = cursor.fetchone()
        assert row is not None
        assert "(channel, created_at)" in row[0]
        assert "WHERE" in row[0]
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT count(*) FROM (SELECT 1 FROM tickets_ticket WHERE status IN ('new', 'open', 'pending')"
            " AND channel = 'phone' AND created_at >= now() - interval '7 days' LIMIT 1001) s"
        )
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "ticket_open_channel_created" in plan
