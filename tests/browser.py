"""The Chromium the browser tests drive: found, or provisioned by `make test` (`python -m tests.browser`).

In order: `BOTILBUD_CHROMIUM`; a Chromium on the PATH (Debian's `chromium`); Playwright's own browser, installed
before or downloaded now (`python -m playwright install chromium`); Debian's package (`apt-get install
chromium`, where apt is there and this runs as root). Otherwise it says what to install, and the browser tests
fail with that message (they never skip)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

MISSING = ("No Chromium for the browser tests. Playwright could not download its own "
           "(`python -m playwright install chromium`) and Debian's could not be installed (`apt-get install "
           "chromium` needs apt and root). Install either, or set BOTILBUD_CHROMIUM to a Chromium executable.")

_PLAYWRIGHTS = ("from playwright.sync_api import sync_playwright\n"
                "with sync_playwright() as p: print(p.chromium.executable_path)")


def runs(path: str) -> bool:
    """Does this Chromium start (its libraries are all there)?"""
    try:
        done = subprocess.run([path, "--headless", "--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def playwrights_own() -> str | None:
    """Playwright's downloaded Chromium, if there is one."""
    done = subprocess.run([sys.executable, "-c", _PLAYWRIGHTS], capture_output=True, text=True, timeout=120)
    path = done.stdout.strip()
    return path if done.returncode == 0 and path and os.path.exists(path) else None


def find() -> str | None:
    """The Chromium to drive, if this machine has one."""
    if explicit := os.environ.get("BOTILBUD_CHROMIUM"):
        return explicit
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return playwrights_own()


def provision() -> str | None:
    if found := find():
        return found
    print("Browser tests: downloading Playwright's Chromium …", file=sys.stderr)
    downloaded = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"],
                                capture_output=True, text=True, timeout=900)
    if downloaded.returncode == 0 and (found := playwrights_own()) and runs(found):
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("Browser tests: Playwright's download failed; installing Debian's chromium …", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
            if subprocess.run(step, env=env, capture_output=True, timeout=1800).returncode != 0:
                break
        else:
            return find()
    return None


if __name__ == "__main__":
    browser = provision()
    if browser is None:
        sys.exit(MISSING)
    print(f"Browser tests drive {browser}")
