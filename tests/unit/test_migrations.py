"""Alembic revisions and the models agree; every older workspace upgrades."""

import sqlite3

from sqlalchemy import create_engine

from qms_desktop.storage import migrate
from qms_desktop.storage.models import Base
from qms_desktop.storage.workspace import (
    KNOWN_REVISIONS, SCHEMA_HEAD, create_workspace, open_workspace)


def test_head_constants_match_scripts():
    assert migrate.script_head() == SCHEMA_HEAD
    assert tuple(migrate.script_revisions()) == KNOWN_REVISIONS


def _diff(path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    eng = create_engine(f"sqlite:///{path}")
    with eng.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}),
                                Base.metadata)
    eng.dispose()
    return diff


def test_migrations_build_exactly_the_models(tmp_path):
    p = tmp_path / "m.qms"
    sqlite3.connect(p).close()
    migrate.upgrade_to_head(p)
    assert _diff(p) == []
    c = sqlite3.connect(p)
    assert c.execute("PRAGMA application_id").fetchone()[0] == 0x514D5357
    c.close()


def test_create_all_matches_migrations(tmp_path):
    create_workspace(tmp_path / "c.qms").close()
    assert _diff(tmp_path / "c.qms") == []


def test_every_earlier_revision_upgrades_with_backup(tmp_path):
    """A workspace saved at each earlier revision opens: backed up, upgraded, verified."""
    from qms_desktop.services.verify import verify

    for rev in KNOWN_REVISIONS[:-1]:
        p = tmp_path / f"r{rev}.qms"
        sqlite3.connect(p).close()
        migrate.upgrade_to(p, rev)
        w = open_workspace(p)
        assert w.info.upgraded_from == rev and w.info.backup_path.exists()
        assert verify(w).ok
        w.close()
        assert _diff(p) == []
