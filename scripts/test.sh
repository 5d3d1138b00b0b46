#!/usr/bin/env bash
# Runs the whole suite. Under CI=true it needs PostgreSQL, Redis and Chromium and fails loudly without
# them; elsewhere it runs on SQLite and says what it skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

if [ "${CI:-}" = "true" ]; then
  export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/helpdesk}
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
  # Real parts the tests start themselves: Chromium (browser tests), dovecot (IMAP tests);
  # MariaDB holds the osTicket database the importer tests read (tests/importers/test_osticket.py).
  missing=""
  [ -x /usr/bin/chromium ] || missing="$missing chromium"
  [ -x /usr/sbin/dovecot ] || missing="$missing dovecot-imapd"
  [ -x /usr/sbin/mariadbd ] || missing="$missing mariadb-server"
  # Single sign-on: a real OpenLDAP server (tests/sso/ldap_server.py) and xmlsec1 for SAML's signatures.
  [ -x /usr/sbin/slapd ] || missing="$missing slapd"
  [ -x /usr/bin/ldapmodify ] || missing="$missing ldap-utils"
  [ -x /usr/bin/xmlsec1 ] || missing="$missing xmlsec1"
  if [ -n "$missing" ]; then
    echo "Installing Debian packages for the tests:$missing"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null
  fi
  if ! mariadb-admin -uroot -h127.0.0.1 ping >/dev/null 2>&1; then
    (service mariadb start || service mysql start) >/dev/null 2>&1 || true
  fi
  export OSTICKET_TEST_REQUIRE_MYSQL=1
  # The LDAP and SAML tests fail instead of skipping when their server cannot run.
  export SSO_TEST_REQUIRE_SERVERS=1
fi

echo "== ruff"
"$VENV/bin/ruff" check .
echo "== migrations are up to date"
env -u DATABASE_URL DJANGO_DEBUG=1 HELPDESK_VAR_DIR="$(mktemp -d)" "$VENV/bin/python" manage.py makemigrations --check --dry-run -v0
echo "== pytest (database: ${DATABASE_URL:-SQLite}, broker: ${REDIS_URL:-embedded filesystem})"
exec "$VENV/bin/pytest" "$@"
