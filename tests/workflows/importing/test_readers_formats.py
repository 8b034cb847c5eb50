"""Word, PDF and web-page annexes made from corpus documents read as the corpus answers say."""

from __future__ import annotations

import io
import os
from pathlib import Path

import docx
import matplotlib
import noto_cjk_sans_otc
import pdfplumber
import pytest
from bs4 import BeautifulSoup

from tests.workflows.importing.corpus import ANNEXES, differences, documents
from workflows.errors import AnnexFormatError
from workflows.importing.interpret import interpret_annex
from workflows.importing.readers import read_annex
from workflows.importing.readers.html import html_content

matplotlib.use("Agg")
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

FONT = Path(os.path.dirname(noto_cjk_sans_otc.__file__)) / "NotoSansCJK-Regular.ttc"
CORPUS = {document.name: document for document in documents()}


def corpus_lines(name: str) -> list[str]:
    return CORPUS[name].path.read_text("utf-8").split("\n")


def assert_reads_as_corpus(name: str, data: bytes, filename: str) -> str:
    raw = read_annex(data, filename=filename)
    tasks = {t.number: t for t in interpret_annex(raw, issued_on=raw.document.issued_on)}
    for want in CORPUS[name].expected["task"]:
        if not want.get("pending"):
            assert differences(tasks.get(want["number"]), want) == [], want["number"]
    assert sorted(tasks) == [want["number"] for want in CORPUS[name].expected["task"]]
    return raw.tasks[0].rule


