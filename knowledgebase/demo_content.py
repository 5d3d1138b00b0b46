"""Demo knowledge base: articles in German and English, synonyms, canned responses, checklists.

Plain data; ``knowledgebase.demo.seed()`` writes it through the services. The evaluation set in
``tests/knowledgebase/eval_questions.py`` refers to these slugs.
"""

from __future__ import annotations

# Categories: key → (names to look for, first one is created if none exists; German name).
CATEGORIES = {
    "accounts": (["Accounts & Passwords", "Accounts", "Account", "Access"], "Konten & Passwörter"),
    "network": (["Network", "Network & VPN", "Networking"], "Netzwerk & VPN"),
    "printing": (["Printing", "Printers", "Printer"], "Drucken"),
    "email": (["Email & Calendar", "Email", "E-Mail"], "E-Mail & Kalender"),
    "hardware": (["Hardware", "Devices"], "Hardware"),
    "software": (["Software", "Applications"], "Software"),
    "general": (["General", "Other"], "Allgemein"),
}

# (slug, language, kind, category, title, tags, body[, visibility, status, translation_of])
ARTICLES: list[dict] = [
    # --- Accounts ---------------------------------------------------------------------------------
    {
        "slug": "reset-password",
        "language": "en",
        "kind": "how_to",
        "category": "accounts",
        "title": "Reset your password",
        "tags": ["password", "sign-in"],
        "body": """If you no longer know your password, you can set a new one yourself in two minutes.

1. Open the self-service page **https://password.example.com**.
2. Enter your user name (the part of your e-mail address before the @).
3. Choose how you want to receive the verification code: text message or private e-mail address.
4. Enter the code and choose a new password: at least 12 characters, not one of your last five.
5. Sign in again on your computer; on Windows press Ctrl+Alt+Del → *Lock*, then unlock with the new password.

Your phone and tablet will ask for the new password for e-mail within an hour.
If you never registered a phone number for self-service, call the service desk.""",
    },
    {
        "slug": "passwort-zuruecksetzen",
        "language": "de",
        "kind": "how_to",
        "category": "accounts",
        "title": "Passwort zurücksetzen",
        "tags": ["passwort", "anmeldung"],
        "translation_of": "reset-password",
        "body": """Wenn Sie Ihr Passwort nicht mehr wissen, können Sie in zwei Minuten selbst ein neues setzen.

1. Öffnen Sie die Self-Service-Seite **https://password.example.com**.
2. Geben Sie Ihren Benutzernamen ein (der Teil Ihrer E-Mail-Adresse vor dem @).
3. Wählen Sie, wie Sie den Bestätigungscode erhalten: per SMS oder an Ihre private E-Mail-Adresse.
4. Geben Sie den Code ein und wählen Sie ein neues Passwort: mindestens 12 Zeichen, keines Ihrer letzten fünf.
5. Melden Sie sich am Rechner neu an; unter Windows Strg+Alt+Entf → *Sperren*, dann mit dem neuen Passwort entsperren.

Smartphone und Tablet fragen innerhalb einer Stunde nach dem neuen Passwort für E-Mail.
Falls Sie nie eine Handynummer für den Self-Service hinterlegt haben, rufen Sie den Service Desk an.""",
    },
    {
        "slug": "account-locked",
        "language": "en",
        "kind": "faq",
        "category": "accounts",
        "title": "Why is my account locked?",
        "tags": ["account", "sign-in", "locked"],
        "body": """After **five failed sign-in attempts** your account is locked for 30 minutes. This protects you
against someone guessing your password.

- Wait 30 minutes; the lock is lifted automatically.
- Often an old password is still saved on a phone or tablet and keeps trying. Update it there,
  or switch off Wi-Fi on the device for a while.
- If you need access right away, reset your password on the self-service page; this also unlocks the account.

If the account is locked again and again, contact us: we can see which device causes the attempts.""",
    },
    {
        "slug": "konto-gesperrt",
        "language": "de",
        "kind": "faq",
        "category": "accounts",
        "title": "Warum ist mein Benutzerkonto gesperrt?",
        "tags": ["konto", "anmeldung", "gesperrt"],
        "translation_of": "account-locked",
        "body": """Nach **fünf fehlgeschlagenen Anmeldeversuchen** wird Ihr Benutzerkonto für 30 Minuten gesperrt. Das
schützt Sie davor, dass jemand Ihr Passwort errät.

- Warten Sie 30 Minuten; die Sperre wird automatisch aufgehoben.
- Häufig ist auf einem Smartphone oder Tablet noch ein altes Passwort gespeichert, das es immer
  wieder versucht. Aktualisieren Sie es dort oder schalten Sie WLAN am Gerät vorübergehend aus.
- Wenn Sie sofort Zugriff brauchen, setzen Sie Ihr Passwort im Self-Service zurück; das entsperrt das Konto ebenfalls.

Wird das Konto immer wieder gesperrt, melden Sie sich bei uns: Wir sehen, welches Gerät die Versuche auslöst.""",
    },
    {
        "slug": "set-up-mfa",
        "language": "en",
        "kind": "how_to",
        "category": "accounts",
        "title": "Set up multi-factor authentication (MFA)",
        "tags": ["mfa", "authenticator", "security"],
        "body": """Multi-factor authentication protects your account with a second step after the password.

1. Install the **Microsoft Authenticator** app on your smartphone.
2. On your computer open https://mysignins.example.com → *Security info* → *Add method* → *Authenticator app*.
3. Scan the QR code with the app and approve the test notification.
4. Add your mobile number as a backup method.

**New phone?** Set up the app on the new phone *before* you reset the old one. If the old phone is already
gone, the service desk can reset your MFA methods after verifying your identity.""",
    },
    {
        "slug": "zwei-faktor-einrichten",
        "language": "de",
        "kind": "how_to",
        "category": "accounts",
        "title": "Zwei-Faktor-Authentifizierung (MFA) einrichten",
        "tags": ["mfa", "authenticator", "sicherheit"],
        "translation_of": "set-up-mfa",
        "body": """Die Zwei-Faktor-Authentifizierung schützt Ihr Konto mit einem zweiten Schritt nach dem Passwort.

1. Installieren Sie die App **Microsoft Authenticator** auf Ihrem Smartphone.
2. Öffnen Sie am Rechner https://mysignins.example.com → *Sicherheitsinformationen* → *Methode hinzufügen* → *Authenticator-App*.
3. Scannen Sie den QR-Code mit der App und bestätigen Sie die Testbenachrichtigung.
4. Hinterlegen Sie zusätzlich Ihre Mobilnummer als Ersatzmethode.

**Neues Handy?** Richten Sie die App auf dem neuen Gerät ein, *bevor* Sie das alte zurücksetzen. Ist das alte
Gerät schon weg, setzt der Service Desk Ihre MFA-Methoden nach einer Identitätsprüfung zurück.""",
    },
    # --- Network ----------------------------------------------------------------------------------
    {
        "slug": "vpn-connect",
        "language": "en",
        "kind": "how_to",
        "category": "network",
        "title": "Connect to the company network with VPN",
        "tags": ["vpn", "remote-work"],
        "body": """To reach internal systems (file shares, intranet, SAP) outside the office you need a VPN connection.

1. Connect to the internet (home Wi-Fi, hotel, mobile hotspot).
2. Start **GlobalProtect** from the system tray (the globe icon at the bottom right).
3. Portal: `vpn.example.com`; sign in with your company account and confirm the MFA prompt.
4. The icon shows a shield when you are connected.

The connection drops after 12 hours; connect again. Video calls in Teams work without VPN and are faster without it.""",
    },
    {
        "slug": "vpn-verbinden",
        "language": "de",
        "kind": "how_to",
        "category": "network",
        "title": "Mit VPN ins Firmennetz verbinden",
        "tags": ["vpn", "mobiles-arbeiten"],
        "translation_of": "vpn-connect",
        "body": """Um außerhalb des Büros interne Systeme (Netzlaufwerke, Intranet, SAP) zu erreichen, brauchen Sie eine VPN-Verbindung.

1. Verbinden Sie sich mit dem Internet (WLAN zu Hause, Hotel, mobiler Hotspot).
2. Starten Sie **GlobalProtect** im Infobereich (das Globus-Symbol unten rechts).
3. Portal: `vpn.example.com`; melden Sie sich mit Ihrem Firmenkonto an und bestätigen Sie die MFA-Abfrage.
4. Das Symbol zeigt ein Schild, sobald Sie verbunden sind.

Die Verbindung wird nach 12 Stunden getrennt; verbinden Sie sich neu. Videokonferenzen in Teams laufen ohne VPN und sind ohne schneller.""",
    },
    {
        "slug": "vpn-error-809",
        "language": "en",
        "kind": "known_error",
        "category": "network",
        "title": "Known error: VPN stops at “Connecting…” (gateway timeout)",
        "tags": ["vpn", "known-error"],
        "body": """**Symptom:** GlobalProtect stays at *Connecting…* and finally reports *Gateway timeout*.

**Cause:** some home routers and hotel networks block the UDP port the tunnel uses.

**Workaround:**
1. Right-click the GlobalProtect icon → *Settings* → *Connection*: choose **Use SSL only**.
2. Disconnect and connect again.
3. If it still fails, try a mobile hotspot from your phone to rule out the local network.

A fix on the gateway side is planned; this article is updated when it is rolled out.""",
    },
    {
        "slug": "vpn-fehler-zeitueberschreitung",
        "language": "de",
        "kind": "known_error",
        "category": "network",
        "title": "Bekannter Fehler: VPN bleibt bei „Verbindung wird hergestellt…“ stehen",
        "tags": ["vpn", "bekannter-fehler"],
        "translation_of": "vpn-error-809",
        "body": """**Symptom:** GlobalProtect bleibt bei *Verbindung wird hergestellt…* stehen und meldet schließlich *Gateway-Zeitüberschreitung*.

**Ursache:** Manche Heimrouter und Hotelnetze blockieren den UDP-Port, den der Tunnel nutzt.

**Workaround:**
1. Rechtsklick auf das GlobalProtect-Symbol → *Einstellungen* → *Verbindung*: **Nur SSL verwenden** wählen.
2. Trennen und erneut verbinden.
3. Klappt es weiterhin nicht, testen Sie einen mobilen Hotspot Ihres Smartphones, um das lokale Netz auszuschließen.

Eine Korrektur am Gateway ist geplant; dieser Artikel wird aktualisiert, sobald sie ausgerollt ist.""",
    },
    {
        "slug": "guest-wifi",
        "language": "en",
        "kind": "service",
        "category": "network",
        "title": "Guest Wi-Fi for visitors",
        "tags": ["wifi", "guests"],
        "body": """Visitors get internet access through the **Example-Guest** network. Employees' devices use **Example-Corp**.

- At reception, visitors receive a voucher with a personal access code valid for 24 hours.
- For events with many guests, request event vouchers at least three working days in advance through the portal.
- The guest network is separated from the company network: no printers, no file shares.

Bandwidth per guest is limited to 20 Mbit/s.""",
    },
    {
        "slug": "gaeste-wlan",
        "language": "de",
        "kind": "service",
        "category": "network",
        "title": "Gäste-WLAN für Besucher",
        "tags": ["wlan", "gaeste"],
        "translation_of": "guest-wifi",
        "body": """Besucher erhalten Internetzugang über das Netz **Example-Guest**. Geräte von Mitarbeitenden nutzen **Example-Corp**.

- Am Empfang erhalten Besucher einen Gutschein mit einem persönlichen Zugangscode, gültig für 24 Stunden.
- Für Veranstaltungen mit vielen Gästen beantragen Sie Veranstaltungsgutscheine mindestens drei Arbeitstage vorher über das Portal.
- Das Gästenetz ist vom Firmennetz getrennt: keine Drucker, keine Netzlaufwerke.

Die Bandbreite pro Gast ist auf 20 Mbit/s begrenzt.""",
    },
    {
        "slug": "map-network-drive",
        "language": "en",
        "kind": "how_to",
        "category": "network",
        "title": "Map a network drive (shared folder)",
        "tags": ["file-share", "drive"],
        "body": """Team folders live on the file server `\\\\files.example.com`.

1. Open File Explorer, right-click **This PC** → *Map network drive*.
2. Choose a drive letter, e.g. `T:`.
3. Folder: `\\\\files.example.com\\teams\\<your team>`; tick *Reconnect at sign-in*.
4. Click *Finish*.

Outside the office, connect the VPN first. If you get *Access denied*, ask your team lead to request access for you.""",
    },
    {
        "slug": "netzlaufwerk-verbinden",
        "language": "de",
        "kind": "how_to",
        "category": "network",
        "title": "Netzlaufwerk verbinden (freigegebener Ordner)",
        "tags": ["netzlaufwerk", "freigabe"],
        "translation_of": "map-network-drive",
        "body": """Teamordner liegen auf dem Dateiserver `\\\\files.example.com`.

1. Öffnen Sie den Explorer, Rechtsklick auf **Dieser PC** → *Netzlaufwerk verbinden*.
2. Wählen Sie einen Laufwerksbuchstaben, z. B. `T:`.
3. Ordner: `\\\\files.example.com\\teams\\<Ihr Team>`; Haken bei *Verbindung bei Anmeldung wiederherstellen*.
4. Klicken Sie auf *Fertig stellen*.

Außerhalb des Büros verbinden Sie zuerst das VPN. Erscheint *Zugriff verweigert*, bitten Sie Ihre Teamleitung, die Berechtigung zu beantragen.""",
    },
    # --- Printing ---------------------------------------------------------------------------------
    {
        "slug": "print-job-stuck",
        "language": "en",
        "kind": "known_error",
        "category": "printing",
        "title": "Print jobs stay in the queue and nothing comes out",
        "tags": ["print", "queue"],
        "body": """**Symptom:** you send a document, the printer stays silent, and the job shows *Error* or *Printing* in the queue.

**Workaround:**
1. Open *Settings* → *Bluetooth & devices* → *Printers & scanners*, select the device → *Open print queue*.
2. Cancel all documents in the queue.
3. Check the device display: paper, toner, paper jam.
4. Send the document again to **FollowMe** and release it at any device with your badge.

If the queue cannot be emptied, restart the computer. Still nothing? Open a request and state the device
number on the sticker (e.g. PRN-2-014).""",
    },
    {
        "slug": "druckauftrag-haengt",
        "language": "de",
        "kind": "known_error",
        "category": "printing",
        "title": "Druckaufträge bleiben in der Warteschlange hängen",
        "tags": ["drucken", "warteschlange"],
        "translation_of": "print-job-stuck",
        "body": """**Symptom:** Sie senden ein Dokument, das Gerät bleibt still, und der Druckauftrag steht in der Warteschlange auf *Fehler* oder *Wird gedruckt*.

**Workaround:**
1. Öffnen Sie *Einstellungen* → *Bluetooth und Geräte* → *Drucker und Scanner*, wählen Sie das Gerät → *Druckwarteschlange öffnen*.
2. Brechen Sie alle Dokumente in der Warteschlange ab.
3. Prüfen Sie das Display des Geräts: Papier, Toner, Papierstau.
4. Senden Sie das Dokument erneut an **FollowMe** und geben Sie es an einem beliebigen Gerät mit Ihrem Ausweis frei.

Lässt sich die Warteschlange nicht leeren, starten Sie den Rechner neu. Immer noch nichts? Stellen Sie eine
Anfrage mit der Gerätenummer vom Aufkleber (z. B. PRN-2-014).""",
    },
    {
        "slug": "add-printer",
        "language": "en",
        "kind": "how_to",
        "category": "printing",
        "title": "Add the FollowMe printer to your computer",
        "tags": ["print", "followme"],
        "body": """All multifunction devices share one queue, **FollowMe**: you print, then pick up the pages at any device.

1. Press the Windows key, type `\\\\print.example.com` and press Enter.
2. Double-click **FollowMe**; Windows installs the driver.
3. Print a test page and hold your badge to the reader of a device to release it.

On a Mac: *System Settings* → *Printers & Scanners* → *Add printer* → *IP*, address `print.example.com`, queue `FollowMe`.
Scanning to e-mail works on every device via *Scan to me*.""",
    },
    {
        "slug": "drucker-hinzufuegen",
        "language": "de",
        "kind": "how_to",
        "category": "printing",
        "title": "FollowMe-Drucker am Rechner einrichten",
        "tags": ["drucken", "followme"],
        "translation_of": "add-printer",
        "body": """Alle Multifunktionsgeräte teilen sich eine Warteschlange, **FollowMe**: Sie drucken und holen die Seiten an einem beliebigen Gerät ab.

1. Drücken Sie die Windows-Taste, geben Sie `\\\\print.example.com` ein und drücken Sie Enter.
2. Doppelklicken Sie auf **FollowMe**; Windows installiert den Treiber.
3. Drucken Sie eine Testseite und halten Sie Ihren Ausweis an das Lesegerät eines Geräts, um sie freizugeben.

Am Mac: *Systemeinstellungen* → *Drucker & Scanner* → *Drucker hinzufügen* → *IP*, Adresse `print.example.com`, Warteschlange `FollowMe`.
Scannen an die eigene E-Mail geht an jedem Gerät über *Scan to me*.""",
    },
    # --- Email ------------------------------------------------------------------------------------
    {
        "slug": "mailbox-full",
        "language": "en",
        "kind": "known_error",
        "category": "email",
        "title": "Mailbox quota reached: you can no longer send e-mail",
        "tags": ["e-mail", "outlook", "quota"],
        "body": """**Symptom:** Outlook shows *Your mailbox is full* and messages stay in the Outbox.

Every mailbox has a quota of 50 GB. Above 49 GB you can no longer send, above 50 GB you no longer receive.

**What to do:**
1. Empty *Deleted Items* and *Junk E-mail*.
2. In Outlook, *File* → *Tools* → *Mailbox Cleanup* shows your largest folders; delete or archive large attachments.
3. Switch on the **online archive**: right-click a folder → *Archive policy* → *1 year*.

Shared mailboxes count separately. More storage is only granted for legal retention reasons.""",
    },
    {
        "slug": "postfach-voll",
        "language": "de",
        "kind": "known_error",
        "category": "email",
        "title": "Speicherkontingent des Postfachs erreicht: E-Mails werden nicht mehr versendet",
        "tags": ["e-mail", "outlook", "kontingent"],
        "translation_of": "mailbox-full",
        "body": """**Symptom:** Outlook meldet *Ihr Postfach ist voll* und Nachrichten bleiben im Postausgang.

Jedes Postfach hat ein Speicherkontingent von 50 GB. Ab 49 GB können Sie nicht mehr senden, ab 50 GB nicht mehr empfangen.

**So gehen Sie vor:**
1. Leeren Sie *Gelöschte Elemente* und *Junk-E-Mail*.
2. In Outlook zeigt *Datei* → *Tools* → *Postfachbereinigung* Ihre größten Ordner; löschen oder archivieren Sie große Anhänge.
3. Aktivieren Sie das **Online-Archiv**: Rechtsklick auf einen Ordner → *Archivrichtlinie* → *1 Jahr*.

Freigegebene Postfächer zählen getrennt. Mehr Speicher gibt es nur bei gesetzlichen Aufbewahrungspflichten.""",
    },
    {
        "slug": "email-on-smartphone",
        "language": "en",
        "kind": "how_to",
        "category": "email",
        "title": "Set up company e-mail on your smartphone",
        "tags": ["e-mail", "smartphone", "outlook"],
        "body": """Company e-mail on iPhone and Android works only in the **Outlook app** (not in the built-in Mail app).

1. Install **Microsoft Outlook** from the App Store or Google Play.
2. Open it and enter your company e-mail address.
3. Sign in and confirm the MFA prompt.
4. When asked, allow the **Company Portal** app to protect company data on the device.

Calendar and contacts appear in the Outlook app as well. If the app says *Your organisation does not allow this
device*, update the phone's operating system.""",
    },
    {
        "slug": "e-mail-auf-dem-smartphone",
        "language": "de",
        "kind": "how_to",
        "category": "email",
        "title": "Firmen-E-Mail auf dem Smartphone einrichten",
        "tags": ["e-mail", "smartphone", "outlook"],
        "translation_of": "email-on-smartphone",
        "body": """Firmen-E-Mail auf iPhone und Android funktioniert nur in der **Outlook-App** (nicht in der eingebauten Mail-App).

1. Installieren Sie **Microsoft Outlook** aus dem App Store oder Google Play.
2. Öffnen Sie die App und geben Sie Ihre Firmen-E-Mail-Adresse ein.
3. Melden Sie sich an und bestätigen Sie die MFA-Abfrage.
4. Erlauben Sie auf Nachfrage der App **Unternehmensportal**, Firmendaten auf dem Gerät zu schützen.

Kalender und Kontakte erscheinen ebenfalls in der Outlook-App. Meldet die App *Ihre Organisation lässt dieses
Gerät nicht zu*, aktualisieren Sie das Betriebssystem des Telefons.""",
    },
    {
        "slug": "out-of-office",
        "language": "en",
        "kind": "how_to",
        "category": "email",
        "title": "Turn on automatic replies (out of office)",
        "tags": ["e-mail", "outlook"],
        "body": """1. In Outlook choose *File* → **Automatic Replies**.
2. Select *Send automatic replies* and tick *Only send during this time range*; enter start and end.
3. Write one text for colleagues (*Inside My Organization*) and one for external senders.
4. Click *OK*.

In Outlook on the web: *Settings* → *Mail* → *Automatic replies*. Name a deputy in the reply rather than forwarding all mail.""",
    },
    {
        "slug": "abwesenheitsnotiz",
        "language": "de",
        "kind": "how_to",
        "category": "email",
        "title": "Abwesenheitsnotiz (automatische Antworten) einschalten",
        "tags": ["e-mail", "outlook"],
        "translation_of": "out-of-office",
        "body": """1. Wählen Sie in Outlook *Datei* → **Automatische Antworten**.
2. Wählen Sie *Automatische Antworten senden* und setzen Sie den Haken bei *Nur in diesem Zeitraum senden*; tragen Sie Beginn und Ende ein.
3. Schreiben Sie einen Text für Kolleginnen und Kollegen (*Innerhalb meiner Organisation*) und einen für externe Absender.
4. Klicken Sie auf *OK*.

In Outlook im Web: *Einstellungen* → *E-Mail* → *Automatische Antworten*. Nennen Sie in der Antwort eine Vertretung, statt alle E-Mails weiterzuleiten.""",
    },
    {
        "slug": "report-phishing",
        "language": "en",
        "kind": "faq",
        "category": "email",
        "title": "How do I report a phishing e-mail?",
        "tags": ["security", "phishing", "e-mail"],
        "body": """Phishing e-mails try to make you click a link, open an attachment or enter your password.

- Do **not** click links or open attachments; do not reply.
- In Outlook click **Report** → *Report phishing* in the ribbon. The message is sent to the security team and removed.
- Already clicked or entered your password? Reset your password immediately and call the service desk.

Typical signs: pressure ("your account will be closed today"), sender address that does not match the name,
unexpected invoices or parcel notices.""",
    },
    {
        "slug": "phishing-melden",
        "language": "de",
        "kind": "faq",
        "category": "email",
        "title": "Wie melde ich eine Phishing-E-Mail?",
        "tags": ["sicherheit", "phishing", "e-mail"],
        "translation_of": "report-phishing",
        "body": """Phishing-E-Mails sollen Sie dazu bringen, einen Link anzuklicken, einen Anhang zu öffnen oder Ihr Passwort einzugeben.

- Klicken Sie **keine** Links an, öffnen Sie keine Anhänge, antworten Sie nicht.
- Klicken Sie in Outlook im Menüband auf **Melden** → *Phishing melden*. Die Nachricht geht an das Sicherheitsteam und wird entfernt.
- Schon geklickt oder das Passwort eingegeben? Setzen Sie Ihr Passwort sofort zurück und rufen Sie den Service Desk an.

Typische Anzeichen: Zeitdruck („Ihr Konto wird heute geschlossen“), Absenderadresse passt nicht zum Namen,
unerwartete Rechnungen oder Paketbenachrichtigungen.""",
    },
    # --- Software ---------------------------------------------------------------------------------
    {
        "slug": "teams-camera",
        "language": "en",
        "kind": "known_error",
        "category": "software",
        "title": "Known error: Teams shows no video from the built-in webcam",
        "tags": ["teams", "video"],
        "body": """**Symptom:** in a Teams meeting the other participants see only your initials; *Settings* → *Devices* shows no camera or a black preview.

**Workaround:**
1. Check the privacy shutter above the screen (a small slider) and the camera key (F8 on most models).
2. Windows *Settings* → *Privacy & security* → *Camera*: allow access for apps and for Teams.
3. Quit Teams completely (right-click the icon in the tray → *Quit*) and start it again.

After the latest driver update some docking stations grab the webcam: undock, start the meeting, dock again.""",
    },
    {
        "slug": "teams-kamera",
        "language": "de",
        "kind": "known_error",
        "category": "software",
        "title": "Bekannter Fehler: Teams zeigt kein Bild der eingebauten Webcam",
        "tags": ["teams", "video"],
        "translation_of": "teams-camera",
        "body": """**Symptom:** In einer Teams-Besprechung sehen die anderen nur Ihre Initialen; *Einstellungen* → *Geräte* zeigt keine Webcam oder eine schwarze Vorschau.

**Workaround:**
1. Prüfen Sie die Abdeckung über dem Bildschirm (ein kleiner Schieber) und die Kamerataste (F8 bei den meisten Modellen).
2. Windows *Einstellungen* → *Datenschutz und Sicherheit* → *Kamera*: Zugriff für Apps und für Teams erlauben.
3. Beenden Sie Teams vollständig (Rechtsklick auf das Symbol im Infobereich → *Beenden*) und starten Sie es neu.

Seit dem letzten Treiberupdate belegen manche Dockingstationen die Webcam: Gerät abdocken, Besprechung starten, wieder andocken.""",
    },
    {
        "slug": "request-software",
        "language": "en",
        "kind": "service",
        "category": "software",
        "title": "Install software from the Company Portal",
        "tags": ["software", "installation"],
        "body": """You do not have administrator rights on your computer. Approved software is installed from the **Company Portal**.

1. Open *Company Portal* from the Start menu.
2. Search the catalogue, e.g. *Adobe Acrobat*, *Zoom*, *Notepad++*, and click **Install**.
3. Licensed products (Visio, Project, Adobe Creative Cloud) need your manager's approval: choose *Request*.

Software that is not in the catalogue can be requested through the portal; the security review takes about five working days.""",
    },
    {
        "slug": "software-anfordern",
        "language": "de",
        "kind": "service",
        "category": "software",
        "title": "Software aus dem Unternehmensportal installieren",
        "tags": ["software", "installation"],
        "translation_of": "request-software",
        "body": """Sie haben keine Administratorrechte auf Ihrem Rechner. Freigegebene Software installieren Sie aus dem **Unternehmensportal**.

1. Öffnen Sie *Unternehmensportal* im Startmenü.
2. Suchen Sie im Katalog, z. B. *Adobe Acrobat*, *Zoom*, *Notepad++*, und klicken Sie auf **Installieren**.
3. Lizenzpflichtige Produkte (Visio, Project, Adobe Creative Cloud) brauchen die Genehmigung Ihrer Führungskraft: Wählen Sie *Anfordern*.

Software, die nicht im Katalog ist, beantragen Sie über das Portal; die Sicherheitsprüfung dauert etwa fünf Arbeitstage.""",
    },
    {
        "slug": "restore-deleted-file",
        "language": "en",
        "kind": "how_to",
        "category": "software",
        "title": "Restore a deleted file or an older version",
        "tags": ["onedrive", "files", "restore"],
        "body": """Files in OneDrive and SharePoint can be restored for 93 days.

- **Deleted:** open OneDrive in the browser → *Recycle bin*, select the file → *Restore*.
- **Overwritten:** right-click the file → *Version history* and restore an earlier version.
- **Network drive:** right-click the folder → *Properties* → *Previous Versions* (snapshots of the last 30 days).

Older than that? Open a request with the path and the date; restores from backup take one to two working days.""",
    },
    {
        "slug": "geloeschte-datei-wiederherstellen",
        "language": "de",
        "kind": "how_to",
        "category": "software",
        "title": "Gelöschte Datei oder ältere Version wiederherstellen",
        "tags": ["onedrive", "dateien", "wiederherstellen"],
        "translation_of": "restore-deleted-file",
        "body": """Dateien in OneDrive und SharePoint lassen sich 93 Tage lang wiederherstellen.

- **Gelöscht:** Öffnen Sie OneDrive im Browser → *Papierkorb*, wählen Sie die Datei → *Wiederherstellen*.
- **Überschrieben:** Rechtsklick auf die Datei → *Versionsverlauf* und eine frühere Version wiederherstellen.
- **Netzlaufwerk:** Rechtsklick auf den Ordner → *Eigenschaften* → *Vorgängerversionen* (Schnappschüsse der letzten 30 Tage).

Älter? Stellen Sie eine Anfrage mit Pfad und Datum; Wiederherstellungen aus der Sicherung dauern ein bis zwei Arbeitstage.""",
    },
    {
        "slug": "excel-crash-large-files",
        "language": "en",
        "kind": "known_error",
        "category": "software",
        "title": "Known error: Excel freezes when opening large workbooks",
        "tags": ["excel", "office"],
        "body": """**Symptom:** Excel stops responding ("Not responding") when you open workbooks larger than about 50 MB, especially from a network drive.

**Workaround:**
1. Copy the workbook to your local Documents folder and open it there.
2. *File* → *Options* → *Advanced* → switch off **hardware graphics acceleration**.
3. Start Excel in safe mode (hold Ctrl while starting) to rule out add-ins.

Microsoft has confirmed the problem; the fix comes with the next monthly Office update.""",
    },
    # --- Hardware ---------------------------------------------------------------------------------
    {
        "slug": "laptop-models",
        "language": "en",
        "kind": "product_info",
        "category": "hardware",
        "title": "Standard laptop models and accessories",
        "tags": ["laptop", "hardware", "order"],
        "body": """| Model | For | Replaced after |
| --- | --- | --- |
| Lenovo ThinkPad T14 | office work | 4 years |
| Lenovo ThinkPad P16 | CAD, data analysis | 4 years |
| Apple MacBook Air 13 | design, marketing (on request) | 4 years |

Every laptop comes with a USB-C docking station, a 27-inch monitor, a headset, keyboard and mouse.
Order a new device or accessories in the portal under *Order hardware*; your manager approves, delivery takes about ten working days.""",
    },
    {
        "slug": "dockingstation-monitor",
        "language": "de",
        "kind": "how_to",
        "category": "hardware",
        "title": "Zweiten Monitor über die Dockingstation anschließen",
        "tags": ["monitor", "dockingstation", "hardware"],
        "body": """1. Schließen Sie den Monitor mit dem DisplayPort- oder HDMI-Kabel an die **Dockingstation** an, nicht direkt am Laptop.
2. Verbinden Sie den Laptop über das USB-C-Kabel mit der Dockingstation.
3. Drücken Sie **Windows-Taste + P** und wählen Sie *Erweitern*.
4. Unter *Einstellungen* → *System* → *Bildschirm* ordnen Sie die Anzeigen so an, wie sie auf dem Schreibtisch stehen.

Bleibt der Bildschirm schwarz, prüfen Sie am Monitor die Eingangsquelle und trennen Sie die Dockingstation 30 Sekunden vom Strom.""",
    },
    {
        "slug": "laptop-langsam",
        "language": "de",
        "kind": "faq",
        "category": "hardware",
        "title": "Mein Laptop ist sehr langsam – was kann ich tun?",
        "tags": ["leistung", "laptop"],
        "body": """Häufige Ursachen und was hilft:

- **Lange nicht neu gestartet:** Ein Neustart einmal pro Woche installiert ausstehende Updates und gibt Arbeitsspeicher frei.
- **Viele Browser-Tabs und Teams-Besprechungen gleichzeitig:** Schließen Sie, was Sie nicht brauchen.
- **Festplatte fast voll:** *Einstellungen* → *System* → *Speicher* → *Bereinigungsempfehlungen*.
- **Akku-Sparmodus:** Klicken Sie auf das Akkusymbol und wählen Sie *Beste Leistung*, wenn das Netzteil angeschlossen ist.

Ist das Gerät älter als vier Jahre, bestellen Sie über das Portal ein Ersatzgerät.""",
    },
    # --- General ----------------------------------------------------------------------------------
    {
        "slug": "service-hours",
        "language": "en",
        "kind": "service",
        "category": "general",
        "title": "Service desk hours and how to reach us",
        "tags": ["service-desk", "contact"],
        "body": """The service desk is available **Monday to Friday, 7:00–19:00** (CET), except public holidays in Berlin.

- Portal: submit a request at any time; you get a reference number like HD-000123 by e-mail.
- Phone: **+49 30 1234 5678** (internal 5678).
- Outside service hours only business-critical outages (P1) are handled by the on-call team, by phone.

Target times: first response within 4 business hours, most requests solved within two working days.""",
    },
    {
        "slug": "servicezeiten",
        "language": "de",
        "kind": "service",
        "category": "general",
        "title": "Servicezeiten und Erreichbarkeit des Service Desks",
        "tags": ["service-desk", "kontakt"],
        "translation_of": "service-hours",
        "body": """Der Service Desk ist **Montag bis Freitag von 7:00 bis 19:00 Uhr** erreichbar, außer an Feiertagen in Berlin.

- Portal: Anfragen jederzeit stellen; Sie erhalten per E-Mail eine Vorgangsnummer wie HD-000123.
- Telefon: **+49 30 1234 5678** (intern 5678).
- Außerhalb der Servicezeiten bearbeitet die Rufbereitschaft nur geschäftskritische Störungen (P1), telefonisch.

Zielzeiten: erste Antwort innerhalb von 4 Geschäftsstunden, die meisten Anfragen sind innerhalb von zwei Arbeitstagen gelöst.""",
    },
    # --- Internal (agents only) ---------------------------------------------------------------------
    {
        "slug": "ad-unlock-account",
        "language": "en",
        "kind": "how_to",
        "category": "accounts",
        "title": "Unlock an account and find the locking device (agents)",
        "tags": ["active-directory", "locked"],
        "visibility": "internal",
        "body": """1. Verify the caller: callback to the number in the HR directory, or the personnel number plus the manager's name.
2. In *Active Directory Users and Computers* open the account → *Account* → tick **Unlock account**.
3. Find the source: in the lockout tool enter the user name; the *Caller computer* column shows the device.
   A phone usually appears as the Exchange server — ask the customer to update the password on the phone.
4. Document the device in the ticket. Repeated lockouts from an unknown device: escalate to Security (T2).""",
    },
    {
        "slug": "konto-entsperren-intern",
        "language": "de",
        "kind": "how_to",
        "category": "accounts",
        "title": "Konto entsperren und auslösendes Gerät finden (Agenten)",
        "tags": ["active-directory", "gesperrt"],
        "visibility": "internal",
        "translation_of": "ad-unlock-account",
        "body": """1. Anrufer verifizieren: Rückruf an die Nummer aus dem HR-Verzeichnis oder Personalnummer plus Name der Führungskraft.
2. In *Active Directory-Benutzer und -Computer* das Konto öffnen → *Konto* → Haken bei **Konto entsperren**.
3. Quelle finden: Im Lockout-Tool den Benutzernamen eingeben; die Spalte *Caller computer* zeigt das Gerät.
   Ein Smartphone erscheint meist als Exchange-Server — den Kunden bitten, das Passwort am Telefon zu aktualisieren.
4. Gerät im Ticket dokumentieren. Wiederholte Sperren von unbekanntem Gerät: an Security (T2) eskalieren.""",
    },
    {
        "slug": "print-spooler-restart",
        "language": "en",
        "kind": "known_error",
        "category": "printing",
        "title": "Print server: restart the spooler when the FollowMe queue hangs (agents)",
        "tags": ["print", "server"],
        "visibility": "internal",
        "body": """When several users report print jobs stuck at the same time, the spooler on `print01` has usually hung.

1. Check the monitoring dashboard: *Spooler queue length* above 200 confirms it.
2. RDP to `print01` with your admin account, run `Restart-Service Spooler -Force` in PowerShell.
3. Jobs older than 30 minutes are discarded; tell users to print again.

Do not restart during the nightly backup (01:00–02:00). More than twice a week: escalate to the Server team (T2).""",
    },
    {
        "slug": "vpn-gateway-diagnose",
        "language": "de",
        "kind": "known_error",
        "category": "network",
        "title": "VPN-Gateway: Diagnose bei vielen gleichzeitigen Verbindungsabbrüchen (Agenten)",
        "tags": ["vpn", "gateway"],
        "visibility": "internal",
        "body": """Melden mehr als fünf Kunden innerhalb von 15 Minuten VPN-Probleme, liegt es meist am Gateway, nicht am Client.

1. Statusseite des Gateways prüfen: aktive Tunnel, CPU, Lizenzauslastung (über 90 % = Engpass).
2. Eine Störungsmeldung (Major Incident) anlegen und alle gleichartigen Tickets damit verknüpfen.
3. An das Netzwerkteam (T2) eskalieren, mit Uhrzeit des ersten Ausfalls und Anzahl der Betroffenen.

Den Kunden vorerst den Workaround „Nur SSL verwenden“ aus dem öffentlichen Artikel nennen.""",
    },
    # --- Draft and archived ---------------------------------------------------------------------------
    {
        "slug": "new-mail-server-migration",
        "language": "en",
        "kind": "product_info",
        "category": "email",
        "title": "Moving to the new mail platform (draft)",
        "tags": ["e-mail", "migration"],
        "status": "draft",
        "body": """Between March and May all mailboxes move to the new platform. Each department is told its date two weeks ahead.

What you need to do: nothing on the computer; on the phone, sign in again in the Outlook app after the move.""",
    },
    {
        "slug": "windows-10-end-of-support",
        "language": "en",
        "kind": "product_info",
        "category": "software",
        "title": "Windows 10 end of support",
        "tags": ["windows"],
        "status": "archived",
        "body": """All company computers have been upgraded to Windows 11. Windows 10 devices are no longer supported
and cannot connect to the company network.""",
    },
]

