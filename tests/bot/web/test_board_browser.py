"""The board in a real headless browser: the /web door, the red filter, a task, the Mini App.

Skipped with a message where Chromium, chromedriver or Selenium is missing. With
ANNEXBOT_SCREENSHOTS=DIR set, the screenshots test writes the README's pictures there.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from bot.web.app import build_web_app, module_routes, serve
from db.enums import MemberRole
from tests.bot.harness import BotHarness
from tests.bot.web.board_kit import bot as bot
from tests.bot.web.board_kit import button_url, init_data
from tests.bot.web.browser import chromium, require_browser
from tests.kit.report_cards import BOSS, CO, LEAD, task_id
from workflows.reports import save_report

DESK, PHONE = (1440, 900), (390, 844)
# A Telegram light theme, as telegram-web-app.js would set it from the app's themeParams.
THEME = {
    "--tg-theme-bg-color": "#ffffff",
    "--tg-theme-text-color": "#000000",
    "--tg-theme-hint-color": "#707579",
    "--tg-theme-link-color": "#3390ec",
    "--tg-theme-button-color": "#3390ec",
    "--tg-theme-button-text-color": "#ffffff",
    "--tg-theme-secondary-bg-color": "#f4f4f5",
}


def _arrive(driver: Any, part: str) -> None:
    """Wait until the browser has navigated to an address containing a part."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(expected_conditions.url_contains(part))


def _desk_walk(driver: Any, link: str) -> list[str]:
    """Sign in by the link, filter to red, open the first red task; the pages' titles."""
    from selenium.webdriver.common.by import By

    driver.get(link)
    driver.find_element(By.CSS_SELECTOR, "form[action='/web/sign-in'] button").click()
    _arrive(driver, "/board")
    driver.find_element(By.CSS_SELECTOR, "main a").click()
    _arrive(driver, "/board/gf-2015-5")
    titles = [driver.find_element(By.TAG_NAME, "h1").text]
    driver.find_element(By.CSS_SELECTOR, "a[href='?light=red']").click()
    _arrive(driver, "light=red")
    lights = {
        cell.get_attribute("class")
        for cell in driver.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child")
    }
    assert lights == {"red num"}, lights
    driver.find_element(By.CSS_SELECTOR, "td.task a").click()
    _arrive(driver, "/task/")
    titles.append(driver.find_element(By.TAG_NAME, "h1").text)
    return titles


def _miniapp_report(driver: Any, base: str, signed: str) -> str:
    """Open /app as Telegram would (initData into the form), report on task 3; the notice."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(f"{base}/app")
    driver.execute_script(
        "document.getElementById('initData').value = arguments[0];"
        "document.getElementById('door').submit();",
        signed,
    )
    _arrive(driver, "/board")
    driver.get(f"{base}/board/gf-2015-5/task/3")
    Select(driver.find_element(By.ID, "status")).select_by_value("at_risk")
    driver.find_element(By.ID, "percent").send_keys("40")
    driver.find_element(By.ID, "note").send_keys("等待配套资金")
    driver.find_element(By.CSS_SELECTOR, "form.report button").click()
    _arrive(driver, "saved=1")
    return str(driver.find_element(By.CSS_SELECTOR, "p.notice").text)


async def _serve_board(bot: BotHarness) -> Any:
    """Serve the HTTP app on a loopback port; links the bot gives point at it."""
    return serve(
        build_web_app(bot.runtime, routes=module_routes(bot.runtime)), host="127.0.0.1", port=0
    )


def _point_links_at(bot: BotHarness, port: int) -> str:
    """Make the bot's links point at the served app; returns its base address."""
    base = f"http://127.0.0.1:{port}"
    bot.runtime.settings = bot.runtime.settings.model_copy(update={"public_base_url": base})
    return base


def _signed_init_data(bot: BotHarness, user_id: int) -> str:
    """initData for a user, signed with the bot's token now."""
    secret = bot.runtime.settings.telegram_token
    assert secret is not None
    return init_data(secret.get_secret_value(), user_id, int(bot.clock().timestamp()))


