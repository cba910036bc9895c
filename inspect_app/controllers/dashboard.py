"""The dashboard page, and the records behind a figure of the dashboard or a report."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from inspect_app.clock import today
from inspect_app.domain import tips as rules
from inspect_app.domain.periods import InvalidPeriod, current_quarter, parse_period
from inspect_app.errors import InvalidInput, NotFound
from inspect_app.exceptions import request_language
from inspect_app.forms.common import CHOOSE_AGENCY
from inspect_app.forms.figures import counter_options, figure_period_options, figure_request
from inspect_app.pages import render
from inspect_app.principal import Principal
from inspect_app.services import counter_records, dashboard, dashboard_charts, tips


class DashboardController(Controller):
    """Home page: the current period at a glance for the user's scope."""

    include_in_schema = False

    @get("/", opt={"permission": "read"})
    async def index(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        """Dashboard of the user's agency subtree."""
        figures = await dashboard.dashboard(principal, today())
        lang = request_language(request)
        charts: dict[str, Any] = {
            "trend_chart": await dashboard_charts.recovery_trend(principal, today(), lang),
            "overdue_chart": dashboard_charts.overdue_chart(figures.overdue_units, lang),
        }
        tip_counts = await tips.counts(principal, date(today().year, 1, 1))
        return await render(
            request,
            "dashboard/index.html",
            tip_counts=tip_counts,
            tip_link=principal.can("tip.intake"),
            tip_year=today().year,
            tip_labels={"channel": rules.CHANNEL_LABELS, "status": rules.STATUS_LABELS},
            **figures.context(),
            **charts,
        )

    @get("/figures", opt={"permission": "read"})
    async def figure_records(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        counter: str | None = None,
        period: str | None = None,
        agency_id: str | None = None,
        page: str | None = None,
        own: str | None = None,
    ) -> Template:
        """The records a figure of the dashboard or of a report adds up."""
        errors: dict[str, str] = {}
        found = None
        lang = request_language(request)
        if counter is period is agency_id is page is own is None:  # the form, this period
            period = current_quarter(today()).code
        else:
            try:
                wanted = figure_request(counter, period, agency_id, page, own)
                found = await counter_records.counter_records(principal, wanted)
            except InvalidInput as exc:
                errors.update(exc.errors)
            except NotFound:
                errors["agency_id"] = CHOOSE_AGENCY
        try:
            shown = parse_period(period or "")
        except InvalidPeriod:
            shown = current_quarter(today())
        return await render(
            request,
            "dashboard/figures.html",
            status_code=422 if errors else 200,
            found=found,
            errors=errors,
            label=counter_records.counter_label(found.counter, found.period, lang) if found else "",
            rule=counter_records.rule_of(found.counter) if found else "",
            counter_groups=counter_options(shown, lang),
            period_groups=figure_period_options(today(), lang, period),
            values={
                "counter": counter or "",
                "period": period or "",
                "agency_id": agency_id or "",
                "own": "1" if own == "1" else "",
            },
        )
