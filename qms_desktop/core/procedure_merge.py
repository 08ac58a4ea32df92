"""Regenerating a procedure's sections from its process map without losing anyone's edits.

Pure rules, no database. A section row keeps two texts: ``text`` (what the document says now)
and ``generated`` (what the map produced the last time, "" when the section was written by
hand). Comparing them with the freshly generated text tells the four cases apart:

* the map did not change (fresh == generated): nothing to do, whatever the user wrote stays —
  "unchanged" when the section reads as generated, **kept** when the user's text differs from
  the map's (e.g. after choosing "Keep mine"): still offered, the user may take the map's;
* the user did not touch the section (text == generated): take the fresh text;
* the user edited it *and* the map changed: a **conflict** — the user's text stays until they
  choose, and both differences are offered (old generated → fresh, their text → fresh).
  :func:`merge3` merges the two line by line (old generated → user's text and old generated →
  fresh, ``difflib`` opcodes): when they touch different lines the merge is clean
  (:attr:`SectionMerge.merged`) and can be taken so that neither change is lost;
* the section was never generated (generated == "") and has text: it is the user's own and is
  left alone.

Texts are compared after :func:`normalize` (line endings, trailing spaces, blank lines at the
ends), so an editor that rewrites ``\\r\\n`` or trims a trailing space does not make an edit
out of nothing. Nothing here ever replaces a user's edit: :attr:`SectionMerge.apply_text` of a
conflict is the user's text, and its :attr:`SectionMerge.apply_generated` stays the old
generated text, so the conflict is offered again next time until :meth:`SectionMerge.resolve`
records the user's choice.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .documents import SECTION_KEYS, SECTION_TITLES

#: what :func:`merge_regenerated` found for a section
STATUSES = ("new", "unchanged", "update", "conflict", "kept", "manual")

STATUS_TEXT = {
    "new": "New section from the map",
    "unchanged": "Unchanged",
    "update": "Updated from the map",
    "conflict": "Edited by you, and the map changed",
    "kept": "Your own text (it differs from the map's; the map has not changed)",
    "manual": "Written by hand (left alone)",
}


def normalize(text: str) -> str:
    """``text`` as compared: ``\\n`` line endings, no trailing spaces on a line, no blank
    lines at the start or the end."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def line_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified line diff (``difflib``) from ``old`` to ``new``; "" when they are equal."""
    a, b = normalize(old).split("\n"), normalize(new).split("\n")
    if a == b:
        return ""
    return "\n".join(difflib.unified_diff(a, b, old_name, new_name, lineterm=""))


def _lines(text: str) -> list[str]:
    n = normalize(text)
    return n.split("\n") if n else []


#: a change of one side against the base: base lines [i1, i2) become ``lines``
Hunk = tuple[int, int, tuple[str, ...]]


def hunks(base: str, other: str) -> list[Hunk]:
    """The changes from ``base`` to ``other`` (normalized, by lines) as difflib opcodes:
    ``(i1, i2, lines)`` — base lines ``i1:i2`` become ``lines`` (``i1 == i2``: inserted before
    base line ``i1``; no lines: deleted)."""
    a, b = _lines(base), _lines(other)
    return [(i1, i2, tuple(b[j1:j2])) for op, i1, i2, j1, j2 in
            difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op != "equal"]


def changed_lines(base: str, other: str) -> tuple[set[int], set[int]]:
    """Line numbers (0-based, of the normalized texts) of ``base`` that ``other`` removed or
    replaced, and of ``other`` that it added or rewrote."""
    a, b = _lines(base), _lines(other)
    gone, added = set(), set()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            gone.update(range(i1, i2))
            added.update(range(j1, j2))
    return gone, added


