"""A real OpenLDAP server (Debian's ``slapd``) for the tests: its own config, database and port.

``LdapServer.start()`` writes a ``slapd.conf`` under a temporary directory, loads the directory's
people and groups with ``slapadd`` (offline, before the server runs), starts ``slapd -d`` in the
foreground on a free port of 127.0.0.1 and waits until an anonymous search answers. ``stop()``
ends that one process. Changes while it runs (lock, delete, move between groups) go through
``ldapmodify`` / ``ldapdelete`` as the directory's administrator, as an admin would.

The directory looks like a company's: ``ou=people`` with inetOrgPerson users (one of them also
with Active Directory's ``userAccountControl``, from Debian's msuser schema), ``ou=groups`` with
groupOfNames groups, and the ppolicy overlay, so that ``pwdAccountLockedTime`` locks an account
the way OpenLDAP does it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
LDAPMODIFY = "/usr/bin/ldapmodify"
LDAPSEARCH = "/usr/bin/ldapsearch"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

BASE = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "admin-secret-2026"
# The helpdesk's own read-only service account (AUTH_LDAP_BIND_DN), as a directory admin would give it.
SERVICE_DN = f"cn=helpdesk,ou=services,{BASE}"
SERVICE_PASSWORD = "service-secret-2026"
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"


def missing() -> str | None:
    """Why the server cannot run here (None when it can)."""
    for path, _package in ((SLAPD, "slapd"), (LDAPMODIFY, "ldap-utils")):
        if not os.access(path, os.X_OK):
            return f"needs {path} (apt-get install slapd ldap-utils)"
    try:
        import ldap  # noqa: F401
    except ImportError:
        return "needs python-ldap (make: libldap-dev and libsasl2-dev, then pip install '.[ldap]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Person:
    uid: str
    password: str
    given: str
    surname: str
    email: str
    groups: list[str] = field(default_factory=list)
    ad_account: bool = False  # also carries AD's sAMAccountName and userAccountControl
    ad_disabled: bool = False  # userAccountControl with ACCOUNTDISABLE (2) set, as AD has it

    @property
    def dn(self) -> str:
        return f"uid={self.uid},{PEOPLE}"


def _conf(root: Path, port: int) -> str:
    schemas = "\n".join(
        f"include {SCHEMA_DIR / name}.schema" for name in ("core", "cosine", "inetorgperson", "nis", "msuser")
    )
    return f"""{schemas}
# An auxiliary class so that inetOrgPerson users can carry AD's account flags (test only).
objectclass ( 1.3.6.1.4.1.99999.1.1 NAME 'helpdeskTestAdAccount' AUXILIARY
  MAY ( userAccountControl $ sAMAccountName ) )
modulepath {MODULE_DIR}
moduleload back_mdb
moduleload ppolicy
pidfile {root / "slapd.pid"}
argsfile {root / "slapd.args"}

database mdb
suffix "{BASE}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {root / "data"}
maxsize 33554432
overlay ppolicy
ppolicy_default "cn=default,ou=policies,{BASE}"
ppolicy_use_lockout

access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by dn.exact="{SERVICE_DN}" read
  by self read
  by * none
"""


def _ldif(people: list[Person], groups: dict[str, str]) -> str:
    parts = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example GmbH\n",
        *(
            f"dn: ou={ou},{BASE}\nobjectClass: organizationalUnit\nou: {ou}\n"
            for ou in ("people", "groups", "services", "policies")
        ),
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: helpdesk\nuserPassword: {SERVICE_PASSWORD}\n",
        f"dn: cn=default,ou=policies,{BASE}\nobjectClass: organizationalRole\nobjectClass: pwdPolicy\n"
        "cn: default\npwdAttribute: userPassword\npwdLockout: TRUE\npwdMaxFailure: 0\n",
    ]
    for p in people:
        extra = ""
        if p.ad_account:
            extra = (
                f"objectClass: helpdeskTestAdAccount\nsAMAccountName: {p.uid}\n"
                f"userAccountControl: {514 if p.ad_disabled else 512}\n"
            )
        parts.append(
            f"dn: {p.dn}\nobjectClass: inetOrgPerson\n{extra}uid: {p.uid}\ncn: {p.given} {p.surname}\n"
            f"givenName: {p.given}\nsn: {p.surname}\nmail: {p.email}\nuserPassword: {p.password}\n"
        )
    for cn, description in groups.items():
        # groupOfNames needs one member at least: a placeholder, as directory admins do, so that the last
        # real member can be taken out.
        members = [f"cn=nobody,{BASE}", *(p.dn for p in people if cn in p.groups)]
        parts.append(
            f"dn: cn={cn},{GROUPS}\nobjectClass: groupOfNames\ncn: {cn}\ndescription: {description}\n"
            + "".join(f"member: {m}\n" for m in members)
        )
    return "\n".join(parts)


class LdapServer:
    def __init__(self, people: list[Person], groups: dict[str, str]) -> None:
        self.people = people
        self.groups = groups
        self.root = Path(tempfile.mkdtemp(prefix="slapd-"))
        self.port = _free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> LdapServer:
        (self.root / "data").mkdir()
        conf = self.root / "slapd.conf"
        conf.write_text(_conf(self.root, self.port))
        ldif = self.root / "directory.ldif"
        ldif.write_text(_ldif(self.people, self.groups))
        subprocess.run(  # noqa: S603 - Debian's slapadd with our own files
            [SLAPADD, "-f", str(conf), "-l", str(ldif)], check=True, capture_output=True, timeout=60
        )
        log = (self.root / "slapd.log").open("wb")
        # -d keeps slapd in the foreground (no daemon to hunt down); "stats" logs binds and searches.
        self.proc = subprocess.Popen(  # noqa: S603
            [SLAPD, "-f", str(conf), "-h", self.uri + "/", "-d", "stats"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("slapd ended at start:\n" + self.log()[-3000:])
            if self._search_ok():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("slapd did not answer within 20 s:\n" + self.log()[-3000:])

    def log(self) -> str:
        path = self.root / "slapd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _search_ok(self) -> bool:
        result = subprocess.run(  # noqa: S603
            [
                LDAPSEARCH,
                "-x",
                "-H",
                self.uri,
                "-D",
                SERVICE_DN,
                "-w",
                SERVICE_PASSWORD,
                "-b",
                BASE,
                "-s",
                "base",
            ],
            capture_output=True,
            timeout=5,
        )
        return result.returncode == 0

    def modify(self, ldif: str) -> None:
        """Applies an LDIF change (changetype add/modify/delete) as the directory's administrator."""
        subprocess.run(  # noqa: S603
            [LDAPMODIFY, "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=ldif.encode(),
            check=True,
            capture_output=True,
            timeout=10,
        )

    def lock(self, person: Person) -> None:
        """ppolicy's permanent lock: every bind as this person fails from now on."""
        self.modify(
            f"dn: {person.dn}\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n"
        )

    def delete(self, person: Person) -> None:
        self.modify(f"dn: {person.dn}\nchangetype: delete\n")

    def remove_from_group(self, person: Person, group: str) -> None:
        self.modify(f"dn: cn={group},{GROUPS}\nchangetype: modify\ndelete: member\nmember: {person.dn}\n")

    def add_to_group(self, person: Person, group: str) -> None:
        self.modify(f"dn: cn={group},{GROUPS}\nchangetype: modify\nadd: member\nmember: {person.dn}\n")

    def set_user_account_control(self, person: Person, value: int) -> None:
        self.modify(
            f"dn: {person.dn}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: {value}\n"
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)
