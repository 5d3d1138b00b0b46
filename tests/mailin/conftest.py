"""A real IMAP server for the mail tests: Debian's dovecot, started per session on a free port."""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
IN_CI = os.environ.get("CI") == "true"


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    def append(self, raw: bytes) -> None:
        with imaplib.IMAP4(self.host, self.port) as imap:
            imap.login(self.user, self.password)
            imap.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)

    def unseen(self) -> int:
        with imaplib.IMAP4(self.host, self.port) as imap:
            imap.login(self.user, self.password)
            imap.select("INBOX")
            _typ, data = imap.uid("SEARCH", None, "UNSEEN")
            return len((data[0] or b"").split())

    def clear(self) -> None:
        with imaplib.IMAP4(self.host, self.port) as imap:
            imap.login(self.user, self.password)
            _typ, data = imap.select("INBOX")
            if int(data[0] or 0):
                imap.store("1:*", "+FLAGS", "(\\Deleted)")
                imap.expunge()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dovecot() -> Iterator[ImapServer]:
    """Start dovecot as root on a free port with one mailbox user; stop it afterwards."""
    # Not pytest's tmp_path: dovecot's unprivileged auth process must be able to traverse the path.
    base = Path(tempfile.mkdtemp(prefix="hd-dovecot-"))
    home = base / "home"
    home.mkdir()
    shutil.chown(home, "nobody", "nogroup")
    base.chmod(0o755)
    port = _free_port()
    (base / "passwd").write_text("support:{PLAIN}imap-secret::::::\n")
    conf = base / "dovecot.conf"
    conf.write_text(
        f"""
base_dir = {base}/run
state_dir = {base}/state
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {base}/dovecot.log
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    )
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {proc.stdout.read().decode()}") from None  # type: ignore[union-attr]
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("dovecot did not start")
    server = ImapServer("127.0.0.1", port, "support", "imap-secret")
    try:
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    if not os.path.exists(DOVECOT) or os.geteuid() != 0:
        if IN_CI:
            pytest.fail(
                "dovecot (apt-get install dovecot-imapd) and root are needed for the mail tests in CI"
            )
        pytest.skip("needs dovecot (apt-get install dovecot-imapd), run as root")
    with dovecot() as server:
        yield server


def make_mail(
    *,
    sender: str = "alice@example.com",
    to: str = "support@example.com",
    subject: str = "Printer does not print",
    body: str = "Since this morning nothing comes out.",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate()
    msg["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for name, value in (headers or {}).items():
        msg[name] = value
    if html is not None and body is None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    for filename, ctype, payload in attachments or []:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(msg)
