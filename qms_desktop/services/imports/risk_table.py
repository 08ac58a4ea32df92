"""Read a risk register from an .xlsx workbook or a .csv file and turn it into a per-row report.

No database here: :func:`parse_rows` returns an :class:`ImportPreview` (a dry run) whose
``records`` the storage layer then writes in one all-or-nothing transaction.

Typical use::

    source = open_table(path)                  # ImportFileError on a hostile or broken file
    sheet = source.sheets[0]
    header_row = source.guess_header_row(sheet)
    headers = source.headers(sheet, header_row)
    mapping = guess_mapping(headers, source.sample_rows(sheet, header_row))  # user may edit
    preview = parse_rows(source, sheet, mapping, ImportOptions(header_row=header_row))

openpyxl is imported lazily (only when an .xlsx sheet is actually read).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import warnings as _warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from qms_desktop.core.risk import (
    KINDS,
    STATUSES,
    normalize_words,
    score,
    text_rating_to_number,
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
    "validate_mapping",
]


class ImportFileError(ValueError):
    """The file cannot be read as a risk table (wrong type, encrypted, damaged, too big)."""


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
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_MAX_SHEET_XML_BYTES = 1024 * 1024 * 1024  # uncompressed; guards against ZIP bombs
_MAX_COLUMNS = 512
_HEADER_SCAN_ROWS = 30
_SAMPLE_ROWS = 25
_HEADER_MAX_LENGTH = 80


# --------------------------------------------------------------------------------------------
# Header synonyms
# --------------------------------------------------------------------------------------------

def _split_camel(text: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)


@lru_cache(maxsize=4096)
def _norm_header(text: str) -> str:
    text = text.replace("#", " no ").replace("№", " no ")
    return normalize_words(_split_camel(text))


def _syn(*names: str) -> tuple[str, ...]:
    return tuple(normalize_words(name) for name in names)


# Exact header -> candidate fields, best first. Normalised (lower case, no accents).
_SYNONYMS: dict[str, tuple[str, ...]] = {}


def _add(fields: tuple[str, ...], *names: str) -> None:
    for name in _syn(*names):
        _SYNONYMS.setdefault(name, fields)


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

# Headers that hold computed values (scores, levels, RPN, AP): never mapped, never copied
# into the notes. Our export writes several of these.
COMPUTED_HEADERS = frozenset(_syn(
    "Score", "Risk score", "Risk_Score", "Inherent score", "Residual score", "Level",
    "Risk level", "Risk_Level", "Inherent level", "Residual level", "Rating", "Risk rating",
    "RPN", "Risk priority number", "NPR", "IPR", "RPZ", "Risikoprioritätszahl", "AP",
    "Action priority", "Action priority (AP)", "Aufgabenpriorität", "Priorité d'action",
    "Criticité", "Criticite", "Risikozahl", "Risikowert", "Risikostufe", "Niveau de risque",
    "Niveau", "Cotation", "L x I", "LxI", "P x I", "Priority", "Priorité", "Priorität",
    "Heat", "Risk matrix score", "Net score", "Gross score",
))

# Severity-like headers mean FMEA severity in an FMEA sheet and 5x5 impact otherwise.
_SEVERITY_LIKE = frozenset(_syn("Severity", "Sévérité", "Gravité", "Schwere", "Schweregrad",
                                "Seriousness"))
_FREQUENCY_LIKE = frozenset(_syn("Frequency", "Fréquence", "Häufigkeit",
                                 "Auftretenswahrscheinlichkeit", "Probability of occurrence"))

_FMEA_STEMS = ("occur", "detect", "entdeck", "auftret", "rpn", "rpz", "npr", "defaillance",
               "fehlerart", "failure")
_LIKELIHOOD_STEMS = ("likelihood", "probab", "vraisemblance", "wahrscheinlich", "eintritt",
                     "frequen", "haufigkeit")
_IMPACT_STEMS = ("impact", "consequence", "auswirkung", "ausmass", "tragweite", "schaden",
                 "gravite", "severit", "schwere", "magnitude")
_RESIDUAL_WORDS = frozenset({"residual", "residuel", "residuelle", "rest", "after", "post",
                             "net", "netto", "nach", "nachher", "apres", "target", "revised",
                             "treated", "final", "new", "neu", "neue", "cible", "ziel"})
_INHERENT_WORDS = frozenset({"inherent", "gross", "brut", "brute", "brutto", "before", "pre",
                             "initial", "initiale", "vor", "vorher", "avant", "raw", "original",
                             "untreated", "inharent"})
_COMPUTED_TOKENS = frozenset({"score", "rpn", "rpz", "npr", "ipr", "criticite", "level",
                              "niveau", "stufe", "risikozahl", "risikowert", "priority"})


@lru_cache(maxsize=8192)
def _norm_value(text: str) -> str:
    return normalize_words(text)


def _has_stem(tokens: Sequence[str], stems: Sequence[str]) -> bool:
    return any(stem in token for token in tokens for stem in stems)


def _qualifier(tokens: Sequence[str]) -> str | None:
    for token in tokens:
        if token in _RESIDUAL_WORDS or (token.startswith(("rest", "netto")) and len(token) > 6):
            return "residual"
        if token in _INHERENT_WORDS or (token.startswith("brutto") and len(token) > 6):
            return "inherent"
    return None


def _is_fmea_context(normalized_headers: Sequence[str]) -> bool:
    for norm in normalized_headers:
        if norm in ("o", "d", "s o d", "ap"):
            return True
        if _has_stem(norm.split(), _FMEA_STEMS):
            return True
    return False


@lru_cache(maxsize=4096)
def _header_candidates(norm: str, fmea: bool) -> tuple[int, tuple[str, ...]]:
    """(confidence, candidate fields) for one normalised header; (0, ()) if unknown."""
    if not norm:
        return 0, ()
    tokens = norm.split()
    # Severity/frequency words depend on the kind of sheet.
    if norm in _SEVERITY_LIKE:
        return 3, (("severity",) if fmea else ("inherent_impact", "residual_impact"))
    if norm in _FREQUENCY_LIKE:
        return 3, (("occurrence",) if fmea else ("inherent_likelihood", "residual_likelihood"))
    exact = _SYNONYMS.get(norm)
    if exact:
        return 3, exact
    if tokens[0] in _SEVERITY_LIKE and len(tokens) <= 2 and not _qualifier(tokens):
        return 2, (("severity",) if fmea else ("inherent_impact", "residual_impact"))
    if norm in COMPUTED_HEADERS:
        return 0, ()
    # Ratings with a qualifier: "Residual likelihood", "Restwahrscheinlichkeit", "Gross impact".
    qualifier = _qualifier(tokens)
    fmea_axis = None
    if _has_stem(tokens, ("auftret", "occur")):
        fmea_axis = "occurrence"
    elif _has_stem(tokens, ("entdeck", "detect")):
        fmea_axis = "detection"
    elif _has_stem(tokens, ("severit", "gravite", "schwere", "bedeutung")) and fmea:
        fmea_axis = "severity"
    if fmea_axis and not _has_stem(tokens, ("control", "massnahme", "mesure", "method")):
        if qualifier == "residual":
            return 0, ()  # re-rating after actions: kept in the notes, not as current ratings
        return 2, (fmea_axis,)
    base = None
    if _has_stem(tokens, _LIKELIHOOD_STEMS):
        base = "likelihood"
    elif _has_stem(tokens, _IMPACT_STEMS):
        base = "impact"
    if base and not _COMPUTED_TOKENS.intersection(tokens):
        if qualifier == "residual":
            return 2, (f"residual_{base}",)
        return 2, (f"inherent_{base}", f"residual_{base}")
    if _COMPUTED_TOKENS.intersection(tokens):
        return 0, ()
    # Phrase inside a longer header: "Risk owner (name)", "Root cause analysis".
    padded = f" {norm} "
    for phrase, fields in _PHRASES:
        if phrase in padded:
            return 1, fields
    return 0, ()


_PHRASES = sorted(
    ((f" {name} ", fields) for name, fields in _SYNONYMS.items() if len(name) >= 4),
    key=lambda item: -len(item[0]),
)


def computed_columns(headers: Sequence[Any]) -> set[int]:
    """Indexes of columns that hold computed values (score, level, RPN, AP)."""
    result = set()
    for index, header in enumerate(headers):
        norm = _norm_header(str(header)) if header is not None else ""
        if not norm:
            continue
        if norm in COMPUTED_HEADERS:
            result.add(index)
            continue
        fmea = False
        confidence, _ = _header_candidates(norm, fmea)
        if confidence == 0 and _COMPUTED_TOKENS.intersection(norm.split()):
            result.add(index)
    return result


def _fits_samples(field_name: str, samples: Sequence[Any]) -> bool:
    values = [value for value in samples if value is not None and str(value).strip()]
    if not values:
        return True
    if field_name in RATING_FIELDS:
        scale = 10 if field_name in RATING10_FIELDS else 5
        good = sum(1 for value in values if text_rating_to_number(value, scale) is not None)
    elif field_name == "kind":
        good = sum(1 for value in values if parse_kind(value)[0] is not None)
    elif field_name in DATE_FIELDS:
        good = 0
        for value in values:
            try:
                good += parse_date(value)[0] is not None
            except ValueError:
                pass
    else:
        return True
    return good * 2 >= len(values)


def guess_mapping(headers: Sequence[Any],
                  sample_rows: Sequence[Sequence[Any]] | None = None) -> dict[int, str]:
    """Guess {column index (0-based): field} from header texts (English, French, German).

    ``sample_rows`` (a few data rows) settle ambiguous headers: an "Impact" column of
    sentences becomes ``effect``, a "Type" column of "Risk"/"Opportunity" becomes ``kind``.
    Columns holding computed values (score, level, RPN, AP) are never mapped. Each field is
    used once, except :data:`JOINABLE_FIELDS`. The caller may edit the result.
    """
    normalized = [_norm_header(str(h)) if h is not None else "" for h in headers]
    fmea = _is_fmea_context(normalized)
    ranked = []
    for index, norm in enumerate(normalized):
        confidence, fields = _header_candidates(norm, fmea)
        if confidence:
            ranked.append((-confidence, index, fields))
    ranked.sort()
    taken: set[str] = set()
    mapping: dict[int, str] = {}
    for _, index, fields in ranked:
        samples = ()
        if sample_rows:
            samples = [row[index] if index < len(row) else None for row in sample_rows]
        for candidate in fields:
            if candidate in taken and candidate not in JOINABLE_FIELDS:
                continue
            if samples and not _fits_samples(candidate, samples):
                continue
            mapping[index] = candidate
            taken.add(candidate)
            break
    # "description" only makes sense without "title"; with one it still feeds cause/notes.
    return dict(sorted(mapping.items()))


def validate_mapping(mapping: Mapping[int, str], column_count: int | None = None) -> list[str]:
    """Problems with a (possibly user-edited) mapping, as user-facing sentences."""
    problems = []
    seen: dict[str, int] = {}
    for index, name in mapping.items():
        if not isinstance(index, int) or index < 0 or (
                column_count is not None and index >= column_count):
            problems.append(f"Column {index!r} does not exist in the sheet; remove it from the "
                            "mapping.")
            continue
        if name not in MAPPABLE_FIELDS:
            problems.append(f"Column {index + 1} is mapped to unknown field {name!r}; choose "
                            "one of the listed fields.")
            continue
        if name in seen and name not in JOINABLE_FIELDS:
            problems.append(f"{FIELD_LABELS[name]} is mapped from columns {seen[name] + 1} and "
                            f"{index + 1}; keep only one of them.")
        seen.setdefault(name, index)
    return problems


# --------------------------------------------------------------------------------------------
# Value parsers (status, kind, method, dates)
# --------------------------------------------------------------------------------------------

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
    "monitoring": ("monitoring", "monitor", "monitored", "under monitoring", "watch",
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


_MONTHS = {}
for _number, _names in enumerate((
    ("jan", "january", "janvier", "januar", "janner", "janv"),
    ("feb", "february", "fevrier", "februar", "fev", "fevr", "febr"),
    ("mar", "march", "mars", "marz", "maerz"),
    ("apr", "april", "avril", "avr"),
    ("may", "mai"),
    ("jun", "june", "juin", "juni"),
    ("jul", "july", "juillet", "juli", "juil"),
    ("aug", "august", "aout"),
    ("sep", "sept", "september", "septembre"),
    ("oct", "october", "octobre", "oktober", "okt"),
    ("nov", "november", "novembre"),
    ("dec", "december", "decembre", "dezember", "dez"),
), start=1):
    for _name in _names:
        _MONTHS[_name] = _number

_ISO_DATE = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\.?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
_WORD_DATE_DMY = re.compile(r"^(\d{1,2})\.?\s+([a-z]+)\.?\s+(\d{4})$")
_WORD_DATE_MDY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_EXCEL_EPOCH_1900 = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)


def _from_serial(serial: float, date1904: bool) -> dt.date:
    if not 1 <= serial < 2958466:
        raise ValueError(f"{serial:g} is outside the range of Excel dates")
    epoch = _EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH_1900
    return epoch + dt.timedelta(days=int(serial))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def parse_date(value: Any, *, dayfirst: bool = True,
               date1904: bool = False) -> tuple[dt.date | None, str | None]:
    """(date, warning) from a cell value; (None, None) when empty; ValueError if unreadable.

    Reads date/datetime objects, Excel serial numbers, ISO text ("2026-01-13", with or
    without a time), "13/01/2026", "13.01.2026", "13-01-26", "20260113", "13 Jan 2026",
    "13. Januar 2026", "13 janvier 2026" and "January 13, 2026". Slashed dates are read day
    first unless ``dayfirst`` is False or the day/month order is unambiguous.
    """
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, (int, float)):
        return _from_serial(float(value), date1904), None
    text = str(value).strip()
    if not text:
        return None, None
    match = _ISO_DATE.match(text)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3])), None
    match = _NUMERIC_DATE.match(text)
    if match:
        first, second, year = int(match[1]), int(match[2]), _year(match[3])
        warning = None
        if first > 12 and second <= 12:
            day, month = first, second
        elif second > 12 and first <= 12:
            day, month = second, first
            if dayfirst:
                warning = f"'{text}' was read as month/day/year."
        elif dayfirst:
            day, month = first, second
        else:
            day, month = second, first
        return dt.date(year, month, day), warning
    match = _COMPACT_DATE.match(text)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3])), None
    if _SERIAL.match(text):
        return (_from_serial(float(text), date1904),
                f"'{text}' was read as an Excel date serial number.")
    words = normalize_words(text)
    match = _WORD_DATE_DMY.match(words)
    if match and match[2] in _MONTHS:
        return dt.date(int(match[3]), _MONTHS[match[2]], int(match[1])), None
    match = _WORD_DATE_MDY.match(words)
    if match and match[1] in _MONTHS:
        return dt.date(int(match[3]), _MONTHS[match[1]], int(match[2])), None
    raise ValueError(f"'{text}' is not a date")


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + (ord(ch) - 64)
    return number


def _cell_name(row: int, column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


@dataclass
class _SheetData:
    rows: list[Sequence[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    no_value_formulas: set[tuple[int, int]] = field(default_factory=set)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    #: 0-based indexes of rows that were blank before merged cells were filled in.
    blank_before_fill: set[int] = field(default_factory=set)


class TableSource:
    """An opened .xlsx workbook or .csv file. Sheets are read on demand and cached.

    Attributes: ``path``, ``format`` ("xlsx" or "csv"), ``sheets`` (names, in workbook
    order; a CSV has one sheet named after the file), ``encoding`` and ``delimiter`` (CSV),
    ``date1904`` (xlsx date system).
    """

    def __init__(self, path: Path, fmt: str, sheets: list[str], *, max_rows: int,
                 fill_merged: bool = True) -> None:
        self.path = path
        self.format = fmt
        self.sheets = sheets
        self.max_rows = max_rows
        self.fill_merged = fill_merged
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.date1904 = False
        self.hidden_sheets: set[str] = set()
        self.notes: list[str] = []
        self._sheet_paths: dict[str, str] = {}
        self._cache: dict[str, _SheetData] = {}

    def __repr__(self) -> str:
        return f"TableSource({str(self.path)!r}, format={self.format!r}, sheets={self.sheets!r})"

    # -- sheets --------------------------------------------------------------------------
    def _sheet_name(self, sheet: str | int | None) -> str:
        if sheet is None:
            visible = [name for name in self.sheets if name not in self.hidden_sheets]
            return (visible or self.sheets)[0]
        if isinstance(sheet, int):
            try:
                return self.sheets[sheet]
            except IndexError:
                raise ValueError(f"The file has {len(self.sheets)} sheet(s); sheet number "
                                 f"{sheet + 1} does not exist.") from None
        if sheet not in self.sheets:
            raise ValueError(f"The file has no sheet named {sheet!r}; choose one of: "
                             f"{', '.join(self.sheets)}.")
        return sheet

    def _data(self, sheet: str | int | None) -> _SheetData:
        name = self._sheet_name(sheet)
        data = self._cache.get(name)
        if data is None:
            if self.format == "csv":
                raise AssertionError("CSV data is loaded when the file is opened")
            data = _read_xlsx_sheet(self, name)
            self._cache[name] = data
        return data

    def rows(self, sheet: str | int | None = None) -> list[Sequence[Any]]:
        """All rows of a sheet (index 0 is row 1), merged cells filled from their top-left
        cell. Rows are tuples or lists of cell values (str, int, float, datetime, None)."""
        return self._data(sheet).rows

    def merged_ranges(self, sheet: str | int | None = None) -> list[tuple[int, int, int, int]]:
        """Merged ranges as (first_row, first_col, last_row, last_col), 1-based."""
        return list(self._data(sheet).merged)

    def guess_header_row(self, sheet: str | int | None = None) -> int:
        """1-based number of the row that most looks like the column headers."""
        data = self._data(sheet)
        return guess_header_row(data.rows, merged=data.merged)

    def headers(self, sheet: str | int | None = None, header_row: int | None = None) -> list[str]:
        """Header texts of ``header_row`` (guessed when None). Under a merged group header
        ("Residual" spanning two columns) the group is prefixed: "Residual Likelihood"."""
        data = self._data(sheet)
        if header_row is None:
            header_row = guess_header_row(data.rows, merged=data.merged)
        return _headers(data.rows, header_row, data.merged)

    def sample_rows(self, sheet: str | int | None = None, header_row: int | None = None,
                    count: int = _SAMPLE_ROWS) -> list[Sequence[Any]]:
        """The first ``count`` non-blank rows below the header (for guess_mapping)."""
        data = self._data(sheet)
        if header_row is None:
            header_row = guess_header_row(data.rows, merged=data.merged)
        samples = []
        for index in range(header_row, len(data.rows)):
            row = data.rows[index]
            if index not in data.blank_before_fill and not _is_blank(row):
                samples.append(row)
                if len(samples) >= count:
                    break
        return samples


def _is_blank(row: Sequence[Any]) -> bool:
    for value in row:
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def _headers(rows: Sequence[Sequence[Any]], header_row: int,
             merged: Sequence[tuple[int, int, int, int]] = ()) -> list[str]:
    if header_row < 1 or header_row > max(len(rows), 1):
        raise ValueError(f"Row {header_row} is outside the sheet; choose a row from 1 to "
                         f"{len(rows)}.")
    row = rows[header_row - 1] if rows else ()
    headers = ["" if value is None else _cell_text(value).strip() for value in row]
    for first_row, first_col, last_row, last_col in merged:
        # A group header directly above: merged across columns, not reaching this row.
        if last_row == header_row - 1 and last_col > first_col:
            group_row = rows[first_row - 1] if first_row - 1 < len(rows) else ()
            group = group_row[first_col - 1] if first_col - 1 < len(group_row) else None
            group = "" if group is None else _cell_text(group).strip()
            if not group:
                continue
            for col in range(first_col, min(last_col, len(headers)) + 1):
                own = headers[col - 1]
                if own and normalize_words(own) != normalize_words(group):
                    headers[col - 1] = f"{group} {own}"
    return headers


def guess_header_row(rows: Sequence[Sequence[Any]],
                     merged: Sequence[tuple[int, int, int, int]] = ()) -> int:
    """1-based number of the row (among the first 30) whose cells best match known headers."""
    best, best_score = 0, (0, 0)
    first_texty = 0
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        texts = [value for value in row if isinstance(value, str) and value.strip()]
        if len(texts) >= 2 and not first_texty:
            first_texty = index + 1
        if not texts:
            continue
        # Headers are short texts: long sentences and numbers are data, not headers.
        headers = [h if len(h) <= _HEADER_MAX_LENGTH else ""
                   for h in _headers(rows, index + 1, merged)]
        recognised = len(set(guess_mapping(headers).values()))
        candidate = (recognised, len(texts))
        if recognised >= 2 and candidate[0] > best_score[0]:
            best, best_score = index + 1, candidate
    return best or first_texty or 1


def _cell_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_table(path: str | Path, *, max_rows: int = DEFAULT_MAX_ROWS,
               max_bytes: int = DEFAULT_MAX_BYTES, fill_merged: bool = True) -> TableSource:
    """Open an .xlsx/.xlsm workbook or a .csv/.tsv/.txt file for import.

    The type is decided by the content, not the name. Raises :class:`ImportFileError` with a
    one-sentence message for a missing, empty, oversized, encrypted, damaged or unsupported
    file. Sheets of a workbook are read on first use (``rows``/``headers``), which may raise
    ImportFileError too (more than ``max_rows`` rows, damaged sheet).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportFileError(f"File not found: {path.name}; check the name and folder.") \
            from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name} ({exc.strerror}); check that the file "
                              "is accessible.") from None
    if path.is_dir():
        raise ImportFileError(f"{path.name} is a folder; choose an .xlsx or .csv file.")
    if size == 0:
        raise ImportFileError(f"{path.name} is empty; choose a file that contains the risk "
                              "register.")
    if size > max_bytes:
        raise ImportFileError(
            f"{path.name} is {size / 1048576:.1f} MB, more than the {max_bytes / 1048576:.0f} "
            "MB import limit; split it into smaller files.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name} ({exc.strerror}); check that the file "
                              "is accessible.") from None
    suffix = path.suffix.lower()
    if head.startswith(_OLE_SIGNATURE):
        if suffix == ".xls":
            raise ImportFileError(f"{path.name} is an old Excel 97-2003 workbook; save it as "
                                  ".xlsx in Excel and import that file.")
        raise ImportFileError(
            f"{path.name} is password-protected (encrypted) or an old Excel 97-2003 file; "
            "remove the password or save it as .xlsx in Excel, then import it again.")
    if head.startswith(_ZIP_SIGNATURES):
        return _open_xlsx(path, max_rows=max_rows, fill_merged=fill_merged)
    if suffix in _XLSX_SUFFIXES or suffix in (".xls", ".ods", ".docx", ".pdf"):
        raise ImportFileError(f"{path.name} is not a valid Excel workbook (its content is not "
                              "an .xlsx package); save it again as .xlsx or export it as .csv.")
    if suffix in _CSV_SUFFIXES or not suffix:
        return _open_csv(path, max_rows=max_rows)
    raise ImportFileError(f"{path.name} has an unsupported type ({suffix}); import an .xlsx "
                          "workbook or a .csv file.")


