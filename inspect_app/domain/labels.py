"""Names of the coded values of cases, subjects, plans and agencies, as English message ids.

The codes are what the database and the API hold; pages and the record history translate
these message ids into the reader's language.
"""

from __future__ import annotations

from inspect_app.domain.messages import N_

# Where an ad-hoc case comes from (services.inspections.ORIGIN_SOURCES).
ORIGIN_SOURCE_LABELS = {
    "hotline": N_("Hotline"),
    "feedback_box": N_("Feedback box"),
    "complaint": N_("Complaint"),
    "denunciation": N_("Denunciation"),
    "directive": N_("Directive of a superior"),
    "signs": N_("Signs of violation"),
    "other": N_("Other"),
}
ORIGIN_LABELS = {"scheduled": N_("Scheduled"), "ad_hoc": N_("Ad-hoc")}
SUBJECT_KIND_LABELS = {
    "enterprise": N_("Enterprise"),
    "organization": N_("Organisation"),
    "individual": N_("Individual"),
    "state_body": N_("State body"),
}
FINDING_CATEGORY_LABELS = {
    "land": N_("Land"),
    "finance": N_("Finance and budget"),
    "construction": N_("Construction investment"),
    "anti_corruption": N_("Anti-corruption"),
    "food_safety": N_("Food safety"),
    "health": N_("Health"),
    "environment": N_("Environment"),
    "trade": N_("Trade"),
    "labour": N_("Labour"),
    "other": N_("Other"),
}
PLAN_STATUS_LABELS = {"draft": N_("Draft"), "approved": N_("Approved"), "amended": N_("Amended")}
AGENCY_KIND_LABELS = {
    "province_inspectorate": N_("Provincial inspectorate"),
    "division": N_("Division"),
    "department": N_("Department"),
    "sub_department": N_("Sub-department"),
    "district": N_("District"),
    "commune": N_("Commune"),
    "other": N_("Other"),
}
