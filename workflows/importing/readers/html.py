"""Web pages saved from a government site: the annex table, or the page's text lines."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from workflows.importing.readers.text import join_lines

_CHROME = ("script", "style", "nav", "header", "footer", "noscript", "iframe", "form", "button")
# Blocks that sites lay out as <div class="header_szf">, <div class="sx-navs">, <div id="footer">.
_CHROME_NAME = re.compile(
    r"(?:^|[-_\s])(?:nav|navs|navbar|menu|header|footer|foot|breadcrumb|crumbs?|"
    r"share|sidebar|copyright|toolbar)(?:$|[-_\s\d])",
    re.I,
)


def html_content(text: str) -> tuple[list[str], list[list[list[str]]]]:
    """The page's text lines (chrome dropped) and its tables as rows of cell texts."""
    soup = BeautifulSoup(text, "lxml")
    for tag in soup.find_all(_CHROME):
        tag.decompose()
    _drop_chrome_blocks(soup)
    tables = []
    for table in soup.find_all("table"):
        if not isinstance(table, Tag) or table.find_parent("table") is not None:
            continue
        rows = []
        for row in table.find_all("tr"):
            if isinstance(row, Tag):
                cells = row.find_all(["td", "th"], recursive=False)
                rows.append([join_lines(cell.get_text("\n")) for cell in cells])
        tables.append(rows)
    body = soup.body or soup
    lines = [line.strip() for line in body.get_text("\n").split("\n")]
    return [line for line in lines if line], tables


def _drop_chrome_blocks(soup: BeautifulSoup) -> None:
    """Drop the page's own header, menus and footer when they are plain <div>s and lists.

    A block named like chrome (class or id header…, nav…, footer…) goes, and so does a list
    whose every item is a link (the site's menus, 网站首页 走进邯郸 …): an annex is never that.
    """
    for tag in soup.find_all(True):
        if not isinstance(tag, Tag) or tag.decomposed or tag.name in ("html", "body"):
            continue
        classes = [str(name) for name in tag.get_attribute_list("class") if name]
        names = " ".join([*classes, str(tag.get("id") or "")])
        if _CHROME_NAME.search(names) and not _holds_the_head(tag):
            tag.decompose()
    for listing in soup.find_all(["ul", "ol"]):
        if not isinstance(listing, Tag) or listing.decomposed:
            continue
        items = [li for li in listing.find_all("li") if isinstance(li, Tag)]
        if items and all(_only_links(li) for li in items):
            listing.decompose()


def _holds_the_head(tag: Tag) -> bool:
    """Whether a block named like chrome holds the document's own title or number."""
    return tag.find(["h1", "h2", "h3"]) is not None or "〔" in tag.get_text()


def _only_links(item: Tag) -> bool:
    """Whether a list item's text is all inside links (a menu entry)."""
    text = item.get_text("", strip=True)
    linked = "".join(a.get_text("", strip=True) for a in item.find_all("a"))
    return bool(text) and len(linked) >= len(text.replace("|", "").replace("｜", ""))
