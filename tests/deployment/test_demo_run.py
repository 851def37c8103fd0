"""How `make run` starts the demo: e-mails kept in files under var/mail/ (never printed over
the logins), links that follow the address served, and the demo logins printed last, once
the server answers."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from config.saml import IdentityProviderSetting

ROOT = Path(__file__).resolve().parents[2]

SETTINGS_PROBE = """
import django
django.setup()
from django.conf import settings
print("PROBE", settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH, settings.SITE_URL)
"""


def settings_in(mode: str, tmp_path: Path, **env: str) -> list[str]:
    """EMAIL_BACKEND, EMAIL_FILE_PATH and SITE_URL of a fresh process in ``mode``."""
    unset = {"EMAIL_HOST", "EMAIL_BACKEND", "EMAIL_FILE_PATH", "SITE_URL"}
    clean = {key: value for key, value in os.environ.items() if key not in unset}
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        cwd=ROOT,
        env={
            **clean,
            "ELEVDIALOG_ENV": mode,
            "ELEVDIALOG_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    return line.split()[1:]


def test_the_demo_keeps_its_e_mails_in_files_under_var(tmp_path: Path) -> None:
    backend, path, _site = settings_in("development", tmp_path)
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert path == str(tmp_path / "mail")


def test_an_smtp_host_sends_e_mails_instead(tmp_path: Path) -> None:
    backend, _path, _site = settings_in("development", tmp_path, EMAIL_HOST="smtp.example.org")
    assert backend == "django.core.mail.backends.smtp.EmailBackend"


# --- The Makefile, with stand-ins for the virtual environment's programs --------------------

STAND_IN = """#!/bin/sh
echo "$(basename "$0") pid=$$ SITE_URL=$SITE_URL args=$*" >> "{log}"
"""


def run_make(tmp_path: Path, *arguments: str, **env: str) -> list[str]:
    """What `make run ARGUMENTS` runs, with a virtual environment whose python and daphne
    only write down how they were called."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "calls.log"
    for name in ("python", "daphne", "pip"):
        program = venv / "bin" / name
        program.write_text(STAND_IN.format(log=log))
        program.chmod(0o755)
    (venv / ".run-installed").touch()
    os.utime(venv / ".run-installed", (4_000_000_000, 4_000_000_000))  # newer than the lock file
    clean = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "MAKEFLAGS"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "run", f"VENV={venv}", *arguments],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return log.read_text().splitlines()


def test_make_run_points_links_at_the_address_it_serves(tmp_path: Path) -> None:
    calls = run_make(tmp_path, "PORT=8123")

    assert calls, "make run called nothing"
    assert all("SITE_URL=http://127.0.0.1:8123 " in call for call in calls), calls
    [server] = [call for call in calls if call.startswith("daphne")]
    assert "-b 127.0.0.1 -p 8123" in server


def test_make_run_brackets_an_ipv6_host_and_keeps_a_given_site_url(tmp_path: Path) -> None:
    ipv6 = run_make(tmp_path / "ipv6", "HOST=::1", "PORT=8124")
    given = run_make(tmp_path / "given", "PORT=8125", SITE_URL="https://demo.example.org")

    assert all("SITE_URL=http://[::1]:8124 " in call for call in ipv6), ipv6
    assert all("SITE_URL=https://demo.example.org " in call for call in given), given


def test_the_logins_wait_for_the_server_process_make_run_starts(tmp_path: Path) -> None:
    calls = run_make(tmp_path, "PORT=8126")

    [server] = [call for call in calls if call.startswith("daphne")]
    [logins] = [call for call in calls if "demo_logins" in call]
    server_pid = server.split()[1].removeprefix("pid=")
    # The recipe's shell becomes the server (exec): the pid demo_logins watches is its pid.
    assert f"--when-serving 127.0.0.1:8126 --server-pid {server_pid}" in logins
    assert calls.index(logins) > max(calls.index(call) for call in calls if "seed_demo" in call)


# --- demo_logins ------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(
    SITE_URL="http://127.0.0.1:8127",
    EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
    EMAIL_FILE_PATH=Path("/srv/demo/var/mail"),
)
def test_demo_logins_print_once_the_server_answers_and_end_with_the_address() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        output = io.StringIO()
        call_command("demo_logins", when_serving=f"127.0.0.1:{port}", stdout=output)

    lines = output.getvalue().strip().splitlines()
    assert "elsa.lindqvist" in output.getvalue()
    assert any("Registrator / Registrar" in line and "birgitta.sundstrom" in line for line in lines)
    assert "E-mails are not sent: they are saved as files in /srv/demo/var/mail/" in lines
    assert lines[-1] == "Elevdialog is serving on http://127.0.0.1:8127/ (Ctrl-C stops it)"


@pytest.mark.django_db
def test_demo_logins_give_up_when_the_server_process_has_ended() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    gone = subprocess.Popen(["true"])  # a server process that has ended
    gone.wait()

    with pytest.raises(CommandError, match="did not start"):
        call_command("demo_logins", when_serving=f"127.0.0.1:{free_port}", server_pid=gone.pid)


@pytest.mark.django_db
def test_demo_logins_name_the_demo_e_id_only_when_the_development_provider_is_used(tmp_path: Path) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    development = IdentityProviderSetting("eid", str(tmp_path / "eid-metadata.xml"))
    municipal = IdentityProviderSetting("eid", "https://broker.umea.se/metadata.xml")

    def printed(providers: tuple[IdentityProviderSetting, ...]) -> str:
        output = io.StringIO()
        with override_settings(SAML_IDENTITY_PROVIDERS=providers, SAML_DEV_DIR=tmp_path):
            call_command("demo_logins", stdout=output)
        return output.getvalue()

    assert "'Logga in med e-legitimation' as sofia.lindqvist" in printed((development,))
    assert "Logga in med e-legitimation" not in printed((municipal,))
    assert "Logga in med e-legitimation" not in printed(())
