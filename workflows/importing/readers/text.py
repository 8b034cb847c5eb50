"""Decoding, line noise and small text helpers shared by the text layouts."""

from __future__ import annotations

import re
import unicodedata

from workflows.errors import AnnexFormatError
from workflows.importing.readers.chinese import to_simplified

# Page numbers as printers and converters leave them: — 3 —, - 3 -, —3—, 第 3 页, 3/12.
_PAGE_NUMBER = re.compile(
    r"[-—–－─]+\s*[0-9０-９]{1,4}\s*[-—–－─]+"
    r"|(?:共\s*[0-9]{1,4}\s*页\s*[,，]?\s*)?第\s*[0-9０-９]{1,4}\s*页(?:\s*[,，]?\s*共\s*[0-9]{1,4}\s*页)?"
    r"|[0-9]{1,4}\s*/\s*[0-9]{1,4}"
    r"|page\s*[0-9]{1,4}(?:\s*of\s*[0-9]{1,4})?",
    re.IGNORECASE,
)
# Receipt and scanner stamps: 002699, 电子学会012063, lines of only punctuation.
_STAMP = re.compile(r"[0-9]+|.{0,24}?[0-9]{6,}|[^\w（）()]+")
_STAMP_WORDS = re.compile(
    r"扫描全能王|全能扫描王|camscanner|scanned with|此页无正文|此件公开发布|此件不公开|"
    r"此件依申请公开|信封编号",
    re.IGNORECASE,
)
_END_MARKER = re.compile(
    r"(?:抄送|主送|分送|抄报)(?:\s*[:：\s]|$)|.{0,30}[0-9]{4}\s*年[^。]{0,12}印发\s*$"
)
SECTION_HEADING = re.compile(
    r"\s*(?:[一二三四五六七八九十]{1,3}\s*[、．.]|[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)])\s*\S"
)
TASK_NUMBER = {
    "dot": re.compile(r"\s*([0-9０-９]{1,3})\s*[.．、](?![0-9０-９])\s*"),
    "paren": re.compile(r"\s*[（(]\s*([0-9０-９]{1,3})\s*[）)]\s*"),
}
_ASCII_TAIL = re.compile(r"[A-Za-z0-9.,;:!?)%]")
_ASCII_HEAD = re.compile(r"[A-Za-z0-9(]")


def decode(data: bytes) -> str:
    """Decode a text file's bytes (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030)."""
    if data.startswith(b"%PDF"):
        raise AnnexFormatError("this is a PDF file; save the annex as text, CSV or XLSX first")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise AnnexFormatError(
            "this is an old Office file (.doc or .xls); save it as XLSX, CSV or text first"
        )
    encodings = ["utf-16"] if data.startswith((b"\xff\xfe", b"\xfe\xff")) else []
    for encoding in [*encodings, "utf-8-sig", "gb18030"]:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise AnnexFormatError("the file looks binary, not like text")
        return to_simplified(text.removeprefix("\ufeff"))
    raise AnnexFormatError("the file is neither UTF-8 nor GB18030 (GBK) text")


def split_lines(text: str) -> list[str]:
    """Split text into lines with CRLF and CR normalised and page-break characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\f", "").replace("\v", "").split("\n")


def is_noise(line: str) -> bool:
    """Tell whether a stripped line is a page number, a scanner or receipt stamp, or punctuation."""
    if _PAGE_NUMBER.fullmatch(line) or _STAMP.fullmatch(line):
        return True
    return len(line) <= 40 and _STAMP_WORDS.search(line) is not None


def is_end_marker(line: str) -> bool:
    """Tell whether a stripped line closes the annex (抄送, 主送, the 印发 line)."""
    return _END_MARKER.match(line) is not None


def section_title(line: str) -> str:
    """The heading part of a section line such as 一、加强统筹规划。其他……."""
    return line.strip().split("。", 1)[0].strip()


def match_task_number(line: str, styles: tuple[str, ...]) -> tuple[int, str, str] | None:
    """The task number, numbering style and rest of a line starting 7. 7． 7、 or （7）."""
    for style in styles:
        found = TASK_NUMBER[style].match(line)
        if found:
            number = parse_number(found.group(1))
            if number is not None:
                return number, style, line[found.end() :]
    return None


def parse_number(cell: str) -> int | None:
    """Read a task number cell such as 7, ７, 7.0 or 7、; None when it is not one."""
    value = unicodedata.normalize("NFKC", cell).strip().strip("()").rstrip(".、")
    found = re.fullmatch(r"([0-9]{1,4})(?:\.0+)?", value)
    if found is None or int(found.group(1)) == 0:
        return None
    return int(found.group(1))


def join_text(left: str, right: str) -> str:
    """Join two wrapped fragments: CJK with no space, ASCII words with one space."""
    left, right = left.strip(), right.strip()
    if not left or not right:
        return left or right
    spaced = _ASCII_TAIL.fullmatch(left[-1]) and _ASCII_HEAD.fullmatch(right[0])
    return f"{left} {right}" if spaced else left + right


def join_lines(cell: str) -> str:
    """Join the lines of a multi-line cell as wrapped fragments."""
    joined = ""
    for part in cell.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        joined = join_text(joined, part)
    return joined