# -- xlsx ------------------------------------------------------------------------------------

def _open_xlsx(path: Path, *, max_rows: int, fill_merged: bool) -> TableSource:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            workbook_path = _office_document(archive, names)
            if workbook_path is None or workbook_path not in names:
                raise ImportFileError(_not_a_workbook_message(path, names))
            workbook_xml = archive.read(workbook_path)
            rels_path = posixpath.join(posixpath.dirname(workbook_path), "_rels",
                                       posixpath.basename(workbook_path) + ".rels")
            rels_xml = archive.read(rels_path) if rels_path in names else b""
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError,
            NotImplementedError, RuntimeError):
        raise ImportFileError(f"{path.name} is damaged or not a real Excel workbook; open it "
                              "in Excel, save it as .xlsx and try again.") from None
    try:
        workbook = ElementTree.fromstring(workbook_xml)
        rels = ElementTree.fromstring(rels_xml) if rels_xml else None
    except ElementTree.ParseError:
        raise ImportFileError(f"{path.name} is damaged (its workbook part cannot be read); "
                              "open it in Excel, save it as .xlsx and try again.") from None

    targets = {}
    if rels is not None:
        base = posixpath.dirname(workbook_path)
        for rel in rels:
            if _local(rel.tag) != "Relationship" or not rel.get("Type", "").endswith(
                    "/worksheet"):
                continue
            target = rel.get("Target", "")
            if target.startswith("/"):
                full = target.lstrip("/")
            else:
                full = posixpath.normpath(posixpath.join(base, target))
            targets[rel.get("Id")] = full
    sheets, hidden, sheet_paths = [], set(), {}
    date1904 = False
    for element in workbook.iter():
        name = _local(element.tag)
        if name == "workbookPr":
            date1904 = element.get("date1904", "").lower() in ("1", "true")
        elif name == "sheet":
            rel_id = element.get(f"{{{_REL_NS}}}id")
            if rel_id not in targets:
                continue  # a chart sheet or dialog sheet: no cells to import
            title = element.get("name", f"Sheet{len(sheets) + 1}")
            sheets.append(title)
            sheet_paths[title] = targets[rel_id]
            if element.get("state", "visible") != "visible":
                hidden.add(title)
    if not sheets:
        raise ImportFileError(f"{path.name} has no worksheets with cells; choose a workbook "
                              "that contains the register.")
    source = TableSource(path, "xlsx", sheets, max_rows=max_rows, fill_merged=fill_merged)
    source._sheet_paths = sheet_paths
    source.hidden_sheets = hidden
    source.date1904 = date1904
    return source


