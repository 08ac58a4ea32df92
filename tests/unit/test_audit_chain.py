import datetime as dt

from qms_desktop.core.audit_chain import (
    GENESIS, check_chain, encode_field, encode_record, encode_value, event_hash, fold_state)


def test_encode_values_canonical():
    assert encode_value(True) == 1 and encode_value(False) == 0
    assert encode_value(dt.date(2026, 1, 2)) == "2026-01-02"
    assert encode_value(dt.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000000"
    assert encode_value(1.5) == 1.5 and encode_value(None) is None
    assert encode_field(None) is None and encode_field("a") == '"a"'
    assert encode_record({"b": 1, "a": "x"}) == '{"a":"x","b":1}'


def _chain(n):
    prev = GENESIS
    rows = []
    for i in range(1, n + 1):
        args = (prev, "2026-01-01T00:00:00Z", "u", "update", "risk", 1, "title",
                encode_field(f"v{i-1}"), encode_field(f"v{i}"))
        h = event_hash(*args)
        rows.append((i, *args[1:], prev, h))
        prev = h
    return rows


def test_chain_ok_and_tamper_detected():
    rows = _chain(5)
    head, n, problem = check_chain(rows)
    assert problem is None and n == 5 and head == rows[-1][-1]
    altered = list(rows)
    r = list(altered[2]); r[8] = '"evil"'; altered[2] = tuple(r)
    assert "altered" in check_chain(altered)[2].message
    removed = rows[:2] + rows[3:]
    assert "does not follow" in check_chain(removed)[2].message


def test_hash_distinguishes_none_from_empty():
    a = event_hash(GENESIS, "t", "u", "update", "e", 1, "f", None, '""')
    b = event_hash(GENESIS, "t", "u", "update", "e", 1, "f", '""', None)
    c = event_hash(GENESIS, "t", "u", "update", "e", 1, "f", None, None)
    assert len({a, b, c}) == 3


def test_fold_state():
    state = {}
    fold_state([("insert", "risk", 1, "", None, '{"id":1,"title":"a"}'),
                ("update", "risk", 1, "title", '"a"', '"b"'),
                ("insert", "risk", 2, "", None, '{"id":2}'),
                ("delete", "risk", 2, "", '{"id":2}', None)], state)
    assert state == {("risk", 1): {"id": 1, "title": "b"}, ("risk", 2): None}


def _timed_chain(times):
    prev, rows = GENESIS, []
    for i, at in enumerate(times, start=1):
        args = (prev, at, "u", "update", "risk", 1, "title", None, encode_field(f"v{i}"))
        h = event_hash(*args)
        rows.append((i, *args[1:], prev, h))
        prev = h
    return rows


def test_times_running_backwards_are_collected():
    rows = _timed_chain(["2026-03-01T10:00:00.000000Z", "2026-03-01T09:56:00.000000Z",
                         "2026-03-01T09:50:00.000000Z", "2026-03-02T08:00:00+00:00",
                         "2020-01-15T09:30:00.000000Z", "not a time"])
    backwards = []
    head, n, problem = check_chain(rows, backwards)
    assert problem is None and n == 6  # the chain itself is sound
    assert [p.event_id for p in backwards] == [3, 5, 6]  # 4 minutes back is a clock adjustment
    assert backwards[1].message == (
        "audit event 5 (risk 1) is dated 2020-01-15 09:30:00 UTC, earlier than event 4 before "
        "it (2026-03-02 08:00:00 UTC): it was back-dated by someone holding the file, or the "
        "computer's clock was set back")
    assert check_chain(rows) == (head, n, None)  # not asked: not checked
