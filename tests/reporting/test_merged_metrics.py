"""What a merged-away ticket means for the metrics (docs/metrics.md, "Merged tickets")."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reporting.metrics import MetricFilters, metrics_summary
from tickets import merge, services

pytestmark = pytest.mark.django_db


def _today() -> MetricFilters:
    day = timezone.localdate()
    return MetricFilters(date_from=day, date_to=day)


def test_a_merged_duplicate_is_no_resolution_and_does_not_spoil_the_targets_fcr(alice, tina, service_desk):
    target = services.ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    duplicate = services.ticket_create(requester=alice, by=alice, subject="VPN!!", description="still down")
    services.message_add(ticket=target, author=tina, body="Restart the client, please.")
    # when: the duplicate is merged (the customer is told on the target) and the target solved
    merge.ticket_merge(source=duplicate, target=target, by=tina)
    services.ticket_resolve(ticket=target, by=tina, resolution="Client restarted")
    summary = metrics_summary(_today(), compare=False)
    # then: one resolution (the target), solved on first contact; the duplicate was a request that came in
    assert summary["resolved"] == 1
    assert summary["flr"]["numerator"] == summary["flr"]["denominator"] == 1
    assert summary["fcr"]["numerator"] == summary["fcr"]["denominator"] == 1
    assert summary["created"] == 2
    target.refresh_from_db()
    assert (target.public_reply_count, target.customer_followup_count) == (1, 0)


def test_the_customers_later_mail_to_the_duplicate_counts_on_the_target(alice, tina, service_desk):
    target = services.ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    duplicate = services.ticket_create(requester=alice, by=alice, subject="VPN!!", description="still down")
    services.message_add(ticket=target, author=tina, body="Restart the client, please.")
    merge.ticket_merge(source=duplicate, target=target, by=tina)
    services.message_add(ticket=duplicate, author=alice, body="Did not help")  # lands on the target
    services.ticket_resolve(ticket=target, by=tina, resolution="New profile")
    summary = metrics_summary(_today(), compare=False)
    assert summary["fcr"]["numerator"] == 0  # the customer had to write again: no first-contact resolution
    assert summary["flr"]["numerator"] == 1
