"""Every corpus document is read task by task as its hand-checked answer says."""

from __future__ import annotations

import unicodedata

import pytest

from tests.workflows.importing.corpus import TALLY, Document, differences, documents
from workflows.errors import AnnexFormatError
from workflows.importing.interpret import AnnexTask, interpret_annex
from workflows.importing.readers import read_annex

DOCUMENTS = documents()


def _read(document: Document) -> tuple[dict[int, AnnexTask], str | None]:
    raw = read_annex(document.path.read_bytes(), filename=document.path.name)
    head = document.expected.get("document", {})
    if "number" in head:
        assert (
            raw.document.number
            == unicodedata.normalize("NFKC", head["number"]).replace("(", "〔").replace(")", "〕")
            or raw.document.number == head["number"]
        )
    if "issued_on" in head:
        assert raw.document.issued_on == head["issued_on"]
    tasks = interpret_annex(raw, issued_on=raw.document.issued_on)
    return {task.number: task for task in tasks}, raw.layout


def test_the_corpus_is_large_enough() -> None:
    tasks = sum(len(d.expected["task"]) for d in DOCUMENTS)
    assert len(DOCUMENTS) >= 15
    assert tasks >= 100
    layouts = {d.path.suffix for d in DOCUMENTS}
    assert {".txt", ".html"} <= layouts


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.name for d in DOCUMENTS])
def test_document_reads_as_expected(document: Document, request: pytest.FixtureRequest) -> None:
    tally = request.config.stash[TALLY]
    expected = document.expected["task"]
    tally.exact[document.name] = (0, len(expected), document.layout)
    try:
        read, _ = _read(document)
    except AnnexFormatError as exc:
        if document.expected.get("pending"):
            pytest.xfail(f"{document.expected['pending']}: {exc}")
        raise
    failures: list[str] = []
    known: list[str] = []
    exact = 0
    for want in expected:
        found = differences(read.get(want["number"]), want)
        if not found and want.get("pending"):
            failures.append(f"task {want['number']} reads as expected now: drop its pending")
        elif not found:
            exact += 1
        elif want.get("pending"):
            known.append(f"task {want['number']} ({want['pending']}): {'; '.join(found)}")
        else:
            failures.append(f"task {want['number']}: {'; '.join(found)}")
    tally.exact[document.name] = (exact, len(expected), document.layout)
    # An annex with no schedule at all is said so once; none of its tasks is flagged.
    no_schedule = all(
        not task.schedule.text and not task.schedule.flagged for task in read.values()
    )
    assert no_schedule == document.expected.get("no_schedule", False)
    extra = sorted(set(read) - {want["number"] for want in expected})
    assert not extra, f"tasks read that the answer does not have: {extra}"
    assert not failures, "\n".join(failures)
    if known:
        pytest.xfail("known, waiting on the meaning of cells: " + " | ".join(known))
