"""Plans are listed newest document first, undated ones last: current work comes first."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from db.models import Plan
from tests.kit.cast import Sessions
from workflows.plans import PlanNeededError, choose_plan

NOW = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)


async def test_the_newest_document_comes_first(session_factory: Sessions) -> None:
    """2023's plan before 2019's before 2015's; plans without a date after, by code."""
    async with session_factory() as session:
        await session.execute(
            insert(Plan),
            [
                {"code": code, "document_number": None, "title": None, "issued_on": issued,
                 "timezone": "Asia/Shanghai", "created_at": NOW, "updated_at": NOW}
                for code, issued in [
                    ("gf-2015-5", dt.date(2015, 1, 6)),
                    ("zz-undated", None),
                    ("gbf-2023-1", dt.date(2023, 3, 1)),
                    ("aa-undated", None),
                    ("gf-2019-3", dt.date(2019, 2, 1)),
                ]
            ],
        )  # fmt: skip
        await session.commit()
        with pytest.raises(PlanNeededError) as needed:
            await choose_plan(session, None)
    assert [choice.code for choice in needed.value.choices] == [
        "gbf-2023-1",
        "gf-2019-3",
        "gf-2015-5",
        "aa-undated",
        "zz-undated",
    ]
