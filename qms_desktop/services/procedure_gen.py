"""Procedure sections generated from a process map (no Qt).

:func:`generate_sections` reads a process, its map (``processes.load_map_data``), the
documents its steps use or make (``node_document``), its risks (``risks.list_risks``) and the
training its roles need (``role_course``, and the courses of the documents its steps use), and
writes the sections of a controlled procedure as light Markdown:

* **purpose** — the process's purpose;
* **scope** — what the procedure covers (from which start event to which end), and the
  process's suppliers, inputs, outputs and customers;
* **responsibilities** — a table of the roles (the map's lanes): the steps each carries out
  (R), the decisions it takes, and which one is accountable (A, the process owner's role);
* **procedure** — the steps as a numbered list in the order of the flow (see :func:`_order`),
  each with its role in bold and the documents it uses; decisions name where each answer
  leads, loops point back to the earlier step, steps the start does not reach come last under
  "Other steps";
* **records** — the record shapes on the map, the document shapes a step produces and the
  records steps are linked to, each with the step that makes it;
* **references** — the documents the steps use, sub-processes, risks and required training.

The same map gives the same text, byte for byte: everything is ordered by ids or references,
never by positions or dictionaries built from sets. Labels are escaped (:func:`md_escape`):
``\\``, ``*``, ``_``, `````, ``|``, ``[`` and ``]`` get a backslash, as does a ``#``, ``-``,
``+``, ``>`` or ``1.`` at the start of a label, so a label never turns into formatting
(CommonMark backslash escapes). :func:`merge_regenerated` (``core.procedure_merge``) compares
the fresh texts with what a document holds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select

from ..core.procedure_merge import SectionMerge, describe, merge_regenerated  # noqa: F401
from ..storage import models as m
from ..storage.workspace import Workspace
from . import processes, risks

__all__ = ["GENERATED_KEYS", "generate_sections", "merge_regenerated", "SectionMerge",
           "describe", "md_escape", "ProcedureSource", "load_source", "render"]

#: the sections :func:`generate_sections` writes (always all of them, "" when empty)
GENERATED_KEYS = ("purpose", "scope", "responsibilities", "procedure", "records", "references")

#: node kinds that take part in the flow
FLOW_KINDS = frozenset({"start", "end", "event", "step", "decision", "subprocess"})
#: edge kinds that are not flow
NOT_FLOW = frozenset({"message", "association"})
#: labels in references to another step are cut to this many characters
SHORT_LABEL = 60
#: sub-processes drawn open list their steps as a nested list (richtext nests one level)
MAX_DEPTH = 2

_ESCAPE = re.compile(r"([\\*_`|\[\]])")
_LEADING = re.compile(r"^(#+|[-+>]|\d+[.)])")


def md_escape(text: str) -> str:
    """``text`` on one line (whitespace collapsed) with Markdown-significant characters
    escaped, so it prints as typed."""
    text = " ".join(str(text or "").split())
    text = _ESCAPE.sub(r"\\\1", text)
    return _LEADING.sub(lambda mt: (mt.group(1)[:-1] + "\\" + mt.group(1)[-1])
                        if mt.group(1)[0].isdigit() else "\\" + mt.group(1), text)


def _paragraphs(text: str) -> str:
    """A multi-line plain text as escaped Markdown paragraphs (one per non-blank line)."""
    return "\n\n".join(md_escape(ln) for ln in (text or "").splitlines() if ln.strip())


def _short(text: str, limit: int = SHORT_LABEL) -> str:
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if not text or text[-1] in ".?!:…" else text + "."


def _natural(text: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold())
                 for p in re.split(r"(\d+)", text or "") if p)


def _ranges(numbers: Iterable[int]) -> str:
    """``1, 3–5, 9`` from step numbers."""
    nums = sorted(set(numbers))
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}" if j > i + 1
                   else f"{nums[i]}, {nums[j]}")
        i = j + 1
    return ", ".join(out)


def _steps_phrase(numbers: Iterable[int]) -> str:
    nums = sorted(set(numbers))
    return f"step {nums[0]}" if len(nums) == 1 else f"steps {_ranges(nums)}"


# --------------------------------------------------------------------------- source data


@dataclass(frozen=True)
class DocRef:
    """A controlled document as a procedure names it."""

    id: int
    number: str
    title: str
    kind: str
    revision: str      # the revision in force ("" when none)

    @property
    def short(self) -> str:
        """``QP-02 rev. B`` (the number alone when there is no revision in force)."""
        name = self.number or self.title or f"document {self.id}"
        return f"{name} rev. {self.revision}" if self.revision else name


@dataclass(frozen=True)
class RiskRef:
    id: int
    ref: str
    title: str
    kind: str
    rating: str        # "High", "RPN 160", "" when not rated
    node_id: int | None


@dataclass(frozen=True)
class CourseRef:
    id: int
    code: str
    title: str
    document_id: int | None


@dataclass
class ProcedureSource:
    """Everything a procedure is written from, read in one go (:func:`load_source`)."""

    process: processes.ProcessRow
    map: processes.MapData
    roles: dict[int, str] = field(default_factory=dict)
    #: node id -> [(DocRef, link kind "document" | "record")], by number
    links: dict[int, list[tuple[DocRef, str]]] = field(default_factory=dict)
    #: process id -> (code, name) of the processes sub-process shapes call
    called: dict[int, tuple[str, str]] = field(default_factory=dict)
    risks: list[RiskRef] = field(default_factory=list)
    #: role id -> courses required for it
    role_courses: dict[int, list[CourseRef]] = field(default_factory=dict)
    #: document id -> courses made for it (e.g. read and understood)
    doc_courses: dict[int, list[CourseRef]] = field(default_factory=dict)


def load_source(ws: Workspace, process_id: int, *,
                risk_rows: list | None = None) -> ProcedureSource:
    """Everything the text is generated from; ``risk_rows`` is ``risks.list_risks(ws)`` when
    the caller already has it (a manual of many procedures reads the register once)."""
    proc = processes.get_process(ws, process_id)
    data = processes.load_map_data(ws, process_id)
    node_ids = [n["id"] for n in data.nodes]
    src = ProcedureSource(proc, data)
    with ws.connect() as c:
        src.roles = dict(c.execute(select(m.Role.id, m.Role.name)).all())
        nd, d = m.NodeDocument, m.Document
        rows = c.execute(select(nd.node_id, nd.kind, d.id, d.number, d.title, d.kind,
                                d.current_revision)
                         .join(d, d.id == nd.document_id)
                         .where(nd.node_id.in_(node_ids))).all() if node_ids else []
        doc_ids = sorted({r[2] for r in rows})
        in_force: dict[int, str] = {}
        if doc_ids:
            for did, number in c.execute(
                    select(m.Revision.document_id, m.Revision.number)
                    .where(m.Revision.document_id.in_(doc_ids),
                           m.Revision.status == "effective")
                    .order_by(m.Revision.effective_on, m.Revision.issued_on, m.Revision.id)):
                in_force[did] = number or ""
        links: dict[int, list[tuple[DocRef, str]]] = defaultdict(list)
        for nid, link, did, number, title, kind, current in rows:
            links[nid].append((DocRef(did, number or "", title or "", kind or "",
                                      in_force.get(did, current or "")), link or "document"))
        src.links = {k: sorted(v, key=lambda t: (_natural(t[0].number), t[0].id, t[1]))
                     for k, v in links.items()}
        called = sorted({n["subprocess_id"] for n in data.nodes if n["subprocess_id"]})
        if called:
            src.called = {i: (code or "", name or "") for i, code, name in c.execute(
                select(m.Process.id, m.Process.code, m.Process.name)
                .where(m.Process.id.in_(called)))}
        courses = {i: CourseRef(i, code or "", title or "", doc) for i, code, title, doc in
                   c.execute(select(m.Course.id, m.Course.code, m.Course.title,
                                    m.Course.document_id))}
        role_courses: dict[int, list[CourseRef]] = defaultdict(list)
        for rid, cid in c.execute(select(m.RoleCourse.role_id, m.RoleCourse.course_id)
                                  .order_by(m.RoleCourse.id)):
            if cid in courses:
                role_courses[rid].append(courses[cid])
        src.role_courses = dict(role_courses)
        doc_courses: dict[int, list[CourseRef]] = defaultdict(list)
        for course in sorted(courses.values(), key=lambda cr: cr.id):
            if course.document_id is not None:
                doc_courses[course.document_id].append(course)
        src.doc_courses = dict(doc_courses)
    mine = set(node_ids)
    for r in (risks.list_risks(ws) if risk_rows is None else risk_rows):
        if r.process_id != process_id and r.node_id not in mine:
            continue
        if r.status == "closed":
            continue
        rating = _cap(r.level) or (f"RPN {r.rpn}" if r.rpn is not None else "")
        src.risks.append(RiskRef(r.id, r.ref, r.title, r.kind, rating,
                                 r.node_id if r.node_id in mine else None))
    src.risks.sort(key=lambda x: (_natural(x.ref), x.id))
    return src


def generate_sections(ws: Workspace, process_id: int) -> dict[str, str]:
    """The sections :data:`GENERATED_KEYS` of a procedure for process ``process_id``, as
    light Markdown ("" for a section the process has nothing for). ``definitions`` is never
    generated. Raises ``RecordError`` when the process does not exist."""
    return render(load_source(ws, process_id))


# --------------------------------------------------------------------------- the flow


@dataclass
class _Flow:
    """The map as the procedure walks it."""

    src: ProcedureSource
    nodes: dict[int, dict]
    succ: dict[int, list[tuple[dict, int]]]        # node -> [(edge row, target)], edge order
    pred: dict[int, list[int]]
    scope: dict[int, int | None]                   # node -> enclosing sub-process (or None)
    number: dict[int, int] = field(default_factory=dict)
    #: node ids of data shapes (document/record) -> [(step id, "made" | "used")]
    data_use: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    lanes: dict[int, dict] = field(default_factory=dict)

    def role(self, nid: int) -> str:
        """The role that does the work of a node: its own, else its lane's role, else the
        lane's name (lanes inherited from enclosing sub-processes)."""
        node = self.nodes[nid]
        if node["role_id"] is not None and node["role_id"] in self.src.roles:
            return self.src.roles[node["role_id"]]
        lane = self.lane(nid)
        if lane is None:
            return ""
        if lane["role_id"] is not None and lane["role_id"] in self.src.roles:
            return self.src.roles[lane["role_id"]]
        return " ".join((lane["name"] or "").split())

    def lane(self, nid: int) -> dict | None:
        lanes = self.lanes
        seen = set()
        node = self.nodes.get(nid)
        while node is not None and node["id"] not in seen:
            if node["lane_id"] in lanes:
                return lanes[node["lane_id"]]
            seen.add(node["id"])
            node = self.nodes.get(node["parent_node_id"])
        return None

    def numbered(self, nid: int) -> bool:
        node = self.nodes[nid]
        kind, named = node["kind"], bool((node["name"] or "").strip())
        if kind in ("step", "subprocess"):
            return True
        if kind == "event":
            return named
        if kind == "decision":  # a parallel gateway is said by the step before it
            return not _parallel(node) and (len(self.succ.get(nid, ())) > 1 or named)
        return False

    def targets(self, nid: int, seen: frozenset = frozenset()) -> list[int]:
        """Where the flow goes after ``nid``: numbered nodes and end events, looking through
        shapes that get no number (merging gateways, unnamed events, start events)."""
        out: list[int] = []
        for _edge, t in self.succ.get(nid, ()):
            if t in seen:
                continue
            node = self.nodes[t]
            if self.numbered(t) or node["kind"] == "end":
                found = [t]
            else:
                found = self.targets(t, seen | {t}) or []
            for f in found:
                if f not in out:
                    out.append(f)
        return out

    def name(self, nid: int) -> str:
        node = self.nodes[nid]
        return (" ".join((node["name"] or "").split())
                or {"end": "end", "start": "start", "decision": "decision"}.get(
                    node["kind"], f"shape {nid}"))


