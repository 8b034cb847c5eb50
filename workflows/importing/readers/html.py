"""Web pages saved from a government site: the annex table, or the page's text lines."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from workflows.importing.readers.text import join_lines

_CHROME = ("script", "style", "nav", "header", "footer", "noscript", "iframe", "form", "button")


def html_content(text: str) -> tuple[list[str], list[list[list[str]]]]:
    """The page's text lines (chrome dropped) and its tables as rows of cell texts."""
    soup = BeautifulSoup(text, "lxml")
    for tag in soup.find_all(_CHROME):
        tag.decompose()
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