def _office_document(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    if "_rels/.rels" in names:
        try:
            root = ElementTree.fromstring(archive.read("_rels/.rels"))
        except ElementTree.ParseError:
            root = None
        if root is not None:
            for rel in root:
                if rel.get("Type", "").endswith("/officeDocument"):
                    target = rel.get("Target", "").lstrip("/")
                    if target.startswith("xl/") or target.endswith("workbook.xml"):
                        return target
                    return None
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


def _not_a_workbook_message(path: Path, names: set[str]) -> str:
    if "word/document.xml" in names:
        return (f"{path.name} is a Word document, not an Excel workbook; choose the .xlsx or "
                ".csv file of the register.")
    if "ppt/presentation.xml" in names:
        return (f"{path.name} is a PowerPoint presentation, not an Excel workbook; choose the "
                ".xlsx or .csv file of the register.")
    if "content.xml" in names and "mimetype" in names:
        return (f"{path.name} is an OpenDocument file; save it as .xlsx (File > Save as) and "
                "import that file.")
    return (f"{path.name} is a ZIP archive but not an Excel workbook; choose the .xlsx or .csv "
            "file of the register.")


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?"')
_DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Za-z]*\d*:?[A-Za-z]*(\d+)"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ERROR_CELL_RE = re.compile(rb'\st="e"')
_R_ATTR_RE = re.compile(rb'\sr="([A-Za-z]+)(\d+)"')
_VALUE_RE = re.compile(rb"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>")
_T_ATTR_RE = re.compile(rb'\st="(\w+)"')
_SHEETDATA_RE = re.compile(rb"<(\w+:)?sheetData[\s>/]")


