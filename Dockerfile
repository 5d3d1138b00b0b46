# The production-shaped image: one image for web (gunicorn), worker and beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HELPDESK_VAR_DIR=/app/var \
    MEDIA_ROOT=/data/media

WORKDIR /app

# Dependencies first, so a code change does not reinstall them (pyproject's package list is empty:
# `pip install .` installs the dependencies only).
# Single sign-on: python-ldap is built against OpenLDAP's and SASL's headers; pysaml2 runs xmlsec1.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libldap-dev libsasl2-dev xmlsec1 \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
RUN pip install ".[ldap]"

COPY . .

# Static files are collected at build time; a throw-away key only satisfies the settings check.
RUN DJANGO_DEBUG=0 SECRET_KEY=build-only-not-a-secret-0123456789abcdefghij \
    python manage.py collectstatic --noinput -v0 \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin helpdesk \
 && mkdir -p /data/media \
 && chown -R helpdesk:helpdesk /app/var /data

USER helpdesk
EXPOSE 8000

# Says https like the TLS proxy would, so that SECURE_SSL_REDIRECT does not redirect the check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import sys, urllib.request as u; r = u.Request('http://127.0.0.1:8000/healthz', headers={'X-Forwarded-Proto': 'https'}); sys.exit(u.urlopen(r, timeout=4).status != 200)"

CMD ["gunicorn", "helpdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
