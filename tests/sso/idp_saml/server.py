"""A small SAML 2.0 identity provider for the tests, built on pysaml2's ``saml2.server.Server``.

Run in its own process by the tests (``tests/sso/conftest.py``)::

    python -m tests.sso.idp_saml.server --port 8123 --dir /tmp/idp --sp-metadata http://127.0.0.1:8000/saml2/metadata/

At start it makes a self-signed key and certificate (``cryptography``), reads the service provider's
metadata from ``--sp-metadata`` (a URL or a file) and the people from ``<dir>/users.json`` (username → password,
NameID and attributes). It serves:

- ``GET /metadata``: its own metadata (entity id, signing certificate, single sign-on endpoints);
- ``GET /sso/redirect`` (and ``POST /sso/post``): an AuthnRequest → a sign-in form (English / German
  from ``Accept-Language``);
- ``POST /login``: right password → the signed Response (signed assertion and signed response) in
  an auto-submitting HTTP-POST form to the SP's assertion consumer service; wrong → the form again.

Plain wsgiref; one request at a time is plenty for the tests.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import html
import json
import logging
import sys
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

XMLSEC = "/usr/bin/xmlsec1"
TEXTS = {
    "en": {
        "title": "Test identity provider",
        "user": "Username",
        "password": "Password",
        "go": "Continue",
        "bad": "Wrong username or password.",
    },
    "de": {
        "title": "Test-Identitätsanbieter",
        "user": "Benutzername",
        "password": "Passwort",
        "go": "Weiter",
        "bad": "Benutzername oder Passwort falsch.",
    },
}


def make_key_and_cert(directory: Path, common_name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / "idp.key", directory / "idp.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def idp_config(base: str, directory: Path, sp_metadata: str) -> IdPConfig:
    key_path, cert_path = make_key_and_cert(directory, "helpdesk-test-idp")
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{base}/metadata",
            "description": "Helpdesk test IdP",
            "service": {
                "idp": {
                    "name": "Helpdesk test IdP",
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{base}/sso/redirect", BINDING_HTTP_REDIRECT),
                            (f"{base}/sso/post", BINDING_HTTP_POST),
                        ],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 15},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        },
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": False,
                },
            },
            "key_file": str(key_path),
            "cert_file": str(cert_path),
            "xmlsec_binary": XMLSEC,
            "metadata": {"remote": [{"url": sp_metadata}]}
            if sp_metadata.startswith("http")
            else {"local": [sp_metadata]},
            "delete_tmpfiles": True,
        }
    )
    return config


class IdentityProvider:
    def __init__(self, base: str, directory: Path, sp_metadata: str) -> None:
        self.base = base
        self.directory = directory
        self.server = Server(config=idp_config(base, directory, sp_metadata))
        self.metadata = create_metadata_string(None, config=self.server.config, valid=24).decode()

    def users(self) -> dict[str, dict]:
        path = self.directory / "users.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def __call__(self, environ: dict, start_response) -> list[bytes]:  # noqa: ANN001
        path, method = environ.get("PATH_INFO", "/"), environ["REQUEST_METHOD"]
        lang = "de" if environ.get("HTTP_ACCEPT_LANGUAGE", "").lower().startswith("de") else "en"
        try:
            if path == "/metadata":
                return self._send(start_response, "200 OK", self.metadata, "application/samlmetadata+xml")
            if path == "/healthz":
                return self._send(start_response, "200 OK", "ok", "text/plain")
            if path in ("/sso/redirect", "/sso/post"):
                if method == "POST":
                    form = self._form(environ)
                    binding = BINDING_HTTP_POST
                else:
                    form = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
                    binding = BINDING_HTTP_REDIRECT
                request = form["SAMLRequest"]
                self.server.parse_authn_request(request, binding)  # refuses what is not a valid request
                saml_request = base64.b64encode(
                    json.dumps({"request": request, "binding": binding}).encode()
                ).decode()
                return self._login_form(start_response, lang, saml_request, form.get("RelayState", ""))
            if path == "/login" and method == "POST":
                return self._login(start_response, lang, self._form(environ))
        except Exception as error:  # a test looks at the log; the browser gets a plain 400
            logging.exception("IdP request failed")
            return self._send(start_response, "400 Bad Request", f"bad request: {error}", "text/plain")
        return self._send(start_response, "404 Not Found", "not found", "text/plain")

    @staticmethod
    def _form(environ: dict) -> dict[str, str]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size).decode()
        return {k: v[0] for k, v in parse_qs(body).items()}

    @staticmethod
    def _send(start_response, status: str, body: str, content_type: str) -> list[bytes]:  # noqa: ANN001
        data = body.encode()
        start_response(
            status, [("Content-Type", f"{content_type}; charset=utf-8"), ("Content-Length", str(len(data)))]
        )
        return [data]

    def _login_form(self, start_response, lang: str, saml_request: str, relay: str, error: bool = False):  # noqa: ANN001, ANN202
        t = TEXTS[lang]
        page = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{t["title"]}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:sans-serif;max-width:22rem;margin:3rem auto;padding:0 1rem">
<h1 style="font-size:1.3rem">{t["title"]}</h1>
{f'<p role="alert" style="color:#b00">{t["bad"]}</p>' if error else ""}
<form method="post" action="{self.base}/login">
<input type="hidden" name="req" value="{html.escape(saml_request)}">
<input type="hidden" name="RelayState" value="{html.escape(relay)}">
<p><label>{t["user"]}<br><input id="idp-username" name="username" autocomplete="username"></label></p>
<p><label>{t["password"]}<br><input id="idp-password" name="password" type="password"></label></p>
<p><button type="submit">{t["go"]}</button></p>
</form></body></html>"""
        return self._send(start_response, "200 OK", page, "text/html")

    def _login(self, start_response, lang: str, form: dict[str, str]):  # noqa: ANN001, ANN202
        stored = json.loads(base64.b64decode(form["req"]))
        person = self.users().get(form.get("username", ""))
        if person is None or person["password"] != form.get("password"):
            return self._login_form(start_response, lang, form["req"], form.get("RelayState", ""), error=True)
        request = self.server.parse_authn_request(stored["request"], stored["binding"]).message
        args = self.server.response_args(request, [BINDING_HTTP_POST])
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=person["name_id"])
        response = self.server.create_authn_response(
            person["attributes"],
            userid=person["name_id"],
            name_id=name_id,
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_assertion=person.get("sign", True),
            sign_response=person.get("sign", True),
            **args,
        )
        http = self.server.apply_binding(
            BINDING_HTTP_POST, str(response), args["destination"], form.get("RelayState", ""), response=True
        )
        body = http["data"]
        # The response as sent, for the tests that replay or tamper with it.
        (self.directory / "last-response.txt").write_text(base64.b64encode(str(response).encode()).decode())
        return self._send(start_response, "200 OK", body, "text/html")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        sys.stderr.write("idp: " + (format % args) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--sp-metadata", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # "localhost" like the live server: the way back to the helpdesk is then a same-site POST, which
    # carries djangosaml2's SameSite=Lax cookie over http (over https it is SameSite=None; Secure).
    base = f"http://localhost:{args.port}"
    app = IdentityProvider(base, args.dir, args.sp_metadata)
    (args.dir / "idp-metadata.xml").write_text(app.metadata)
    with make_server("127.0.0.1", args.port, app, handler_class=QuietHandler) as httpd:
        sys.stderr.write(f"idp: ready on {base}\n")
        sys.stderr.flush()
        httpd.serve_forever()


if __name__ == "__main__":
    main()
