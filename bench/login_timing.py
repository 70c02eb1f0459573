"""Log-in timing benchmark: does the time of a log-in tell anything about the account?

Run from the repository root: ``.venv/bin/python bench/login_timing.py [--tries 15]``.

A fresh site behind ``wenku serve --no-worker`` with default settings (Django's PBKDF2 at
its default work factor), log-in rate limits off so the run is not refused. Accounts in
every state a log-in can meet: active, awaiting e-mail verification, deactivated, and
with no usable password; each tried with its password and a wrong one, by user name,
plus a name with no account (the baseline: the cheapest case an attacker can compare
against). Each case is tried ``--tries`` times, interleaved (case after case, round
after round) so a change of machine load touches every case alike; the medians are
compared with the baseline. PASS: every median within 15 % of it. Issue 10 reported
0.73 s for an account awaiting verification against 0.40 s for the others.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time

import requests

from harness import machine_line, running_server, setup_django, table, verdict, work_folder

PASSWORD = "Lanterns over the river 88"
STATES = ("active", "awaiting verification", "deactivated", "no usable password")
MARGIN = 0.15


def make_accounts() -> dict[str, str]:
    """One account per state; returns state → user name."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    names = {}
    for i, state in enumerate(STATES):
        user = get_user_model().objects.create_user(f"user{i}", f"user{i}@example.com", PASSWORD)
        if state == "awaiting verification":
            user.is_active, user.email_verified_at = False, None
        elif state == "deactivated":
            user.is_active, user.email_verified_at = False, timezone.now()
        elif state == "no usable password":
            user.set_unusable_password()
        user.save()
        names[state] = user.username
    return names


def log_in_seconds(url: str, name: str, password: str) -> float:
    session = requests.Session()
    page = session.get(f"{url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the log-in page"
    started = time.perf_counter()
    answer = session.post(
        f"{url}/accounts/login/",
        data={"username": name, "password": password, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": f"{url}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    elapsed = time.perf_counter() - started
    assert answer.status_code in (200, 302), answer.status_code
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tries", type=int, default=15)
    args = parser.parse_args()
    print(machine_line())
    with work_folder("wenku-bench-login-") as folder:
        data = folder / "data"
        off = {"WENKU_RATE_LOGIN_ACCOUNT": "off", "WENKU_RATE_LOGIN_IP": "off"}
        setup_django(data, migrate=True, **off)
        names = make_accounts()
        cases = {("no account", "any"): ("nobody-here", PASSWORD)}
        for state, name in names.items():
            cases[(state, "right")] = (name, PASSWORD)
            cases[(state, "wrong")] = (name, "not the password")
        times: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
        with running_server(data, worker=False, processes=1, threads=2, env=off) as server:
            for name, password in cases.values():  # warm up every path once
                log_in_seconds(server.url, name, password)
            for _ in range(args.tries):
                for case, (name, password) in cases.items():
                    times[case].append(log_in_seconds(server.url, name, password))
    baseline = statistics.median(times[("no account", "any")])
    rows, ok = [], True
    for (state, password), values in times.items():
        median = statistics.median(values)
        ratio = median / baseline
        ok &= abs(ratio - 1) <= MARGIN
        rows.append([state, password, f"{median * 1000:.0f}", f"{ratio:.2f}"])
    print(f"\n{args.tries} tries per case, interleaved; baseline: no such account\n")
    print(table(["account", "password", "median ms", "× baseline"], rows))
    print(f"\nevery median within {MARGIN:.0%} of the baseline: {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