def _scan_sheet_xml(xml: bytes) -> tuple[list, set, dict]:
    """Merged ranges, formula cells without a saved result, and error cells, found in the raw
    sheet XML (openpyxl's fast read-only mode reports none of these)."""
    merged = []
    tail_start = xml.rfind(b"sheetData>")
    for match in _MERGE_RE.finditer(xml, max(tail_start, 0)):
        r1, c1 = int(match[2]), _column_number(match[1])
        if match[3]:
            r2, c2 = int(match[4]), _column_number(match[3])
        else:
            r2, c2 = r1, c1
        if (r1, c1) != (r2, c2):
            merged.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))

    no_value: set[tuple[int, int]] = set()
    errors: dict[tuple[int, int], str] = {}
    end = tail_start if tail_start > 0 else len(xml)
    if not (_FORMULA_RE.search(xml, 0, end) or _ERROR_CELL_RE.search(xml, 0, end)):
        return merged, no_value, errors
    prefix_match = _SHEETDATA_RE.search(xml)
    prefix = prefix_match[1] if prefix_match and prefix_match[1] else b""
    cell_tags = (b"<" + prefix + b"c ", b"<" + prefix + b"c\t", b"<" + prefix + b"c\n")
    cell_close = b"</" + prefix + b"c>"
    for pattern, kind in ((_FORMULA_RE, "formula"), (_ERROR_CELL_RE, "error")):
        for match in pattern.finditer(xml, 0, end):
            cell_start = max(xml.rfind(tag, 0, match.start() + 1) for tag in cell_tags)
            if cell_start < 0:
                continue
            tag_end = xml.find(b">", cell_start)
            start_tag = xml[cell_start:tag_end]
            ref = _R_ATTR_RE.search(start_tag)
            if not ref:
                continue  # cells without a reference cannot be placed; openpyxl reads them
            position = (int(ref[2]), _column_number(ref[1]))
            cell_end = xml.find(cell_close, tag_end)
            body = xml[tag_end:cell_end if cell_end >= 0 else end]
            value = _VALUE_RE.search(body)
            if kind == "formula":
                cell_type = _T_ATTR_RE.search(start_tag)
                if value is None and not (cell_type and cell_type[1] == b"str"):
                    no_value.add(position)
            elif value is not None:
                errors[position] = value[1].decode("utf-8", "replace")
    return merged, no_value, errors


