"""The organization profile (name, scope, quality policy, sites) shown on the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..storage.models import Organization
from ..storage.workspace import Workspace

#: the profile fields an editor may change, in display order
PROFILE_FIELDS = ("name", "scope", "quality_policy", "sites")


@dataclass(frozen=True)
class OrganizationProfile:
    id: int
    name: str
    scope: str
    quality_policy: str
    sites: str


def get_profile(ws: Workspace) -> OrganizationProfile | None:
    """The workspace's organization (the first one), or None when it has none yet."""
    t = Organization.__table__
    with ws.connect() as conn:
        row = conn.execute(select(t).order_by(t.c.id).limit(1)).mappings().first()
    if row is None:
        return None
    return OrganizationProfile(row["id"], row["name"] or "", row["scope"] or "",
                               row["quality_policy"] or "", row["sites"] or "")
