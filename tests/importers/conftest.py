"""Fixtures of the importer tests: a data set made by the real django-helpdesk (from PyPI, in a
virtualenv of its own), shared by the source's tests and the supervisor page's tests.

The virtualenv is built once (about 20 s: ``pip install django-helpdesk``) under
``$HELPDESK_IMPORTERS_CACHE`` (default: the system temp dir) and reused; without network access to
PyPI the tests skip, saying so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

DJANGO_HELPDESK = "django-helpdesk==2.6.1"
HERE = Path(__file__).parent


def _venv() -> Path:
    root = (
        Path(os.environ.get("HELPDESK_IMPORTERS_CACHE", tempfile.gettempdir()))
        / "importers-django-helpdesk-2.6.1"
    )
    python = root / "bin" / "python"
    if python.exists() and (root / ".ready").exists():
        return python
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(root)], check=True)  # noqa: S603
    pip = subprocess.run(  # noqa: S603
        [str(python), "-m", "pip", "install", "-q", DJANGO_HELPDESK], capture_output=True, text=True
    )
    if pip.returncode != 0:
        pytest.skip(f"cannot install {DJANGO_HELPDESK} from PyPI: {pip.stderr.strip()[-300:]}")
    (root / ".ready").write_text(f"built in {time.monotonic() - started:.0f} s\n")
    return python


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> dict:  # noqa: ANN001
    python = _venv()
    out = tmp_path_factory.mktemp("django-helpdesk")
    subprocess.run(
        [str(python), str(HERE / "django_helpdesk_site" / "make_dataset.py"), str(out)], check=True
    )  # noqa: S603
    summary = json.loads((out / "summary.json").read_text())
    return {"dir": out, "summary": summary}


@pytest.fixture(autouse=True)
def _forget_cached_import_flag():  # noqa: ANN202
    """The ticket page's panel caches whether anything was imported; every test starts unknowing."""
    from importers.selectors import any_imported_tickets_forget

    any_imported_tickets_forget()
    yield
    any_imported_tickets_forget()


def dumpdata_upload(dataset: dict, name: str = "helpdesk-dump.json"):  # noqa: ANN201
    """The data set's dumpdata JSON as the page's form receives it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, (dataset["dir"] / "dump.json").read_bytes(), content_type="application/json"
    )