# term → expansion; language "" for both. What customers write → the words the articles use.
SYNONYMS: list[tuple[str, str, str]] = [
    # German
    ("kennwort", "passwort", "de"),
    ("pw", "passwort", "de"),
    ("passwort vergessen", "zurücksetzen self-service", "de"),
    ("vergessen", "zurücksetzen", "de"),
    ("login", "anmeldung anmelden", ""),
    ("einloggen", "anmeldung anmelden", "de"),
    ("reinkommen", "anmeldung", "de"),
    ("komme nicht rein", "anmeldung gesperrt", "de"),
    ("gesperrt", "gesperrt benutzerkonto", "de"),
    ("zu oft", "fehlgeschlagen anmeldeversuch gesperrt", "de"),
    ("account", "konto", "de"),
    ("drucker", "druckauftrag warteschlange gerät", "de"),
    ("druckt", "druckauftrag warteschlange", "de"),
    ("ausdrucken", "drucken druckauftrag", "de"),
    ("drucker einrichten", "followme hinzufügen", "de"),
    ("neuer drucker", "followme einrichten", "de"),
    ("homeoffice", "vpn", "de"),
    ("zuhause", "vpn", "de"),
    ("von zu hause", "vpn", "de"),
    ("firmennetz", "vpn", "de"),
    ("intranet", "vpn", "de"),
    ("internet", "wlan", "de"),
    ("wifi", "wlan", "de"),
    ("besucher", "gäste gast", "de"),
    ("kunde zu besuch", "gäste wlan", "de"),
    ("laufwerk", "netzlaufwerk", "de"),
    ("ordner", "netzlaufwerk freigabe", "de"),
    ("mail", "e-mail", "de"),
    ("mailbox", "postfach", "de"),
    ("postfach", "postfach speicherkontingent", "de"),
    ("voll", "speicherkontingent", "de"),
    ("speicher", "speicherkontingent", "de"),
    ("handy", "smartphone", "de"),
    ("iphone", "smartphone", ""),
    ("email", "e-mail mail", ""),
    ("emails", "e-mail mail", ""),
    ("android", "smartphone", "de"),
    ("urlaub", "abwesenheitsnotiz automatische antworten", "de"),
    ("abwesend", "abwesenheitsnotiz", "de"),
    ("spam", "phishing", "de"),
    ("betrug", "phishing", "de"),
    ("komische mail", "phishing", "de"),
    ("verdächtig", "phishing", "de"),
    ("kamera", "webcam", "de"),
    ("video", "webcam", "de"),
    ("programm", "software", "de"),
    ("installieren", "unternehmensportal", "de"),
    ("gelöscht", "wiederherstellen papierkorb", "de"),
    ("weg", "wiederherstellen", "de"),
    ("verschwunden", "wiederherstellen", "de"),
    ("öffnungszeiten", "servicezeiten", "de"),
    ("erreichbar", "servicezeiten erreichbarkeit", "de"),
    ("hotline", "servicezeiten telefon", "de"),
    ("anrufen", "telefon servicezeiten", "de"),
    ("authenticator", "zwei-faktor mfa", ""),
    ("2fa", "mfa zwei-faktor", "de"),
    ("zweiter faktor", "mfa", "de"),
    ("bildschirm", "monitor", "de"),
    ("zweiter bildschirm", "monitor dockingstation erweitern", "de"),
    ("langsam", "langsam leistung", "de"),
    ("lahm", "langsam", "de"),
    ("hängt", "langsam", "de"),
    # English
    ("forgot", "reset", "en"),
    ("forgotten", "reset", "en"),
    ("pwd", "password", "en"),
    ("passcode", "password", "en"),
    ("log in", "sign-in", "en"),
    ("log on", "sign-in", "en"),
    ("logon", "sign-in", "en"),
    ("sign in", "sign-in", "en"),
    ("locked out", "locked sign-in attempts", "en"),
    ("too many", "failed attempts locked", "en"),
    ("printer", "print queue device", "en"),
    ("printing", "print queue", "en"),
    ("new printer", "followme add", "en"),
    ("wifi", "wi-fi", "en"),
    ("wireless", "wi-fi", "en"),
    ("visitor", "guest", "en"),
    ("visitors", "guest", "en"),
    ("from home", "vpn", "en"),
    ("home office", "vpn", ""),
    ("working from home", "vpn", "en"),
    ("remote", "vpn", "en"),
    ("internal sites", "vpn", "en"),
    ("shared folder", "network drive", "en"),
    ("share", "network drive", "en"),
    ("inbox", "mailbox", "en"),
    ("full", "quota", "en"),
    ("storage", "quota", "en"),
    ("phone", "smartphone", "en"),
    ("mobile", "smartphone", "en"),
    ("vacation", "automatic replies out of office", "en"),
    ("holiday", "automatic replies out of office", "en"),
    ("away", "automatic replies", "en"),
    ("scam", "phishing", "en"),
    ("suspicious", "phishing", "en"),
    ("spam", "phishing", "en"),
    ("camera", "webcam", "en"),
    ("video", "webcam", "en"),
    ("program", "software", "en"),
    ("app", "software", "en"),
    ("install", "company portal", "en"),
    ("deleted", "restore recycle", "en"),
    ("lost", "restore", "en"),
    ("missing", "restore", "en"),
    ("opening hours", "service hours", "en"),
    ("reach you", "service hours", "en"),
    ("phone number", "service hours", "en"),
    ("2fa", "mfa multi-factor", "en"),
    ("two factor", "mfa multi-factor", "en"),
    ("spreadsheet", "excel workbook", "en"),
    ("xlsx", "excel workbook", "en"),
    ("screen", "monitor", "en"),
    ("new laptop", "laptop models order", "en"),
    ("computer", "laptop", "en"),
]