async def test_the_desk_and_the_mini_app_in_a_browser(bot: BotHarness, tmp_path: Path) -> None:
    """Sign in by /web, read the board, filter to red, open a task; report as a liaison."""
    require_browser()
    async with await _serve_board(bot) as port:
        base = _point_links_at(bot, port)
        [answer] = await bot.send(BOSS, "/web")
        link = button_url(answer, "🔑")
        with chromium(tmp_path, *DESK) as driver:
            titles = await asyncio.to_thread(_desk_walk, driver, link)
        assert titles[0] == "任务督办看板 · gf-2015-5"
        assert titles[1].endswith("项任务 · gf-2015-5")
        signed = _signed_init_data(bot, LEAD)
        with chromium(tmp_path, *PHONE) as driver:
            notice = await asyncio.to_thread(_miniapp_report, driver, base, signed)
        assert notice == "报告已保存。"
    [card] = await bot.send(BOSS, "/task 3")
    assert card.text is not None
    assert "• 科技部: 存在风险 40% — 等待配套资金" in card.text


def _shoot(driver: Any, url: str, path: Path, theme: bool = False) -> None:
    """Open a page and save what the window shows."""
    driver.get(url)
    if theme:
        for name, value in THEME.items():
            driver.execute_script(
                "document.documentElement.style.setProperty(arguments[0], arguments[1])",
                name,
                value,
            )
    driver.save_screenshot(str(path))


def _miniapp_door(driver: Any, base: str, signed: str) -> None:
    """Open the Mini App door with initData, as Telegram's script does."""
    driver.get(f"{base}/app")
    driver.execute_script(
        "document.getElementById('initData').value = arguments[0];"
        "document.getElementById('door').submit();",
        signed,
    )
    _arrive(driver, "/board")


async def _some_reports(bot: BotHarness) -> None:
    """A few reports, so the pictures show more than one light."""
    reports = ((LEAD, 3, "at_risk", 60), (LEAD, 4, "on_track", 30), (CO, 1, "blocked", 10))
    for user_id, number, status, percent in reports:
        async with bot.runtime.session() as session:
            await save_report(
                session,
                telegram_id=user_id,
                task_id=await task_id(bot, number),
                status=status,
                percent=percent,
                token=0,
                now=bot.clock(),
            )


async def test_screenshots(bot: BotHarness, tmp_path: Path) -> None:
    """docs/board-{zh,en}.png at 1440×900 and docs/miniapp-{zh,en}.png at 390×844."""
    folder = os.environ.get("ANNEXBOT_SCREENSHOTS")
    if not folder:
        pytest.skip("set ANNEXBOT_SCREENSHOTS=DIR to write the README's screenshots")
    require_browser()
    out = Path(folder)
    await _some_reports(bot)
    await bot.add_member(7001, "Ms Wang", role=MemberRole.COORDINATOR, language="en")
    await bot.add_member(7002, "Mr Zhou", agency="科技部", language="en")
    async with await _serve_board(bot) as port:
        base = _point_links_at(bot, port)
        for language, coordinator, liaison in (("zh", BOSS, LEAD), ("en", 7001, 7002)):
            [answer] = await bot.send(coordinator, "/web")
            link = button_url(answer, "🔑")
            with chromium(tmp_path, *DESK) as driver:
                await asyncio.to_thread(_desk_walk, driver, link)
                board = f"{base}/board/gf-2015-5?sort=light"
                await asyncio.to_thread(_shoot, driver, board, out / f"board-{language}.png")
                timeline = f"{base}/board/gf-2015-5/timeline"
                shot = out / f"board-timeline-{language}.png"
                await asyncio.to_thread(_shoot, driver, timeline, shot)
            signed = _signed_init_data(bot, liaison)
            with chromium(tmp_path, *PHONE) as driver:
                await asyncio.to_thread(_miniapp_door, driver, base, signed)
                task = f"{base}/board/gf-2015-5/task/3"
                await asyncio.to_thread(_shoot, driver, task, out / f"miniapp-{language}.png", True)
