"""Suggestion quality: top-1 and top-3 hit rate of the evaluation questions over the demo articles.

    DATABASE_URL=postgres://… python bench/kb_eval.py [-v]

Creates a throw-away test database (test_<name>), migrates it, loads the demo knowledge base,
evaluates, and drops it again; your data is not touched. Meant for PostgreSQL (on SQLite it
measures the simple fallback).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings_test")


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from knowledgebase.demo import seed
        from tests.knowledgebase.eval_questions import evaluate

        seed()
        result = evaluate()
        print(f"database: {connection.vendor}")
        print(f"questions: {result.total}")
        print(f"top-1 hit rate: {result.top1:.3f}")
        print(f"top-3 hit rate: {result.top3:.3f}")
        if "-v" in sys.argv:
            for language, question, expected, got in result.misses:
                print(f"  [{language}] {question!r}: expected {expected}, got {got}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
