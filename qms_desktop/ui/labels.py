"""Human names for record kinds, fields and audit operations (translated)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _t(text: str) -> str:
    return QCoreApplication.translate("labels", text)


def _entities() -> dict[str, str]:
    # literal strings so lupdate finds them
    return {
        "setting": _t("setting"),
        "organization": _t("organization"),
        "person": _t("person"),
        "role": _t("role"),
        "person_role": _t("person's role"),
        "process": _t("process"),
        "process_lane": _t("process lane"),
        "process_node": _t("process step"),
        "process_edge": _t("process flow"),
        "node_document": _t("step document"),
        "node_objective": _t("step objective"),
        "risk": _t("risk"),
        "risk_rating": _t("risk rating"),
        "action": _t("action"),
        "nonconformity": _t("nonconformity"),
        "nc_cause": _t("cause"),
        "document": _t("document"),
        "revision": _t("revision"),
        "signature": _t("signature"),
        "course": _t("course"),
        "role_course": _t("role requirement"),
        "training_record": _t("training record"),
        "checklist_template": _t("checklist template"),
        "checklist_item": _t("checklist item"),
        "checklist_run": _t("checklist run"),
        "response": _t("checklist response"),
        "finding": _t("finding"),
        "objective": _t("objective"),
        "measurement": _t("measurement"),
        "management_review": _t("management review"),
        "review_item": _t("review item"),
        "context_issue": _t("context issue"),
        "interested_party": _t("interested party"),
        "scope_exclusion": _t("scope exclusion"),
        "audit_event": _t("audit event"),
    }


def entity_label(entity: str) -> str:
    """``training_record`` → "training record" (translated when known)."""
    return _entities().get(entity) or entity.replace("_", " ")


def field_label(field: str) -> str:
    """``quality_policy`` → "quality policy"."""
    known = {
        "name": _t("name"),
        "title": _t("title"),
        "scope": _t("scope"),
        "quality_policy": _t("quality policy"),
        "sites": _t("sites"),
        "status": _t("status"),
        "description": _t("description"),
        "due_date": _t("due date"),
    }
    return known.get(field) or field.replace("_", " ")


def op_label(op: str) -> str:
    return {
        "insert": _t("Created"),
        "update": _t("Changed"),
        "delete": _t("Deleted"),
    }.get(op, op)