def _parallel(node: dict) -> bool:
    return node["kind"] == "decision" and (node["bpmn_type"] or "") == "parallelGateway"


def _build_flow(src: ProcedureSource) -> _Flow:
    nodes = {n["id"]: n for n in src.map.nodes}

    def scope_of(nid: int) -> int | None:
        seen = set()
        parent = nodes[nid]["parent_node_id"]
        while parent in nodes and parent not in seen:
            if nodes[parent]["kind"] == "subprocess":
                return parent
            seen.add(parent)
            parent = nodes[parent]["parent_node_id"]
        return None

    scope = {nid: scope_of(nid) for nid in nodes}
    succ: dict[int, list[tuple[dict, int]]] = defaultdict(list)
    pred: dict[int, list[int]] = defaultdict(list)
    data_use: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for e in sorted(src.map.edges, key=lambda r: r["id"]):
        s, t = e["source_id"], e["target_id"]
        if s not in nodes or t not in nodes or s == t and nodes[s]["kind"] not in FLOW_KINDS:
            continue
        ks, kt = nodes[s]["kind"], nodes[t]["kind"]
        if ks in ("document", "record") and kt in FLOW_KINDS:
            data_use[s].append((t, "used"))
        elif kt in ("document", "record") and ks in FLOW_KINDS:
            data_use[t].append((s, "made"))
        elif (e["kind"] or "sequence") not in NOT_FLOW and ks in FLOW_KINDS \
                and kt in FLOW_KINDS and scope[s] == scope[t]:
            if all(t != t2 for _e, t2 in succ[s]):
                succ[s].append((e, t))
                pred[t].append(s)
    return _Flow(src, nodes, dict(succ), dict(pred), scope, data_use=dict(data_use),
                 lanes={ln["id"]: ln for ln in src.map.lanes})


