"""Screenshots of pages as a user sees them: each page in German and English, at 1366 px and 390 px.

Runs against a server that is already up (``make run``), signs in as a demo user, switches the
profile language with the page's own switch, and writes full-page PNGs, e.g.::

    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8000 --user agent1 \
        --out var/shots /agent/ /agent/tickets/1/

Files are named ``<user>-<path>-<lang>-<width>.png``. Uses Debian's Chromium (never a downloaded
browser). ``--user anonymous`` takes the pages signed out (language from the browser).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORDS = {
    "customer": "demo-customer-2026",
    "kunde": "demo-kunde-2026",
    "agent1": "demo-agent1-2026",
    "agent2": "demo-agent2-2026",
    "agent3": "demo-agent3-2026",
    "supervisor": "demo-supervisor-2026",
}
WIDTHS = {1366: 900, 390: 844}


def slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", help="paths to take, e.g. /agent/")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="agent1", help="demo user, or 'anonymous'")
    parser.add_argument("--password", help="defaults to the demo password of --user")
    parser.add_argument("--out", default="var/shots")
    parser.add_argument("--langs", default="en,de")
    parser.add_argument("--widths", default="1366,390")
    parser.add_argument("--press", help="a key to press after each page loads, e.g. '?' (the shortcut list)")
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in args.langs.split(","):
            context = browser.new_context(locale=lang, extra_http_headers={"Accept-Language": lang})
            page = context.new_page()
            if args.user != "anonymous":
                page.goto(f"{args.base}/accounts/login/")
                page.fill("input[name=username]", args.user)
                page.fill("input[name=password]", args.password or DEMO_PASSWORDS[args.user])
                page.click("form[action$='/accounts/login/'] button[type=submit]")
                page.wait_for_load_state("networkidle")
                switch = page.locator(f"form.langswitch button[value={lang}]")
                if switch.count():
                    switch.first.click()
                    page.wait_for_load_state("networkidle")
            for width in (int(w) for w in args.widths.split(",")):
                page.set_viewport_size({"width": width, "height": WIDTHS.get(width, 900)})
                for path in args.paths:
                    page.goto(f"{args.base}{path}")
                    page.wait_for_load_state("networkidle")
                    if args.press:
                        page.keyboard.press(args.press)
                        page.wait_for_timeout(300)
                    target = (
                        out / f"{args.user}-{slug(path)}-{lang}-{width}{'-pressed' if args.press else ''}.png"
                    )
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