def _clash(h: Hunk, k: Hunk) -> bool:
    """Whether two changes of the same base touch the same lines (so no merge decides)."""
    (a1, a2, _), (b1, b2, _) = h, k
    if h == k:                       # both made the same change
        return False
    if a1 == a2 and b1 == b2:        # two insertions at one place, in an unknown order
        return a1 == b1
    if a1 == a2:                     # an insertion inside the other's replaced lines
        return b1 < a1 < b2
    if b1 == b2:
        return a1 < b1 < a2
    return a1 < b2 and b1 < a2       # overlapping replaced lines


@dataclass(frozen=True)
class Merge3:
    """The three-way merge of a user's text and the map's fresh text over the old generated
    text: ``text`` is the merge (None when both changed the same lines), ``origin`` says for
    each of its lines where it came from ("base", "mine", "theirs", or "both" when both made
    that change), ``clashes`` the base line ranges ``(i1, i2)`` both sides changed
    differently."""

    text: str | None
    origin: tuple[str, ...] = ()
    clashes: tuple[tuple[int, int], ...] = ()

    @property
    def clean(self) -> bool:
        return self.text is not None


def merge3(base: str, mine: str, theirs: str) -> Merge3:
    """Merge ``mine`` (base → the user's text) and ``theirs`` (base → the fresh text) line by
    line. Clean when no line is changed by both differently; identical changes count once."""
    b = _lines(base)
    hm, ht = hunks(base, mine), hunks(base, theirs)
    clashes = sorted({(min(h[0], k[0]), max(h[1], k[1])) for h in hm for k in ht
                      if _clash(h, k)})
    if clashes:
        return Merge3(None, (), tuple(clashes))
    tagged: dict[Hunk, str] = {}
    for h in hm:
        tagged[h] = "mine"
    for h in ht:
        tagged[h] = "both" if h in tagged else "theirs"
    out: list[str] = []
    origin: list[str] = []
    pos = 0
    for h in sorted(tagged, key=lambda h: (h[0], h[1])):
        i1, i2, lines = h
        out.extend(b[pos:i1])
        origin.extend("base" for _ in range(pos, i1))
        out.extend(lines)
        origin.extend(tagged[h] for _ in lines)
        pos = max(pos, i2)
    out.extend(b[pos:])
    origin.extend("base" for _ in range(pos, len(b)))
    return Merge3("\n".join(out), tuple(origin))


@dataclass(frozen=True)
class SectionMerge:
    """One section after regenerating.

    Fields:

    * ``key`` — the section key (``core.documents.SECTION_KEYS`` or the document's own);
    * ``title`` — its title for the screen (``SECTION_TITLES``, else the key);
    * ``status`` — one of :data:`STATUSES`;
    * ``text`` — the section's text now ("" for a new section);
    * ``old_generated`` — the text generated the last time ("" if never);
    * ``fresh`` — the text the map gives now ("" for a section the map has nothing for);
    * ``apply_text`` / ``apply_generated`` — what to store in ``text`` and ``generated``
      when the merge is applied as it stands (a conflict keeps the user's text and the old
      generated text, so it is still a conflict next time);
    * ``diff_generated`` — line diff old generated → fresh (updates and conflicts, else "");
    * ``diff_user`` — line diff the user's text → fresh (conflicts and kept sections, else
      "");
    * ``merged`` — a conflict's clean three-way merge (:func:`merge3`: the user's changes and
      the map's both in), None when they touch the same lines or for other statuses.
    """

    key: str
    title: str
    status: str
    text: str
    old_generated: str
    fresh: str
    apply_text: str
    apply_generated: str
    diff_generated: str = ""
    diff_user: str = ""
    merged: str | None = None

    @property
    def changes(self) -> bool:
        """Whether applying the merge as it stands writes anything."""
        return self.status == "new" or (self.apply_text, self.apply_generated) != (
            self.text, self.old_generated)

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    @property
    def differs(self) -> bool:
        """Whether the user's text and the map's differ and the user may choose (a conflict,
        or a section kept as the user wrote it)."""
        return self.status in ("conflict", "kept")

    def resolve(self, take_fresh: bool) -> tuple[str, str]:
        """``(text, generated)`` to store once the user has chosen for a conflict or a kept
        section: the fresh text, or their own text (the fresh text is then recorded as seen,
        so the same map does not ask again). For the other statuses the choice is ignored:
        ``apply_*``."""
        if not self.differs:
            return self.apply_text, self.apply_generated
        return (self.fresh if take_fresh else self.text), self.fresh

    def resolve_merged(self) -> tuple[str, str]:
        """``(text, generated)`` for "merge both": the clean merge, the fresh text as seen
        (a conflict without a clean merge keeps the user's text)."""
        if self.status != "conflict" or self.merged is None:
            return self.resolve(False)
        return self.merged, self.fresh


