"""The implementation roadmap's facts, read from the workspace in a few plain queries.

:func:`facts` gathers the numbers :mod:`qms_desktop.core.roadmap` judges (counts, dates,
booleans; no rows); :func:`roadmap` gives the ten steps at once. Two facts cannot be read from
records and are confirmed by the user: leadership commitment (:func:`set_commitment`) and the
booked certification audit (:func:`set_certification`). They are kept in the ``setting`` table
(``roadmap.commitment``, ``roadmap.certification``, JSON) by writing services that return a
:class:`Change`, so they are audited and undoable like every edit.

The training figure is the competence matrix's (``services.training.summary``): the share of
required cells that are current or expiring; the trainings to catch up on are its ``late``
(expired, missing, retraining past its grace period: the Training page's "to train now").
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, select

from ..core.dates import stored_date as _day
from ..core import roadmap as rules
from ..storage import models as m
from ..storage.workspace import Workspace
from .records import Change, RecordError

COMMITMENT_KEY = "roadmap.commitment"
CERTIFICATION_KEY = "roadmap.certification"
#: the longest name of a certification body or of who confirmed the commitment
MAX_NAME = 200
#: node kinds that make a process "mapped"
STEP_KINDS = ("step", "subprocess")
#: document kinds counted as procedures
PROCEDURE_KINDS = ("procedure", "work_instruction")


@dataclass(frozen=True)
class Confirmation:
    on: dt.date | None
    #: who confirmed the commitment / the certification body
    text: str = ""


# --------------------------------------------------------------------------- confirmations

def _read_setting(c, key: str) -> Confirmation:
    text = c.execute(select(m.Setting.value).where(m.Setting.key == key)).scalar()
    if not text:
        return Confirmation(None)
    try:
        data = json.loads(text)
    except ValueError:
        return Confirmation(None)
    if not isinstance(data, dict):
        return Confirmation(None)
    return Confirmation(_day(data.get("on")), str(data.get("text") or ""))


def confirmations(ws: Workspace) -> tuple[Confirmation, Confirmation]:
    """(leadership commitment, certification audit) as confirmed by the user."""
    with ws.connect() as c:
        return _read_setting(c, COMMITMENT_KEY), _read_setting(c, CERTIFICATION_KEY)


def _clean_day(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RecordError(f"The {what} must be a date such as 2026-03-31.") from None


def _write(ws: Workspace, key: str, value: dict | None) -> Change:
    with ws.session() as s:
        row = s.scalars(select(m.Setting).where(m.Setting.key == key)).first()
        if value is None:
            if row is not None:
                s.delete(row)
        else:
            text = json.dumps(value, sort_keys=True)
            if row is None:
                s.add(m.Setting(key=key, value=text))
            elif row.value != text:
                row.value = text
    return Change.of(s, result=value)


def set_commitment(ws: Workspace, on: Any, by: str = "") -> Change:
    """Record that top management committed to the QMS on ``on`` (``by`` whom); ``on=None``
    withdraws the confirmation."""
    if on is None:
        return _write(ws, COMMITMENT_KEY, None)
    day = _clean_day(on, "day of the commitment")
    by = (by or "").strip()
    if len(by) > MAX_NAME:
        raise RecordError(f"The name is too long (at most {MAX_NAME} characters).")
    return _write(ws, COMMITMENT_KEY, {"on": day.isoformat(), "text": by})


def set_certification(ws: Workspace, on: Any, body: str = "") -> Change:
    """Record the certification audit booked for ``on`` with ``body``; ``on=None`` clears it."""
    if on is None:
        return _write(ws, CERTIFICATION_KEY, None)
    day = _clean_day(on, "day of the certification audit")
    body = (body or "").strip()
    if not body:
        raise RecordError("Name the certification body that will audit you.")
    if len(body) > MAX_NAME:
        raise RecordError(f"The certification body's name is too long (at most {MAX_NAME} "
                          "characters).")
    return _write(ws, CERTIFICATION_KEY, {"on": day.isoformat(), "text": body})


# --------------------------------------------------------------------------- facts

def facts(ws: Workspace, today: dt.date | None = None) -> rules.Facts:
    """What the roadmap judges, read from ``ws`` on ``today``."""
    from . import training

    today = today or dt.date.today()
    with ws.connect() as c:
        v = dict(today=today)
        v.update(_organization(c))
        commitment = _read_setting(c, COMMITMENT_KEY)
        certification = _read_setting(c, CERTIFICATION_KEY)
        v.update(commitment_on=commitment.on, commitment_by=commitment.text,
                 certification_on=certification.on, certification_body=certification.text)
        v.update(_gap(c, today))
        v.update(_objectives(c))
        core = _core_processes(c)
        v.update(_processes(c, core))
        v.update(_people(c, today))
        v.update(_procedures(c))
        v.update(_audits(c, core, today))
        v.update(_review(c, today))
        v["first_record_on"] = _first_record(c, today)
    summary = training.summary(ws, today)
    v.update(training_required=summary.required, training_current=summary.compliant,
             training_late=summary.late)
    return rules.Facts(**v)


def roadmap(ws: Workspace, today: dt.date | None = None, tr=None) -> list[rules.Step]:
    """The ten steps on ``today`` (``tr`` translates their texts)."""
    return rules.steps(facts(ws, today), tr or (lambda t: t))


def _organization(c) -> dict:
    o = m.Organization
    row = c.execute(select(o.name, o.scope, o.quality_policy, o.policy_document_id)
                    .order_by(o.id).limit(1)).first()
    x = m.ScopeExclusion
    n_ex, n_just = c.execute(select(
        func.count(x.id),
        func.count(x.id).filter(func.trim(x.justification) != ""))).one()
    out = dict(exclusions=n_ex or 0, exclusions_justified=n_just or 0)
    if row is None:
        return out
    name, scope, policy, policy_doc = row
    d = m.Document
    doc = None
    if policy_doc is not None:
        doc = c.execute(select(d.id).where(d.id == policy_doc)).scalar()
    if doc is None:  # else any policy document, the one in force first
        doc = c.execute(select(d.id).where(d.kind == "policy", d.status != "obsolete")
                        .order_by((d.status == "effective").desc(), d.id)).scalar()
    statuses = set()
    if doc is not None:
        statuses = set(c.execute(select(m.Revision.status)
                                 .where(m.Revision.document_id == doc)).scalars())
        statuses.add(c.execute(select(d.status).where(d.id == doc)).scalar())
    out.update(organization=(name or "").strip(), scope_set=bool((scope or "").strip()),
               policy_text=bool((policy or "").strip()), policy_document=doc is not None,
               policy_document_id=doc,
               policy_approved=bool(statuses & {"approved", "effective"}),
               policy_effective="effective" in statuses)
    return out


def _gap(c, today: dt.date) -> dict:
    r = m.ChecklistRun
    done = (r.completed_on.is_not(None)) | r.stage.in_(("complete", "follow_up"))
    started, completed = c.execute(select(
        func.count(r.id), func.count(r.id).filter(done)).where(r.kind == "gap_analysis")).one()
    out = dict(gap_started=started or 0, gap_completed=completed or 0)
    if not started:
        return out
    latest = c.execute(select(r.id, r.completed_on, r.stage).where(r.kind == "gap_analysis")
                       .order_by(func.coalesce(r.started_on, r.planned_on).desc(),
                                 r.id.desc()).limit(1)).first()
    from ..core import checklists as crules

    answers = [crules.Answer(clause, result, weight, pdca) for clause, result, weight, pdca in
               c.execute(select(m.ChecklistItem.clause, m.Response.result,
                                m.ChecklistItem.weight, m.ChecklistItem.pdca)
                         .join(m.ChecklistItem, m.ChecklistItem.id == m.Response.item_id)
                         .where(m.Response.run_id == latest.id))]
    sc = crules.score(answers)
    finished = (latest.completed_on is not None or latest.stage in ("complete", "follow_up")
                or (sc.total > 0 and sc.assessed >= sc.total))
    if finished and not completed:
        out["gap_completed"] = 1
    out.update(gap_score=sc.percent, gap_answered=sc.assessed, gap_items=sc.total,
               gap_run_id=None if finished else latest.id)
    return out


def _objectives(c) -> dict:
    o = m.Objective
    live = o.status.not_in(("closed", "cancelled", "retired"))
    n, with_target = c.execute(select(
        func.count(o.id), func.count(o.id).filter(o.target.is_not(None))).where(live)).one()
    measured = c.execute(select(func.count(distinct(m.Measurement.objective_id)))
                         .join(o, o.id == m.Measurement.objective_id).where(live)).scalar()
    return dict(objectives=n or 0, objectives_with_target=with_target or 0,
                objectives_measured=measured or 0)


def _core_processes(c) -> list[tuple[int, int | None]]:
    """(id, owner role) of the core processes: top-level and not retired, by code."""
    p = m.Process
    return c.execute(select(p.id, p.owner_role_id)
                     .where(p.parent_id.is_(None), p.status != "retired")
                     .order_by(p.code, p.name, p.id)).all()


def _processes(c, core) -> dict:
    n = m.ProcessNode
    steps = dict(c.execute(select(n.process_id, func.count(n.id))
                           .where(n.kind.in_(STEP_KINDS)).group_by(n.process_id)).all())
    mapped = [pid for pid, _o in core if steps.get(pid, 0) >= rules.MIN_MAP_STEPS]
    unmapped = next((pid for pid, _o in core if steps.get(pid, 0) < rules.MIN_MAP_STEPS), None)
    return dict(processes=len(core), processes_mapped=len(mapped),
                processes_with_owner=sum(1 for _p, owner in core if owner is not None),
                unmapped_process_id=unmapped)


def _people(c, today: dt.date) -> dict:
    p, pr = m.Person, m.PersonRole
    active = p.active.is_(True) & (p.left_on.is_(None) | (p.left_on > today))
    people = c.execute(select(func.count(p.id)).where(active)).scalar() or 0
    holding = (pr.valid_from.is_(None) | (pr.valid_from <= today)) & \
              (pr.valid_to.is_(None) | (pr.valid_to >= today))
    with_role = c.execute(select(func.count(distinct(pr.person_id)))
                          .join(p, p.id == pr.person_id).where(active, holding)).scalar() or 0
    roles = c.execute(select(func.count(m.Role.id))).scalar() or 0
    return dict(roles=roles, people=people, people_with_role=with_role)


def _procedures(c) -> dict:
    d, r = m.Document, m.Revision
    live = d.kind.in_(PROCEDURE_KINDS) & (d.status != "obsolete")
    total = c.execute(select(func.count(d.id)).where(live)).scalar() or 0
    in_force = c.execute(select(func.count(distinct(d.id)))
                         .join(r, r.document_id == d.id)
                         .where(live, r.status == "effective")).scalar() or 0
    return dict(procedures=total, procedures_effective=in_force)


def _audits(c, core, today: dt.date) -> dict:
    r = m.ChecklistRun
    audit = r.kind == "internal_audit"
    done = r.completed_on.is_not(None) | r.stage.in_(("complete", "follow_up"))
    planned, n_done = c.execute(select(
        func.count(r.id), func.count(r.id).filter(done)).where(audit)).one()
    nxt = c.execute(select(func.min(func.coalesce(r.planned_on, r.started_on)))
                    .where(audit, ~done,
                           func.coalesce(r.planned_on, r.started_on) >= today)).scalar()
    audited = set(c.execute(select(distinct(r.process_id))
                            .where(audit, r.process_id.is_not(None))).scalars())
    return dict(audits_planned=planned or 0, audits_done=n_done or 0, next_audit_on=_day(nxt),
                processes_audited=sum(1 for pid, _o in core if pid in audited))


def _review(c, today: dt.date) -> dict:
    v = m.ManagementReview
    held = v.held_on.is_not(None) & (v.held_on <= today) & \
        v.status.not_in(("planned", "cancelled"))
    n, last = c.execute(select(func.count(v.id), func.max(v.held_on)).where(held)).one()
    nc = m.Nonconformity
    closed = nc.status == "closed"
    n_open, n_closed, n_checked = c.execute(select(
        func.count(nc.id).filter(~closed), func.count(nc.id).filter(closed),
        func.count(nc.id).filter(closed, nc.effective.is_not(None)))).one()
    return dict(reviews_held=n or 0, last_review_on=_day(last), ncs_open=n_open or 0,
                ncs_closed=n_closed or 0, ncs_checked=n_checked or 0)


def _first_record(c, today: dt.date) -> dt.date | None:
    """The first day the system produced records: the earliest measurement, internal audit
    done, or nonconformity."""
    r = m.ChecklistRun
    days = [
        c.execute(select(func.min(m.Measurement.measured_on))).scalar(),
        c.execute(select(func.min(func.coalesce(r.completed_on, r.started_on)))
                  .where(r.kind == "internal_audit",
                         func.coalesce(r.completed_on, r.started_on).is_not(None))).scalar(),
        c.execute(select(func.min(m.Nonconformity.detected_on))).scalar(),
    ]
    found = [d for d in (_day(x) for x in days) if d is not None and d <= today]
    return min(found) if found else None
