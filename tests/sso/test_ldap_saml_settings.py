"""helpdesk/settings.py turns the LDAP_* and SAML_* environment variables into the libraries' settings
(read in a fresh interpreter, as a start of the site would)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
search = getattr(s, "AUTH_LDAP_USER_SEARCH", None)
group = getattr(s, "AUTH_LDAP_GROUP_SEARCH", None)
saml = getattr(s, "SAML_CONFIG", {})
print(json.dumps({
    "backends": s.AUTHENTICATION_BACKENDS,
    "ldap": s.HELPDESK_SSO_LDAP_ENABLED,
    "saml": s.HELPDESK_SSO_SAML_ENABLED,
    "uri": getattr(s, "AUTH_LDAP_SERVER_URI", None),
    "user_search": [search.base_dn, search.filterstr] if search else None,
    "group_search": [group.base_dn, group.filterstr] if group else None,
    "group_type": type(getattr(s, "AUTH_LDAP_GROUP_TYPE", None)).__name__,
    "bind_as_user": getattr(s, "AUTH_LDAP_BIND_AS_AUTHENTICATING_USER", None),
    "entityid": saml.get("entityid"),
    "acs": saml.get("service", {}).get("sp", {}).get("endpoints", {}).get("assertion_consumer_service"),
    "signed": saml.get("service", {}).get("sp", {}).get("want_assertions_signed"),
    "unsolicited": saml.get("service", {}).get("sp", {}).get("allow_unsolicited"),
    "groups_attr": getattr(s, "HELPDESK_SAML_ATTR_GROUPS", None),
}))
"""


def probe(tmp_path: Path, **env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LDAP_", "SAML_"))}
    base.update(DJANGO_SETTINGS_MODULE="helpdesk.settings_test", HELPDESK_VAR_DIR=str(tmp_path), **env)
    out = subprocess.run(  # noqa: S603 - our interpreter
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_nothing_set_means_no_ldap_and_no_saml(tmp_path):  # noqa: ANN001
    got = probe(tmp_path)
    assert (got["ldap"], got["saml"]) == (False, False)
    assert "sso.ldap.DirectoryBackend" not in got["backends"]
    assert "sso.saml.SamlBackend" not in got["backends"]


def test_active_directory_from_the_environment(tmp_path):  # noqa: ANN001
    pytest.importorskip("ldap", reason="needs python-ldap (libldap-dev, libsasl2-dev; pip install '.[ldap]')")
    got = probe(
        tmp_path,
        LDAP_SERVER_URI="ldaps://dc1.corp.example.com",
        LDAP_BIND_DN="CN=svc,DC=corp,DC=example,DC=com",
        LDAP_BIND_PASSWORD="x",
        LDAP_USER_SEARCH_BASE="DC=corp,DC=example,DC=com",
        LDAP_USER_SEARCH_FILTER="(sAMAccountName=%(user)s)",
        LDAP_GROUP_SEARCH_BASE="OU=Groups,DC=corp,DC=example,DC=com",
        LDAP_GROUP_TYPE="nestedActiveDirectory",
    )
    assert got["ldap"] is True
    assert got["uri"] == "ldaps://dc1.corp.example.com"
    assert got["user_search"] == ["DC=corp,DC=example,DC=com", "(sAMAccountName=%(user)s)"]
    assert got["group_search"] == ["OU=Groups,DC=corp,DC=example,DC=com", "(objectClass=group)"]
    assert got["group_type"] == "NestedActiveDirectoryGroupType"
    assert got["bind_as_user"] is False  # lookups with the service account
    # after the local password backend, so that local customers' passwords still work
    assert got["backends"].index("sso.ldap.DirectoryBackend") > got["backends"].index(
        "sso.backends.LocalPasswordBackend"
    )


def test_saml_from_the_environment(tmp_path):  # noqa: ANN001
    got = probe(
        tmp_path,
        SAML_IDP_METADATA_URL="https://idp.example.com/metadata",
        HELPDESK_BASE_URL="https://help.example.com",
        SAML_ATTR_GROUPS="http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
    )
    assert got["saml"] is True
    assert got["entityid"] == "https://help.example.com/saml2/metadata/"
    assert got["acs"] == [
        ["https://help.example.com/saml2/acs/", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"]
    ]
    assert (got["signed"], got["unsolicited"]) == (True, False)
    assert got["groups_attr"] == "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
    assert "sso.saml.SamlBackend" in got["backends"]
