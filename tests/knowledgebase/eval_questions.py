"""Evaluation set for suggestion quality over the demo articles (knowledgebase/demo_content.py).

Questions are written the way customers write (short, lower case, typos, their own words) and
deliberately avoid the articles' own wording; each names the slug(s) of the article(s) that answer
it. ``bench/kb_eval.py`` prints the hit rates; ``test_eval.py`` keeps a floor on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

# (language, question, acceptable slugs)
QUESTIONS: list[tuple[str, str, list[str]]] = [
    # German
    ("de", "Kennwort vergessen", ["passwort-zuruecksetzen"]),
    ("de", "login geht nicht", ["konto-gesperrt", "passwort-zuruecksetzen"]),
    ("de", "Drucker druckt nicht", ["druckauftrag-haengt"]),
    ("de", "ich komm nicht mehr in meinen account rein, zu oft falsch eingetippt", ["konto-gesperrt"]),
    ("de", "wie komme ich von zuhause an die laufwerke?", ["vpn-verbinden", "netzlaufwerk-verbinden"]),
    ("de", "homeoffice keine verbindung zum firmennetz", ["vpn-verbinden", "vpn-fehler-zeitueberschreitung"]),
    ("de", "vpn dreht sich nur im kreis und bricht dann ab", ["vpn-fehler-zeitueberschreitung"]),
    ("de", "besucher brauchen morgen internet", ["gaeste-wlan"]),
    ("de", "mailbox voll, kann nix mehr verschicken", ["postfach-voll"]),
    ("de", "mails aufs handy bekommen", ["e-mail-auf-dem-smartphone"]),
    (
        "de",
        "bin 2 wochen im urlaub, leute sollen bescheid bekommen wenn sie mir schreiben",
        ["abwesenheitsnotiz"],
    ),
    ("de", "komische mail mit link bekommen, angeblich von der bank", ["phishing-melden"]),
    ("de", "kamera geht nicht in teams", ["teams-kamera"]),
    ("de", "brauche ein programm für pdfs", ["software-anfordern"]),
    ("de", "datei aus versehen gelöscht", ["geloeschte-datei-wiederherstellen"]),
    ("de", "wann seid ihr erreichbar?", ["servicezeiten"]),
    ("de", "handy verloren, authenticator weg", ["zwei-faktor-einrichten"]),
    ("de", "zweiten bildschirm anschließen", ["dockingstation-monitor"]),
    ("de", "mein rechner ist total lahm", ["laptop-langsam"]),
    ("de", "pw abgelaufen, was nun", ["passwort-zuruecksetzen"]),
    ("de", "neuer drucker im büro, wie einrichten?", ["drucker-hinzufuegen"]),
    ("de", "ordner vom team auf dem server einbinden", ["netzlaufwerk-verbinden"]),
    ("de", "Passwörter ändern", ["passwort-zuruecksetzen"]),
    ("de", "Druker zeigt fehler, es kommt nix raus", ["druckauftrag-haengt"]),
    ("de", "telefonnummer hotline", ["servicezeiten"]),
    # English
    ("en", "forgot my pasword", ["reset-password"]),
    ("en", "cant log in, it says my account is locked", ["account-locked"]),
    ("en", "printer not working", ["print-job-stuck"]),
    ("en", "how do i work from home and reach internal sites", ["vpn-connect"]),
    ("en", "vpn keeps spinning and then times out", ["vpn-error-809"]),
    ("en", "wifi for visitors", ["guest-wifi"]),
    ("en", "inbox full cant send emails", ["mailbox-full"]),
    ("en", "get work email on my iphone", ["email-on-smartphone"]),
    ("en", "going on vacation next week, auto reply", ["out-of-office"]),
    ("en", "got a weird email asking for my bank details, is it a scam?", ["report-phishing"]),
    ("en", "my camera is black in video calls", ["teams-camera"]),
    ("en", "how can i get a program installed", ["request-software"]),
    ("en", "accidently deleted a word document yesterday, can I get it back", ["restore-deleted-file"]),
    ("en", "what are your opening hours", ["service-hours"]),
    ("en", "new phone, how do i move my 2fa", ["set-up-mfa"]),
    ("en", "spreadsheet freezes when i open it", ["excel-crash-large-files"]),
    ("en", "which laptops can i order", ["laptop-models"]),
    ("en", "connect to my team's shared folder", ["map-network-drive"]),
    ("en", "set up the printer on my new computer", ["add-printer"]),
    ("en", "too many wrong tries and now im locked out", ["account-locked"]),
    ("en", "whats the phone number of the helpdesk", ["service-hours"]),
]


@dataclass
class EvalResult:
    top1: float
    top3: float
    total: int
    misses: list[tuple[str, str, list[str], list[str]]]


def evaluate(k: int = 3) -> EvalResult:
    """Run every question through suggest's search as an anonymous customer would; count hits."""
    from django.contrib.auth.models import AnonymousUser

    from knowledgebase.search import search
    from knowledgebase.selectors import article_published_qs

    qs = article_published_qs(user=AnonymousUser())
    top1 = top3 = 0
    misses = []
    for language, question, expected in QUESTIONS:
        got = [h.article.slug for h in search(qs=qs, query=question, language=language, limit=k)]
        top1 += bool(got[:1] and got[0] in expected)
        hit3 = any(slug in expected for slug in got[:3])
        top3 += hit3
        if not hit3 or got[0] not in expected:
            misses.append((language, question, expected, got))
    n = len(QUESTIONS)
    return EvalResult(top1=top1 / n, top3=top3 / n, total=n, misses=misses)
