"""The real-world mail corpus (tests/mailin/corpus/) through the pipeline, one mail after the other.

    python bench/mail_corpus.py            # SQLite in a fresh temporary folder
    DATABASE_URL=postgres://…/hd_bench_corpus python bench/mail_corpus.py

Migrates the database, then stores and processes every corpus mail in name order with
`inbound_store` / `inbound_process` (as the IMAP poll does) and prints the outcomes, the mails
dropped unstored, the exceptions, how many sidecars are met, and p50/p95 per mail.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
if "DATABASE_URL" not in os.environ:
    os.environ["HELPDESK_VAR_DIR"] = tempfile.mkdtemp(prefix="hd-corpus-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from accounts.models import Team  # noqa: E402
from mailin import services  # noqa: E402
from tests.mailin.corpus import cases, mismatches, observe  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    Team.objects.get_or_create(name="Service Desk", defaults={"tier": 1, "is_default_for_tier": True})
    outcomes: Counter[str] = Counter()
    times, cpu, met, raised = [], [], 0, []
    corpus = cases()
    for case in corpus:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            stored = services.inbound_store(raw=case.raw)
            inbound = None if stored is None else services.inbound_process(pk=stored.pk)
        except Exception as exc:  # counted, never hidden
            raised.append(f"{case.name}: {exc!r}")
            continue
        finally:
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        if inbound is None:
            outcomes["dropped unstored"] += 1
            continue
        seen = observe(inbound)
        outcomes[seen["outcome"]] += 1
        met += not mismatches(case.expected, seen)
    print(f"mails: {len(corpus)}  " + "  ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    print(f"raised: {len(raised)}  sidecars met (one database, in order): {met}/{len(corpus)}")
    print(f"per mail: p50 {statistics.median(times):.1f} ms, p95 {_p95(times):.1f} ms (wall)")
    print(
        f"per mail: p50 {statistics.median(cpu):.1f} ms, p95 {_p95(cpu):.1f} ms (CPU of this process, SQLite included)"
    )
    for line in raised:
        print("  raised", line)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


if __name__ == "__main__":
    main()