CANNED_RESPONSES: list[dict] = [
    {
        "title": "Password reset instructions",
        "language": "en",
        "body": "Hello {customer_name},\n\nyou can set a new password yourself at https://password.example.com "
        "(see our article “Reset your password”). If that does not work, reply to this message and we will "
        "call you.\n\nBest regards\n{agent_name}, Service Desk ({reference})",
    },
    {
        "title": "Anleitung Passwort zurücksetzen",
        "language": "de",
        "body": "Guten Tag {customer_name},\n\nSie können Ihr Passwort unter https://password.example.com selbst "
        "zurücksetzen (siehe unseren Artikel „Passwort zurücksetzen“). Falls das nicht klappt, antworten Sie "
        "einfach auf diese Nachricht, und wir rufen Sie an.\n\nFreundliche Grüße\n{agent_name}, Service Desk ({reference})",
    },
    {
        "title": "Need more information",
        "language": "en",
        "set_status": "pending",
        "body": "Hello {customer_name},\n\nto continue with {reference} we need a little more information: "
        "when did the problem start, and what exactly does the error message say? A screenshot helps.\n\n"
        "Best regards\n{agent_name}",
    },
    {
        "title": "Rückfrage: weitere Informationen",
        "language": "de",
        "set_status": "pending",
        "body": "Guten Tag {customer_name},\n\num {reference} weiter bearbeiten zu können, brauchen wir noch ein "
        "paar Angaben: Seit wann besteht das Problem, und wie lautet die Fehlermeldung genau? Ein Screenshot "
        "hilft uns sehr.\n\nFreundliche Grüße\n{agent_name}",
    },
    {
        "title": "Printer issue received",
        "language": "en",
        "set_category": "printing",
        "body": "Hello {customer_name},\n\nthank you for reporting the printer problem ({reference}). Please send "
        "us the device number from the sticker (e.g. PRN-2-014); until then you can print to FollowMe and "
        "release the job at any other device.\n\nBest regards\n{agent_name}",
    },
]

