#!/usr/bin/env bash
# Debian packages that single sign-on needs (issue #14), installed when missing and we are root:
#   - python-ldap (LDAP / Active Directory sign-in) is built from source against OpenLDAP's and
#     Cyrus SASL's headers: libldap-dev, libsasl2-dev and a C compiler;
#   - pysaml2 (SAML 2.0 sign-in) signs and checks XML with the xmlsec1 program.
# Not root, or not Debian: it says what is missing and goes on; the install then leaves LDAP out
# (`make` installs the `ldap` extra only when the headers are there) and SAML stays off until xmlsec1
# is installed. `--ldap-extra` prints ",ldap" when python-ldap can be built here (for the Makefile).
set -euo pipefail

have_ldap_headers() { [ -f /usr/include/ldap.h ] && [ -f /usr/include/sasl/sasl.h ] && command -v cc >/dev/null; }

if [ "${1:-}" = "--ldap-extra" ]; then
  if have_ldap_headers; then echo ",ldap"; fi
  exit 0
fi

missing=""
[ -f /usr/include/ldap.h ] || missing="$missing libldap-dev"
[ -f /usr/include/sasl/sasl.h ] || missing="$missing libsasl2-dev"
command -v cc >/dev/null || missing="$missing gcc"
command -v xmlsec1 >/dev/null || missing="$missing xmlsec1"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for single sign-on:$missing"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null
else
  echo "Single sign-on: missing$missing (Debian: sudo apt-get install$missing, then make again)." >&2
  echo "Going on without them: LDAP sign-in is not installed, SAML sign-in stays off." >&2
fi