def _title(key: str) -> str:
    return SECTION_TITLES.get(key, key.replace("_", " ").capitalize())


def _merge_one(key: str, text: str, generated: str, fresh: str | None) -> SectionMerge:
    title = _title(key)
    if fresh is None:  # the map has nothing for this section
        return SectionMerge(key, title, "manual", text, generated, "", text, generated)
    n_text, n_gen, n_fresh = normalize(text), normalize(generated), normalize(fresh)
    if not n_gen and n_text:
        return SectionMerge(key, title, "manual", text, generated, fresh, text, generated)
    if n_fresh == n_gen:
        status = "unchanged" if n_text == n_gen else "kept"
        return SectionMerge(key, title, status, text, generated, fresh, text, generated,
                            "", "" if status == "unchanged"
                            else line_diff(text, fresh, "your text", "generated now"))
    diff_gen = line_diff(generated, fresh, "generated before", "generated now")
    if n_text == n_gen:
        return SectionMerge(key, title, "update", text, generated, fresh, fresh, fresh,
                            diff_gen)
    return SectionMerge(key, title, "conflict", text, generated, fresh, text, generated,
                        diff_gen, line_diff(text, fresh, "your text", "generated now"),
                        merge3(generated, text, fresh).text)


def merge_regenerated(sections: Iterable[Sequence[str]],
                      fresh: Mapping[str, str]) -> list[SectionMerge]:
    """One :class:`SectionMerge` per existing section ``(key, text, generated)``, in their
    order, then one ``"new"`` merge for each key of ``fresh`` that no section has (in
    ``SECTION_KEYS`` order, then the rest by name). Nothing is written here."""
    out: list[SectionMerge] = []
    seen: set[str] = set()
    for key, text, generated in sections:
        out.append(_merge_one(key, text or "", generated or "", fresh.get(key)))
        seen.add(key)
    order = {k: i for i, k in enumerate(SECTION_KEYS)}
    for key in sorted((k for k in fresh if k not in seen),
                      key=lambda k: (order.get(k, len(order)), k)):
        out.append(SectionMerge(key, _title(key), "new", "", "", fresh[key], fresh[key],
                                fresh[key]))
    return out


def describe(merges: Iterable[SectionMerge]) -> str:
    """One sentence for the user: what regenerating does ("" when nothing changes)."""
    counts = {s: 0 for s in STATUSES}
    for mg in merges:
        counts[mg.status] += 1
    parts = []
    if counts["update"]:
        parts.append(f"{counts['update']} section{'s' * (counts['update'] != 1)} updated "
                     "from the map")
    if counts["new"]:
        parts.append(f"{counts['new']} new section{'s' * (counts['new'] != 1)}")
    if counts["conflict"]:
        n = counts["conflict"]
        parts.append(f"{n} section{'s' * (n != 1)} you edited whose map part changed "
                     f"(your text is kept until you choose)")
    if counts["kept"]:
        n = counts["kept"]
        parts.append(f"{n} section{'s' * (n != 1)} keep{'s' * (n == 1)} your own text (it "
                     "differs from the map's, which has not changed)")
    if not parts:
        return ""
    return "; ".join(parts)[0].upper() + "; ".join(parts)[1:] + "."