def test_docx_numbered_paragraphs() -> None:
    document = docx.Document()
    for line in corpus_lines("lishan-2023-2"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    rule = assert_reads_as_corpus("lishan-2023-2", out.getvalue(), "lishan.docx")
    assert rule == "labelled lines, numbered 1."


def test_docx_paragraphs_closed_by_bare_unit_lists() -> None:
    document = docx.Document()
    for line in corpus_lines("nea-2022-bangfu"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    rule = assert_reads_as_corpus("nea-2022-bangfu", out.getvalue(), "bangfu.docx")
    assert rule == "inline bracketed units, numbered （一）"


def test_docx_table_with_merged_cells() -> None:
    document = docx.Document()
    document.add_paragraph("2025年开发区重点工作及责任清单")
    rows = [line.rstrip(" |") for line in corpus_lines("huoshan-2025")[1:] if line]
    header, body = rows[:5], [rows[i : i + 5] for i in range(5, len(rows), 5)]
    table = document.add_table(rows=2 + len(body), cols=5)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    section = table.rows[1].cells[0].merge(table.rows[1].cells[4])
    section.text = "一、项目建设"
    for row, values in zip(table.rows[2:], body, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    rule = assert_reads_as_corpus("huoshan-2025", out.getvalue(), "huoshan.docx")
    assert rule.startswith("docx table: columns number | text | ignore | units")
    raw = read_annex(out.getvalue(), filename="huoshan.docx")
    assert [t.section for t in raw.tasks] == ["一、项目建设"] * 3


def test_html_page_with_the_annex_table() -> None:
    rows = [line.rstrip(" |") for line in corpus_lines("huoshan-2025")[1:] if line]
    cells = [rows[i : i + 5] for i in range(0, len(rows), 5)]
    table = "".join(
        "<tr>" + "".join(f"<td><p>{c}</p></td>" for c in row) + "</tr>" for row in cells
    )
    page = (
        "<!DOCTYPE html><html><head><title>霍山县人民政府</title><script>var a=1;</script>"
        "</head><body><nav>首页 | 政务公开 | 1. 网站地图</nav>"
        f"<h1>2025年开发区重点工作及责任清单</h1><table border=1>{table}</table>"
        "<footer>主办：霍山县人民政府办公室</footer></body></html>"
    )
    assert_reads_as_corpus("huoshan-2025", page.encode(), "37968314.html")


def test_html_page_with_the_annex_table_nested_in_its_layout_table() -> None:
    # Older government sites lay the page out in a table: the index table and the annex inside it.
    index = (
        "<table><tr><td>索引号：</td><td>000014349/2019-00001</td></tr>"
        "<tr><td>发文字号：</td><td>某政办发〔2019〕1号</td></tr></table>"
    )
    annex = (
        "<table border=1><tr><td>序号</td><td>工作任务</td><td>责任单位</td><td>完成时限</td></tr>"
        "<tr><td colspan=4>一、优化服务</td></tr>"
        "<tr><td>1</td><td><p>推行一窗受理。</p></td><td>市政务服务局</td><td>2019年6月底前</td></tr>"
        "<tr><td>2</td><td><p>压缩办理时限。</p></td><td>市发展改革委、市财政局</td>"
        "<td>2019年底前</td></tr></table>"
    )
    page = (
        "<html><body><table width=900><tr><td>首页 &gt; 信息公开</td></tr>"
        f"<tr><td>{index}</td></tr><tr><td><p>附件</p>{annex}</td></tr>"
        "<tr><td>打印本页 关闭窗口</td></tr></table></body></html>"
    )
    raw = read_annex(page.encode(), filename="content_1.htm")
    assert [(t.number, t.text, t.units_text, t.schedule_text) for t in raw.tasks] == [
        (1, "推行一窗受理。", "市政务服务局", "2019年6月底前"),
        (2, "压缩办理时限。", "市发展改革委、市财政局", "2019年底前"),
    ]
    assert [t.section for t in raw.tasks] == ["一、优化服务"] * 2
    assert raw.tasks[0].rule.startswith("html table: columns number | text | units | schedule")


def test_html_page_with_numbered_paragraphs() -> None:
    body = "".join(f"<p>{line}</p>" for line in corpus_lines("qingdao-2023"))
    page = f"<html><body><div class='nav'>首页</div>{body}<div>打印本页</div></body></html>"
    rule = assert_reads_as_corpus("qingdao-2023", page.encode(), "page.htm")
    assert rule == "inline labelled parenthetical, numbered 1."


# A page of 邯郸市人民政府's site as a browser saved it (hdzfxxgk.hd.gov.cn, August 2020), with
# its header, menus, index block, footer and scripts, all in plain <div>s and link lists; the
# article it framed was not kept. Source: github.com/kevin3691/renmin,
# src/main/webapp/WEB-INF/views/affairs/details.jsp (its two JSP header lines dropped).
HD_GOV_CN_PAGE = Path(__file__).parent / "fixtures" / "hd-gov-cn-page.html"
_ARTICLE_AT = '    <div class="dhlm clearfix">'  # the site's menu block, right after the index


@pytest.mark.parametrize(
    "name",
    # huoshan-2025's 全年 is read in its title's year, which this page's own head replaces.
    [d.name for d in documents() if d.path.suffix == ".txt" and d.name != "huoshan-2025"],
)
def test_a_real_government_page_s_chrome_around_a_corpus_document(name: str) -> None:
    page = HD_GOV_CN_PAGE.read_text("utf-8")
    assert page.count(_ARTICLE_AT) == 1
    body = "".join(f"<p>{line}</p>" for line in corpus_lines(name))
    framed = page.replace(_ARTICLE_AT, f'<div class="article">{body}</div>\n{_ARTICLE_AT}')
    assert_reads_as_corpus(name, framed.encode(), "t20200802_1352104.html")


def test_the_page_s_menus_and_footer_are_not_read() -> None:
    lines, _ = html_content(HD_GOV_CN_PAGE.read_text("utf-8"))
    for chrome in (
        "走进邯郸",
        "网站首页",
        "清晨热线",
        "冀ICP备05029117号-1",
        "主办单位： 邯郸市人民政府办公室",
    ):
        assert not any(chrome in line for line in lines), chrome
    assert "索引号" in lines  # the page's index block is the document's own, and stays


def make_pdf(lines: list[str], width: int = 40) -> bytes:
    font_manager.fontManager.addfont(str(FONT))
    family = font_manager.FontProperties(fname=str(FONT)).get_name()
    wrapped = [line[i : i + width] for line in lines if line for i in range(0, len(line), width)]
    out = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        figure = plt.figure(figsize=(8.27, 11.69))
        for at, line in enumerate(wrapped):
            figure.text(0.05, 0.97 - at * 0.017, line, family=family, fontsize=9)
        figure.savefig(out, format="pdf")
        plt.close(figure)
    return out.getvalue()


def test_pdf_text_layer() -> None:
    rule = assert_reads_as_corpus("xialuqu-2020", make_pdf(corpus_lines("xialuqu-2020")), "a.pdf")
    assert rule == "inline labelled parenthetical, numbered 1."


def annex_table(name: str) -> list[list[str]]:
    """The annex table of a corpus web page as rows of cell texts; a section row has one cell."""
    soup = BeautifulSoup(CORPUS[name].path.read_text("utf-8"), "lxml")
    table = next(t for t in soup.find_all("table") if "序号" in t.text and not t.find("table"))
    return [
        ["".join(cell.get_text().split()) for cell in row.find_all(["td", "th"])]
        for row in table.find_all("tr")
    ]


def make_table_pdf(
    rows: list[list[str]], widths: list[float], size: float = 7, title: str = ""
) -> bytes:
    """A ruled table over as many A4 pages as it needs, the title and header on the first only."""
    font_manager.fontManager.addfont(str(FONT))
    family = font_manager.FontProperties(fname=str(FONT)).get_name()
    line = size * 1.5 / 72 / 11.69  # one text line, as a fraction of the page height
    out = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(out) as pages:
        figure, top = plt.figure(figsize=(8.27, 11.69)), 0.95
        if title:
            figure.text(0.05, top - line, title, family=family, fontsize=size)
            top -= 2 * line
        for cells in rows:
            spans = widths if len(cells) == len(widths) else [sum(widths)]
            wrapped = [
                _wrap(text, w * 8.27 * 72 / size) for text, w in zip(cells, spans, strict=True)
            ]
            height = max(len(lines) for lines in wrapped) * line + line / 2
            if top - height < 0.05:
                _close_page(pages, figure)
                figure, top = plt.figure(figsize=(8.27, 11.69)), 0.95
            _draw_row(figure, wrapped, spans, top, height, line, family, size)
            top -= height
        _close_page(pages, figure)
    return out.getvalue()


def _wrap(text: str, fits: float) -> list[str]:
    """A cell's text cut into lines of as many characters as its width holds."""
    per_line = max(1, int(fits) - 1)
    return [text[i : i + per_line] for i in range(0, len(text), per_line)] or [""]


def _draw_row(
    figure: Figure,
    wrapped: list[list[str]],
    spans: list[float],
    top: float,
    height: float,
    line: float,
    family: str,
    size: float,
) -> None:
    left = 0.05
    figure.add_artist(plt.Line2D([0.05, 0.05 + sum(spans)], [top, top], color="black", lw=0.8))
    figure.add_artist(
        plt.Line2D([0.05, 0.05 + sum(spans)], [top - height] * 2, color="black", lw=0.8)
    )
    for lines, width in zip(wrapped, spans, strict=True):
        figure.add_artist(plt.Line2D([left, left], [top, top - height], color="black", lw=0.8))
        for at, text in enumerate(lines):
            figure.text(left + 0.005, top - (at + 1) * line, text, family=family, fontsize=size)
        left += width
    figure.add_artist(plt.Line2D([left, left], [top, top - height], color="black", lw=0.8))


def _close_page(pages: PdfPages, figure: Figure) -> None:
    pages.savefig(figure)
    plt.close(figure)


def test_pdf_ruled_table_over_pages() -> None:
    # huoshan-2025's table in a large print, so that it runs over pages, a section row spanning it.
    rows = [line.rstrip(" |") for line in corpus_lines("huoshan-2025")[1:] if line]
    cells = [rows[i : i + 5] for i in range(0, len(rows), 5)]
    pdf = make_table_pdf(
        [cells[0], ["一、项目建设"], *cells[1:]],
        [0.08, 0.4, 0.12, 0.2, 0.1],
        28,
        title=corpus_lines("huoshan-2025")[0],
    )
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) >= 2
    rule = assert_reads_as_corpus("huoshan-2025", pdf, "huoshan.pdf")
    assert rule.startswith("pdf table: columns number | text | ignore | units")


def test_scanned_pdf_has_no_text_layer() -> None:
    figure = plt.figure(figsize=(8.27, 11.69))
    figure.add_artist(plt.Rectangle((0.1, 0.1), 0.5, 0.5))
    out = io.BytesIO()
    figure.savefig(out, format="pdf")
    plt.close(figure)
    with pytest.raises(AnnexFormatError, match="no text layer"):
        read_annex(out.getvalue(), filename="scan.pdf")


def test_traditional_characters_are_read_as_simplified() -> None:
    raw = read_annex((ANNEXES / "gbh-2014-31.txt").read_bytes())
    assert raw.document.title is not None
    assert "国务院办公厅" in raw.document.title
    assert raw.tasks[1].lead_text == "国土资源部"
    assert raw.tasks[1].rule == "inline sentence, numbered （一）"


def test_nothing_found_says_what_was_seen() -> None:
    text = "一、总体要求\n（一）加强领导。\n（二）强化保障。\n（三）抓好落实。\n"
    with pytest.raises(AnnexFormatError) as failure:
        read_annex(text.encode())
    message = str(failure.value)
    assert "3 numbered （一）" in message
    assert "1 numbered 一、" in message
    assert "no responsibility notes" in message
    assert "tried the table, labelled, inline and CSV layouts" in message