CHECKLISTS: list[dict] = [
    {
        "category": "network",
        "title": "Network / VPN troubleshooting",
        "language": "en",
        "items": [
            "Customer has internet access without VPN (website opens)",
            "GlobalProtect version checked (6.2 or newer)",
            "Tried “Use SSL only” in GlobalProtect settings",
            "Tested via mobile hotspot to rule out the home network",
            "Account not locked, MFA prompt confirmed",
        ],
    },
    {
        "category": "printing",
        "title": "Printer troubleshooting",
        "language": "en",
        "items": [
            "Device number noted (sticker PRN-…)",
            "Device display checked: paper, toner, jam",
            "Print queue on the client emptied",
            "Test print to FollowMe from another device",
            "Other users affected? (check for spooler problem)",
        ],
    },
    {
        "category": "accounts",
        "title": "Account / sign-in checklist",
        "language": "en",
        "items": [
            "Caller identity verified (callback or personnel number)",
            "Account lock status checked",
            "Self-service password reset offered",
            "Old password removed from phone/tablet",
            "MFA methods checked",
        ],
    },
    {
        "category": "email",
        "title": "E-mail troubleshooting",
        "language": "en",
        "items": [
            "Outlook on the web works (server side ok)",
            "Mailbox size below quota",
            "Outlook restarted / profile repaired",
            "Problem also on the phone app?",
        ],
    },
]

# Portal visitors whom a suggested article helped, so they sent no request: (days ago, slug, what they typed).
DEFLECTIONS = [
    (2, "reset-password", "forgot my password"),
    (5, "vpn-connect", "vpn does not connect"),
    (9, "passwort-zuruecksetzen", "Passwort vergessen"),
    (14, "vpn-verbinden", "VPN geht nicht"),
    (21, "account-locked", "account locked after too many attempts"),
    (33, "set-up-mfa", "new phone authenticator"),
]
