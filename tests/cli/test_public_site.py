"""A site opened to the internet: `wenku serve` refuses a public address without a site
URL or allowed hosts, and `wenku doctor` reports the security settings (issue 10)."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys

import pytest

from wenku import config
from wenku.cli import doctor, serve
from wenku.cli.publicsite import bind_refusal, is_loopback, report


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2", "[::1]"])
def test_this_machine_is_loopback(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "wenku.example.org"])
def test_other_addresses_are_public(host):
    assert not is_loopback(host)


def test_a_public_address_needs_a_site_url_or_allowed_hosts():
    defaults = config.load({})
    refusal = bind_refusal("0.0.0.0", defaults)
    assert refusal and "WENKU_SITE_URL" in refusal and "WENKU_ALLOWED_HOSTS" in refusal
    assert bind_refusal("127.0.0.1", defaults) is None  # make run, the tests' servers
    with_site = config.load({"WENKU_SITE_URL": "https://wenku.example.org"})
    with_hosts = config.load({"WENKU_ALLOWED_HOSTS": "wenku.example.org"})
    assert bind_refusal("0.0.0.0", with_site) is None
    assert bind_refusal("::", with_hosts) is None


def test_serve_refuses_to_start_and_says_what_to_set(settings, capsys):
    """Checked before anything starts (no migration, no server process)."""
    settings.WENKU = config.load({})
    args = argparse.Namespace(host="0.0.0.0", port=8000, no_worker=True)
    assert serve.handle(args) == 2
    err = capsys.readouterr().err
    assert "WENKU_SITE_URL=https://" in err and "Public site checklist" in err


def test_the_command_refuses_a_public_address_before_anything_starts(tmp_path):
    """`wenku serve --host 0.0.0.0` as an operator types it, with the README's settings
    (none): it exits 2 saying what to set, and nothing listens on the port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENKU_")}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["serve", "--host", "0.0.0.0", "--port", str(port), "--no-worker"]
    result = subprocess.run(
        [sys.executable, "-m", "wenku", *command, "--data", str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "WENKU_SITE_URL=https://" in result.stderr and "WENKU_ALLOWED_HOSTS" in result.stderr
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_the_report_of_a_fresh_install_says_what_a_public_site_needs():
    findings = {f.name: f for f in report(config.load({}), debug=False)}
    assert not findings["site URL"].ok and "WENKU_SITE_URL" in findings["site URL"].fix
    assert not findings["allowed hosts"].ok
    assert not findings["HTTPS"].ok
    assert findings["HSTS"].ok and findings["reverse proxy"].ok and findings["debug"].ok


def test_the_report_of_a_configured_public_site_is_clean():
    site = config.load(
        {"WENKU_SITE_URL": "https://wenku.example.org", "WENKU_TRUSTED_PROXIES": "10.0.0.0/8"}
    )
    assert all(f.ok for f in report(site, debug=False))
    assert not all(f.ok for f in report(site, debug=True))
    anything = config.load({"WENKU_SITE_URL": "https://a.example", "WENKU_ALLOWED_HOSTS": "*"})
    hosts = {f.name: f for f in report(anything, debug=False)}["allowed hosts"]
    assert not hosts.ok and "remove '*'" in hosts.fix


def test_doctor_lists_the_public_site_checks_as_warnings(settings):
    settings.WENKU = config.load({})
    results = doctor.check_public_site()
    assert {r.name for r in results} >= {"public site: site URL", "public site: HTTPS"}
    assert all(r.optional for r in results)  # a site on this machine only passes doctor
