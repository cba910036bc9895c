"""The signed-in user as the services see it, and the agency scope it implies."""

from __future__ import annotations

from dataclasses import dataclass

from inspect_app.domain.permissions import has_permission


@dataclass(frozen=True)
class Principal:
    """Who is acting: identity, role and the agency subtree they may see."""

    id: int
    username: str
    full_name: str
    role: str
    agency_id: int
    # Materialised path of the user's agency: everything whose path starts with it is in scope.
    agency_path: str
    language: str = "vi"
    via_token: bool = False
    token_id: int | None = None

    def can(self, permission: str) -> bool:
        """True when the role table allows ``permission``."""
        return has_permission(self.role, permission)

    def sees_path(self, path: str) -> bool:
        """True when an agency with this materialised path is in the user's subtree."""
        return path.startswith(self.agency_path)

    @property
    def scope_pattern(self) -> str:
        """LIKE pattern matching every agency path in scope."""
        return self.agency_path + "%"