def _order(flow: _Flow, scope: int | None) -> tuple[list[int], list[int]]:
    """The flow nodes of one scope in reading order: (reached from the start, the rest).

    Back edges (loops) are found by a depth-first walk from the start events (by id; without
    start events, from the shapes nothing flows into, else the first shape); the rest of the
    edges form an acyclic graph, ordered topologically, always continuing with the first
    branch that became ready (a stack), so a chain of steps stays together and a step where
    branches merge comes after all of them."""
    members = sorted(n for n, sc in flow.scope.items()
                     if sc == scope and flow.nodes[n]["kind"] in FLOW_KINDS)
    reached_all: list[int] = []
    rest_all: list[int] = []
    remaining = list(members)
    first = True
    while remaining:
        left = set(remaining)
        starts = [n for n in remaining if flow.nodes[n]["kind"] == "start"] if first else []
        if not starts:
            starts = [n for n in remaining if not any(p in left for p in flow.pred.get(n, ()))]
        if not starts:
            starts = [remaining[0]]
        order = _walk(flow, starts, left)
        (reached_all if first else rest_all).extend(order)
        done = set(order)
        remaining = [n for n in remaining if n not in done]
        first = False
    return reached_all, rest_all


def _walk(flow: _Flow, roots: list[int], allowed: set[int]) -> list[int]:
    back: set[tuple[int, int]] = set()
    reached: list[int] = []
    state: dict[int, int] = {}  # 1 on the stack, 2 done
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        reached.append(root)
        stack = [(root, iter(flow.succ.get(root, ())))]
        while stack:
            nid, it = stack[-1]
            for _e, t in it:
                if t not in allowed:
                    continue
                if state.get(t) == 1:
                    back.add((nid, t))
                elif t not in state:
                    state[t] = 1
                    reached.append(t)
                    stack.append((t, iter(flow.succ.get(t, ()))))
                    break
            else:
                state[nid] = 2
                stack.pop()
    inside = set(reached)
    indeg = {n: 0 for n in reached}
    for n in reached:
        for _e, t in flow.succ.get(n, ()):
            if t in inside and (n, t) not in back:
                indeg[t] += 1
    out: list[int] = []
    ready = [r for r in reversed(roots) if r in inside and indeg[r] == 0]
    placed: set[int] = set()
    while ready:
        nid = ready.pop()
        if nid in placed:
            continue
        placed.add(nid)
        out.append(nid)
        for _e, t in reversed(flow.succ.get(nid, ())):
            if t in inside and (nid, t) not in back:
                indeg[t] -= 1
                if indeg[t] == 0:
                    ready.append(t)
    for n in reached:  # (cannot happen: every reached node is placed; kept as a guard)
        if n not in placed:
            out.append(n)
    return out


