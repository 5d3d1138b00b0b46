"""django-auth-ldap's settings from ours: imported by helpdesk/settings.py, so no models here."""

from __future__ import annotations

from typing import Any

import ldap
from django.core.exceptions import ImproperlyConfigured
from django_auth_ldap import config as ldap_config

GROUP_TYPES = {
    "groupOfNames": lambda: ldap_config.GroupOfNamesType(),
    "nestedGroupOfNames": lambda: ldap_config.NestedGroupOfNamesType(),
    "groupOfUniqueNames": lambda: ldap_config.GroupOfUniqueNamesType(),
    "posixGroup": lambda: ldap_config.PosixGroupType(),
    "activeDirectory": lambda: ldap_config.ActiveDirectoryGroupType(),
    "nestedActiveDirectory": lambda: ldap_config.NestedActiveDirectoryGroupType(),
}
# Operational attributes that say "disabled" are not sent unless asked for.
USER_ATTRLIST = ["*", "pwdAccountLockedTime", "nsAccountLock"]


def ldap_settings(
    *,
    server_uri: str,
    bind_dn: str = "",
    bind_password: str = "",
    start_tls: bool = False,
    user_search_base: str = "",
    user_search_filter: str = "(uid=%(user)s)",
    user_dn_template: str = "",
    group_search_base: str = "",
    group_search_filter: str = "",
    group_type: str = "groupOfNames",
    attr_email: str = "mail",
    attr_full_name: str = "cn",
    timeout: int = 5,
) -> dict[str, Any]:
    """django-auth-ldap's settings (``AUTH_LDAP_*``) and ours (``HELPDESK_LDAP_*``) for a directory."""
    if group_type not in GROUP_TYPES:
        raise ImproperlyConfigured(
            f"LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}, not {group_type!r}"
        )
    if not user_dn_template and not user_search_base:
        raise ImproperlyConfigured("LDAP_SERVER_URI needs LDAP_USER_SEARCH_BASE (or LDAP_USER_DN_TEMPLATE)")
    values: dict[str, Any] = {
        "AUTH_LDAP_SERVER_URI": server_uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
            ldap.OPT_REFERRALS: 0,  # Active Directory's referrals lead to servers we cannot bind to
        },
        # Lookups after the bind use the service account when there is one (people often may not read groups).
        "AUTH_LDAP_BIND_AS_AUTHENTICATING_USER": not bind_dn,
        "AUTH_LDAP_USER_ATTRLIST": USER_ATTRLIST,
        # Our provision() writes the account; django-auth-ldap must not populate it on its own.
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        "HELPDESK_LDAP_ATTR_EMAIL": attr_email,
        "HELPDESK_LDAP_ATTR_FULL_NAME": attr_full_name,
    }
    if user_dn_template:
        values["AUTH_LDAP_USER_DN_TEMPLATE"] = user_dn_template
    if user_search_base:
        values["AUTH_LDAP_USER_SEARCH"] = ldap_config.LDAPSearch(
            user_search_base, ldap.SCOPE_SUBTREE, user_search_filter, attrlist=USER_ATTRLIST
        )
    if group_search_base:
        default_filter = {
            "posixGroup": "(objectClass=posixGroup)",
            "groupOfUniqueNames": "(objectClass=groupOfUniqueNames)",
            "activeDirectory": "(objectClass=group)",
            "nestedActiveDirectory": "(objectClass=group)",
        }.get(group_type, "(objectClass=groupOfNames)")
        values["AUTH_LDAP_GROUP_SEARCH"] = ldap_config.LDAPSearch(
            group_search_base, ldap.SCOPE_SUBTREE, group_search_filter or default_filter
        )
        values["AUTH_LDAP_GROUP_TYPE"] = GROUP_TYPES[group_type]()
    return values
