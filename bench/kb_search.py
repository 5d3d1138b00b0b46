"""Search and suggest latency over 10,000 articles: p50 / p95 in milliseconds.

    DATABASE_URL=postgres://… python bench/kb_search.py [--articles 10000] [--runs 300]

Works in a throw-away test database (created, filled, dropped again). Measures the search
function (what /help/?q=, the panels and ?q= use) and GET /api/v1/kb/suggest/ through the whole
Django stack, with the eval questions plus as-you-type prefixes as queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings_test")


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mu",
    "se",
    "lan",
    "ber",
    "gen",
    "schaft",
    "ung",
    "keit",
    "ver",
    "ak",
    "tion",
    "dat",
    "ex",
    "port",
    "mo",
    "dul",
    "pro",
    "zess",
    "sys",
    "tem",
    "con",
    "fig",
    "net",
    "log",
    "ser",
    "ver",
]


def _corpus_words(rng: random.Random) -> tuple[dict[str, list[str]], list[str]]:
    """Demo-article words per language (most frequent first) and a large synthetic vocabulary.

    Real knowledge bases are Zipf-shaped: a few words are everywhere, most are rare, and any one
    topic word ("Passwort") occurs in a small share of the articles. Drawing only from the demo
    articles' ~800 words would put every word in a third of all articles, which no real KB does.
    """
    from collections import Counter

    from knowledgebase import demo_content

    counts: dict[str, Counter] = {"de": Counter(), "en": Counter()}
    for a in demo_content.ARTICLES:
        counts[a["language"]].update(w for w in (a["title"] + " " + a["body"]).split() if w.isalpha())
    demo = {lang: [w for w, _c in c.most_common()] for lang, c in counts.items()}
    synthetic = list(
        {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(40_000)}
    )
    return demo, synthetic


def _zipf_pick(rng: random.Random, words: list[str]) -> str:
    return words[min(len(words) - 1, int(rng.paretovariate(1.1)) - 1)]


def _fill(n: int) -> None:
    from django.db import connection

    from knowledgebase.demo import seed
    from knowledgebase.models import Article
    from knowledgebase.search import search_vector_refresh

    seed()
    rng = random.Random(42)
    demo, synthetic = _corpus_words(rng)

    def text(lang: str, length: int) -> str:
        # One word in five comes from the help-desk vocabulary, the rest from the long tail.
        out = []
        for _ in range(length):
            if rng.random() < 0.2:
                out.append(_zipf_pick(rng, demo[lang]))
            else:
                out.append(synthetic[int(rng.paretovariate(0.6) * 7) % len(synthetic)])
        return " ".join(out)

    rows = []
    for i in range(n - Article.objects.count()):
        lang = "de" if i % 2 else "en"
        rows.append(
            Article(
                slug=f"bench-{i}",
                title=text(lang, rng.randint(3, 8)).capitalize(),
                body="\n\n".join(text(lang, rng.randint(30, 80)) for _ in range(4)),
                language=lang,
                status="published",
                visibility="internal" if i % 7 == 0 else "public",
                view_count=rng.randint(0, 500),
            )  # fmt: skip
        )
    Article.objects.bulk_create(rows, batch_size=1000)
    search_vector_refresh()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledgebase_article")
            cursor.execute("ANALYZE knowledgebase_searchword")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from knowledgebase.models import Article
        from knowledgebase.search import search
        from knowledgebase.selectors import article_published_qs
        from tests.knowledgebase.eval_questions import QUESTIONS

        started = time.perf_counter()
        _fill(args.articles)
        print(
            f"database: {connection.vendor}; {Article.objects.count()} articles (filled in {time.perf_counter() - started:.1f} s)"
        )
        queries = [(lang, q) for lang, q, _e in QUESTIONS]
        # As-you-type: the first letters of each question.
        queries += [(lang, q[: max(4, len(q) // 3)]) for lang, q, _e in QUESTIONS]
        qs = article_published_qs(user=AnonymousUser())
        client = Client()
        for lang, q in queries:  # steady state: every query once, to warm PostgreSQL's buffers
            search(qs=qs, query=q, language=lang, limit=5)
        timings: dict[str, list[float]] = {"search (function)": [], "GET /api/v1/kb/suggest/": []}
        for i in range(args.runs):
            lang, q = queries[i % len(queries)]
            t0 = time.perf_counter()
            search(qs=qs, query=q, language=lang, limit=10)
            timings["search (function)"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            response = client.get("/api/v1/kb/suggest/", {"q": q, "language": lang})
            timings["GET /api/v1/kb/suggest/"].append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.content
        for name, values in timings.items():
            print(
                f"{name:26s} n={len(values)}  p50={statistics.median(values):6.1f} ms  "
                f"p95={_percentile(values, 95):6.1f} ms  max={max(values):6.1f} ms"
            )
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
