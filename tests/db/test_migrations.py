"""Migrations: every revision goes up and down cleanly, and the models agree with the result."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from db.base import Base
from db.migrations import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    scripted_head,
    upgrade,
)
from tests.conftest import ThrowawayDatabase


def _revisions_oldest_first() -> list[str]:
    """Every revision id, from the first to the head."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def test_stairway_up_down_up_every_revision(test_database: ThrowawayDatabase) -> None:
    """Each revision upgrades, downgrades to its parent and upgrades again."""
    engine = test_database.engine()
    try:
        previous = "base"
        for revision in _revisions_oldest_first():
            await upgrade(engine, revision)
            assert await current_revision(engine) == revision
            await downgrade(engine, previous)
            await upgrade(engine, revision)
            previous = revision
        assert await current_revision(engine) == head_revision()
        await downgrade(engine, "base")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert set(tables) <= {"alembic_version"}
    finally:
        await engine.dispose()


async def test_models_match_migrations(test_database: ThrowawayDatabase) -> None:
    """Autogenerate finds nothing to do after upgrading to head."""
    engine = test_database.engine()
    try:
        await upgrade(engine)
        async with engine.connect() as connection:

            def diff(sync: Any) -> list[Any]:
                context = MigrationContext.configure(sync, opts={"compare_type": True})
                return compare_metadata(context, Base.metadata)

            differences = await connection.run_sync(diff)
        assert differences == []
    finally:
        await engine.dispose()


def test_the_scripts_text_names_alembics_head() -> None:
    """Reading the scripts' revision lines finds the head Alembic finds (upgrade's shortcut)."""
    assert scripted_head() is not None
    assert scripted_head() == head_revision()


async def test_an_upgrade_from_an_older_revision_is_not_skipped(
    test_database: ThrowawayDatabase,
) -> None:
    """A database one revision behind the head is upgraded all the same."""
    engine = test_database.engine()
    try:
        previous = _revisions_oldest_first()[-2]
        await upgrade(engine, previous)
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()
