"""Real-world mails (tests/mailin/corpus/) through inbound_store / inbound_process, checked against
the expectations written by hand in each mail's sidecar."""

from __future__ import annotations

from collections import defaultdict

import pytest

from mailin import parsing, services
from mailin.models import InboundMail
from tests.mailin.corpus import cases, deliver, mismatches, observe

pytestmark = pytest.mark.django_db

CASES = cases()


def _param(case):  # noqa: ANN001, ANN202
    reason = case.expected.get("xfail")
    marks = [pytest.mark.xfail(reason=reason, strict=False)] if reason else []
    return pytest.param(case, id=case.name, marks=marks)


def test_the_corpus_is_there():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_corpus_mail(case, service_desk):  # noqa: ANN001
    inbound = deliver(case.raw)
    assert inbound is not None, "not stored"
    problems = mismatches(case.expected, observe(inbound))
    assert not problems, f"{case.name} ({case.expected.get('origin', '')}):\n  " + "\n  ".join(problems)


def _message_id_groups() -> list[list]:
    by_id = defaultdict(list)
    for case in CASES:
        by_id[parsing.headers_of(case.raw).message_id].append(case)
    return [group for group in by_id.values() if len(group) > 1]


GROUPS = _message_id_groups()


def test_the_corpus_has_distinct_mails_that_share_a_message_id():
    assert len(GROUPS) >= 2
    for group in GROUPS:
        assert len({case.raw for case in group}) == len(group), [c.name for c in group]


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: "+".join(c.name for c in g))
def test_every_distinct_mail_of_a_message_id_group_is_stored_and_an_exact_duplicate_once(group, service_desk):  # noqa: ANN001
    stored = [services.inbound_store(raw=case.raw) for case in group]
    assert all(stored), [c.name for c, s in zip(group, stored, strict=True) if s is None]
    first, *later = stored
    assert first.repeat_of is None
    assert all(mail.repeat_of == first for mail in later)
    for case in group:  # the same bytes again (an IMAP refetch, a webhook retry): kept once
        assert services.inbound_store(raw=case.raw) is None
    assert InboundMail.objects.count() == len(group)
    for case, mail in zip(group, stored, strict=True):
        problems = mismatches(case.expected, observe(services.inbound_process(pk=mail.pk)))
        if not case.expected.get("xfail"):
            assert not problems, f"{case.name}:\n  " + "\n  ".join(problems)
