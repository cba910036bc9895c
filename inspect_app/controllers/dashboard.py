"""The dashboard page, and the records behind its money figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from inspect_app.clock import today
from inspect_app.domain import tips as rules
from inspect_app.domain.periods import current_quarter
from inspect_app.errors import InvalidInput, NotFound
from inspect_app.exceptions import request_language
from inspect_app.forms.common import CHOOSE_AGENCY
from inspect_app.forms.figures import figure_request
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
            "overdue_chart": dashboard_charts.overdue_chart(figures["overdue_units"], lang),
        }
        tip_counts = await tips.counts(principal, date(today().year, 1, 1))
        return await render(
            request,
            "dashboard/index.html",
            tip_counts=tip_counts,
            tip_link=principal.can("tip.intake"),
            tip_year=today().year,
            tip_labels={"channel": rules.CHANNEL_LABELS, "status": rules.STATUS_LABELS},
            **figures,
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
    ) -> Template:
        """The recommendations or payments a money figure of the dashboard adds up."""
        errors: dict[str, str] = {}
        found = None
        if counter is period is agency_id is page is None:  # the form, on the current period
            return await render(
                request,
                "dashboard/figures.html",
                found=None,
                errors={},
                values={"counter": "", "period": current_quarter(today()).code, "agency_id": ""},
            )
        try:
            wanted = figure_request(counter, period, agency_id, page)
            found = await counter_records.counter_records(principal, wanted)
        except InvalidInput as exc:
            errors.update(exc.errors)
        except NotFound:
            errors["agency_id"] = CHOOSE_AGENCY
        return await render(
            request,
            "dashboard/figures.html",
            status_code=422 if errors else 200,
            found=found,
            errors=errors,
            values={"counter": counter or "", "period": period or "", "agency_id": agency_id or ""},
        )
