"""The register's columns: what each shows, how it is edited and sorted."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication


def tr(text: str) -> str:
    return QCoreApplication.translate("risks", text)


#: column kinds
TEXT, LONGTEXT, RATING5, RATING10, CHOICE, DATE, LINK, NUMBER, LEVEL, AP, ACTIONS = (
    "text", "longtext", "rating5", "rating10", "choice", "date", "link", "number", "level", "ap",
    "actions")

#: ratings and computed values that belong to one scoring method
FIVE_BY_FIVE = frozenset({"inherent_likelihood", "inherent_impact", "inherent_score",
                          "inherent_level", "residual_likelihood", "residual_impact",
                          "residual_score", "residual_level"})
FMEA = frozenset({"failure_mode", "severity", "occurrence", "detection", "rpn", "ap"})


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str
    tooltip: str = ""
    width: int = 90
    #: the RiskRow attribute shown (link columns show the name, edit the id)
    display: str = ""

    @property
    def editable(self) -> bool:
        return self.kind not in (NUMBER, LEVEL, AP, ACTIONS)

    @property
    def attr(self) -> str:
        return self.display or self.key

    @property
    def method(self) -> str:
        """"5x5" or "fmea" for method-specific columns, "" for the others."""
        if self.key in FIVE_BY_FIVE:
            return "5x5"
        if self.key in FMEA:
            return "fmea"
        return ""


def all_columns() -> tuple[Column, ...]:
    return (
        Column("ref", tr("ID"), TEXT, tr("Reference of the risk"), 76),
        Column("title", tr("Title"), TEXT, tr("What could happen"), 220),
        Column("kind", tr("Kind"), CHOICE, tr("Risk or opportunity"), 90),
        Column("category", tr("Category"), TEXT, width=110),
        Column("process_id", tr("Process"), LINK, tr("The process this risk belongs to"), 130,
               display="process"),
        Column("node_id", tr("Step"), LINK, tr("The process step this risk belongs to"), 140,
               display="step"),
        Column("cause", tr("Cause"), LONGTEXT, width=200),
        Column("effect", tr("Effect"), LONGTEXT, width=200),
        Column("owner_id", tr("Owner"), LINK, tr("Who owns this risk"), 130, display="owner"),
        Column("controls", tr("Existing controls"), LONGTEXT, width=200),
        Column("treatment", tr("Treatment"), LONGTEXT, width=200),
        Column("status", tr("Status"), CHOICE, width=95),
        Column("review_date", tr("Review date"), DATE, tr("When the risk is reviewed next"),
               110),
        Column("identified_on", tr("Identified on"), DATE, width=100),
        Column("method", tr("Method"), CHOICE,
               tr("How the risk is scored: 5×5 likelihood × impact, FMEA, or both"), 95),
        Column("inherent_likelihood", tr("Inh. L"), RATING5,
               tr("Inherent likelihood (before controls), 1–5"), 58),
        Column("inherent_impact", tr("Inh. I"), RATING5,
               tr("Inherent impact (before controls), 1–5"), 58),
        Column("inherent_score", tr("Inh. score"), NUMBER,
               tr("Inherent score: likelihood × impact"), 70),
        Column("inherent_level", tr("Inherent level"), LEVEL,
               tr("Inherent level from the banding"), 100),
        Column("residual_likelihood", tr("Res. L"), RATING5,
               tr("Residual likelihood (with controls and treatment), 1–5"), 58),
        Column("residual_impact", tr("Res. I"), RATING5,
               tr("Residual impact (with controls and treatment), 1–5"), 58),
        Column("residual_score", tr("Res. score"), NUMBER,
               tr("Residual score: likelihood × impact"), 70),
        Column("residual_level", tr("Residual level"), LEVEL,
               tr("Residual level from the banding"), 100),
        Column("failure_mode", tr("Failure mode"), TEXT, tr("FMEA failure mode"), 180),
        Column("severity", tr("S"), RATING10, tr("FMEA severity, 1–10"), 42),
        Column("occurrence", tr("O"), RATING10, tr("FMEA occurrence, 1–10"), 42),
        Column("detection", tr("D"), RATING10,
               tr("FMEA detection, 1–10 (10 = the failure would not be detected)"), 42),
        Column("rpn", tr("RPN"), NUMBER, tr("Risk priority number S × O × D"), 56),
        Column("ap", tr("AP"), AP, tr("AIAG-VDA Action Priority (High, Medium, Low)"), 96),
        Column("actions", tr("Actions"), ACTIONS,
               tr("Open treatment actions, and how many are overdue"), 120),
        Column("notes", tr("Notes"), LONGTEXT, width=200),
    )


#: the columns shown at first, in order: what a risk is, then its levels (so they are on screen
#: next to the title even in a narrow window), then who looks after it and when
DEFAULT_VISIBLE = ("ref", "title", "process_id", "inherent_likelihood", "inherent_impact",
                   "inherent_level", "residual_likelihood", "residual_impact", "residual_level",
                   "owner_id", "status", "review_date", "actions", "method", "severity",
                   "occurrence", "detection", "rpn", "ap")
