"""Starts and stops the test IdP (``server.py``) in its own process, and writes its people."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]
XMLSEC1 = "/usr/bin/xmlsec1"


def missing() -> str | None:
    if not os.access(XMLSEC1, os.X_OK):
        return f"needs {XMLSEC1} (apt-get install xmlsec1)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestIdP:
    def __init__(self, sp_metadata_xml: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="idp-"))
        self.port = _free_port()
        self.url = f"http://localhost:{self.port}"
        (self.dir / "sp-metadata.xml").write_text(sp_metadata_xml)
        self.proc: subprocess.Popen[bytes] | None = None

    def set_people(self, people: dict[str, dict]) -> None:
        """username → {password, name_id, attributes: {mail: [...], displayName: [...], isMemberOf: [...]}, sign}"""
        (self.dir / "users.json").write_text(json.dumps(people))

    def start(self) -> TestIdP:
        log = (self.dir / "idp.log").open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 - our interpreter, our script
            [
                sys.executable,
                "-m",
                "tests.sso.idp_saml.server",
                "--port",
                str(self.port),
                "--dir",
                str(self.dir),
                "--sp-metadata",
                str(self.dir / "sp-metadata.xml"),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the test IdP ended at start:\n" + self.log())
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the test IdP did not answer within 30 s:\n" + self.log())

    def log(self) -> str:
        path = self.dir / "idp.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def last_response(self) -> str:
        """The base64 SAMLResponse the IdP sent last."""
        return (self.dir / "last-response.txt").read_text()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)