# --------------------------------------------------------------------------- rendering


def render(src: ProcedureSource) -> dict[str, str]:
    """The sections from data already read (:func:`load_source`)."""
    flow = _build_flow(src)
    procedure = _procedure(flow)
    return {
        "purpose": _paragraphs(src.process.purpose),
        "scope": _scope(flow),
        "responsibilities": _responsibilities(flow),
        "procedure": procedure,
        "records": _records(flow),
        "references": _references(flow),
    }


def _procedure(flow: _Flow) -> str:
    reached, rest = _order(flow, None)
    _assign_numbers(flow, reached + rest, None)
    lines: list[str] = []
    starts = [n for n in reached if flow.nodes[n]["kind"] == "start"]
    named = [md_escape(flow.name(n)) for n in starts if (flow.nodes[n]["name"] or "").strip()]
    if len(named) == 1:
        lines += [f"The procedure starts when: *{named[0]}*.", ""]
    elif named:
        lines += ["The procedure starts with any of: " + "; ".join(f"*{x}*" for x in named)
                  + ".", ""]
    items = _items(flow, reached, 0)
    lines += items
    other = _items(flow, rest, 0)
    if other:
        if items:
            lines.append("")
        lines += ["**Other steps** (on the map, but not reached from its start):", ""]
        lines += other
    if not items and not other:
        return ""
    return "\n".join(lines).rstrip("\n")


