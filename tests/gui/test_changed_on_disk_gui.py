"""The file changed under the window: the edit is refused through the usual error path, with the
sentence that says what to do, and nothing is written into a file the window did not open."""

from __future__ import annotations

import hashlib
import shutil


def sha(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_edit_refused_when_the_file_was_overwritten(window, make_ws, open_ws, dialogs, qtbot):
    from qms_desktop.services.organization import get_profile
    from qms_desktop.storage.workspace import ChangedOnDiskError

    path = make_ws("mine.qms", organization="Mine")
    other = make_ws("other.qms", organization="Other")
    ws = open_ws(window, path)
    org = get_profile(ws)
    assert window.controller.edit_field("organization", org.id, "name", "Mine Ltd")

    shutil.copyfile(other, path)  # another program writes another workspace over it
    overwritten = sha(path)
    errors = []
    window.controller.errorOccurred.connect(errors.append)
    assert not window.controller.edit_field("organization", org.id, "name", "Mine GmbH")
    assert len(errors) == 1 and isinstance(errors[0], ChangedOnDiskError)
    shown = dialogs.messages("warning")
    assert shown and shown[-1] == (
        "“mine.qms” was changed by another program after it was opened; nothing was written. "
        "This window no longer shows what the file holds: reopen it (a copy now would hold the "
        "other program's changes).")  # (no automatic backup of it yet to point to)
    assert dialogs.bugs == []
    assert window.controller.changed_on_disk == shown[-1]
    assert not window.controller.edit_field("organization", org.id, "name", "Again")
    assert sha(path) == overwritten  # not one byte written into the other file

    backups = path.with_name("mine-backups")
    window.controller.close()  # no automatic backup of a file this window did not open
    assert not backups.exists() or not list(backups.iterdir())
    assert sha(path) == overwritten
