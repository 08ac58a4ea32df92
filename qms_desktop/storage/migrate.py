"""Schema upgrades with Alembic (imported only when a workspace needs one)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def script_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    revs = list(ScriptDirectory.from_config(alembic_config()).walk_revisions())
    return [r.revision for r in reversed(revs)]


def _engine(path: Path):
    eng = create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @event.listens_for(eng, "connect")
    def _fk(dbapi_conn, _rec):
        # foreign keys stay off while tables are rebuilt, checked explicitly afterwards
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")

    return eng


def upgrade_to(path: Path, revision: str) -> None:
    from alembic import command

    eng = _engine(path)
    try:
        with eng.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
            bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if bad:
                raise RuntimeError(f"the upgrade broke {len(bad)} references")
    finally:
        eng.dispose()


def upgrade_to_head(path: Path) -> None:
    upgrade_to(path, "head")
