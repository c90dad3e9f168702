"""Headless Chromium for the project's browser tests: Debian's ``chromium`` driven through its
``chromedriver`` by Selenium (no browser or driver is downloaded), and a JupyterLab server on a
loopback port for it to open.

Tests call :func:`require_browser` first: where Chromium is missing they skip with the reason.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_paths() -> tuple[str | None, str | None]:
    """(browser, driver) executables, or None where missing."""
    browser = next((p for p in map(shutil.which, CHROMIUM_CANDIDATES) if p), None)
    return browser, shutil.which("chromedriver")


def require_browser() -> tuple[str, str]:
    browser, driver = chromium_paths()
    if browser is None or driver is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium chromium-driver;"
                    " .ci/run installs them): browser tests skipped")
    return browser, driver


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 1000):
    """A headless Chromium WebDriver with a fresh profile and no background network traffic."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = require_browser()
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-extensions",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(executable_path=driver), options=opts)
    drv.set_page_load_timeout(120)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    """A JupyterLab server started by a test, serving ``root`` on a loopback port."""

    def __init__(self, root: Path, env: dict | None = None, cwd: Path | None = None,
                 args: tuple[str, ...] = ()):
        self.root = Path(root)
        self.args = tuple(args)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.config_dir = Path(tempfile.mkdtemp(prefix="jupyter-config-"))
        settings = self.config_dir / "lab-settings"
        # Render every cell (JupyterLab 4 otherwise only renders those in view), so the test
        # reads the whole notebook from the page.
        tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
        tracker.parent.mkdir(parents=True)
        tracker.write_text('{"windowingMode": "none"}')
        self.env = dict(os.environ, JUPYTER_CONFIG_DIR=str(self.config_dir),
                        JUPYTERLAB_SETTINGS_DIR=str(settings), **(env or {}))
        self.env.pop("MPLBACKEND", None)        # the notebook's own inline backend
        self.cwd = cwd or self.root
        self.proc: subprocess.Popen | None = None
        self.log = self.config_dir / "server.log"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{sep}token={self.token}"

    def __enter__(self) -> "JupyterLab":
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={self.port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", "--ServerApp.open_browser=False",
               "--LabApp.news_url=", "--LabApp.check_for_updates_class="
               "jupyterlab.NeverCheckForUpdate", "--LabApp.expose_app_in_browser=True"]
        if os.geteuid() == 0:       # CI containers run as root
            cmd.append("--allow-root")
        cmd += self.args
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env=self.env, stdout=open(self.log, "wb"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({self.proc.returncode}):\n"
                                   + self.log.read_text()[-3000:])
            try:
                urllib.request.urlopen(self.url("api/status"), timeout=5).read()
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("JupyterLab did not answer within 180 s:\n" + self.log.read_text()[-3000:])

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        shutil.rmtree(self.config_dir, ignore_errors=True)


def wait_for(predicate, timeout: float, what: str, poll: float = 0.5):
    """Poll ``predicate()`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - the page may be mid-render
            last_exc = exc
        time.sleep(poll)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}"
                + (f" (last error: {last_exc})" if last_exc else ""))
