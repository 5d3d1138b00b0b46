#!/usr/bin/env bash
# Updates the German catalogues of accounts and tickets, including the project templates they own
# (templates/base.html and templates/accounts/ → accounts; templates/tickets/ → tickets), then compiles them.
# makemessages only walks the app's own directory, so the templates are linked in for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(realpath -s "${PY:-.venv/bin/python}")
run() {  # app, then template paths relative to templates/ (or @path relative to the checkout)
  local app=$1; shift
  (cd "$app" && mkdir -p locale _tpl && for t in "$@"; do
      if [[ $t == @* ]]; then ln -sfn "../../${t#@}" "_tpl/$(basename "$t")"; else ln -sfn "../../templates/$t" "_tpl/$t"; fi
    done \
    && DJANGO_DEBUG=1 "$PY" ../manage.py makemessages -l de --symlinks -i "migrations/*" --no-location; rm -rf _tpl)
  msgfmt --check -o "$app/locale/de/LC_MESSAGES/django.mo" "$app/locale/de/LC_MESSAGES/django.po"
}
run accounts accounts base.html _field.html _form_errors.html 403.html 404.html 500.html
run tickets tickets
run timetracking timetracking shortcuts @templates/reporting/time.html @templates/reporting/_time_table.html @templates/reporting/_time_link.html @reporting/timereport.py
run recurring recurring
run importers importers
