"""Read a risk register from an .xlsx workbook or a .csv file and turn it into a per-row report.

The generic reading (files, sheets, header rows, merged cells, footers, ratings as words or
percentages, people lists) is :mod:`qms_desktop.services.imports.table`; this module is what is
particular to risks: the fields and their header synonyms, how an FMEA sheet differs from a 5×5
register, status/kind/method texts and the checks of one risk. No database here:
:func:`parse_rows` returns an :class:`ImportPreview` (a dry run) whose ``records`` the storage
layer then writes in one transaction.

Typical use::

    source = open_table(path)                  # ImportFileError on a hostile or broken file
    choice = source.choose_sheet()             # legend sheets passed over, best header wins
    headers = source.headers(choice.sheet, choice.header_row)
    mapping = guess_mapping(headers, source.sample_rows(choice.sheet, choice.header_row))
    preview = parse_rows(source, choice.sheet, mapping,
                         ImportOptions(header_row=choice.header_row))
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from qms_desktop.core.risk import KINDS, STATUSES, normalize_words, score
from qms_desktop.services.exports.cells import MAX_CELL_TEXT
from qms_desktop.services.imports import table
from qms_desktop.services.imports.table import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    HeaderForms,
    ImportFileError,
    RatingColumn,
    RatingReader,
    Schema,
    SkippedRow,
    TableSource,
    cell_name,
    cell_text,
    column_letter,
    parse_date,
    split_people,
)

__all__ = [
    "COMPUTED_HEADERS",
    "DATE_FIELDS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "FIELD_LABELS",
    "JOINABLE_FIELDS",
    "KIND_LABELS",
    "METHOD_LABELS",
    "MAPPABLE_FIELDS",
    "RATING_FIELDS",
    "RISK_FIELDS",
    "SCHEMA",
    "TEXT_FIELDS",
    "ImportFileError",
    "ImportOptions",
    "ImportPreview",
    "RowResult",
    "STATUS_LABELS",
    "TableSource",
    "computed_columns",
    "guess_header_row",
    "guess_mapping",
    "open_table",
    "parse_date",
    "parse_kind",
    "parse_method",
    "parse_rows",
    "parse_status",
    "resolve_columns",
    "resolve_mapping",
    "scan_ratings",
    "validate_mapping",
]


# --------------------------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------------------------

RISK_FIELDS = (
    "ref", "title", "kind", "category", "process", "step", "cause", "effect", "owner",
    "controls", "treatment", "status", "review_date", "identified_on", "method",
    "inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact",
    "failure_mode", "severity", "occurrence", "detection", "notes",
)
#: Fields a column may be mapped to: the risk fields plus ``description``, which is split
#: into the title (first sentence) and the cause (the rest) when those are not mapped.
MAPPABLE_FIELDS = RISK_FIELDS + ("description",)

TEXT_FIELDS = frozenset({
    "ref", "title", "category", "process", "step", "cause", "effect", "owner", "controls",
    "treatment", "failure_mode", "notes", "description",
})
RATING5_FIELDS = ("inherent_likelihood", "inherent_impact", "residual_likelihood",
                  "residual_impact")
RATING10_FIELDS = ("severity", "occurrence", "detection")
RATING_FIELDS = frozenset(RATING5_FIELDS + RATING10_FIELDS)
DATE_FIELDS = frozenset({"review_date", "identified_on"})
#: Text fields that several columns may feed (joined with a line break), e.g. an FMEA's
#: "Current prevention controls" and "Current detection controls".
JOINABLE_FIELDS = frozenset({"cause", "effect", "controls", "treatment", "notes"})

#: English column titles; the export writes these and guess_mapping recognises them.
FIELD_LABELS = {
    "ref": "ID",
    "title": "Title",
    "kind": "Kind",
    "category": "Category",
    "process": "Process",
    "step": "Process step",
    "cause": "Cause",
    "effect": "Effect",
    "owner": "Owner",
    "controls": "Existing controls",
    "treatment": "Treatment",
    "status": "Status",
    "review_date": "Review date",
    "identified_on": "Identified on",
    "method": "Method",
    "inherent_likelihood": "Inherent likelihood",
    "inherent_impact": "Inherent impact",
    "residual_likelihood": "Residual likelihood",
    "residual_impact": "Residual impact",
    "failure_mode": "Failure mode",
    "severity": "Severity (S)",
    "occurrence": "Occurrence (O)",
    "detection": "Detection (D)",
    "notes": "Notes",
    "description": "Description",
}

#: Cell texts the export writes for the coded fields; the parse_* functions read them back.
STATUS_LABELS = {"open": "Open", "treating": "Treating", "monitoring": "Monitoring",
                 "closed": "Closed"}
KIND_LABELS = {"risk": "Risk", "opportunity": "Opportunity"}
METHOD_LABELS = {"5x5": "5×5", "fmea": "FMEA", "both": "5×5 + FMEA"}

_MAX_LENGTH = {"ref": 40, "category": 120}


# --------------------------------------------------------------------------------------------
# Header synonyms (whole phrases; normalised by table.norm_header)
# --------------------------------------------------------------------------------------------

_GROUPS: list[tuple[tuple[str, ...], tuple[str, ...]]] = []


def _add(fields: tuple[str, ...], *names: str) -> None:
    _GROUPS.append((fields, names))


_add(("ref",),
     "ID", "Ref", "Ref.", "Reference", "Risk ID", "Risk_ID", "Risk ref", "Risk reference",
     "Risk no", "Risk number", "Risk nr", "No", "Nr", "Number", "Key", "Identifier", "Code",
     "Risk code", "Item", "Item no", "Opportunity ID", "Risk/Opportunity ID", "ID risque",
     "Risque ID", "N° risque", "No risque", "N°", "Numéro", "Numéro risque", "Référence",
     "Référence risque", "Réf", "Réf risque", "Identifiant", "Risiko ID", "Risiko-Nr",
     "Risikonummer", "Risiko Nr", "Nummer", "Lfd Nr", "Lfd. Nr.", "Kennung", "ID-Nr")
_add(("title",),
     "Title", "Risk", "Risk title", "Name", "Risk name", "Short description", "Summary",
     "Risk summary", "Risk/Opportunity", "Risk or opportunity title", "Opportunity",
     "Titre", "Intitulé", "Risque", "Libellé", "Nom", "Nom du risque", "Intitulé du risque",
     "Titel", "Risiko", "Bezeichnung", "Kurzbeschreibung", "Risikobezeichnung", "Chance/Risiko",
     "Risiko/Chance")
_add(("description",),
     "Description", "Risk description", "Risk_Description", "Details", "Risk details",
     "Detail", "Event", "Risk event", "Risk statement", "Statement", "Scenario",
     "Risk scenario", "Description du risque", "Description risque", "Descriptif",
     "Beschreibung", "Risikobeschreibung", "Sachverhalt")
_add(("kind", "category"), "Type", "Typ", "Art", "Nature", "R/O", "Risk type/opportunity")
_add(("kind",), "Kind", "Risk or opportunity", "Risk/opportunity type", "Risque ou opportunité",
     "Risque/opportunité", "Risiko oder Chance")
_add(("category",),
     "Category", "Risk category", "Categorie", "Catégorie de risque", "Type de risque",
     "Famille", "Famille de risque", "Kategorie", "Risikokategorie", "Risikoart", "Class",
     "Classification", "Area", "Risk area", "Domain", "Domaine", "Bereich", "Risk type",
     "Thema", "Theme", "Thème")
_add(("process",),
     "Process", "Process name", "Business process", "Processus", "Nom du processus",
     "Prozess", "Prozessname", "Geschäftsprozess")
_add(("step",),
     "Step", "Process step", "Activity", "Task", "Operation", "Process function",
     "Process step/function", "Function", "Item/Function", "Étape", "Étape du processus",
     "Activité", "Tâche", "Opération", "Fonction", "Prozessschritt", "Schritt",
     "Arbeitsschritt", "Tätigkeit", "Aktivität", "Funktion", "Arbeitsgang")
_add(("cause",),
     "Cause", "Causes", "Root cause", "Risk cause", "Potential cause", "Potential causes",
     "Cause of failure", "Failure cause", "Potential cause(s) of failure", "Source",
     "Risk source", "Cause racine", "Causes potentielles", "Cause potentielle", "Origine",
     "Source du risque", "Ursache", "Ursachen", "Fehlerursache", "Risikoursache",
     "Mögliche Ursache", "Mögliche Ursachen", "Quelle", "Risikoquelle")
_add(("effect",),
     "Effect", "Effects", "Potential effect", "Potential effects", "Effect of failure",
     "Failure effect", "Potential effect(s) of failure", "Outcome", "Effet", "Effets",
     "Effet de la défaillance", "Conséquences", "Conséquence", "Folge", "Folgen",
     "Fehlerfolge", "Fehlerfolgen", "Wirkung", "Konsequenz", "Konsequenzen")
_add(("owner",),
     "Owner", "Risk owner", "Responsible", "Responsibility", "Accountable", "Assigned to",
     "Owner name", "Action owner", "Propriétaire", "Propriétaire du risque", "Responsable",
     "Pilote", "Porteur", "Porteur du risque", "Verantwortlich", "Verantwortlicher",
     "Verantwortung", "Risikoeigner", "Risikoverantwortlicher", "Eigner", "Zuständig")
_add(("controls",),
     "Controls", "Existing controls", "Current controls", "Controls in place",
     "Control measures", "Current process controls", "Current prevention controls",
     "Current detection controls", "Prevention controls", "Detection controls",
     "Existing measures", "Mesures existantes", "Maîtrise existante", "Moyens de maîtrise",
     "Dispositif de maîtrise", "Contrôles existants", "Mesures de maîtrise existantes",
     "Bestehende Maßnahmen", "Vorhandene Maßnahmen", "Kontrollen", "Bestehende Kontrollen",
     "Vermeidungsmaßnahmen", "Entdeckungsmaßnahmen", "Ist-Maßnahmen",
     "Aktuelle Vermeidungsmaßnahmen", "Aktuelle Entdeckungsmaßnahmen")
_add(("treatment",),
     "Treatment", "Risk treatment", "Treatment plan", "Mitigation", "Mitigation strategy",
     "Mitigation_Strategy", "Mitigation plan", "Mitigation actions", "Mitigating actions",
     "Planned actions", "Actions", "Action plan", "Recommended action", "Recommended actions",
     "Response", "Risk response", "Planned mitigation", "Countermeasures", "Traitement",
     "Plan de traitement", "Plan d'action", "Plan d'actions", "Actions prévues",
     "Mesures prévues", "Mesures d'atténuation", "Atténuation", "Actions recommandées",
     "Mesures", "Maßnahmen", "Massnahmen", "Geplante Maßnahmen", "Maßnahme",
     "Gegenmaßnahmen", "Risikobehandlung", "Behandlung", "Empfohlene Maßnahmen",
     "Abhilfemaßnahmen", "Maßnahmenplan")
_add(("status",), "Status", "State", "Risk status", "Statut", "État", "Etat", "Stand",
     "Zustand", "Bearbeitungsstand")
_add(("review_date",),
     "Review date", "Review_Date", "Next review", "Next review date", "Review", "Date of review",
     "Review by", "Date de revue", "Prochaine revue", "Date revue", "Date de révision",
     "Revue", "Überprüfung", "Überprüfungsdatum", "Nächste Überprüfung", "Review-Datum",
     "Wiedervorlage", "Prüfdatum")
_add(("identified_on",),
     "Identified on", "Date identified", "Identified", "Date raised", "Raised on", "Date",
     "Created", "Created on", "Date created", "Date added", "Entry date", "Date logged",
     "Logged on", "Date d'identification", "Identifié le", "Date de création", "Créé le",
     "Erfasst am", "Erstellt am", "Datum", "Erfassungsdatum", "Identifiziert am")
_add(("method",), "Method", "Scoring method", "Méthode", "Méthode de cotation",
     "Méthode d'évaluation", "Methode", "Methodik", "Bewertungsmethode")
_add(("failure_mode",),
     "Failure mode", "Potential failure mode", "Failure modes", "Failure", "Mode de défaillance",
     "Défaillance", "Mode de défaillance potentiel", "Fehlerart", "Fehler", "Fehlermodus",
     "Möglicher Fehler", "Potenzieller Fehler")
_add(("severity",), "Severity (S)", "S", "Sev", "G", "B", "Bedeutung", "Sévérité",
     "Gravité (G)", "Bedeutung (B)")
_add(("occurrence",), "Occurrence", "Occurence", "Occurrence (O)", "Occ", "O", "A", "Auftreten",
     "Auftreten (A)", "Fréquence (F)", "F", "Occurrence rating")
_add(("detection",), "Detection", "Detection (D)", "Det", "D", "E", "Detectability",
     "Détection", "Détectabilité", "Non-détection", "Entdeckung", "Entdeckung (E)",
     "Entdeckungswahrscheinlichkeit", "Detection rating")
_add(("notes",), "Notes", "Note", "Comments", "Comment", "Remarks", "Remark", "Observations",
     "Commentaire", "Commentaires", "Remarque", "Remarques", "Bemerkung", "Bemerkungen",
     "Anmerkung", "Anmerkungen", "Kommentar", "Hinweise", "Notizen")
_add(("inherent_likelihood", "residual_likelihood"),
     "Likelihood", "Probability", "L", "P", "Lik", "Prob", "Probabilité", "Vraisemblance",
     "Wahrscheinlichkeit", "Eintrittswahrscheinlichkeit")
_add(("inherent_impact", "residual_impact", "effect"),
     "Impact", "Consequence", "I", "Imp", "Auswirkung", "Auswirkungen", "Schadensausmaß",
     "Ausmaß", "Tragweite", "Magnitude")

# Seen in real registers (see tests/integration/test_real_registers.py).
_add(("ref",), "Risk ID#", "Risk ID #", "Risk Id#", "ID#", "ID #", "Ref #", "Ref#", "Risk #",
     "S/N", "S No", "Sl No", "Sr No", "Serial no", "Serial number")
_add(("title",), "Problem", "Problème", "Issue", "Hazard", "Gefahr", "Gefährdung", "Danger",
     "Threat", "Menace", "Bedrohung", "List of possible risks", "Possible risks",
     "Possible risk", "Identified risk", "Risk identified", "Risk identification",
     "Risk title/name")
_add(("description",), "Problem description", "Description of risk", "Issue description",
     "Risk/issue description")
_add(("cause",), "Mechanism", "Mechanisms", "Failure mechanism", "Mechanism of failure",
     "Potential mechanism", "Cause/mechanism", "Causes/mechanisms",
     "Potential cause(s)/mechanism(s) of failure", "Trigger", "Triggers", "Auslöser",
     "Déclencheur", "Fehlermechanismus")
_add(("effect",), "Consequences", "System effects", "System effect", "End effect",
     "End effects", "Local effect", "Local effects", "Effect on system", "Effects of failure",
     "Impact description", "Description of impact", "Failure effects")
_add(("owner",), "Person responsible", "Responsible person", "Responsible party",
     "Responsible parties", "Owners", "Owner(s)", "Risk owner(s)", "Risk owners",
     "Accountable person", "Lead", "Personne responsable", "Verantwortliche Person",
     "Verantwortliche")
_add(("controls",), "Mitigating factors", "What are we already doing about it",
     "What are we doing about it", "Current mitigation", "Current mitigations",
     "Existing mitigation", "Existing mitigations", "Safeguards", "Current safeguards",
     "Barriers", "Controls in place today")
_add(("treatment",), "What more can we do about it", "What more can we do", "Further action",
     "Further actions", "Further controls", "Additional controls", "Additional measures",
     "Action required", "Actions required", "Mitigation measures", "Proposed actions",
     "Weitere Maßnahmen", "Actions complémentaires")
_add(("category",), "Subsystem", "Sub-system", "Sous-système", "Teilsystem")
_add(("inherent_likelihood", "residual_likelihood"), "Likeliness", "Chance")

# Headers that hold computed values (scores, levels, RPN, AP): never mapped, never copied
# into the notes. Our export writes several of these.
COMPUTED_HEADERS = frozenset(table.norm_header(name) for name in (
    "Score", "Risk score", "Risk_Score", "Inherent score", "Residual score", "Level",
    "Risk level", "Risk_Level", "Inherent level", "Residual level", "Rating", "Risk rating",
    "RPN", "Risk priority number", "NPR", "IPR", "RPZ", "Risikoprioritätszahl", "AP",
    "Action priority", "Action priority (AP)", "Aufgabenpriorität", "Priorité d'action",
    "Criticité", "Criticite", "Risikozahl", "Risikowert", "Risikostufe", "Niveau de risque",
    "Niveau", "Cotation", "L x I", "LxI", "P x I", "Priority", "Priorité", "Priorität",
    "Heat", "Risk matrix score", "Net score", "Gross score",
    # a level written beside the ratings it comes from
    "Initial risk", "Reviewed risk", "Inherent risk", "Residual risk", "Current risk",
    "Target risk", "Overall risk", "Net risk", "Gross risk", "Criticality", "Kritikalität",
    "Risk class", "Risikoklasse", "Classe de risque",
))
#: Words marking a derived column in a risk register (besides table's "x", "score", "RPN" …).
_COMPUTED_WORDS = frozenset({"level", "niveau", "stufe", "criticite", "risikozahl",
                             "risikowert", "npr", "ipr", "rpz", "criticality"})

# Severity-like headers mean FMEA severity in an FMEA sheet and 5x5 impact otherwise.
_SEVERITY_LIKE = frozenset(normalize_words(w) for w in (
    "Severity", "Sévérité", "Gravité", "Schwere", "Schweregrad", "Seriousness"))
_FREQUENCY_LIKE = frozenset(normalize_words(w) for w in (
    "Frequency", "Fréquence", "Häufigkeit", "Auftretenswahrscheinlichkeit",
    "Probability of occurrence"))
# Likelihood-like headers are the occurrence of an FMEA (unless an Occurrence column exists).
_LIKELIHOOD_LIKE = frozenset(normalize_words(w) for w in (
    "Likelihood", "Probability", "Likeliness", "Probabilité", "Vraisemblance",
    "Wahrscheinlichkeit", "Eintrittswahrscheinlichkeit", "Chance"))

_FMEA_STEMS = ("occur", "detect", "entdeck", "auftret", "rpn", "rpz", "npr", "defaillance",
               "fehlerart", "failure")
_FMEA_SHEET_WORDS = frozenset({"fmea", "fmeca", "amdec", "amde", "fmece", "pfmea", "dfmea"})
_LIKELIHOOD_STEMS = ("likelihood", "probab", "vraisemblance", "wahrscheinlich", "eintritt",
                     "frequen", "haufigkeit")
_IMPACT_STEMS = ("impact", "consequence", "auswirkung", "ausmass", "tragweite", "schaden",
                 "gravite", "severit", "schwere", "magnitude")
_RESIDUAL_WORDS = frozenset({"residual", "residuel", "residuelle", "rest", "after", "post",
                             "net", "netto", "nach", "nachher", "apres", "target", "revised",
                             "treated", "final", "new", "neu", "neue", "cible", "ziel",
                             "reviewed", "mitigated"})
_INHERENT_WORDS = frozenset({"inherent", "gross", "brut", "brute", "brutto", "before", "pre",
                             "initial", "initiale", "vor", "vorher", "avant", "raw", "original",
                             "untreated", "inharent", "unmitigated"})


def _has_stem(tokens: Sequence[str], stems: Sequence[str]) -> bool:
    return any(stem in token for token in tokens for stem in stems)


def _qualifier(tokens: Sequence[str]) -> str | None:
    for token in tokens:
        if token in _RESIDUAL_WORDS or (token.startswith(("rest", "netto")) and len(token) > 6):
            return "residual"
        if token in _INHERENT_WORDS or (token.startswith("brutto") and len(token) > 6):
            return "inherent"
    return None


def _fmea_context(forms: Sequence[HeaderForms], sheet_name: str = "") -> bool:
    """True for an FMEA sheet (S/O/D, RPN, failure modes): "Severity" is then the FMEA
    severity and an unqualified "Likelihood" the occurrence."""
    if _FMEA_SHEET_WORDS.intersection(normalize_words(sheet_name or "").split()):
        return True
    for form in forms:
        norm = form.full
        if norm in ("o", "d", "s o d", "ap"):
            return True
        if _has_stem(norm.split(), _FMEA_STEMS):
            return True
    return False


def _risk_matcher(forms: HeaderForms, fmea: Any,
                  exact: tuple[int, tuple[str, ...]]) -> tuple[int, tuple[str, ...]]:
    """The risk rules on top of the whole-phrase synonyms: FMEA or 5×5 readings of severity
    and likelihood words, residual/inherent qualifiers (also from a group header above), and
    rating words inside longer headers ("Restwahrscheinlichkeit", "Gross impact")."""
    fmea = bool(fmea)
    norm = forms.bare
    tokens = forms.all_tokens
    own = norm.split()
    if not own:
        return exact
    group_qualifier = _qualifier(forms.group.split()) if forms.group else None
    if norm in _SEVERITY_LIKE and not group_qualifier:
        return 3, (("severity",) if fmea else ("inherent_impact", "residual_impact"))
    if norm in _FREQUENCY_LIKE and not group_qualifier:
        return 3, (("occurrence",) if fmea else ("inherent_likelihood", "residual_likelihood"))
    if norm in _LIKELIHOOD_LIKE and fmea and not group_qualifier:
        return 2, ("occurrence", "inherent_likelihood", "residual_likelihood")
    confidence, fields_ = exact
    if confidence:
        if group_qualifier == "residual" and fields_[0] in RATING10_FIELDS:
            return 0, ()  # an FMEA re-rating after actions: kept in the notes
        if group_qualifier and len(fields_) >= 2 and fields_[0].startswith("inherent_"):
            axis = fields_[0].split("_", 1)[1]
            return confidence, (f"{group_qualifier}_{axis}",)
        return exact
    if own[0] in _SEVERITY_LIKE and len(own) <= 2 and not _qualifier(tokens):
        return 2, (("severity",) if fmea else ("inherent_impact", "residual_impact"))
    if norm in COMPUTED_HEADERS or forms.full in COMPUTED_HEADERS:
        return 0, ()
    qualifier = _qualifier(tokens)
    fmea_axis = None
    if _has_stem(own, ("auftret", "occur")):
        fmea_axis = "occurrence"
    elif _has_stem(own, ("entdeck", "detect")):
        fmea_axis = "detection"
    elif _has_stem(own, ("severit", "gravite", "schwere", "bedeutung")) and fmea:
        fmea_axis = "severity"
    if fmea_axis and not _has_stem(own, ("control", "massnahme", "mesure", "method")):
        if qualifier == "residual":
            return 0, ()  # re-rating after actions: kept in the notes, not as current ratings
        return 2, (fmea_axis,)
    base = None
    if _has_stem(own, _LIKELIHOOD_STEMS):
        base = "likelihood"
    elif _has_stem(own, _IMPACT_STEMS):
        base = "impact"
    if base:
        if qualifier == "residual":
            return 2, (f"residual_{base}",)
        if qualifier == "inherent":
            return 2, (f"inherent_{base}",)
        return 2, (f"inherent_{base}", f"residual_{base}")
    return 0, ()


# --------------------------------------------------------------------------------------------
# Value parsers (status, kind, method)
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def _norm_value(text: str) -> str:
    return normalize_words(text)


_STATUS_EXACT: dict[str, str] = {}
for _status, _words in {
    "open": ("open", "opened", "new", "identified", "raised", "draft", "not started", "to do",
             "todo", "ouvert", "ouverte", "nouveau", "nouvelle", "identifie", "identifiee",
             "a traiter", "offen", "neu", "identifiziert", "erfasst", "eroffnet"),
    "treating": ("treating", "in treatment", "under treatment", "in progress", "ongoing",
                 "mitigating", "being mitigated", "in mitigation", "being treated",
                 "action in progress", "actions in progress", "en cours", "en traitement",
                 "traitement en cours", "in bearbeitung", "in behandlung", "in umsetzung",
                 "laufend", "wip"),
    "monitoring": ("monitoring", "monitor", "monitored", "mitigated", "risk mitigated",
                   "under monitoring", "watch",
                   "watching", "watch list", "accepted", "tolerated", "retained",
                   "surveillance", "sous surveillance", "suivi", "en suivi", "accepte",
                   "acceptee", "uberwachung", "uberwacht", "in uberwachung", "beobachtung",
                   "akzeptiert"),
    "closed": ("closed", "close", "done", "resolved", "complete", "completed", "retired",
               "obsolete", "cancelled", "canceled", "eliminated", "clos", "cloture",
               "cloturee", "ferme", "fermee", "termine", "terminee", "resolu", "resolue",
               "geschlossen", "erledigt", "abgeschlossen", "behoben", "entfallen"),
}.items():
    for _word in _words:
        _STATUS_EXACT[_word] = _status

# Keyword guesses, checked in order (the first hit wins).
_STATUS_GUESSES = (
    ("open", ("required", "needed", "pending", "planned", "awaiting", "requis", "erforderlich",
              "geplant", "offen", "ouvert")),
    ("closed", ("close", "clos", "resolv", "done", "complet", "eliminat", "erledigt",
                "geschlossen", "abgeschlossen", "termin")),
    ("monitoring", ("monitor", "watch", "review", "accept", "toler", "surveil", "suivi",
                    "uberw", "beobacht")),
    ("treating", ("treat", "mitigat", "progress", "ongoing", "action", "traite", "cours",
                  "bearbeit", "behandl", "umsetz")),
    ("open", ("open", "new", "active", "identif", "nouveau", "aktiv", "actif")),
)


_STATUS_BY_LABEL = {normalize_words(label): code for code, label in STATUS_LABELS.items()}
_KIND_BY_LABEL = {normalize_words(label): code for code, label in KIND_LABELS.items()}
_METHOD_BY_LABEL = {normalize_words(label): code for code, label in METHOD_LABELS.items()}


def parse_status(value: Any) -> tuple[str | None, bool]:
    """(status, guessed) for a status text; (None, False) if it cannot be read."""
    if value is None:
        return None, False
    norm = _norm_value(str(value))
    if not norm:
        return None, False
    if norm in STATUSES:
        return norm, False
    if norm in _STATUS_BY_LABEL:
        return _STATUS_BY_LABEL[norm], False
    if norm in _STATUS_EXACT:
        return _STATUS_EXACT[norm], False
    tokens = norm.split()
    for status, stems in _STATUS_GUESSES:
        if _has_stem(tokens, stems):
            return status, True
    return None, False


_KIND_WORDS = {
    "risk": "risk", "risks": "risk", "threat": "risk", "r": "risk", "negative": "risk",
    "risque": "risk", "menace": "risk", "risiko": "risk", "gefahr": "risk",
    "bedrohung": "risk", "downside": "risk",
    "opportunity": "opportunity", "opportunities": "opportunity", "opp": "opportunity",
    "o": "opportunity", "positive": "opportunity", "opportunite": "opportunity",
    "chance": "opportunity", "chancen": "opportunity", "upside": "opportunity",
}


def parse_kind(value: Any) -> tuple[str | None, bool]:
    """(kind, guessed); (None, False) when unknown."""
    if value is None:
        return None, False
    norm = _norm_value(str(value))
    if not norm:
        return None, False
    if norm in _KIND_BY_LABEL:
        return _KIND_BY_LABEL[norm], False
    if norm in _KIND_WORDS:
        return _KIND_WORDS[norm], False
    tokens = norm.split()
    if any(token.startswith(("opportun", "chance")) for token in tokens):
        return "opportunity", True
    if any(token.startswith(("risk", "risq", "threat", "menace")) for token in tokens):
        return "risk", True
    return None, False


def parse_method(value: Any) -> str | None:
    """The method code ("5x5", "fmea", "both") of a method text or label; None when unknown."""
    if value is None:
        return None
    norm = _norm_value(str(value))
    if not norm:
        return None
    if norm in _METHOD_BY_LABEL:
        return _METHOD_BY_LABEL[norm]
    compact = norm.replace(" ", "")
    has_matrix = ("5x5" in compact or "matrix" in compact or "matrice" in compact
                  or compact in ("lxi", "pxi", "likelihoodximpact", "5", "5by5"))
    has_fmea = any(word in compact for word in ("fmea", "amdec", "fmeca", "fmece", "amde"))
    if norm in ("both", "les deux", "beide", "all"):
        return "both"
    if has_matrix and has_fmea:
        return "both"
    if has_fmea:
        return "fmea"
    if has_matrix:
        return "5x5"
    return None


# --------------------------------------------------------------------------------------------
# The schema and the table functions with it
# --------------------------------------------------------------------------------------------

#: The sheet of treatment actions the export writes beside the register, linked by risk ID:
#: read with the risks, never as the risks (a companion sheet of the schema).
ACTION_SHEET = "Treatment actions"

SCHEMA = Schema(
    fields=MAPPABLE_FIELDS,
    labels=FIELD_LABELS,
    synonyms=table.synonym_table(_GROUPS),
    computed=COMPUTED_HEADERS,
    computed_words=_COMPUTED_WORDS,
    ratings={**{name: 5 for name in RATING5_FIELDS}, **{name: 10 for name in RATING10_FIELDS}},
    inverted_percent=frozenset({"detection"}),  # a 100 % chance of detection is D = 1
    dates=DATE_FIELDS,
    people=frozenset({"owner"}),
    joinable=JOINABLE_FIELDS,
    key_fields=("ref", "title", "description"),
    content_fields=frozenset({"ref", "title", "description", "failure_mode", "cause",
                              "effect"}),
    sheet_words=frozenset({"risk", "risks", "risque", "risques", "risiko", "risiken", "fmea",
                           "amdec", "fmeca", "register", "registre"}),
    companion_sheets=frozenset({ACTION_SHEET}),
    context=_fmea_context,
    matcher=_risk_matcher,
    value_checks={"kind": lambda value: parse_kind(value)[0] is not None},
)


def open_table(path: str | Path, *, max_rows: int = DEFAULT_MAX_ROWS,
               max_bytes: int = DEFAULT_MAX_BYTES, fill_merged: bool = True) -> TableSource:
    """:func:`table.open_table` for a risk register (its sheet and header row are found with
    the risk fields; the treatment-actions sheet is never taken for the risks)."""
    return table.open_table(path, max_rows=max_rows, max_bytes=max_bytes,
                            fill_merged=fill_merged, schema=SCHEMA)


def guess_mapping(headers: Sequence[Any], sample_rows: Sequence[Sequence[Any]] | None = None,
                  *, sheet_name: str = "") -> dict[int, str]:
    """Guess {column index (0-based): field} from header texts (English, French, German).

    ``sample_rows`` (a few data rows) settle ambiguous headers: an "Impact" column of
    sentences becomes ``effect``, a "Type" column of "Risk"/"Opportunity" becomes ``kind``.
    Derived columns (score, level, RPN, AP, "w/o detection", "x") are never mapped to a
    rating. Each field is used once, except :data:`JOINABLE_FIELDS`. The caller may edit the
    result.
    """
    return table.guess_mapping(headers, sample_rows, SCHEMA, sheet_name=sheet_name)


def guess_header_row(rows: Sequence[Sequence[Any]],
                     merged: Sequence[tuple[int, int, int, int]] = (), *,
                     sheet_name: str = "") -> int:
    """1-based number of the row (among the first 30) whose cells best match risk headers."""
    return table.guess_header_row(rows, merged, SCHEMA, sheet_name=sheet_name)


def validate_mapping(mapping: Mapping[int, str], column_count: int | None = None) -> list[str]:
    """Problems with a (possibly user-edited) mapping, as user-facing sentences."""
    return table.validate_mapping(mapping, SCHEMA, column_count)


def computed_columns(headers: Sequence[Any]) -> set[int]:
    """Indexes of columns that hold computed values (score, level, RPN, AP)."""
    return table.computed_columns(headers, SCHEMA)


def parse_column_overrides(specs: Sequence[str], headers: Sequence[Any],
                           width: int | None = None) -> dict[int, str | None]:
    """{column: field or None} from ``--map "Column=field"`` texts (see table)."""
    return table.parse_column_overrides(specs, headers, SCHEMA, width)


def apply_column_overrides(mapping: Mapping[int, str],
                           overrides: Mapping[int, str | None]) -> dict[int, str]:
    return table.apply_column_overrides(mapping, overrides, SCHEMA)


def resolve_mapping(source: TableSource, sheet: str | int | None = None,
                    header_row: int | None = None, mapping: Mapping[int, str] | None = None,
                    column_map: Sequence[str] = ()) -> dict[int, str]:
    """The guessed (or given) mapping with ``--map "Column=field"`` choices applied."""
    if source.schema is None:
        source.schema = SCHEMA
    return table.resolve_mapping(source, sheet, header_row, SCHEMA, mapping, column_map)


def resolve_columns(source: TableSource, sheet: str | int | None = None,
                    header_row: int | None = None, mapping: Mapping[int, str] | None = None,
                    column_map: Sequence[str] = ()) -> tuple[dict[int, str], set[int]]:
    """(the mapping with ``--map`` applied, the columns ``--map "Column=-"`` leaves out)."""
    if source.schema is None:
        source.schema = SCHEMA
    return table.resolve_columns(source, sheet, header_row, SCHEMA, mapping, column_map)


# --------------------------------------------------------------------------------------------
# Parsing rows
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportOptions:
    """How :func:`parse_rows` reads the sheet.

    header_row: 1-based header row, None to guess. dayfirst: read 03/04/2026 as 3 April.
    fill_down: fields whose empty cells take the value from the row above (grouped layouts
    where, say, the process is written once per block; merged cells need no option).
    extra_columns: "notes" copies unmapped, non-computed columns into the notes as "Header:
    value" lines; "ignore" drops them. split_description: a column mapped to ``description``
    gives the title its first sentence and the cause the rest (when those fields are not
    mapped themselves). rating_overrides: {column: {cell text: number}}, the user's reading
    of rating texts (see :func:`scan_ratings`). ignore_columns: columns the user left out
    (``--map "Column=-"``): never mapped, never copied into the notes.
    """

    header_row: int | None = None
    dayfirst: bool = True
    fill_down: frozenset[str] = frozenset()
    extra_columns: str = "notes"
    default_status: str = "open"
    default_kind: str = "risk"
    split_description: bool = True
    rating_overrides: Mapping[int, Mapping[str, int]] = field(default_factory=dict)
    ignore_columns: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RowResult:
    """One risk: ``row_number`` is its (first) row, ``last_row`` its last one when merged
    cells spread it over several rows. ``status`` is "ok", "warning" or "error"; ``messages``
    lists errors first, then warnings, each a clause without a closing full stop, so that they
    read well joined with "; "; ``values`` has every field of :data:`RISK_FIELDS`."""

    row_number: int
    status: str
    messages: tuple[str, ...]
    values: dict[str, Any]
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    last_row: int = 0


@dataclass
class ImportPreview:
    """The dry-run report of an import: the sheet, header row and column mapping used, the
    table of ratings read from text, one :class:`RowResult` per risk, and the rows left out
    (``skipped``: formula residue, empty template rows) with their reasons."""

    rows: list[RowResult]
    sheet: str
    header_row: int
    headers: list[str]
    mapping: dict[int, str]
    notes: list[str] = field(default_factory=list)
    skipped_blank_rows: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    ratings: list[RatingColumn] = field(default_factory=list)
    computed: frozenset[int] = frozenset()
    passed_over: tuple[tuple[str, str], ...] = ()
    extra_columns: str = "notes"
    ignored: frozenset[int] = frozenset()

    @property
    def ok_count(self) -> int:
        return sum(1 for row in self.rows if row.status == "ok")

    @property
    def warning_count(self) -> int:
        return sum(1 for row in self.rows if row.status == "warning")

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.status == "error")

    @property
    def has_errors(self) -> bool:
        return any(row.status == "error" for row in self.rows)

    @property
    def records(self) -> list[dict[str, Any]]:
        """Values of the rows without errors, in sheet order."""
        return [row.values for row in self.rows if row.status != "error"]

    def columns(self) -> list[dict[str, Any]]:
        """Every column with what becomes of it: {"column": "B", "index": 1, "header": …,
        "field": "title" or None, "label": "Title" / "computed, not imported" / "notes" /
        "not imported"}."""
        out = []
        width = max([len(self.headers)] + [index + 1 for index in self.mapping])
        for index in range(width):
            header = self.headers[index] if index < len(self.headers) else ""
            name = self.mapping.get(index)
            if name is not None:
                label = FIELD_LABELS[name]
            elif index in self.computed:
                label = "computed, not imported"
            elif header and self.extra_columns == "notes" and index not in self.ignored:
                label = "copied into the notes"
            else:
                label = "not imported"
            if not header and name is None:
                continue
            out.append({"column": column_letter(index), "index": index, "header": str(header),
                        "field": name, "label": label})
        return out

    def summary(self) -> str:
        text = (f"{len(self.rows)} rows: {self.ok_count} ok, {self.warning_count} with "
                f"warnings, {self.error_count} with errors; {self.skipped_blank_rows} blank "
                "rows skipped")
        if self.skipped:
            count = sum(max(s.last_row, s.row_number) - s.row_number + 1 for s in self.skipped)
            text += f", {count} rows without a risk skipped"
        return text + "."


_TITLE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"“(\[0-9A-ZÀ-ÖØ-Þ])")
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "approx.", "no.", "nr.", "vs.", "z.b.",
                            "bzw.", "ca.", "cf.", "env.", "p.ex.", "usw.", "d.h.", "inc.",
                            "ltd.", "co.", "fig.", "abb.", "mr.", "mrs.", "dr.", "st."})
_TITLE_MAX = 160


def _split_title(text: str) -> tuple[str, str]:
    """(first sentence, rest) of a description; the whole text if it has one sentence."""
    for match in _TITLE_SPLIT.finditer(text):
        head = text[: match.start()]
        last_word = head.rsplit(None, 1)[-1].lower() if head.split() else ""
        if last_word in _ABBREVIATIONS or len(last_word) <= 2 and last_word[:1].isalpha():
            continue
        if len(head) > _TITLE_MAX:
            break
        return head.strip(), text[match.end():].strip()
    return text.strip(), ""


def _text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value if value.strip() else ""
    return cell_text(value)


def _default_values(options: ImportOptions) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in RISK_FIELDS:
        values[name] = "" if name in TEXT_FIELDS else None
    values["status"] = options.default_status
    values["kind"] = options.default_kind
    return values


def _rating_readers(read: table.TableRead, mapping: Mapping[int, str], headers: Sequence[Any],
                    overrides: Mapping[int, Mapping[str, int]]) -> dict[int, RatingReader]:
    readers = {}
    for index, name in mapping.items():
        if name not in RATING_FIELDS:
            continue
        values = [record.values[index] for record in read.records
                  if index < len(record.values)]
        values += [row[index] for record in read.records if record.more
                   for _, row in record.more if index < len(row)]
        header = headers[index] if index < len(headers) else None
        readers[index] = RatingReader(
            name, SCHEMA.ratings[name], values, column=index,
            header=str(header or "") or f"Column {column_letter(index)}",
            percent_header="%" in str(header or ""), inverted=name in SCHEMA.inverted_percent,
            overrides=overrides.get(index), stated=read.stated_scales.get(index))
    return readers


def scan_ratings(source: TableSource, sheet: str | int | None, header_row: int | None,
                 mapping: Mapping[int, str],
                 overrides: Mapping[int, Mapping[str, int]] | None = None) -> list[RatingColumn]:
    """How the mapped rating columns read: per column the rule and each text (word, H/M/L,
    letter, range, percentage, placeholder) with the number it becomes — the table a user
    checks before importing. Plain numbers are not listed."""
    read = table.read_records(source, sheet, header_row, mapping, SCHEMA)
    headers = read.headers
    readers = _rating_readers(read, mapping, headers, overrides or {})
    for index, reader in readers.items():
        for record in read.records:
            for _, value in record.column_values(index):
                reader.read(value)
    return [reader.column for reader in readers.values()
            if reader.column.entries or reader.column.mode != "numbers" or reader.column.problem]


def parse_rows(source: TableSource, sheet: str | int | None = None,
               mapping: Mapping[int, str] | None = None,
               options: ImportOptions | None = None) -> ImportPreview:
    """Read every risk below the header into an :class:`ImportPreview` (a dry run).

    ``sheet`` None chooses the sheet (:meth:`TableSource.choose_sheet`); ``mapping`` is
    {column index (0-based): field name}, None guesses it. Raises ValueError when the mapping
    itself is invalid (see :func:`validate_mapping`); problems in the data are reported per
    row instead, and rows holding no risk (formula residue, empty template rows, footers) are
    left out with a note.
    """
    options = options or ImportOptions()
    if options.extra_columns not in ("notes", "ignore"):
        raise ValueError("extra_columns must be 'notes' or 'ignore'.")
    if options.default_status not in STATUSES or options.default_kind not in KINDS:
        raise ValueError("default_status/default_kind must be one of the known values.")
    if source.schema is None:
        source.schema = SCHEMA
    passed_over: tuple[tuple[str, str], ...] = ()
    if sheet is None:
        choice = source.choose_sheet()
        sheet_name, passed_over = choice.sheet, choice.passed_over
    else:
        sheet_name = source._sheet_name(sheet)
    rows = source.rows(sheet_name)
    header_row = options.header_row or source.guess_header_row(sheet_name)
    headers = source.headers(sheet_name, header_row) if rows else []
    if mapping is None:
        samples = source.sample_rows(sheet_name, header_row)
        mapping = guess_mapping(headers, samples, sheet_name=sheet_name)
    mapping = {index: name for index, name in mapping.items()
               if index not in options.ignore_columns}
    problems = validate_mapping(mapping)
    if problems:
        raise ValueError(" ".join(problems))
    unknown_fill = set(options.fill_down) - set(MAPPABLE_FIELDS)
    if unknown_fill:
        raise ValueError(f"fill_down names unknown fields: {', '.join(sorted(unknown_fill))}.")

    notes: list[str] = []
    mapped_fields = set(mapping.values())
    if not mapped_fields & {"title", "description", "failure_mode"}:
        notes.append("No column is mapped to Title (or Description); map one so every risk "
                     "gets a title.")
    elif not mapped_fields & {"title", "description"}:
        notes.append("No column is mapped to Title: each risk's failure mode is its title.")
    if not mapped_fields & {"ref"}:
        notes.append("No column is mapped to ID; IDs will be assigned on import.")
    if "description" in mapped_fields:
        col = min(i for i, f in mapping.items() if f == "description")
        label = headers[col] if col < len(headers) and headers[col] else f"column {col + 1}"
        rest_to = "the cause" if "cause" not in mapped_fields else "the notes"
        if "title" not in mapped_fields and options.split_description:
            notes.append(f"'{label}' is split: its first sentence becomes the title and the "
                         f"rest goes to {rest_to}.")
        elif "title" not in mapped_fields:
            notes.append(f"'{label}' becomes the title.")
        else:
            notes.append(f"'{label}' goes to {rest_to}.")

    fill_columns = [index for index, name in mapping.items() if name in options.fill_down]
    read = table.read_records(source, sheet_name, header_row, mapping, SCHEMA,
                              fill_down=fill_columns)
    computed = computed_columns(headers)
    extras = []
    if options.extra_columns == "notes":
        for index, header in enumerate(headers):
            if index not in mapping and index not in computed and header and \
                    index not in options.ignore_columns:
                extras.append((index, " ".join(str(header).split())))
        if extras:
            notes.append("Columns copied into the notes: "
                         + ", ".join(f"'{header}'" for _, header in extras) + ".")
    notes.extend(read.notes)

    def label_of(index: int) -> str:
        header = headers[index] if index < len(headers) and headers[index] else ""
        return header or f"Column {column_letter(index)}"

    plan = sorted(mapping.items())
    labels = {index: label_of(index) for index, _ in plan}
    readers = _rating_readers(read, mapping, headers, options.rating_overrides)
    for reader in readers.values():
        if reader.column.note():
            notes.append(reader.column.note())
    no_value = read.no_value_formulas
    error_cells = read.error_cells
    check_cells = bool(no_value or error_cells)
    text_fields, people_fields = TEXT_FIELDS, SCHEMA.people
    is_xlsx = source.format == "xlsx"
    date1904 = source.date1904
    dayfirst = options.dayfirst
    seen_refs: dict[str, int] = {}
    defaults = _default_values(options)
    results: list[RowResult] = []
    row_notes = source.row_notes  # e.g. a row in another text encoding than the rest

    for record in read.records:
        row_number = record.row_number
        row_numbers = [row_number] + [number for number, _ in record.more]
        errors: list[str] = []
        warnings: list[str] = []
        if row_notes:
            for number in row_numbers:
                warnings.extend(row_notes.get(number, ()))
        values = dict(defaults)
        texts: dict[str, list[str]] = {}
        raw: dict[str, tuple[int, Any, list[Any]]] = {}
        people: list[str] = []

        top = record.values
        width = len(top)
        for index, name in plan:
            bad = False
            for number in (row_numbers if check_cells else ()):
                where = (number, index + 1)
                if no_value and where in no_value:
                    errors.append(f"{labels[index]}: cell {cell_name(*where)} holds a formula "
                                  "with no saved result; open and save the file in Excel, then "
                                  "import again.")
                    bad = True
                elif error_cells and where in error_cells:
                    errors.append(f"{labels[index]}: cell {cell_name(*where)} shows the Excel "
                                  f"error {error_cells[where]}; correct it in the file and "
                                  "import again.")
                    bad = True
            if bad:
                continue
            if record.more:
                cells = [value for _, value in record.column_values(index)]
                if not cells:
                    continue
            else:  # the usual one-row record: no lists
                value = top[index] if index < width else None
                if value is None or (value.__class__ is str and not value.strip()):
                    continue
                cells = (value,)
            if name in text_fields:
                if name in people_fields:
                    for value in cells:
                        for person in split_people(value):
                            if person.casefold() not in (p.casefold() for p in people):
                                people.append(person)
                    continue
                bucket = texts.get(name)
                if bucket is None:
                    bucket = texts[name] = []
                for value in cells:
                    text = value if value.__class__ is str else _text_value(value)
                    if text and text not in bucket:
                        bucket.append(text)
            else:
                raw[name] = (index, cells[0], cells[1:] if len(cells) > 1 else ())

        # Text fields (joinable ones may come from several columns or rows).
        for name, parts in texts.items():
            if not parts:
                continue
            if name == "ref":
                values["ref"] = parts[0].strip()
            elif name != "description":
                values[name] = "\n".join(parts)
        if people:
            values["owner"] = people[0]
            if len(people) > 1:
                others = ", ".join(people[1:])
                values["notes"] = "\n".join(([values["notes"]] if values["notes"] else [])
                                            + [f"Also responsible: {others}"])
                warnings.append(f"{labels[_first_column(mapping, 'owner')]} names "
                                f"{len(people)} people; {people[0]} is the owner, "
                                f"{others} {'is' if len(people) == 2 else 'are'} kept in the "
                                "notes.")
        if texts.get("description"):
            description = "\n".join(texts["description"])
            if not values["title"]:
                if options.split_description:
                    values["title"], rest = _split_title(description)
                else:
                    values["title"], rest = description, ""
            else:
                rest = description
            if rest:
                if "cause" not in mapped_fields and not values["cause"]:
                    values["cause"] = rest
                else:
                    values["notes"] = "\n".join(
                        ([values["notes"]] if values["notes"] else []) + ["Description: " + rest])

        # Ratings, dates and enumerations.
        for name, (index, value, more) in raw.items():
            label = labels[index]
            differing = [v for v in more if cell_text(v).strip() != cell_text(value).strip()] \
                if more else ()
            if differing:
                shown = ", ".join(dict.fromkeys(_quote(cell_text(v).strip())
                                                for v in [value] + differing))
                warnings.append(f"{label}: the rows {row_number}–{record.last_row} of this "
                                f"risk hold different values ({shown}); the first is kept.")
            if name in RATING_FIELDS:
                scale = SCHEMA.ratings[name]
                number, problem = readers[index].read(value)
                if problem == "placeholder":
                    warnings.append(f"{label}: {_quote(value)} is a placeholder, not a rating; "
                                    "left empty.")
                    continue
                column = readers[index].column
                if number is None:
                    if column.mode == "scaled":
                        errors.append(f"{label}: {_quote(value)} is not a rating on the sheet's "
                                      f"scale {column.stated.shown()}; correct the value or "
                                      "the scale.")
                    else:
                        errors.append(f"{label}: {_quote(value)} is not a rating from 1 to "
                                      f"{scale}; use a whole number or a word such as Low, "
                                      "Medium or High.")
                    continue
                values[name] = number
                if column.problem == "unconvertible":
                    warnings.append(f"{label}: the sheet's scale “{column.stated.text}” cannot be "
                                    f"converted, so {_quote(value)} was read as {number} on our "
                                    f"1–{scale} scale; check it.")
                if isinstance(value, str) and not value.strip()[:1].isdigit() and \
                        (scale == 10 or name == "detection") and \
                        value.strip() not in readers[index].overrides:
                    hint = " (a high rating means the failure is hard to detect)" \
                        if name == "detection" else ""
                    warnings.append(f"{label}: {_quote(value)} was read as {number} on the "
                                    f"1-10 scale{hint}; check it.")
            elif name in DATE_FIELDS:
                if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                        not is_xlsx:
                    value = str(value)
                try:
                    date, warning = parse_date(value, dayfirst=dayfirst, date1904=date1904)
                except ValueError:
                    errors.append(f"{label}: {_quote(value)} is not a date; write it as "
                                  "2026-01-31 or 31/01/2026.")
                    continue
                values[name] = date
                if warning:
                    warnings.append(f"{label}: {warning}")
            elif name == "status":
                status, guessed = parse_status(value)
                if status is None:
                    warnings.append(f"{label}: unknown status {_quote(value)}; set to "
                                    f"'{options.default_status}'.")
                else:
                    values["status"] = status
                    if guessed:
                        warnings.append(f"{label}: {_quote(value)} was read as '{status}' (a "
                                        "guess); check it.")
            elif name == "kind":
                kind, guessed = parse_kind(value)
                if kind is None:
                    errors.append(f"{label}: {_quote(value)} is neither a risk nor an "
                                  "opportunity; write Risk or Opportunity.")
                else:
                    values["kind"] = kind
                    if guessed:
                        warnings.append(f"{label}: {_quote(value)} was read as '{kind}' (a "
                                        "guess); check it.")
            elif name == "method":
                method = parse_method(value)
                if method is None:
                    warnings.append(f"{label}: unknown method {_quote(value)}; it is worked "
                                    "out from the ratings.")
                else:
                    values["method"] = method

        _check_row(values, errors, warnings, mapped_fields, seen_refs, row_number)

        if extras:
            lines = []
            for index, header in extras:
                if record.more:
                    parts = [text for _, value in record.column_values(index)
                             if (text := _text_value(value))]
                    if len(set(parts)) == 1:
                        parts = parts[:1]  # one value for the whole merged risk
                    if parts:
                        lines.append(f"{header}: {'; '.join(parts)}")
                    continue
                value = top[index] if index < width else None
                if value is not None:
                    text = _text_value(value)
                    if text:
                        lines.append(f"{header}: {text}")
            if lines:
                values["notes"] = "\n".join(([values["notes"]] if values["notes"] else [])
                                            + lines)
        for name, value in values.items():  # what a cell of the export could not hold
            if value.__class__ is str and len(value) > MAX_CELL_TEXT:
                errors.append(f"{FIELD_LABELS.get(name, name)} in row {row_number} holds "
                              f"{len(value):,} characters, more than the {MAX_CELL_TEXT:,} a "
                              "spreadsheet cell can hold; shorten it in the file.")

        status = "error" if errors else ("warning" if warnings else "ok")
        errors = [_as_clause(message) for message in errors]
        warnings = [_as_clause(message) for message in warnings]
        results.append(RowResult(row_number, status, tuple(errors + warnings), values,
                                 tuple(errors), tuple(warnings), record.last_row))

    if not results:
        notes.append("No data rows were found below the header row; check the sheet and the "
                     "header row.")
    ratings = [reader.column for reader in readers.values()
               if reader.column.entries or reader.column.mode != "numbers"
               or reader.column.problem]
    return ImportPreview(rows=results, sheet=sheet_name, header_row=header_row,
                         headers=list(headers), mapping=dict(sorted(mapping.items())),
                         notes=notes, skipped_blank_rows=read.blank_rows,
                         skipped=list(read.skipped), ratings=ratings,
                         computed=frozenset(computed), passed_over=passed_over,
                         extra_columns=options.extra_columns,
                         ignored=frozenset(options.ignore_columns))


def _first_column(mapping: Mapping[int, str], name: str) -> int:
    return min(index for index, field_name in mapping.items() if field_name == name)


def _as_clause(message: str) -> str:
    """A row message without its closing full stop: callers list a row's messages joined with
    "; " (and the workspace import adds its own such clauses), which must not read ".;"."""
    if message.endswith(".") and not message.endswith(".."):
        return message[:-1]
    return message


def _quote(value: Any) -> str:
    text = cell_text(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"'{text}'"


def _check_row(values: dict[str, Any], errors: list[str], warnings: list[str],
               mapped_fields: set[str], seen_refs: dict[str, int], row_number: int) -> None:
    if not values["title"]:
        if values["failure_mode"]:
            values["title"] = values["failure_mode"]
            if mapped_fields & {"title", "description"}:
                warnings.append("Title is empty; the failure mode is used as the title.")
        else:
            errors.append("Title is empty; fill it in or map a column to Title.")
    for name, limit in _MAX_LENGTH.items():
        if len(values[name]) > limit:
            errors.append(f"{FIELD_LABELS[name]} is longer than {limit} characters; shorten "
                          "it.")
    ref = values["ref"]
    if ref:
        key = ref.casefold()
        if key in seen_refs:
            errors.append(f"ID {ref} is used twice (first in row {seen_refs[key]}); give each "
                          "risk its own ID.")
        else:
            seen_refs[key] = row_number
    if "ref" in mapped_fields and not ref:
        warnings.append("ID is empty; one will be assigned on import.")

    inherent = (values["inherent_likelihood"], values["inherent_impact"])
    residual = (values["residual_likelihood"], values["residual_impact"])
    fmea = (values["severity"], values["occurrence"], values["detection"])
    for stage, pair in (("Inherent", inherent), ("Residual", residual)):
        if (pair[0] is None) != (pair[1] is None):
            missing = "impact" if pair[1] is None else "likelihood"
            warnings.append(f"{stage} {missing} is missing, so no {stage.lower()} score can be "
                            "worked out.")
    # For an opportunity a residual score above the inherent one is the aim, not a slip.
    if values["kind"] != "opportunity" and None not in inherent and None not in residual \
            and score(*residual) > score(*inherent):
        warnings.append(f"The residual score ({score(*residual)}) is higher than the inherent "
                        f"score ({score(*inherent)}); check the ratings.")
    fmea_given = [value is not None for value in fmea]
    if any(fmea_given) and not all(fmea_given):
        warnings.append("Severity, occurrence and detection are not all given, so no RPN or "
                        "action priority can be worked out.")
    has_matrix = any(value is not None for value in inherent + residual)
    has_fmea = any(fmea_given)
    if values["method"] is None:
        values["method"] = "both" if has_matrix and has_fmea else ("fmea" if has_fmea else
                                                                   "5x5")
    elif values["method"] == "5x5" and has_fmea:
        warnings.append("The method is 5x5 but FMEA ratings are given; they are kept.")
    elif values["method"] == "fmea" and has_matrix:
        warnings.append("The method is FMEA but 5x5 ratings are given; they are kept.")


# --------------------------------------------------------------------------- treatment actions

#: (field, column title) of that sheet, in order; the importer reads the same titles back.
ACTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("risk_ref", "Risk ID"),
    ("ref", "Action ID"),
    ("title", "Action"),
    ("owner", "Owner"),
    ("due_date", "Due date"),
    ("status", "Status"),
    ("completed_on", "Completed on"),
    ("effectiveness_check", "Effectiveness check"),
    ("effectiveness_due", "Check due"),
    ("effective", "Effective"),
    ("kind", "Kind"),
    ("description", "Description"),
)
ACTION_STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done",
                        "verified": "Verified", "cancelled": "Cancelled"}
ACTION_KIND_LABELS = {"treatment": "Treatment", "correction": "Correction",
                      "corrective": "Corrective", "preventive": "Preventive",
                      "improvement": "Improvement", "review": "Review"}
#: the verdict of an effectiveness check, as the export writes it
EFFECTIVE_LABELS = {True: "Yes", False: "No"}
_ACTION_DATES = frozenset({"due_date", "completed_on", "effectiveness_due"})


@dataclass
class ActionRow:
    """One row of the treatment-actions sheet: ``values`` holds the action's fields (codes,
    dates, ``effective`` as True/False/None, ``owner`` and ``risk_ref`` as texts); ``errors``
    says why it cannot be imported, ``warnings`` what was read but should be checked (a date
    read as month/day, as on the Risks sheet)."""

    row_number: int
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def action_sheet(source: TableSource) -> str | None:
    """The name of the workbook's treatment-actions sheet, or None (a CSV, another layout)."""
    wanted = ACTION_SHEET.casefold()
    return next((name for name in source.sheets if name.strip().casefold() == wanted), None)


