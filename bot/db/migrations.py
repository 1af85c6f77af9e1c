"""Run the Alembic migrations from Python (the `migrate` command, tests, start-up).

Alembic's configuration lives in the repository's pyproject.toml ([tool.alembic]); the
project is installed editable, so the repository root is two levels above this package.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from alembic import command
from alembic.config import Config

from bot.config import PROJECT_ROOT

PYPROJECT = PROJECT_ROOT / "pyproject.toml"


def alembic_config(database_url: str) -> Config:
    """An Alembic Config for `database_url`, independent of the current directory."""
    if not PYPROJECT.is_file():
        raise FileNotFoundError(
            f"{PYPROJECT} not found: migrations need the source checkout "
            "(install the project with `pip install -e .`)"
        )
    config = Config(toml_file=PYPROJECT)
    # The main options pass through ConfigParser interpolation, where "%" is special
    # (URL-encoded passwords contain it).
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade_to_head(database_url: str) -> None:
    """Apply every migration not yet applied."""
    await upgrade(database_url, "head")


async def upgrade(database_url: str, revision: str) -> None:
    """Apply migrations up to `revision` ("head", a revision id, or "+1")."""
    await _run_in_thread(command.upgrade, database_url, revision)


async def downgrade(database_url: str, revision: str) -> None:
    """Revert to `revision` ("base" for an empty database, "-1" for one step back)."""
    await _run_in_thread(command.downgrade, database_url, revision)


async def _run_in_thread(
    alembic_command: Callable[[Config, str], None], database_url: str, revision: str
) -> None:
    # alembic/env.py runs its own event loop (asyncio.run) so the `alembic` command line
    # works; it cannot do that on this thread, whose loop is already running.
    config = alembic_config(database_url)
    await asyncio.to_thread(alembic_command, config, revision)
