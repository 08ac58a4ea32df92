"""Rules of controlled documents and electronic signatures (no database)."""

import datetime as dt

import pytest

from qms_desktop.core import documents as d
from qms_desktop.core import signatures as sg


def test_revision_life_and_refused_steps():
    assert d.next_status("draft", "submit") == "in_review"
    assert d.next_status("in_review", "approve") == "approved"
    assert d.next_status("approved", "make_effective") == "effective"
    assert d.next_status("in_review", "return") == "draft"
    assert d.next_status("effective", "supersede") == "obsolete"
    with pytest.raises(d.TransitionError, match="draft cannot be approved"):
        d.next_status("draft", "approve")
    with pytest.raises(d.TransitionError, match="obsolete cannot be made effective"):
        d.next_status("obsolete", "make_effective")


def test_who_may_sign():
    rights = ("authored", "reviewed", "approved")
    authored = [d.Signed("authored", "dan")]
    ok = dict(status="in_review", rights=rights, active=True)
    assert d.signing_problem(meaning="reviewed", user="eve", signed=authored, **ok) == ""
    # separation of duties: one wording, the account, what it signed, who must sign instead
    assert d.signing_problem(meaning="reviewed", user="dan", signed=authored, **ok) == \
        "dan authored this revision; a different person must review it."
    assert "needs a valid review" in d.signing_problem(
        meaning="approved", user="eve", signed=authored, **ok)
    reviewed = authored + [d.Signed("reviewed", "eve")]
    assert d.signing_problem(meaning="approved", user="eve", signed=reviewed, **ok) == \
        "eve reviewed this revision; a different person must approve it."
    assert d.signing_problem(meaning="approved", user="dan", signed=reviewed, **ok) == \
        "dan authored this revision; a different person must approve it."
    assert d.signing_problem(meaning="approved", user="max", signed=reviewed, **ok) == ""
    assert "may not sign as approved" in d.signing_problem(
        meaning="approved", user="max", signed=reviewed, status="in_review",
        rights=("reviewed",), active=True)
    assert "inactive" in d.signing_problem(meaning="reviewed", user="eve", signed=authored,
                                           status="in_review", rights=rights, active=False)
    assert "already signed" in d.signing_problem(meaning="reviewed", user="eve",
                                                 signed=reviewed, **ok)
    assert "Only a revision in review" in d.signing_problem(
        meaning="approved", user="max", signed=reviewed, status="draft", rights=rights,
        active=True)


@pytest.mark.parametrize("prev,nxt", [([], "A"), (["A"], "B"), (["A", "Z"], "AA"),
                                      (["AZ"], "BA"), (["1"], "2"), (["09"], "10"),
                                      (["01"], "02"), (["1.3"], "2.0"), (["x7"], "2")])
def test_next_revision_number(prev, nxt):
    assert d.next_revision_number(prev) == nxt


def test_numbering_scheme():
    assert d.next_number([], "procedure") == "SOP-001"
    assert d.next_number(["SOP-001", "SOP-007", "WI-002"], "procedure") == "SOP-008"
    assert d.next_number(["SOP-001"], "form", "{prefix}{seq:02d}") == "F01"
    assert d.scheme_problem("{prefix}-{seq:03d}") == ""
    assert "{seq}" in d.scheme_problem("SOP-1")
    assert d.scheme_problem("{prefix}-{nope}")


def test_review_dates():
    assert d.next_review(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert d.next_review(None, 12) is None and d.next_review(dt.date(2024, 1, 1), None) is None
    today = dt.date(2026, 12, 5)
    assert d.review_state(dt.date(2026, 12, 4), today) == "overdue"
    assert d.review_state(dt.date(2026, 12, 20), today) == "due_soon"
    assert d.review_state(dt.date(2027, 6, 1), today) == "ok"
    assert d.review_state(None, today) == ""


def test_password_hash_is_salted_and_checked():
    h1 = sg.hash_password("correct horse", n=2 ** 10)
    h2 = sg.hash_password("correct horse", n=2 ** 10)
    assert h1 != h2 and h1.startswith("scrypt$1024$8$1$")
    assert sg.check_password("correct horse", h1)
    assert not sg.check_password("correct hors", h1)
    assert not sg.check_password("correct horse", "")
    assert not sg.check_password("correct horse", "scrypt$99999999$8$1$AA==$AA==")
    assert not sg.check_password("x", "md5$whatever")
    assert sg.password_problem("short") and sg.password_problem(" padded pass ")
    assert sg.password_problem("helenmarsh", username="HelenMarsh")
    assert sg.password_problem("a good long one") == ""


def test_content_hash_binds_record_and_content():
    c = {"sections": [["purpose", "Why"]], "number": "B"}
    h = sg.content_hash("revision", 3, c)
    assert h == sg.content_hash("revision", 3, dict(reversed(list(c.items()))))
    assert h != sg.content_hash("revision", 4, c)
    assert h != sg.content_hash("revision", 3, {**c, "number": "C"})
    at = dt.datetime(2026, 12, 5, 9, 30)
    s = sg.seal(entity="revision", record_id=3, meaning="approved", user="eve",
                signer_name="Eve Park", signed_at=at, record_hash=h)
    assert s == sg.seal(entity="revision", record_id=3, meaning="approved", user="eve",
                        signer_name="Eve Park", signed_at="2026-12-05 09:30:00", record_hash=h)
    assert sg.signature_state(stored_hash=h, current_hash=h, stored_seal=s,
                              expected_seal=s).valid
    st = sg.signature_state(stored_hash=h, current_hash="0" * 64, stored_seal=s, expected_seal=s)
    assert not st.valid and "content changed" in st.reason
    assert "altered" in sg.signature_state(stored_hash=h, current_hash=h, stored_seal=s,
                                           expected_seal="1" * 64).reason
    assert "before signatures were bound" in sg.signature_state(
        stored_hash="0" * 64, current_hash=h, stored_seal="", expected_seal=s).reason
    assert sg.local_time_text(at).startswith("20")


def test_missing_signatures_only_for_revisions_signed_in_the_app():
    assert d.missing_signatures("effective", {"authored", "reviewed"}, True) == ["approved"]
    assert d.missing_signatures("in_review", set(), True) == ["authored"]
    assert d.missing_signatures("draft", set(), True) == []
    assert d.missing_signatures("effective", set(), False) == []  # approved on paper
