"""A headless Chromium for the board tests (Debian's chromium and chromium-driver, Selenium).

Tests that need it are skipped, with a message saying what to install, where any part is missing.
Chinese text needs a CJK font: the bundled Noto Sans CJK is handed to Chromium through fontconfig.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

MISSING = (
    "no headless browser: install Debian's chromium and chromium-driver packages "
    "and the selenium test dependency"
)
FONT_PACKAGE = "noto_cjk_sans_otc"


def _parts() -> tuple[str, str] | None:
    """Chromium and its driver, when both and Selenium are present."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None or importlib.util.find_spec("selenium") is None:
        return None
    return browser, driver


def require_browser() -> tuple[str, str]:
    """Chromium and chromedriver, or skip the test."""
    parts = _parts()
    if parts is None:
        pytest.skip(MISSING)
    return parts


def _fontconfig(folder: Path) -> dict[str, str]:
    """A fontconfig file adding the bundled CJK font to the system's fonts."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    fonts = [] if spec is None or spec.origin is None else [Path(spec.origin).parent]
    dirs = "".join(f"<dir>{font}</dir>" for font in fonts)
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{dirs}'
        f"<cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


@contextmanager
def chromium(folder: Path, width: int, height: int) -> Iterator[Any]:
    """A headless Chromium with a window of a size, closed afterwards."""
    browser, driver = require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        "--force-device-scale-factor=1",
        "--lang=zh-CN",
    ):
        options.add_argument(argument)
    service = Service(executable_path=driver, env=_fontconfig(folder))
    session = webdriver.Chrome(options=options, service=service)
    try:
        session.set_window_size(width, height)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}
        session.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        yield session
    finally:
        session.quit()
