"""The role permission table as the tests expect it, written out by hand.

This is the product's answer to "may this role do that?" (docs/security.md), spelled as
literals so that a wrong entry in ``inspect_app.domain.permissions.PERMISSIONS`` cannot pass
unnoticed: tests/unit/test_permissions.py compares the two cell by cell, and the
authorization matrix (tests/integration/test_authz_matrix.py) takes its allow/deny
expectation from here, never from the app. Changing who may do what means changing both
this table and the app's, on purpose.
"""

from __future__ import annotations

ROLES = ("inspector", "lead", "head", "viewer", "admin")

Y, N = True, False

# fmt: off
EXPECTED: dict[str, tuple[bool, bool, bool, bool, bool]] = {
    #                               inspector lead head viewer admin
    "read":                         (Y,        Y,   Y,   Y,     Y),
    "agency.manage":                (N,        N,   N,   N,     Y),
    "user.manage":                  (N,        N,   N,   N,     Y),
    "subject.create":               (Y,        Y,   Y,   N,     N),
    "subject.edit":                 (Y,        Y,   Y,   N,     N),
    "plan.manage":                  (N,        Y,   Y,   N,     N),
    "inspection.create":            (Y,        Y,   Y,   N,     N),
    "inspection.edit":              (Y,        Y,   Y,   N,     N),
    "inspection.delete":            (N,        Y,   Y,   N,     N),
    "inspection.event":             (Y,        Y,   Y,   N,     N),
    "inspection.override_overlap":  (N,        N,   Y,   N,     N),
    "finding.edit":                 (Y,        Y,   Y,   N,     N),
    "measure.edit":                 (Y,        Y,   Y,   N,     N),
    "measure.write_off":            (N,        Y,   Y,   N,     N),
    "execution.create":             (Y,        Y,   Y,   N,     N),
    "attachment.upload":            (Y,        Y,   Y,   N,     N),
    "execution.reverse":            (N,        Y,   Y,   N,     N),
    "approval.decide":              (N,        Y,   Y,   N,     N),
    "approval.read":                (Y,        Y,   Y,   N,     N),
    "followup.board":               (Y,        Y,   Y,   Y,     Y),
    "followup.remind":              (N,        Y,   Y,   N,     N),
    "report.request":               (N,        Y,   Y,   N,     N),
    "report.sign_off":              (N,        N,   Y,   N,     N),
    "import.run":                   (N,        Y,   Y,   N,     N),
    "tip.intake":                   (Y,        Y,   Y,   N,     N),
    "tip.triage":                   (N,        Y,   Y,   N,     N),
    "publication.unpublish":        (N,        N,   Y,   N,     N),
    "ladder.manage":                (N,        N,   N,   N,     Y),
    "audit.read":                   (N,        Y,   Y,   N,     Y),
    "totals.read":                  (Y,        Y,   Y,   Y,     Y),
    "self":                         (Y,        Y,   Y,   Y,     Y),
}
# fmt: on


def allowed(role: str, permission: str) -> bool:
    """The expected answer for ``role`` and ``permission``; KeyError for names not listed."""
    return EXPECTED[permission][ROLES.index(role)]