def _assign_numbers(flow: _Flow, order: list[int], scope: int | None) -> None:
    n = 0
    for nid in order:
        if flow.numbered(nid):
            n += 1
            flow.number[nid] = n


def _items(flow: _Flow, order: list[int], depth: int) -> list[str]:
    indent = "   " * depth
    out: list[str] = []
    for nid in order:
        if nid not in flow.number:
            continue
        out.append(f"{indent}{flow.number[nid]}. {_item(flow, nid)}")
        node = flow.nodes[nid]
        if node["kind"] == "subprocess":
            kids = [k for k, sc in flow.scope.items() if sc == nid]
            if kids and depth + 1 < MAX_DEPTH:
                inner_reached, inner_rest = _order(flow, nid)
                _assign_numbers(flow, inner_reached + inner_rest, nid)
                out += _items(flow, inner_reached + inner_rest, depth + 1)
    return out


def _go(flow: _Flow, here: int, target: int, verb_next: str = "") -> str:
    """"continue with step 4", "go to step 9 (Name)", "go back to step 2 (Name)", "the
    process ends (Name)"."""
    node = flow.nodes[target]
    if node["kind"] == "end":
        name = (node["name"] or "").strip()
        return f"the process ends (*{md_escape(_short(name))}*)" if name \
            else "the process ends"
    n = flow.number[target]
    label = md_escape(_short(flow.name(target)))
    if n == here + 1 and verb_next:
        return f"{verb_next} step {n}"
    if n == here:
        return f"repeat step {n}"
    if n < here:
        return f"go back to step {n} ({label})"
    return f"go to step {n} ({label})"


def _uses(flow: _Flow, nid: int) -> tuple[str, str]:
    """("QP-02 rev. B, Customer drawing", "F-04-01, NCR form") — what a step uses and the
    records it makes."""
    uses, makes = [], []
    for doc, link in flow.src.links.get(nid, ()):
        (makes if link == "record" else uses).append(md_escape(doc.short))
    for shape, pairs in sorted(flow.data_use.items()):
        for step, how in pairs:
            if step == nid:
                text = md_escape(_short(flow.name(shape)))
                (makes if how == "made" else uses).append(text)
    dedup = lambda xs: list(dict.fromkeys(xs))  # noqa: E731
    return ", ".join(dedup(uses)), ", ".join(dedup(makes))


