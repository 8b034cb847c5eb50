"""The progress chart: a readable PNG of the bundled plan, with the CJK font found."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib import image as mpimg

from bot.files import chart
from bot.files.chart import (
    AXIS_SHARE,
    COLOURS,
    DPI,
    LABEL_PT,
    PAGE_PIXELS,
    PAGE_ROWS,
    SMALL_PT,
    WIDTH_IN,
    YEAR_LABEL_IN,
    _year_step,
    chart_pages,
    cjk_family,
    render_chart,
    render_gantt,
)
from bot.files.chart_sample import SAMPLE_TODAY, sample_chart, sample_rows
from workflows.lights import Light
from workflows.progress import ChartRow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "chart-sample.png"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pixels_near(data: bytes, colour: str, tolerance: float = 0.03) -> int:
    """How many pixels of a PNG have (about) a colour."""
    image = mpimg.imread(io.BytesIO(data), format="png")[..., :3]
    target = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image - target).max(axis=-1) < tolerance).sum())


@pytest.fixture(scope="module")
def rows() -> list[ChartRow]:
    """The README sample's rows: the bundled plan on 2016-06-01 with a few reports."""
    import asyncio

    return asyncio.run(sample_rows())


@pytest.fixture
def fresh_font_lookup() -> Iterator[None]:
    """Forget the cached font lookup before and after a test."""
    chart.reset_font_cache()
    yield
    chart.reset_font_cache()


def test_sample_rows_vary(rows: list[ChartRow]) -> None:
    """The sample has every light, done tasks and ongoing ones."""
    assert len(rows) == 23
    assert {r.number for r in rows if r.light is Light.RED} == {9, 14}
    assert {r.number for r in rows if r.light is Light.YELLOW} == {3, 20, 21, 23}
    assert {r.number for r in rows if r.done} == {12, 19}
    assert {r.number for r in rows if r.ongoing} == {1, 6}


def test_the_bundled_font_is_found(fresh_font_lookup: None) -> None:
    """The Simplified Chinese face of the bundled collection, not the Japanese one."""
    assert cjk_family() == "Noto Sans CJK SC"
    found = font_manager.findfont(
        font_manager.FontProperties(family="Noto Sans CJK SC"), fallback_to_default=False
    )
    assert Path(found).name == "NotoSansCJK-Regular.ttc"
    assert getattr(found, "face_index", None) == 2


@pytest.mark.parametrize("language", ["zh", "en"])
def test_renders_the_bundled_plan(rows: list[ChartRow], language: str) -> None:
    """A PNG 1440 px wide, taller than wide, of a sensible size, with all three lights drawn."""
    data = render_gantt(rows, today=SAMPLE_TODAY, language=language)
    assert data is not None
    width, height = png_size(data)
    assert 1200 <= width <= 1600
    assert width < height < 4000  # one row per task and unit: scrolls on a phone, never tiny
    assert 50_000 < len(data) < 2_000_000
    image = mpimg.imread(io.BytesIO(data), format="png")
    assert image.shape[:2] == (height, width)
    for light in Light:
        assert pixels_near(data, COLOURS[light]) > 1000, light


def test_label_sizes_read_on_a_phone() -> None:
    """Labels are at least 9 pt at the DPI used (about 28 px of a 1440 px wide picture)."""
    assert min(LABEL_PT, SMALL_PT) >= 9
    assert min(LABEL_PT, SMALL_PT) * DPI / 72 >= 28


def test_the_same_chart_from_several_threads(rows: list[ChartRow]) -> None:
    """Figures are independent: concurrent renders give the same bytes as one alone."""
    alone = render_gantt(rows, today=SAMPLE_TODAY, language="zh")
    results: list[bytes | None] = [None] * 3

    def draw(index: int) -> None:
        results[index] = render_gantt(rows, today=SAMPLE_TODAY, language="zh")

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [alone] * 3


