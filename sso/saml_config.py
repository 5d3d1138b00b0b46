"""djangosaml2's settings from ours: imported by helpdesk/settings.py, so no models here."""

from __future__ import annotations

from typing import Any

import saml2
from django.core.exceptions import ImproperlyConfigured
from saml2.saml import NAMEID_FORMAT_PERSISTENT

XMLSEC1 = "/usr/bin/xmlsec1"


def saml_settings(
    *,
    base_url: str,
    idp_metadata_url: str = "",
    idp_metadata_file: str = "",
    entity_id: str = "",
    attr_email: str = "mail",
    attr_full_name: str = "displayName",
    attr_groups: str = "isMemberOf",
    sp_key_file: str = "",
    sp_cert_file: str = "",
    want_response_signed: bool = False,
    metadata_cache_seconds: int = 3600,
    xmlsec_binary: str = XMLSEC1,
    https: bool = True,
) -> dict[str, Any]:
    """djangosaml2's settings (``SAML_*``) and ours (``HELPDESK_SAML_*``) for one identity provider."""
    if not idp_metadata_url and not idp_metadata_file:
        raise ImproperlyConfigured("SAML needs SAML_IDP_METADATA_URL or SAML_IDP_METADATA_FILE")
    base = base_url.rstrip("/")
    sp: dict[str, Any] = {
        "name": "Helpdesk",
        "endpoints": {"assertion_consumer_service": [(f"{base}/saml2/acs/", saml2.BINDING_HTTP_POST)]},
        # Only answers to our own requests: no IdP-initiated sign-in, no replay, no login CSRF.
        "allow_unsolicited": False,
        "want_assertions_signed": True,
        "want_response_signed": want_response_signed,
        "authn_requests_signed": bool(sp_key_file),
        "name_id_format": NAMEID_FORMAT_PERSISTENT,
        "name_id_format_allow_create": True,
        # No requested attributes in our metadata: IdPs would then send only those (and group claims are
        # often not in pysaml2's attribute maps); the IdP's release policy decides, the mapping reads.
    }
    config: dict[str, Any] = {
        "entityid": entity_id or f"{base}/saml2/metadata/",
        "xmlsec_binary": xmlsec_binary,
        "service": {"sp": sp},
        "allow_unknown_attributes": True,  # e.g. Entra ID's claim URIs as attribute names
        "accepted_time_diff": 60,
        "delete_tmpfiles": True,
    }
    if sp_key_file and sp_cert_file:
        config["key_file"], config["cert_file"] = sp_key_file, sp_cert_file
        config["encryption_keypairs"] = [{"key_file": sp_key_file, "cert_file": sp_cert_file}]
    return {
        "SAML_CONFIG": config,
        "SAML_CONFIG_LOADER": "sso.saml.config_loader",
        "HELPDESK_SAML_IDP_METADATA_URL": idp_metadata_url,
        "HELPDESK_SAML_IDP_METADATA_FILE": idp_metadata_file,
        "HELPDESK_SAML_METADATA_CACHE_SECONDS": metadata_cache_seconds,
        "HELPDESK_SAML_ATTR_EMAIL": attr_email,
        "HELPDESK_SAML_ATTR_FULL_NAME": attr_full_name,
        "HELPDESK_SAML_ATTR_GROUPS": attr_groups,
        # djangosaml2's own cookie with the outstanding requests: SameSite=None needs https.
        "SAML_SESSION_COOKIE_SAMESITE": "None" if https else "Lax",
        "SAML_DEFAULT_BINDING": saml2.BINDING_HTTP_REDIRECT,
        "SAML_IGNORE_LOGOUT_ERRORS": True,
    }