def _item(flow: _Flow, nid: int) -> str:
    node = flow.nodes[nid]
    here = flow.number[nid]
    role = md_escape(flow.role(nid))
    name = md_escape(flow.name(nid))
    uses, makes = _uses(flow, nid)
    uses_text = f" (uses {uses})" if uses else ""
    if node["kind"] == "decision":
        parts = []
        edges = flow.succ.get(nid, [])
        unlabeled = [e for e, _t in edges if not (e["label"] or e["condition"] or "").strip()]
        for i, (e, t) in enumerate(edges, start=1):
            label = " ".join((e["label"] or e["condition"] or "").split())
            if not label:
                label = "Otherwise" if len(unlabeled) == 1 and len(edges) > 1 \
                    else f"Option {i}"
            label = md_escape(label[:1].upper() + label[1:])
            ts = _edge_targets(flow, t)
            if not ts:
                parts.append(f"*{label}:* no next step is drawn")
            elif len(ts) == 1:
                parts.append(f"*{label}:* " + _go(flow, here, ts[0], "continue with"))
            else:
                parts.append(f"*{label}:* carry out {_parallel_refs(flow, ts)} in parallel")
        who = f" ({role})" if role else ""
        text = f"**Decision: {name}**{who}{uses_text}"
        if parts:
            text += " — " + "; ".join(parts) + "."
        else:
            text += " — no answers are drawn on the map."
        return text
    head = f"**{role}** — " if role else ""
    if node["kind"] == "subprocess":
        called = flow.src.called.get(node["subprocess_id"])
        note = "sub-process"
        if called:
            note += ": see process " + md_escape(" ".join(p for p in called if p))
        if uses:
            note += f"; uses {uses}"
        body = _sentence(f"{name} ({note})")
    elif node["kind"] == "event":
        body = _sentence(f"*Event:* {name}{uses_text}")
    else:
        body = _sentence(f"{name}{uses_text}")
    desc = _paragraphs(node["description"] or "").replace("\n\n", " ")
    if desc:
        body += " " + _sentence(desc)
    if makes:
        body += f" Record: {makes}."
    body += _next(flow, nid, here)
    return head + body


def _edge_targets(flow: _Flow, t: int) -> list[int]:
    node = flow.nodes[t]
    if flow.numbered(t) or node["kind"] == "end":
        return [t]
    return flow.targets(t, frozenset({t}))


def _next(flow: _Flow, nid: int, here: int) -> str:
    ts = flow.targets(nid)
    if not ts:
        return " The map shows no next step."
    if len(ts) == 1:
        t = ts[0]
        if flow.nodes[t]["kind"] == "end":
            return " " + _sentence(_cap(_go(flow, here, t)))
        if flow.number[t] == here + 1:
            return ""
        return " Then " + _sentence(_go(flow, here, t))
    return f" Then carry out {_parallel_refs(flow, ts)} in parallel."


def _parallel_refs(flow: _Flow, targets: list[int]) -> str:
    """"step 4 (Invoice) and step 5 (Mail confirmation)"."""
    refs = []
    for t in targets:
        if flow.nodes[t]["kind"] == "end":
            refs.append(_go(flow, 0, t))
        else:
            refs.append(f"step {flow.number[t]} ({md_escape(_short(flow.name(t)))})")
    return ", ".join(refs[:-1]) + " and " + refs[-1] if len(refs) > 1 else refs[0]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- other sections


def _scope(flow: _Flow) -> str:
    p = flow.src.process
    title = md_escape(" ".join(x for x in (p.code, p.name) if (x or "").strip()))
    starts = [n for n in sorted(flow.nodes) if flow.nodes[n]["kind"] == "start"
              and flow.scope[n] is None and (flow.nodes[n]["name"] or "").strip()]
    ends = [n for n in sorted(flow.nodes) if flow.nodes[n]["kind"] == "end"
            and flow.scope[n] is None and (flow.nodes[n]["name"] or "").strip()]
    quote = lambda ns: " or ".join(f"“{md_escape(flow.name(n))}”" for n in ns)  # noqa: E731
    text = f"This procedure covers the process {title}" if title else ""
    if text and starts and ends:
        text += f", from {quote(starts)} to {quote(ends)}"
    elif text and starts:
        text += f", starting from {quote(starts)}"
    lines = [text + "." if text else ""]
    fields = (("Suppliers", p.suppliers), ("Inputs", p.inputs), ("Outputs", p.outputs),
              ("Customers", p.customers))
    bullets = [f"- **{k}:** {md_escape(v)}" for k, v in fields if (v or "").strip()]
    if bullets:
        lines += ["", *bullets] if lines[0] else bullets
    return "\n".join(x for i, x in enumerate(lines) if x or i).strip("\n")


