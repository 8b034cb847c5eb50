"""Schema migrations through Alembic (imported on use), run on an engine's own connection."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

# `revision: str = "0018"` and `down_revision: str | Sequence[str] | None = "0014"`.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)


def alembic_directory() -> Path:
    """The migration scripts: inside the installed package, or at the top of a checkout."""
    packaged = Path(__file__).parent / "alembic"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "alembic"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration that needs no alembic.ini."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(alembic_directory()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def scripted_head() -> str | None:
    """The one head of the migration scripts, read from their text; None when unsure."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (alembic_directory() / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found["down_revision"])
        except (KeyError, ValueError, SyntaxError):
            return None  # written some other way: Alembic decides
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        parents.update([down] if isinstance(down, str) else down or ())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


async def _at_head(engine: AsyncEngine) -> bool:
    """Whether the database is at the scripts' head already (False when unsure)."""
    head = scripted_head()
    if head is None:
        return False
    try:
        async with engine.connect() as connection:
            rows = await connection.scalars(text("SELECT version_num FROM alembic_version"))
            versions = set(rows)
    except SQLAlchemyError:
        return False  # never migrated: no version table yet
    return versions == {head}


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database up to the given revision."""
    # Most starts find the database at the head: seen without Alembic and Mako, a running bot
    # never holds them (some 8 MB).
    if revision == "head" and await _at_head(engine):
        return
    from alembic import command

    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the database down to the given revision."""
    from alembic import command

    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
