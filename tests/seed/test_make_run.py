"""`make run` on a fresh clone: the links in mails point at the port it serves, the embedded broker keeps
its files under the var dir, and every `manage.py` command the README shows works as written afterwards."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(Path(sys.executable))


def _local_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a newcomer's shell: no servers, no configuration, our own var dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HELPDESK_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PORT", "EMAIL_URL"):
        env.pop(name, None)
    return {**env, "HELPDESK_VAR_DIR": str(var_dir), **extra}


def _run(command: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own commands
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_make_run_on_another_port_puts_that_port_into_every_process_base_url(tmp_path):
    # given: a Procfile whose processes print the port honcho gave them and the base URL of mails
    show = (
        f"{PYTHON} -c 'import os, django; django.setup(); from django.conf import settings; "
        'print("BASE", os.environ["PORT"], settings.HELPDESK_BASE_URL)\''
    )
    procfile = tmp_path / "Procfile"
    # Both stay up a while after printing: honcho stops all when the first one exits, and on a loaded
    # machine a process that exits at once could take the other down before its line.
    procfile.write_text(f"web: {show}; sleep 10\nworker: {show}; sleep 10\n")
    env = _local_env(tmp_path / "var", DJANGO_SETTINGS_MODULE="helpdesk.settings")

    # when: the last step of `PORT=8801 make run` (make -n shows it) runs
    recipe = _run(f"make -n run PORT=8801 PROCFILE={procfile} VENV={Path(PYTHON).parents[1]}", env)
    assert recipe.returncode == 0, recipe.stderr
    lines = recipe.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "PORT=8801" in line)
    result = _run("\n".join(lines[start:]), env, timeout=60)

    # then: web and worker (honcho gives the worker PORT+100) both link to :8801
    seen = re.findall(r"BASE (\d+) (\S+)", result.stdout)
    assert len(seen) == 2, result.stdout + result.stderr
    assert {port for port, _url in seen} == {"8801", "8901"}
    assert {url for _port, url in seen} == {"http://127.0.0.1:8801"}


def test_the_settings_default_the_base_url_to_the_port(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings; print(settings.HELPDESK_BASE_URL)"
    )
    env = _local_env(tmp_path, DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="helpdesk.settings")
    assert _run(f"{PYTHON} -c '{show}'", {**env, "PORT": "8123"}).stdout.split() == ["http://127.0.0.1:8123"]
    assert _run(f"{PYTHON} -c '{show}'", env).stdout.split() == ["http://127.0.0.1:8000"]
    given = {**env, "PORT": "8123", "HELPDESK_BASE_URL": "https://help.example.com"}
    assert _run(f"{PYTHON} -c '{show}'", given).stdout.split() == ["https://help.example.com"]


def test_the_embedded_broker_writes_nothing_outside_the_var_dir(tmp_path):
    # given: a worker on the filesystem broker, started from an empty directory
    cwd, var_dir = tmp_path / "cwd", tmp_path / "var"
    cwd.mkdir()
    env = _local_env(var_dir, DJANGO_DEBUG="1", PYTHONPATH=str(ROOT))
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "helpdesk",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
            ],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # when: it is up
        assert wait_for(lambda: "ready." in log_path.read_text(), 60), log_path.read_text()[-3000:]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    # then: the exchange tables are under var/broker/control, nothing in the working directory
    assert list(cwd.iterdir()) == []
    assert (var_dir / "broker" / "control" / "celery.exchange").is_file()
    tracked = _run("git ls-files control", os.environ).stdout
    assert tracked == ""


def _readme_commands() -> list[str]:
    """Every `manage.py` command the README shows (in backticks or a sh block), as written."""
    text = (ROOT / "README.md").read_text()
    spans = re.findall(r"`([^`]*manage\.py[^`]*)`", text)
    return [" ".join(span.split()) for span in spans]


def _runnable(command: str) -> str:
    """The command as a reader would type it: the placeholder password filled in, a small count for the
    million-ticket load, `python` from the virtualenv, no Docker (the development machine has none)."""
    command = command.removeprefix("docker compose exec web ")
    command = command.replace("…", "readme-test-password-2026").replace("--tickets 1000000", "--tickets 20")
    command = re.sub(r"(^|\s)(?:\.venv/bin/)?python manage\.py", rf"\1{PYTHON} manage.py", command)
    return re.sub(r"^manage\.py", f"{PYTHON} manage.py", command)


def test_every_manage_py_command_of_the_readme_works_as_written_after_make_run(tmp_path):
    # given: what `make run` leaves behind (its first two steps, with its DJANGO_DEBUG=1)
    var_dir = tmp_path / "var"
    env = _local_env(var_dir)
    first_start = _run(f"DJANGO_DEBUG=1 {PYTHON} manage.py migrate --no-input -v0", env)
    assert first_start.returncode == 0, first_start.stderr
    commands = _readme_commands()
    assert any("createsuperuser --noinput" in c for c in commands)
    assert len(commands) >= 6, commands

    # when / then: each runs, in a shell without DJANGO_DEBUG or SECRET_KEY
    for command in commands:
        result = _run(_runnable(command), env)
        assert result.returncode == 0, f"{command}\n{result.stderr[-3000:]}"
    admin = 'from accounts.models import User; print(User.objects.get(username="admin").is_superuser)'
    made = _run(f"{PYTHON} manage.py shell -v0 -c '{admin}'", env)
    assert made.stdout.split() == ["True"], made.stderr


def test_without_the_local_key_manage_py_still_refuses_debug_off_without_a_secret(tmp_path):
    result = _run(f"{PYTHON} manage.py check", _local_env(tmp_path / "empty"))
    assert result.returncode != 0
    assert "SECRET_KEY is required when DJANGO_DEBUG is off" in result.stderr
    # a checkout `make run` started, told debug is off: the generated key is no production key
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "secret_key").write_text("x" * 60)
    result = _run(f"{PYTHON} manage.py check", _local_env(tmp_path / "local", DJANGO_DEBUG="0"))
    assert result.returncode != 0
    assert "SECRET_KEY is required when DJANGO_DEBUG is off" in result.stderr
