"""The installation's UID domain: chosen once, from the public host or at random; kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from db.engine import create_session_factory
from db.migrations import upgrade
from db.models import FeedDataVersion, Installation
from tests.conftest import ThrowawayDatabase
from tests.kit.reports import NOW, Sessions, setup
from workflows.feeds.installation import domain_from, uid_domain

# The tables whose writes raise the feed data version (migration 0008).
WATCHED = (
    "plan",
    "task",
    "milestone",
    "assignment",
    "status_report",
    "agency",
    "member",
    "setting_override",
)


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://feeds.example.org", "feeds.example.org"),
        ("https://Feeds.Example.org./", "feeds.example.org"),
        ("https://feeds.example.org:8443", "feeds.example.org"),
        ("http://localhost:8080", None),  # the default: every installation has it
        ("http://bot.localhost", None),
        ("http://127.0.0.1:8080", None),
        ("http://[::1]:8080", None),
        ("https://example.org/annexbot", None),  # a path: the host may serve several
        ("", None),
        (None, None),
    ],
)
def test_a_public_host_names_one_installation(url: str | None, domain: str | None) -> None:
    """Only a host of its own names an installation."""
    assert domain_from(url) == domain


async def test_the_domain_is_chosen_once(session_factory: Sessions) -> None:
    """The first need stores it; a later URL change does not change it."""
    async with session_factory() as session:
        first = await uid_domain(session, public_base_url="https://a.example.org", now=NOW)
    async with session_factory() as session:
        again = await uid_domain(session, public_base_url="https://b.example.org", now=NOW)
    assert first == again == "a.example.org"


async def test_without_a_public_host_a_random_name(session_factory: Sessions) -> None:
    """Two installations without a public host still get different domains."""
    async with session_factory() as session:
        domain = await uid_domain(session, public_base_url="http://localhost:8080", now=NOW)
    assert domain.endswith(".annexbot")
    assert len(domain) > len(".annexbot") + 8


async def test_an_existing_database_keeps_annexbot(test_database: ThrowawayDatabase) -> None:
    """A database that held plans before migration 0008 keeps its subscribers' UIDs."""
    engine = test_database.engine()
    try:
        await upgrade(engine, "0003")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO plan (code, timezone, created_at, updated_at) "
                    "VALUES ('old', 'Asia/Shanghai', :at, :at)"
                ),
                {"at": NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW},
            )
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            row = await session.scalar(select(Installation))
            assert row is not None
            assert row.uid_domain == "annexbot"
            domain = await uid_domain(session, public_base_url="https://x.example.org", now=NOW)
        assert domain == "annexbot"
    finally:
        await engine.dispose()


async def test_every_write_a_feed_shows_raises_the_data_version(
    session_factory: Sessions,
) -> None:
    """The migration's triggers: an import, a report, a setting each raise the counter."""

    async def counter() -> int:
        async with session_factory() as session:
            value = await session.scalar(select(FeedDataVersion.counter))
        assert value is not None
        return value

    start = await counter()
    await setup(session_factory)
    imported = await counter()
    assert imported > start
    async with session_factory() as session:
        await session.execute(text("UPDATE task SET text = text || '!' WHERE number = 3"))
        await session.commit()
    assert await counter() > imported
    changed = await counter()
    async with session_factory() as session:
        await session.execute(text("SELECT count(*) FROM task"))
        await session.commit()
    assert await counter() == changed


async def test_every_watched_table_has_its_triggers_at_head(session_factory: Sessions) -> None:
    """Rebuilding a table (SQLite's batch migrations do) drops its triggers: they must be back."""
    async with session_factory() as session:
        if session.bind.dialect.name == "sqlite":
            names = set(
                await session.scalars(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
            )
            wanted = {
                f"feed_data_changed_{table}_{event}"
                for table in WATCHED
                for event in ("insert", "update", "delete")
            }
        else:
            names = set(
                await session.scalars(
                    text(
                        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "WHERE t.tgname = 'feed_data_changed'"
                    )
                )
            )
            wanted = set(WATCHED)
    assert wanted <= names