def test_a_small_chart_and_odd_rows() -> None:
    """One agency's few tasks, a task without dates and one ongoing with a due date still draw."""
    base = ChartRow(5, "开展试点示范", "发展改革委", None, None, None, False, False, Light.GREEN)
    rows = [
        base,
        dataclasses.replace(base, number=6, start=dt.date(2016, 1, 1), ongoing=True),
        dataclasses.replace(
            base, number=7, lead=None, due=dt.date(2016, 9, 1), ongoing=True, done=True
        ),
    ]
    data = render_gantt(rows, today=dt.date(2016, 6, 1), language="en", title="<b>x</b>")
    assert data is not None
    width, height = png_size(data)
    assert width == 1440
    assert height < width


def test_no_rows_no_chart() -> None:
    """Nothing to draw gives None."""
    assert render_gantt([], today=SAMPLE_TODAY, language="zh") is None


def test_no_font_no_chart(
    rows: list[ChartRow],
    fresh_font_lookup: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without a CJK font the chart is None and the log says why."""
    monkeypatch.setattr(chart, "FONT_PACKAGE", "no_such_font_package")
    monkeypatch.setattr(chart, "CJK_FAMILIES", ("No Such CJK Font",))
    with caplog.at_level(logging.WARNING, logger="bot.files.chart"):
        assert render_gantt(rows, today=SAMPLE_TODAY, language="zh") is None
    assert "no CJK font found" in caplog.text
    assert "noto-cjk-sans-otc" in caplog.text


def test_the_committed_sample_is_current() -> None:
    """docs/chart-sample.png is the photo /chart sends, as drawn now (`python -m
    bot.files.chart_sample`): the bundled plan is one page."""
    committed = SAMPLE.read_bytes()
    assert png_size(committed) == (958, 1193)
    data = sample_chart("zh")
    assert data is not None
    assert png_size(data) == png_size(committed)


def _real_size_rows(count: int = 300, leads: int = 44) -> list[ChartRow]:
    """A plan of real size: tasks over 2015-2030 under many lead units, one unit with 60."""
    base = ChartRow(1, "开展试点示范", "", None, None, None, False, False, Light.GREEN)
    return [
        dataclasses.replace(
            base,
            number=n,
            lead="发展改革委" if n <= 60 else f"第{n % leads}司",
            start=dt.date(2015, 1, 1) + dt.timedelta(days=n * 17),
            due=dt.date(2016, 1, 1) + dt.timedelta(days=n * 19),
        )
        for n in range(1, count + 1)
    ]


def test_pages_hold_whole_units_and_go_on_over_a_large_one() -> None:
    """At most PAGE_ROWS rows a page; every task once; a unit of 60 spans pages, named on each."""
    rows = _real_size_rows()
    pages = chart_pages(rows, "zh")
    assert all(sum(1 + len(m) for _, m in page) <= PAGE_ROWS for page in pages)
    numbers = [r.number for page in pages for _, members in page for r in members]
    assert sorted(numbers) == list(range(1, 301))
    assert [name for name, _ in pages[0]] == ["发展改革委"]
    assert pages[1][0][0] == "发展改革委"
    units = [name for page in pages for name, _ in page]
    assert len(units) == len(set(units)) + 1  # only the large unit is named twice
    assert 9 <= len(pages) <= 12


def test_year_labels_never_run_together() -> None:
    """Over 16 years or 60, labelled years are far enough apart for their labels."""
    for years in (3, 16, 60):
        left, right = dt.date(2015, 1, 1), dt.date(2015 + years, 1, 1)
        step = _year_step(left, right, WIDTH_IN)
        assert step * WIDTH_IN * AXIS_SHARE / years >= YEAR_LABEL_IN
    assert _year_step(dt.date(2015, 1, 1), dt.date(2018, 1, 1), WIDTH_IN) == 1


def test_a_plan_of_real_size_pages_within_photo_limits() -> None:
    """120 tasks: pages of at most 1280 px a side (read on a phone), the whole at full DPI."""
    rows = _real_size_rows(120)
    drawn = render_chart(rows, today=dt.date(2016, 3, 1), language="en")
    assert drawn is not None
    assert len(drawn.pages) >= 3
    for page in drawn.pages:
        width, height = png_size(page)
        assert max(width, height) <= PAGE_PIXELS
        assert len(page) < 10 * 1024 * 1024
    assert drawn.full is not None
    width, height = png_size(drawn.full)
    assert width == WIDTH_IN * DPI
    assert height > 10_000 - width  # over sendPhoto's limit: it goes as a file