def _read_xlsx_sheet(source: TableSource, sheet: str) -> _SheetData:
    path = source.path
    member = source._sheet_paths[sheet]
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(member)
            if info.file_size > _MAX_SHEET_XML_BYTES:
                raise ImportFileError(
                    f"Sheet {sheet!r} of {path.name} is too large to import "
                    f"({info.file_size / 1048576:.0f} MB of cell data); split the register into "
                    "smaller files.")
            xml = archive.read(member)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError,
            NotImplementedError, zipfile.LargeZipFile):
        raise ImportFileError(f"Sheet {sheet!r} of {path.name} is damaged; open the file in "
                              "Excel, save it as .xlsx and try again.") from None
    except Exception as exc:  # zlib.error and friends from a corrupted stream
        raise ImportFileError(f"Sheet {sheet!r} of {path.name} is damaged ({exc}); open the "
                              "file in Excel, save it as .xlsx and try again.") from None

    dimension = _DIMENSION_RE.search(xml, 0, 4096)
    if dimension and int(dimension[1]) > source.max_rows * 4 + 1000:
        _too_many_rows(source, sheet)
    merged, no_value, errors = _scan_sheet_xml(xml)
    del xml

    from openpyxl import load_workbook  # heavy: imported only when a workbook is read

    rows: list[Sequence[Any]] = []
    filled = 0
    last_filled = 0
    limit = source.max_rows
    try:
        with path.open("rb") as handle, _warnings.catch_warnings():
            # openpyxl warns about parts it skips (extensions, VML, slicers): not our concern.
            _warnings.simplefilter("ignore")
            workbook = load_workbook(handle, read_only=True, data_only=True, keep_links=False)
            try:
                worksheet = workbook[sheet]
                worksheet.reset_dimensions()
                empty: tuple = ()
                append = rows.append
                for values in worksheet.iter_rows(values_only=True):
                    if not values:
                        append(empty)
                        continue
                    if len(values) > _MAX_COLUMNS:
                        values = values[:_MAX_COLUMNS]
                    append(values)
                    for value in values:
                        if value is not None and value != "":
                            filled += 1
                            last_filled = len(rows)
                            break
                    if filled > limit:
                        _too_many_rows(source, sheet)
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl/lxml raise many types on damaged content
        raise ImportFileError(f"Sheet {sheet!r} of {path.name} cannot be read ({exc}); open "
                              "the file in Excel, save it as .xlsx and try again.") from None
    del rows[last_filled:]  # trailing empty (formatted) rows

    blank_before_fill: set[int] = set()
    if source.fill_merged and merged:
        blank_before_fill = _fill_merged(rows, merged)
    return _SheetData(rows=rows, merged=merged, no_value_formulas=no_value, error_cells=errors,
                      blank_before_fill=blank_before_fill)


