"""Cases (inspections and specialised checks), by concern: ``records`` (fields, scope,
shaping), ``overlap`` (Directive 20 and the links), ``queries`` (reading), ``validation``,
``writes`` (register, edit, delete, deadlines) and ``events`` (the lifecycle).
:mod:`inspect_app.services.inspections` is the one place the rest of the application imports
them from.

Rules kept here, for JSON handlers and pages alike:

- A case belongs to an agency; the caller sees the cases of their agency's subtree only.
- Its code is generated: ``TT-<year>-<id>`` for inspections, ``KT-<year>-<id>`` for
  specialised checks (report table 2), the year being the year it was registered.
- Reporting periods (Circular 01/2024): a case *starts* on its announcement date, or on its
  decision date while not announced. It belongs to a period when it started in the period,
  or when it is carried over: started before the period and still open at its start (not
  closed or cancelled before the first day). A case with neither date belongs to no period.
  ``year=2026`` is the report year 2026 (15/12/2025 to 14/12/2026), the same as ``2026-Y``.
- Directive 20/CT-TTg: an enterprise (a subject with a tax code) should be inspected or
  checked at most once a calendar year, by anyone. Saving still succeeds; the answer carries
  a ``subject_already_inspected`` warning, and a head may record an override reason.
- Lifecycle events follow ``domain.lifecycle``; each is recorded, moves the date columns and
  recomputes the legal deadlines (``domain.clock``) in the same transaction.
"""