def _all_numbered(flow: _Flow) -> list[int]:
    """Top-level numbered nodes in number order."""
    return sorted((n for n in flow.number if flow.scope[n] is None),
                  key=lambda n: flow.number[n])


def _responsibilities(flow: _Flow) -> str:
    steps = _all_numbered(flow)
    owner_id = flow.src.process.owner_role_id
    owner = flow.src.roles.get(owner_id, "") if owner_id is not None else ""
    if not steps and not owner:
        return ""
    rows: dict[str, tuple[list[int], list[int]]] = {}
    for lane in flow.src.map.lanes:
        name = flow.src.roles.get(lane["role_id"]) if lane["role_id"] is not None else None
        name = " ".join((name or lane["name"] or "").split())
        if name:
            rows.setdefault(name, ([], []))
    unassigned = ([], [])
    for nid in steps:
        role = flow.role(nid)
        target = rows.setdefault(role, ([], [])) if role else unassigned
        node = flow.nodes[nid]
        (target[1] if node["kind"] == "decision" and not _parallel(node) else target[0]) \
            .append(flow.number[nid])
    if owner:
        rows.setdefault(" ".join(owner.split()), ([], []))
    lines = ["R = carries out the step (its lane on the map); A = accountable for the process "
             "as its owner. Numbers are the steps in section Procedure.", "",
             "| Role | Carries out (R) | Decides | Accountable (A) |", "|---|---|---|---|"]
    owner_name = " ".join(owner.split())
    for name, (does, decides) in rows.items():
        lines.append(f"| {md_escape(name)} | {_ranges(does) or '—'} | "
                     f"{_ranges(decides) or '—'} | {'A' if name == owner_name else ''} |")
    if unassigned[0] or unassigned[1]:
        lines.append(f"| *No role on the map* | {_ranges(unassigned[0]) or '—'} | "
                     f"{_ranges(unassigned[1]) or '—'} |  |")
    if not owner:
        lines += ["", "The process has no owner role; name one on the process to show who is "
                  "accountable."]
    return "\n".join(lines)


def _step_ref(flow: _Flow, steps: list[int]) -> str:
    nums = sorted({flow.number[s] for s in steps if s in flow.number and flow.scope[s] is None})
    if len(nums) == 1:
        nid = next(s for s in steps if flow.number.get(s) == nums[0] and flow.scope[s] is None)
        return f"step {nums[0]} ({md_escape(_short(flow.name(nid)))})"
    return _steps_phrase(nums) if nums else ""


def _records(flow: _Flow) -> str:
    lines: list[str] = []
    shape_docs: dict[int, list[DocRef]] = {
        nid: [d for d, _k in links] for nid, links in flow.src.links.items()
        if flow.nodes.get(nid, {}).get("kind") in ("document", "record")}
    for nid in sorted(flow.nodes):
        node = flow.nodes[nid]
        if node["kind"] not in ("document", "record"):
            continue
        uses = flow.data_use.get(nid, [])
        made = [s for s, how in uses if how == "made"]
        used = [s for s, how in uses if how == "used"]
        linked = shape_docs.get(nid, [])
        is_form = any(d.kind in ("form", "record") for d in linked) or any(
            k == "record" for _d, k in flow.src.links.get(nid, ()))
        if node["kind"] == "document" and not made and not is_form:
            continue  # a document the flow reads, not a record it makes
        text = f"**{md_escape(flow.name(nid))}**"
        if linked:
            text += " (" + ", ".join(md_escape(" ".join(x for x in (d.number, d.title) if x))
                                     for d in linked) + ")"
        if made and _step_ref(flow, made):
            text += f" — made at {_step_ref(flow, made)}"
        elif used and _step_ref(flow, used):
            text += f" — used at {_step_ref(flow, used)}"
        else:
            text += " — not connected to a step on the map"
        lines.append(f"- {text}")
    by_doc: dict[int, tuple[DocRef, list[int]]] = {}
    for nid in sorted(flow.src.links):
        if flow.nodes.get(nid, {}).get("kind") in ("document", "record"):
            continue
        for doc, link in flow.src.links[nid]:
            if link == "record":
                by_doc.setdefault(doc.id, (doc, []))[1].append(nid)
    for doc, steps in sorted(by_doc.values(), key=lambda t: (_natural(t[0].number), t[0].id)):
        name = md_escape(" ".join(x for x in (doc.number, doc.title) if x))
        where = _step_ref(flow, steps)
        lines.append(f"- **{name}**" + (f" — made at {where}" if where else ""))
    return "\n".join(lines)


