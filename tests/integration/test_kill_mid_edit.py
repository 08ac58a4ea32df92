"""A writer killed with SIGKILL in the middle of a stream of edits loses nothing acknowledged."""

import os
import random
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from qms_desktop.services.verify import verify
from qms_desktop.storage.models import Risk, Role
from qms_desktop.storage.workspace import create_workspace, open_workspace

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")]

WRITER = textwrap.dedent("""
    import sys
    from qms_desktop.services import records as R
    from qms_desktop.storage.workspace import open_workspace
    ws = open_workspace(sys.argv[1])
    rid = int(sys.argv[2])
    n = 0
    while True:
        n += 1
        R.create(ws, "role", {"name": f"role {n}", "description": "x" * (n % 500)})
        R.update_fields(ws, "risk", rid, {"title": f"edit {n}", "severity": n % 10 + 1})
        print(n, flush=True)
""")


@pytest.mark.parametrize("round_", range(4))
def test_sigkill_mid_edits(tmp_path, round_):
    p = tmp_path / "k.qms"
    w = create_workspace(p)
    with w.session() as s:
        r = Risk(title="start")
        s.add(r)
        s.flush()
        rid = r.id
    w.close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(p), str(rid)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop_after = random.Random(round_).randint(20, 200)
    acked = 0
    for line in proc.stdout:
        acked = int(line)
        if acked >= stop_after:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert acked >= stop_after, proc.stderr.read()

    ws = open_workspace(p)  # takes over the stale lock, rolls back any hot journal
    with ws.connect() as c:
        assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    rep = verify(ws)
    assert rep.ok, rep.problems
    with ws.session() as s:
        names = set(s.scalars(select(Role.name)))
        title = s.get(Risk, rid).title
    assert {f"role {i}" for i in range(1, acked + 1)} <= names
    done = int(title.split()[1])
    assert done >= acked  # the acknowledged edit (or the one in flight) is there
    ws.close()
    assert not os.path.exists(str(p) + "-journal")