def _too_many_rows(source: TableSource, sheet: str) -> None:
    where = f"Sheet {sheet!r} of {source.path.name}" if source.format == "xlsx" else \
        source.path.name
    raise ImportFileError(f"{where} has more than {source.max_rows:,} rows, the import limit; "
                          "split the register into smaller files.")


def _fill_merged(rows: list[Sequence[Any]],
                 merged: Sequence[tuple[int, int, int, int]]) -> set[int]:
    """Copy each merged range's top-left value into all its cells; return the indexes of rows
    that had no value of their own (they stay blank rows for the import)."""
    row_count = len(rows)
    blank = {index for first_row, _, last_row, _ in merged
             for index in range(first_row - 1, min(last_row, row_count))
             if _is_blank(rows[index])}
    for first_row, first_col, last_row, last_col in merged:
        if first_row > row_count:
            continue
        last_row = min(last_row, row_count)
        last_col = min(last_col, _MAX_COLUMNS)
        top = rows[first_row - 1]
        value = top[first_col - 1] if first_col - 1 < len(top) else None
        if value is None:
            continue
        for row_number in range(first_row, last_row + 1):
            row = rows[row_number - 1]
            if not isinstance(row, list):
                row = list(row)
            if len(row) < last_col:
                row.extend([None] * (last_col - len(row)))
            for col in range(first_col, last_col + 1):
                row[col - 1] = value
            rows[row_number - 1] = row
    return blank