def _references(flow: _Flow) -> str:
    src = flow.src
    blocks: list[list[str]] = []
    docs: dict[int, tuple[DocRef, list[int]]] = {}
    for nid in sorted(src.links):
        for doc, _link in src.links[nid]:
            docs.setdefault(doc.id, (doc, []))[1].append(nid)
    if docs:
        lines = ["**Documents**", ""]
        for doc, steps in sorted(docs.values(), key=lambda t: (_natural(t[0].number), t[0].id)):
            text = md_escape(doc.short) + (f" {md_escape(doc.title)}" if doc.title else "")
            where = _steps_phrase([flow.number[s] for s in steps if s in flow.number
                                   and flow.scope[s] is None]) if any(
                s in flow.number and flow.scope[s] is None for s in steps) else ""
            lines.append(f"- {text}" + (f" — {where}" if where else ""))
        blocks.append(lines)
    calls: dict[int, list[int]] = {}
    for nid in sorted(flow.nodes):
        sp = flow.nodes[nid]["subprocess_id"]
        if sp in src.called:
            calls.setdefault(sp, []).append(nid)
    if calls:
        lines = ["**Processes**", ""]
        for pid, steps in sorted(calls.items(),
                                 key=lambda t: (_natural(src.called[t[0]][0]), t[0])):
            text = md_escape(" ".join(x for x in src.called[pid] if x))
            where = _step_ref(flow, steps)
            lines.append(f"- {text}" + (f" — {where}" if where else ""))
        blocks.append(lines)
    if src.risks:
        lines = ["**Risks and opportunities**", ""]
        for r in src.risks:
            text = md_escape(" ".join(x for x in (r.ref, r.title) if x))
            if r.kind == "opportunity":
                text += " (opportunity" + (f", {md_escape(r.rating)})" if r.rating else ")")
            elif r.rating:
                text += f" ({md_escape(r.rating)})"
            if r.node_id is not None and r.node_id in flow.number \
                    and flow.scope[r.node_id] is None:
                text += f" — {_step_ref(flow, [r.node_id])}"
            lines.append(f"- {text}")
        blocks.append(lines)
    training = _training(flow)
    if training:
        blocks.append(["**Required training**", ""] + training)
    return "\n\n".join("\n".join(b) for b in blocks)


def _training(flow: _Flow) -> list[str]:
    src = flow.src
    role_ids: list[int] = []
    for lane in src.map.lanes:
        if lane["role_id"] is not None and lane["role_id"] not in role_ids:
            role_ids.append(lane["role_id"])
    for nid in sorted(flow.nodes):
        rid = flow.nodes[nid]["role_id"]
        if rid is not None and rid not in role_ids:
            role_ids.append(rid)
    used_docs = {doc.id for links in src.links.values() for doc, _k in links}
    need: dict[int, tuple[CourseRef, list[str]]] = {}
    for rid in role_ids:
        name = src.roles.get(rid)
        if name is None:
            continue
        for course in src.role_courses.get(rid, ()):
            if course.document_id is not None and course.document_id not in used_docs:
                continue  # training on another procedure: that procedure names it
            entry = need.setdefault(course.id, (course, []))
            if name not in entry[1]:
                entry[1].append(name)
    for nid in sorted(src.links):
        if nid not in flow.nodes or flow.nodes[nid]["kind"] in ("document", "record"):
            continue
        role = flow.role(nid)
        for doc, link in src.links[nid]:
            if link != "document":
                continue
            for course in src.doc_courses.get(doc.id, ()):
                entry = need.setdefault(course.id, (course, []))
                if role and role not in entry[1]:
                    entry[1].append(role)
    lines = []
    for course, roles in sorted(need.values(),
                                key=lambda t: (_natural(t[0].code or t[0].title), t[0].id)):
        text = md_escape(" ".join(x for x in (course.code, course.title) if x))
        lines.append(f"- {text}" + (f" — {md_escape(', '.join(roles))}" if roles else ""))
    return lines
