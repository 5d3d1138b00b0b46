"""Realistic request texts in English and German, for the demo data and the load data.

Each scenario is one support case as it really goes: the request, the first answer, what the
customer adds, an internal note (what was checked before escalating) and the resolution.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    language: str
    category: str  # English category name of tickets.seeding.CATEGORIES (parent or child)
    subject: str
    description: str
    reply: str  # the first agent answer
    followup: str  # what the customer writes back
    note: str  # internal note (before escalating / for the next level)
    resolution: str
    impact: str = "medium"
    urgency: str = "medium"
    channel: str = "web"


SCENARIOS: list[Scenario] = [
    # --- English -------------------------------------------------------------------------------
    Scenario(
        "en",
        "VPN",
        "VPN disconnects every few minutes when working from home",
        "Since Monday my VPN connection drops every 5 to 10 minutes. I have to log in again each time and lose "
        "unsaved work in the ERP. My home internet itself is stable (video calls work fine).",
        "Thank you for the details. Could you tell us which VPN client version is shown under Help > About, "
        "and whether this also happens on a wired connection?",
        "Client version is 5.2.1. On a cable it is the same, it dropped three times in the last hour.",
        "Client 5.2.1 is current. Logs show IKE rekey failures for this user's gateway (vpn-gw-2) only. "
        "Handing over to Network: probably the rekey lifetime mismatch after Sunday's firmware update.",
        "The rekey lifetime on vpn-gw-2 was corrected after the firmware update. Connections are stable again.",
        "medium",
        "high",
    ),
    Scenario(
        "en",
        "WLAN",
        "No Wi-Fi in meeting room 3.14",
        "The laptops in meeting room 3.14 cannot see the 'Corp' network at all. Other rooms on the floor are fine. "
        "We have a customer workshop there tomorrow morning.",
        "We have checked the controller: the access point for room 3.14 is offline. A technician is on the way.",
        "Thanks! Is there a chance it works by 9 tomorrow?",
        "AP-3-14 shows no PoE on switch port Gi1/0/24. Port is err-disabled. Network please check the switch.",
        "The switch port was err-disabled after a loop; the loop (a desk switch) was removed and the port reset.",
        "medium",
        "high",
    ),
    Scenario(
        "en",
        "E-Mail",
        "Emails to a customer domain bounce with 550 5.7.1",
        "Every email I send to anyone at northwind-traders.example comes back with '550 5.7.1 Message rejected'. "
        "This started today. I attach the bounce message.",
        "We can see the bounces. Could you forward one of them as an attachment so that we have the full headers?",
        "Forwarded it just now to the helpdesk address.",
        "Their MX rejects us for SPF: our new mail relay 203.0.113.25 is missing in our SPF record. "
        "Needs a DNS change, Server team.",
        "The new relay was added to the SPF record; test mails to the domain are delivered again.",
        "medium",
        "medium",
        "email",
    ),
    Scenario(
        "en",
        "File shares",
        "Cannot open the Finance share (access denied)",
        "Since my move to the Controlling team I get 'Access denied' on \\\\fs01\\finance. My colleagues can open it.",
        "Your account is not yet in the Finance group. We have asked your team lead to approve the access.",
        "My team lead says she approved it this morning.",
        "Approval is in the tool but the group sync job failed overnight (fs01). Server team please rerun.",
        "The group sync was rerun; after signing out and in again the share opens.",
        "low",
        "medium",
    ),
    Scenario(
        "en",
        "Office",
        "Excel crashes when opening large workbooks",
        "Excel closes without any message as soon as I open the monthly report (about 80 MB). Smaller files work.",
        "Please try to open the file in safe mode (hold Ctrl while starting Excel) and tell us if it still closes.",
        "In safe mode it opens, slowly, but it works.",
        "Crash comes from the reporting add-in, version 3.1. Known issue, vendor fix in 3.2. Software team.",
        "The reporting add-in was updated to 3.2; the workbook opens normally now.",
        "low",
        "medium",
    ),
    Scenario(
        "en",
        "ERP",
        "ERP invoice run stops with error 'posting period closed'",
        "The nightly invoice run failed with 'posting period 11/2026 closed'. 240 invoices were not created and "
        "customers are waiting for them.",
        "We are looking into it with priority. Did anyone close the period manually yesterday?",
        "Accounting says nobody closed it on purpose.",
        "Period was closed by the year-end preparation job, which ran one month early (wrong cron entry). "
        "Needs Engineering: reopen period and fix the job schedule.",
        "The period was reopened, the invoice run repeated successfully and the job schedule corrected.",
        "high",
        "high",
    ),
    Scenario(
        "en",
        "Accounts & passwords",
        "Password expired, cannot sign in",
        "My password expired over the weekend and now I cannot sign in at all, not even to change it.",
        "We have reset your password and sent a one-time password to your mobile number. Please change it at "
        "first sign-in.",
        "It worked, thank you!",
        "Identity verified by callback to the number on file.",
        "Password reset after identity check; the user has set a new password.",
        "low",
        "high",
        "phone",
    ),
    Scenario(
        "en",
        "Accounts & passwords",
        "Account locked after too many attempts",
        "My account is locked. I think my old phone still tries to sync mail with the old password.",
        "We have unlocked the account. Please remove the mail account from your old phone or update the "
        "password there.",
        "Removed it from the old phone, thanks.",
        "Lockout source: ActiveSync from the user's old device.",
        "Account unlocked; the old device no longer syncs with the old password.",
        "low",
        "medium",
        "chat",
    ),
    Scenario(
        "en",
        "Network",
        "Internet very slow in the Hamburg office",
        "Since this morning everything that goes to the internet is extremely slow in Hamburg, around 1 Mbit/s. "
        "Internal systems are fine.",
        "Thank you. We see high load on the Hamburg uplink and are checking with the provider.",
        "It is getting worse, the video conference just dropped.",
        "Uplink at 100% since 07:40, traffic from one host (backup client misconfigured to offsite target). "
        "Network: please rate-limit until Server fixes the backup job.",
        "The backup client was reconfigured to use the local target; the uplink is back to normal.",
        "high",
        "medium",
    ),
    Scenario(
        "en",
        "Server",
        "Shared calendar not updating for the sales team",
        "Appointments in the shared sales calendar do not show up for others, sometimes only hours later.",
        "Could you tell us whether this happens in Outlook, in the web app, or both?",
        "Both. In the web app it is a bit faster but still delayed.",
        "Mailbox database DB03 has a replication backlog. Server team please check.",
        "The replication backlog on the mailbox database was cleared; calendar updates are immediate again.",
        "medium",
        "low",
    ),
    Scenario(
        "en",
        "Software",
        "Request: install a PDF editor",
        "For contract work I need a program to edit PDF files (add comments, fill forms). Can you install one?",
        "We can install the licensed PDF editor from the software portal for you. Is your cost centre 4711?",
        "Yes, 4711 is correct.",
        "Licence available, installed via software distribution.",
        "The PDF editor was installed; it is in the start menu.",
        "low",
        "low",
    ),
    Scenario(
        "en",
        "Office",
        "Teams meetings have no sound on my headset",
        "In Teams meetings I hear nothing on my USB headset, although it works in other programs.",
        "Please check in Teams under Settings > Devices that the headset is selected as speaker.",
        "It was set to the laptop speakers. Changed it, works now.",
        "Device selection only.",
        "The headset was not selected as audio device in Teams; selected it.",
        "low",
        "low",
        "chat",
    ),
    # --- German --------------------------------------------------------------------------------
    Scenario(
        "de",
        "VPN",
        "VPN-Verbindung bricht im Homeoffice ständig ab",
        "Seit gestern bricht meine VPN-Verbindung alle paar Minuten ab. Ich muss mich jedes Mal neu anmelden. "
        "Das Internet zu Hause funktioniert einwandfrei.",
        "Vielen Dank für Ihre Meldung. Welche Version des VPN-Clients ist bei Ihnen installiert (Hilfe > Info)?",
        "Es ist Version 5.1.0.",
        "Client 5.1.0 veraltet, Update auf 5.2.1 behebt die Abbrüche laut Hersteller. Update angestoßen.",
        "Der VPN-Client wurde auf Version 5.2.1 aktualisiert; die Verbindung ist seitdem stabil.",
        "medium",
        "high",
    ),
    Scenario(
        "de",
        "WLAN",
        "WLAN im Lager funktioniert nicht",
        "Die Handscanner im Lager verlieren seit heute Morgen immer wieder die WLAN-Verbindung. Wir können keine "
        "Lieferungen mehr buchen.",
        "Wir haben die Störung aufgenommen und prüfen die Access Points im Lager.",
        "Es betrifft vor allem die Regale 20 bis 35.",
        "Zwei APs im Lager melden Kanalstörungen (neue Funkanlage der Nachbarhalle?). Bitte Netzwerk: "
        "Kanalplanung prüfen.",
        "Die Kanäle der Access Points im Lager wurden neu geplant; die Scanner bleiben verbunden.",
        "high",
        "high",
    ),
    Scenario(
        "de",
        "E-Mail",
        "Postfach voll, kann keine E-Mails mehr senden",
        "Ich bekomme die Meldung, dass mein Postfach voll ist, und kann keine E-Mails mehr verschicken.",
        "Wir haben Ihr Postfach vorübergehend vergrößert. Bitte archivieren Sie ältere E-Mails, eine Anleitung "
        "finden Sie im Hilfe-Center.",
        "Danke, ich habe den Ordner 'Gesendet' aufgeräumt.",
        "Quota temporär auf 10 GB erhöht.",
        "Das Postfach wurde vergrößert und aufgeräumt; Senden funktioniert wieder.",
        "low",
        "medium",
        "email",
    ),
    Scenario(
        "de",
        "File shares",
        "Gelöschte Datei auf dem Laufwerk wiederherstellen",
        "Ich habe versehentlich die Datei 'Budget 2027.xlsx' im Ordner \\\\fs02\\projekte\\alpha gelöscht. "
        "Können Sie sie wiederherstellen? Stand von gestern Abend würde reichen.",
        "Wir stellen die Datei aus der Sicherung von gestern 22:00 Uhr wieder her.",
        "Super, vielen Dank!",
        "Schattenkopie vorhanden, Wiederherstellung über Vorgängerversionen.",
        "Die Datei wurde aus der Schattenkopie von gestern 22:00 Uhr wiederhergestellt.",
        "low",
        "medium",
    ),
    Scenario(
        "de",
        "Office",
        "Outlook startet nicht mehr",
        "Outlook bleibt beim Start bei 'Profil wird geladen' hängen. Ein Neustart des Rechners hat nicht geholfen.",
        "Bitte starten Sie Outlook einmal mit 'outlook.exe /safe' und teilen Sie uns mit, ob es dann startet.",
        "Im abgesicherten Modus startet es.",
        "Add-in des alten CRM blockiert den Start. Software-Team: Add-in per Richtlinie entfernen?",
        "Das veraltete CRM-Add-in wurde deaktiviert; Outlook startet wieder normal.",
        "medium",
        "medium",
    ),
    Scenario(
        "de",
        "ERP",
        "ERP: Lieferschein kann nicht gedruckt werden",
        "Beim Drucken von Lieferscheinen im ERP kommt die Fehlermeldung 'Formular LS_02 nicht gefunden'. Der "
        "Versand steht still.",
        "Wir prüfen das sofort. Betrifft es alle Lieferscheine oder nur einen Mandanten?",
        "Nur Mandant 200, Mandant 100 druckt normal.",
        "Formular LS_02 fehlt nach dem Transport gestern in Mandant 200. Engineering: Transport nachziehen.",
        "Das fehlende Formular wurde in Mandant 200 nachtransportiert; Lieferscheine werden gedruckt.",
        "high",
        "high",
        "phone",
    ),
    Scenario(
        "de",
        "Accounts & passwords",
        "Passwort vergessen",
        "Ich habe nach dem Urlaub mein Passwort vergessen und kann mich nicht anmelden.",
        "Wir haben Ihr Passwort zurückgesetzt. Das Einmalpasswort wurde an Ihre hinterlegte Mobilnummer gesendet.",
        "Hat geklappt, danke!",
        "Identität per Rückruf geprüft.",
        "Passwort nach Identitätsprüfung zurückgesetzt.",
        "low",
        "high",
        "phone",
    ),
    Scenario(
        "de",
        "Accounts & passwords",
        "Zugang für neue Mitarbeiterin",
        "Am 1. des Monats beginnt Frau Yilmaz im Einkauf. Bitte richten Sie Benutzerkonto, E-Mail und Zugriff "
        "auf das Einkaufslaufwerk ein.",
        "Gerne. Bitte senden Sie uns noch das unterschriebene Antragsformular der Personalabteilung.",
        "Das Formular ist unterwegs per Hauspost.",
        "Konto vorbereitet, Aktivierung zum Eintrittsdatum.",
        "Konto, Postfach und Laufwerkszugriff sind eingerichtet; Zugangsdaten liegen bei der Führungskraft.",
        "low",
        "low",
    ),
    Scenario(
        "de",
        "Network",
        "Drucker im 2. OG nicht erreichbar",
        "Der Netzwerkdrucker im 2. Obergeschoss (PR-2-01) ist von keinem Rechner mehr erreichbar.",
        "Wir prüfen den Drucker. Zeigt das Display eine IP-Adresse an?",
        "Auf dem Display steht 169.254.12.7.",
        "Drucker bekommt keine DHCP-Adresse, VLAN-Zuordnung am Port geändert? Netzwerk bitte prüfen.",
        "Der Switchport des Druckers war im falschen VLAN; korrigiert, der Drucker ist wieder erreichbar.",
        "medium",
        "medium",
    ),
    Scenario(
        "de",
        "Server",
        "Anwendungsserver sehr langsam",
        "Die Zeiterfassung (läuft auf app03) braucht seit heute für jede Buchung fast eine Minute.",
        "Danke für den Hinweis, wir schauen uns den Server an.",
        "Inzwischen kommen auch Zeitüberschreitungen.",
        "app03: Festplatte zu 99 % voll durch Log-Dateien. Server-Team: Logrotation prüfen.",
        "Alte Log-Dateien wurden entfernt und die Logrotation eingerichtet; die Zeiterfassung ist wieder schnell.",
        "medium",
        "high",
    ),
    Scenario(
        "de",
        "Software",
        "Lizenz für Grafikprogramm abgelaufen",
        "Mein Grafikprogramm meldet, dass die Lizenz abgelaufen ist. Ich brauche es für die Broschüre, die "
        "Freitag in Druck geht.",
        "Wir prüfen die Lizenz. Welche Versionsnummer zeigt das Programm an?",
        "Version 2025.3.",
        "Lizenzserver hat die verlängerte Lizenz noch nicht. Software-Team: Lizenzdatei einspielen.",
        "Die verlängerte Lizenz wurde auf dem Lizenzserver eingespielt.",
        "low",
        "high",
    ),
]

RATING_COMMENTS: dict[str, list[str]] = {
    "en": ["Quick and friendly, thanks!", "Solved, but it took a while.", "Great help.", ""],
    "de": ["Schnell und freundlich, danke!", "Gelöst, hat aber etwas gedauert.", "Sehr hilfreich.", ""],
}
