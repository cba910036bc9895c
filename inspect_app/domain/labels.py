"""Names of the coded values of cases, subjects, plans and agencies, as English message ids.

The codes are what the database and the API hold; pages and the record history translate
these message ids into the reader's language.
"""

from __future__ import annotations

# Where an ad-hoc case comes from (services.inspections.ORIGIN_SOURCES).
ORIGIN_SOURCE_LABELS = {
    "hotline": "Hotline",
    "feedback_box": "Feedback box",
    "complaint": "Complaint",
    "denunciation": "Denunciation",
    "directive": "Directive of a superior",
    "signs": "Signs of violation",
    "other": "Other",
}
ORIGIN_LABELS = {"scheduled": "Scheduled", "ad_hoc": "Ad-hoc"}
SUBJECT_KIND_LABELS = {
    "enterprise": "Enterprise",
    "organization": "Organisation",
    "individual": "Individual",
    "state_body": "State body",
}
FINDING_CATEGORY_LABELS = {
    "land": "Land",
    "finance": "Finance and budget",
    "construction": "Construction investment",
    "anti_corruption": "Anti-corruption",
    "food_safety": "Food safety",
    "health": "Health",
    "environment": "Environment",
    "trade": "Trade",
    "labour": "Labour",
    "other": "Other",
}
PLAN_STATUS_LABELS = {"draft": "Draft", "approved": "Approved", "amended": "Amended"}
AGENCY_KIND_LABELS = {
    "province_inspectorate": "Provincial inspectorate",
    "division": "Division",
    "department": "Department",
    "sub_department": "Sub-department",
    "district": "District",
    "commune": "Commune",
    "other": "Other",
}