# -- csv -------------------------------------------------------------------------------------

def _open_csv(path: Path, *, max_rows: int) -> TableSource:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path.name} ({exc.strerror}); check that the file "
                              "is accessible.") from None
    text, encoding = _decode_text(raw, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text and "\n" not in text \
        else text
    delimiter = None
    first_line_end = text.find("\n")
    first_line = text[: first_line_end if first_line_end >= 0 else len(text)].strip()
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        delimiter = first_line[4]
        text = text[first_line_end + 1:] if first_line_end >= 0 else ""
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    rows: list[Sequence[Any]] = []
    filled = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    source = TableSource(path, "csv", [path.stem or "CSV"], max_rows=max_rows)
    try:
        for record in reader:
            row = [value if value != "" else None for value in record[:_MAX_COLUMNS]]
            rows.append(row)
            if not _is_blank(row):
                filled += 1
                if filled > max_rows:
                    _too_many_rows(source, source.sheets[0])
    except csv.Error as exc:
        raise ImportFileError(f"{path.name} is not a well-formed CSV file ({exc}); check the "
                              "quotes and separators, then try again.") from None
    while rows and _is_blank(rows[-1]):
        rows.pop()
    source.encoding = encoding
    source.delimiter = delimiter
    source._cache[source.sheets[0]] = _SheetData(rows=rows)
    return source


def _decode_text(raw: bytes, path: Path) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    sample = raw[:65536]
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    if b"\x00" in sample or controls > len(sample) // 100:
        raise ImportFileError(f"{path.name} does not look like a text (CSV) file; choose the "
                              "register saved as .csv or .xlsx.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            return text, ("utf-8" if encoding == "utf-8-sig" and not raw.startswith(
                b"\xef\xbb\xbf") else encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.split("\n", 60)[:60] if line.strip()]
    if not lines:
        return ","
    sample = "\n".join(lines)
    best, best_score = ",", (-1.0, 0)
    for delimiter in (",", ";", "\t", "|"):
        try:
            counts = [len(record) for record in csv.reader(io.StringIO(sample),
                                                             delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        consistency = counts.count(mode) / len(counts)
        candidate = (consistency, mode)
        if candidate > best_score:
            best, best_score = delimiter, candidate
    return best


# --------------------------------------------------------------------------------------------
# Parsing rows
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportOptions:
    """How :func:`parse_rows` reads the sheet.

    header_row: 1-based header row, None to guess. dayfirst: read 03/04/2026 as 3 April.
    fill_down: fields whose empty cells take the value from the row above (grouped layouts
    where, say, the process is written once per block). extra_columns: "notes" copies
    unmapped, non-computed columns into the notes as "Header: value" lines; "ignore" drops
    them. split_description: a column mapped to ``description`` gives the title its first
    sentence and the cause the rest (when those fields are not mapped themselves).
    """

    header_row: int | None = None
    dayfirst: bool = True
    fill_down: frozenset[str] = frozenset()
    extra_columns: str = "notes"
    default_status: str = "open"
    default_kind: str = "risk"
    split_description: bool = True


@dataclass(frozen=True)
class RowResult:
    """One data row: ``status`` is "ok", "warning" or "error"; ``messages`` lists errors
    first, then warnings, each a clause without a closing full stop, so that they read well
    joined with "; "; ``values`` has every field of :data:`RISK_FIELDS`."""

    row_number: int
    status: str
    messages: tuple[str, ...]
    values: dict[str, Any]
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass
class ImportPreview:
    """The dry-run report of an import."""

    rows: list[RowResult]
    sheet: str
    header_row: int
    headers: list[str]
    mapping: dict[int, str]
    notes: list[str] = field(default_factory=list)
    skipped_blank_rows: int = 0

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

    def summary(self) -> str:
        return (f"{len(self.rows)} rows: {self.ok_count} ok, {self.warning_count} with "
                f"warnings, {self.error_count} with errors; {self.skipped_blank_rows} blank "
                "rows skipped.")


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
    return _cell_text(value)


def _default_values(options: ImportOptions) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in RISK_FIELDS:
        values[name] = "" if name in TEXT_FIELDS else None
    values["status"] = options.default_status
    values["kind"] = options.default_kind
    return values


def parse_rows(source: TableSource, sheet: str | int | None = None,
               mapping: Mapping[int, str] | None = None,
               options: ImportOptions | None = None) -> ImportPreview:
    """Read every data row below the header into an :class:`ImportPreview` (a dry run).

    ``mapping`` is {column index (0-based): field name}; None guesses it. Raises ValueError
    when the mapping itself is invalid (see :func:`validate_mapping`); problems in the data
    are reported per row instead.
    """
    options = options or ImportOptions()
    if options.extra_columns not in ("notes", "ignore"):
        raise ValueError("extra_columns must be 'notes' or 'ignore'.")
    if options.default_status not in STATUSES or options.default_kind not in KINDS:
        raise ValueError("default_status/default_kind must be one of the known values.")
    sheet_name = source._sheet_name(sheet)
    data = source._data(sheet_name)
    rows = data.rows
    header_row = options.header_row or guess_header_row(rows, merged=data.merged)
    headers = _headers(rows, header_row, data.merged) if rows else []
    if mapping is None:
        samples = source.sample_rows(sheet_name, header_row)
        mapping = guess_mapping(headers, samples)
    mapping = dict(mapping)
    problems = validate_mapping(mapping)
    if problems:
        raise ValueError(" ".join(problems))

    notes: list[str] = []
    mapped_fields = set(mapping.values())
    if not mapped_fields & {"title", "description", "failure_mode"}:
        notes.append("No column is mapped to Title (or Description); map one so every risk "
                     "gets a title.")
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
    unknown_fill = set(options.fill_down) - set(MAPPABLE_FIELDS)
    if unknown_fill:
        raise ValueError(f"fill_down names unknown fields: {', '.join(sorted(unknown_fill))}.")

    computed = computed_columns(headers)
    extras = []
    if options.extra_columns == "notes":
        for index, header in enumerate(headers):
            if index not in mapping and index not in computed and header:
                extras.append((index, header))
        if extras:
            notes.append("Columns copied into the notes: "
                         + ", ".join(f"'{header}'" for _, header in extras) + ".")

    def label_of(index: int) -> str:
        header = headers[index] if index < len(headers) and headers[index] else ""
        return header or f"Column {_cell_name(1, index + 1)[:-1]}"

    plan = sorted(mapping.items())
    labels = {index: label_of(index) for index, _ in plan}
    no_value = data.no_value_formulas
    error_cells = data.error_cells
    is_xlsx = source.format == "xlsx"
    date1904 = source.date1904
    dayfirst = options.dayfirst
    fill_down = set(options.fill_down)
    previous: dict[str, Any] = {}
    seen_refs: dict[str, int] = {}
    defaults = _default_values(options)
    results: list[RowResult] = []
    blank = 0

    blank_before_fill = data.blank_before_fill
    for row_index in range(header_row, len(rows)):
        row = rows[row_index]
        if row_index in blank_before_fill or _is_blank(row):
            blank += 1
            continue
        row_number = row_index + 1
        errors: list[str] = []
        warnings: list[str] = []
        values = dict(defaults)
        width = len(row)
        texts: dict[str, list[str]] = {}
        raw: dict[str, Any] = {}

        for index, name in plan:
            value = row[index] if index < width else None
            if isinstance(value, str) and not value.strip():
                value = None
            if no_value and (row_number, index + 1) in no_value:
                errors.append(f"{labels[index]}: cell {_cell_name(row_number, index + 1)} holds "
                              "a formula with no saved result; open and save the file in Excel, "
                              "then import again.")
                continue
            if error_cells and (row_number, index + 1) in error_cells:
                errors.append(f"{labels[index]}: cell {_cell_name(row_number, index + 1)} shows "
                              f"the Excel error {error_cells[(row_number, index + 1)]}; correct "
                              "it in the file and import again.")
                continue
            if value is None and name in fill_down:
                value = previous.get(name)
            if value is None:
                continue
            if name in fill_down:
                previous[name] = value
            if name in TEXT_FIELDS:
                text = _text_value(value)
                if text:
                    texts.setdefault(name, []).append(text)
            else:
                raw[name] = (index, value)

        # Text fields (joinable ones may come from several columns).
        for name, parts in texts.items():
            if name == "ref":
                values["ref"] = parts[0].strip()
            elif name != "description":
                values[name] = "\n".join(parts)
        if "description" in texts:
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
        for name, (index, value) in raw.items():
            label = labels[index]
            if name in RATING_FIELDS:
                scale = 10 if name in RATING10_FIELDS else 5
                number = text_rating_to_number(value, scale)
                if number is None:
                    errors.append(f"{label}: {_quote(value)} is not a rating from 1 to {scale}; "
                                  "use a whole number or a word such as Low, Medium or High.")
                    continue
                values[name] = number
                if isinstance(value, str) and not value.strip()[:1].isdigit() and \
                        (scale == 10 or name == "detection"):
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
                value = row[index] if index < width else None
                text = _text_value(value)
                if text:
                    lines.append(f"{header}: {text}")
            if lines:
                values["notes"] = "\n".join(([values["notes"]] if values["notes"] else [])
                                            + lines)

        status = "error" if errors else ("warning" if warnings else "ok")
        errors = [_as_clause(message) for message in errors]
        warnings = [_as_clause(message) for message in warnings]
        results.append(RowResult(row_number, status, tuple(errors + warnings), values,
                                 tuple(errors), tuple(warnings)))

    if not results:
        notes.append("No data rows were found below the header row; check the sheet and the "
                     "header row.")
    return ImportPreview(rows=results, sheet=sheet_name, header_row=header_row,
                         headers=headers, mapping=dict(sorted(mapping.items())), notes=notes,
                         skipped_blank_rows=blank)


def _as_clause(message: str) -> str:
    """A row message without its closing full stop: callers list a row's messages joined with
    "; " (and the workspace import adds its own such clauses), which must not read ".;"."""
    if message.endswith(".") and not message.endswith(".."):
        return message[:-1]
    return message


def _quote(value: Any) -> str:
    text = _cell_text(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"'{text}'"


def _check_row(values: dict[str, Any], errors: list[str], warnings: list[str],
               mapped_fields: set[str], seen_refs: dict[str, int], row_number: int) -> None:
    if not values["title"]:
        if values["failure_mode"]:
            values["title"] = values["failure_mode"]
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