def _action_date(value: Any, *, dayfirst: bool = True,
                 date1904: bool = False) -> tuple[Any, str | None]:
    """(date, warning) of an action's date cell, read as the Risks sheet reads its dates
    (:func:`parse_date`: "28/02/2027", "02/28/2027" read as month/day with a warning, ISO,
    serials, month names); ValueError with the Risks sheet's words when it is not a date."""
    try:
        return parse_date(value, dayfirst=dayfirst, date1904=date1904)
    except ValueError:
        raise ValueError(f"{_quote(value)} is not a date; write it as 2026-01-31 or "
                         "31/01/2026.") from None


def _by_label(labels: Mapping[Any, str], text: str, what: str) -> Any:
    key = normalize_words(text)
    for code, label in labels.items():
        if key in (normalize_words(label), normalize_words(str(code))):
            return code
    raise ValueError(f"“{text}” is not {what} (use one of: {', '.join(labels.values())})")


def read_actions(source: TableSource, sheet: str | None = None, *,
                 dayfirst: bool = True) -> list[ActionRow]:
    """The rows of the treatment-actions sheet (``sheet``, else :func:`action_sheet`); [] when
    the workbook has none. Columns are found by their titles (:data:`ACTION_FIELDS`, any case);
    a sheet without the "Risk ID" and "Action" columns is not read. Dates are read as the
    Risks sheet reads them (``dayfirst`` as there)."""
    name = sheet or action_sheet(source)
    if name is None:
        return []
    rows = source.rows(name)
    if not rows:
        return []
    titles = {table.norm_header(label): key for key, label in ACTION_FIELDS}
    columns: dict[int, str] = {}
    for index, header in enumerate(rows[0]):
        key = titles.get(table.norm_header(table.cell_text(header))) if header is not None \
            else None
        if key and key not in columns.values():
            columns[index] = key
    if not {"risk_ref", "title"} <= set(columns.values()):
        return []
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if table.is_blank(row):
            continue
        values: dict[str, Any] = {}
        errors: list[str] = []
        warnings: list[str] = []
        for index, key in columns.items():
            raw = row[index] if index < len(row) else None
            text = "" if raw is None else table.cell_text(raw).strip()
            try:
                if key in _ACTION_DATES:
                    values[key], warning = _action_date(
                        raw if not isinstance(raw, str) else text, dayfirst=dayfirst,
                        date1904=getattr(source, "date1904", False))
                    if warning:
                        warnings.append(f"{dict(ACTION_FIELDS)[key]}: {warning}")
                elif key == "status":
                    values[key] = _by_label(ACTION_STATUS_LABELS, text, "an action status") \
                        if text else "open"
                elif key == "kind":
                    values[key] = _by_label(ACTION_KIND_LABELS, text, "an action kind") \
                        if text else "treatment"
                elif key == "effective":
                    values[key] = _by_label(EFFECTIVE_LABELS, text, "a verdict") \
                        if text else None
                else:
                    values[key] = raw if isinstance(raw, str) and key in (
                        "title", "description", "effectiveness_check") else text
            except ValueError as exc:
                errors.append(f"{dict(ACTION_FIELDS)[key]}: {exc}")
        if not values.get("risk_ref"):
            errors.append("Risk ID is empty, so the action belongs to no risk")
        if not (values.get("title") or "").strip():
            errors.append("Action is empty: an action needs a title")
        out.append(ActionRow(number, values, errors, warnings))
    return out
