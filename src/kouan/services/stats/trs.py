"""The WCO Time Release Study from Kouan's own records: the declarations and port calls filed in
a period, their stages as they happened (kouan.domain.trs), overall and by lane, declaration
office, agency and month; and the study's tables as XLSX or CSV with bilingual headers.

Only the port office and the agencies read it (Action.STATS_READ): the figures are the whole
port's. Minutes are shown with one decimal, shares as percentages with one decimal.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, cast, select

from kouan.adapters.db.tables import AuditEntry, DeclarationRow, Inspection, PortCall, Review
from kouan.domain import trs
from kouan.domain.agency import Agency, ReviewStatus
from kouan.domain.declaration import Direction, InspectionStatus, Lane
from kouan.domain.errors import ValidationFailed
from kouan.domain.identifiers import validate_locode
from kouan.domain.portcall import zero_wait
from kouan.services.platform.calendar import check_day
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.site import PORT_ZONE

# A study covers a sample period; a year at most keeps one answer's records in memory.
MAX_DAYS = 366
# The agencies that review declarations.
DECLARATION_AGENCIES = (Agency.CUSTOMS, Agency.CIQ)
SUBJECT = "declaration"

# Each stage: its Chinese and English names, and the record that marks it.
STAGES: dict[str, dict[str, tuple[str, str, str]]] = {
    "declaration": {
        "arrived": ("货物抵港", "goods arrived", "ATA of the port call carrying the goods"),
        "filed": ("申报", "filed", "declarations.filed_at"),
        "lane_decided": ("分流", "lane decided", "customs review opened by the risk rules"),
        "reviewed": ("单证审核", "documents reviewed", "first decision of each review"),
        "inspected": ("查验", "inspected", "inspections.result_at"),
        "released": ("放行", "released", "declarations.released_at"),
        "gated_out": ("提离", "gated out", "declarations.gated_out_at"),
    },
    "port_call": {
        "filed": ("申报", "filed", "port_calls.filed_at"),
        "entry_permit": ("入境许可", "entry permit", "port_calls.entry_permit_at"),
        "ata": ("实际抵港", "ATA", "port_calls.ata"),
        "all_fast": ("靠泊系妥", "all fast", "port_calls.all_fast"),
        "ops_start": ("作业开始", "operations start", "port_calls.ops_start"),
        "ops_complete": ("作业完成", "operations complete", "port_calls.ops_complete"),
        "departure_permit": ("出境许可", "departure permit", "port_calls.departure_permit_at"),
        "atd": ("实际离泊", "ATD", "port_calls.atd"),
    },
}
# The totals each study reports: (name, from stage, to stage).
TOTALS = {
    "declaration": (
        ("filed_to_released", "filed", "released"),
        ("arrived_to_released", "arrived", "released"),
    ),
    "port_call": (
        ("filed_to_entry_permit", "filed", "entry_permit"),
        ("ata_to_atd", "ata", "atd"),
        ("ops_complete_to_departure_permit", "ops_complete", "departure_permit"),
    ),
}
TOTAL_LABELS = {
    "filed_to_released": ("申报至放行", "filed to released"),
    "arrived_to_released": ("抵港至放行", "arrived to released"),
    "filed_to_entry_permit": ("申报至入境许可", "filed to entry permit"),
    "ata_to_atd": ("在港时间", "ATA to ATD"),
    "ops_complete_to_departure_permit": ("作业完成至出境许可", "ops complete to departure permit"),
}
GROUP_LABELS = {
    "lane": ("通道", "lane"),
    "office": ("申报地", "office"),
    "agency": ("部门", "agency"),
    "month": ("月份", "month"),
}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


# --- the period ---------------------------------------------------------------------------------


def _period(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants the port dates `first` to `last` (inclusive) cover."""
    check_day("first", first)
    check_day("last", last)
    if first > last:
        raise ValidationFailed.one("first", first.isoformat(), f"a day on or before {last}")
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed.one("last", last.isoformat(), f"within {MAX_DAYS} days of first")
    start = datetime.combine(first, datetime.min.time(), PORT_ZONE)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), PORT_ZONE)
    return start, end


def _month(at: datetime) -> str:
    return at.astimezone(PORT_ZONE).strftime("%Y-%m")


# --- declarations -------------------------------------------------------------------------------


@dataclass
class _Review:
    agency: str
    status: str
    created_at: datetime
    first_decision: tuple[datetime, str] | None = None  # when, and the status it left

    @property
    def reviewed_at(self) -> datetime | None:
        """When the documents were reviewed: by the rules as the review opened, or by the first
        decision of one opened pending (an officer's: approve, inspect, hold, reject)."""
        if self.first_decision is not None and self.first_decision[1] == ReviewStatus.PENDING:
            return self.first_decision[0]
        if self.first_decision is None and self.status == ReviewStatus.PENDING:
            return None
        return self.created_at


@dataclass
class _Declaration:
    id: int
    lane: str
    office: str
    filed_at: datetime
    released_at: datetime | None
    gated_out_at: datetime | None
    arrived: datetime | None = None
    reviews: list[_Review] = field(default_factory=list)
    inspections: list[tuple[str, str, datetime | None]] = field(default_factory=list)

    def agencies(self) -> set[str]:
        return {r.agency for r in self.reviews}

    def stages(self, agency: str | None) -> list[tuple[str, datetime | None]]:
        """The stages as they happened; with `agency`, that agency's review and inspections."""
        lane = next((r.created_at for r in self.reviews if r.agency == Agency.CUSTOMS), None)
        return [
            ("arrived", self.arrived),
            ("filed", self.filed_at),
            ("lane_decided", lane),
            ("reviewed", self._reviewed(agency)),
            ("inspected", self._inspected(agency)),
            ("released", self.released_at),
            ("gated_out", self.gated_out_at),
        ]

    def _reviewed(self, agency: str | None) -> datetime | None:
        """When the last of the reviews had its documents reviewed (None while one waits)."""
        times = [r.reviewed_at for r in self.reviews if agency in (None, r.agency)]
        if not times or any(t is None for t in times):
            return None
        return max(t for t in times if t is not None)

    def _inspected(self, agency: str | None) -> datetime | None:
        """When the last inspection's result was recorded (None while one is still booked)."""
        done = [
            (status, at)
            for who, status, at in self.inspections
            if agency in (None, who) and status != InspectionStatus.CANCELLED
        ]
        if not done or any(at is None for _, at in done):
            return None
        return max(at for _, at in done if at is not None)


def _declaration_filters(
    start: datetime, end: datetime, lane: str | None, office: str | None, agency: str | None
) -> list[ColumnElement[bool]]:
    where = [DeclarationRow.filed_at >= start, DeclarationRow.filed_at < end]
    if lane is not None:
        where.append(DeclarationRow.lane == lane)
    if office is not None:
        where.append(DeclarationRow.declaration_office == office)
    if agency is not None:
        reviewed_by = select(Review.subject_id).where(
            Review.subject_type == SUBJECT, Review.agency == agency
        )
        where.append(DeclarationRow.id.in_(reviewed_by))
    return where


def _read_declarations(uow: UnitOfWork, where: list[ColumnElement[bool]]) -> list[_Declaration]:
    """The declarations, their reviews with each one's first decision, their inspections and the
    arrival of the ship carrying imported goods, in five queries."""
    transport = DeclarationRow.document
    rows = uow.session.execute(
        select(
            DeclarationRow.id,
            DeclarationRow.lane,
            DeclarationRow.declaration_office,
            DeclarationRow.filed_at,
            DeclarationRow.released_at,
            DeclarationRow.gated_out_at,
            DeclarationRow.direction,
            DeclarationRow.release_port,
            transport[("transport", "imo")].as_string(),
            transport[("transport", "voyage")].as_string(),
        )
        .where(*where)
        .order_by(DeclarationRow.id)
    ).all()
    found = {r[0]: _Declaration(*r[:6]) for r in rows}
    ids = select(DeclarationRow.id).where(*where)
    _add_reviews(uow, found, ids)
    _add_inspections(uow, found, ids)
    imports = {r[0]: (r[8], r[9], r[7]) for r in rows if r[6] == Direction.IMPORT and r[8]}
    for declaration_id, arrived in _arrivals(uow, imports).items():
        found[declaration_id].arrived = arrived
    return list(found.values())


def _add_reviews(uow: UnitOfWork, found: dict[int, _Declaration], ids: Any) -> None:
    of_these = (Review.subject_type == SUBJECT, Review.subject_id.in_(ids))
    by_id: dict[int, _Review] = {}
    for review_id, subject_id, agency, status, created_at in uow.session.execute(
        select(Review.id, Review.subject_id, Review.agency, Review.status, Review.created_at)
        .where(*of_these)
        .order_by(Review.id)
    ):
        by_id[review_id] = _Review(agency, status, created_at)
        found[subject_id].reviews.append(by_id[review_id])
    # The audit log keeps every decision with its time; the review keeps only its last.
    decisions = uow.session.execute(
        select(AuditEntry.entity_id, AuditEntry.at, AuditEntry.before["status"].as_string())
        .where(
            AuditEntry.entity_type == "review",
            AuditEntry.action == "review.decided",
            AuditEntry.entity_id.in_(select(cast(Review.id, String)).where(*of_these)),
        )
        .order_by(AuditEntry.seq)
    )
    for entity_id, at, before in decisions:
        review = by_id.get(int(entity_id))
        if review is not None and review.first_decision is None:
            review.first_decision = (at, before)


def _add_inspections(uow: UnitOfWork, found: dict[int, _Declaration], ids: Any) -> None:
    for subject_id, agency, status, result_at in uow.session.execute(
        select(Inspection.subject_id, Inspection.agency, Inspection.status, Inspection.result_at)
        .where(Inspection.subject_type == SUBJECT, Inspection.subject_id.in_(ids))
        .order_by(Inspection.id)
    ):
        found[subject_id].inspections.append((agency, status, result_at))


def _arrivals(
    uow: UnitOfWork, imports: dict[int, tuple[str, str | None, str]]
) -> dict[int, datetime]:
    """The ATA of the port call that brought each import's goods: the ship (IMO) and voyage its
    document names, at the port that releases them (the earliest, were there two)."""
    imos = sorted({imo for imo, _, _ in imports.values()})
    if not imos:
        return {}
    calls: dict[tuple[str, str, str], datetime] = {}
    for imo, call_voyage, port, ata in uow.session.execute(
        select(PortCall.imo, PortCall.voyage, PortCall.port, PortCall.ata)
        .where(PortCall.imo.in_(imos), PortCall.ata.is_not(None))
        .order_by(PortCall.ata)
    ):
        if ata is not None:
            calls.setdefault((imo, _voyage(call_voyage), port), ata)
    arrived = {}
    for declaration_id, (imo, voyage, port) in imports.items():
        found = calls.get((imo, _voyage(voyage), port))
        if found is not None:
            arrived[declaration_id] = found
    return arrived


def _voyage(voyage: str | None) -> str:
    # Written by the agent and the broker each in their own case and spacing.
    return (voyage or "").strip().upper()


def _checked(
    lane: str | None, office: str | None, agency: str | None
) -> tuple[str | None, str | None, str | None]:
    if lane is not None and lane not in set(Lane):
        raise ValidationFailed.one("lane", lane, "green, document or inspection")
    if office is not None:
        try:
            office = validate_locode(office)
        except ValueError as err:
            raise ValidationFailed.one("office", office, str(err)) from None
    if agency is not None and agency not in set(DECLARATION_AGENCIES):
        raise ValidationFailed.one("agency", agency, "CUSTOMS or CIQ")
    return lane, office, agency


def declarations(
    ctx: ServiceContext,
    actor: Actor,
    first: date,
    last: date,
    lane: str | None = None,
    office: str | None = None,
    agency: str | None = None,
) -> dict[str, Any]:
    """The study of the declarations filed from `first` to `last` (port dates, inclusive), only
    those of `lane`, `office` (declaration office) or reviewed by `agency` when given: overall
    and by lane, office, agency and month of filing. With `agency`, the documents-reviewed and
    inspected stages are that agency's; without, the last agency's."""
    require(actor, Action.STATS_READ)
    lane, office, agency = _checked(lane, office, agency)
    start, end = _period(first, last)
    with ctx.uow(actor, write=False) as uow:
        found = _read_declarations(uow, _declaration_filters(start, end, lane, office, agency))
    model = trs.DECLARATION

    def lines(records: Iterable[_Declaration], who: str | None) -> list[trs.Timeline]:
        return [trs.timeline(model, d.stages(who)) for d in records]

    groups = {
        "lane": _grouped(found, lambda d: d.lane, lambda ds: lines(ds, agency)),
        "office": _grouped(found, lambda d: d.office, lambda ds: lines(ds, agency)),
        "agency": {
            who: lines([d for d in found if who in d.agencies()], who)
            for who in sorted({a for d in found for a in d.agencies()})
            if agency in (None, who)
        },
        "month": _grouped(found, lambda d: _month(d.filed_at), lambda ds: lines(ds, agency)),
    }
    filters = {"lane": lane, "office": office, "agency": agency}
    return _study(model, first, last, filters, lines(found, agency), groups)


def _grouped(
    records: Sequence[Any],
    key_of: Callable[[Any], str],
    lines: Callable[[list[Any]], list[trs.Timeline]],
) -> dict[str, list[trs.Timeline]]:
    by_key: dict[str, list[Any]] = defaultdict(list)
    for record in records:
        by_key[key_of(record)].append(record)
    return {key: lines(by_key[key]) for key in sorted(by_key)}


# --- port calls ---------------------------------------------------------------------------------


# What the study reads of a call, in the order of trs.PORT_CALL's stages: its times, not its
# filed documents (crew lists, cargo).
_CALL_TIMES = (
    PortCall.filed_at,
    PortCall.entry_permit_at,
    PortCall.ata,
    PortCall.all_fast,
    PortCall.ops_start,
    PortCall.ops_complete,
    PortCall.departure_permit_at,
    PortCall.atd,
)


def port_calls(ctx: ServiceContext, actor: Actor, first: date, last: date) -> dict[str, Any]:
    """The study of the port calls filed from `first` to `last` (port dates, inclusive): overall
    and by month of filing, with the share cleared before arrival and of zero waiting time."""
    require(actor, Action.STATS_READ)
    start, end = _period(first, last)
    with ctx.uow(actor, write=False) as uow:
        calls = uow.session.execute(
            select(*_CALL_TIMES)
            .where(PortCall.filed_at >= start, PortCall.filed_at < end)
            .order_by(PortCall.id)
        ).all()
        now = uow.now
    model = trs.PORT_CALL

    def lines(records: Iterable[Any]) -> list[trs.Timeline]:
        return [trs.timeline(model, zip(model.stages, c, strict=True)) for c in records]

    groups = {"month": _grouped(calls, lambda c: _month(c.filed_at), lines)}
    study = _study(model, first, last, {}, lines(calls), groups)
    study["zero_wait"] = _zero_wait(calls, now)
    return study


def _zero_wait(calls: Sequence[Any], now: datetime) -> dict[str, Any]:
    """Of the calls that departed, those that never waited for a permit berthed or finished
    (as the port office's board counts them), and the minutes they waited."""
    waits = [
        zero_wait(c.all_fast, c.entry_permit_at, c.ops_complete, c.departure_permit_at, now)
        for c in calls
        if c.atd is not None
    ]
    share = trs.Share(sum(1 for w in waits if w.is_zero_wait), len(waits))
    return {
        **_share(share),
        "wait_minutes": _figures(trs.figures(w.non_working_minutes for w in waits)),
    }


# --- the answer ---------------------------------------------------------------------------------


def _figures(figures: trs.Figures) -> dict[str, Any]:
    return {
        "count": figures.count,
        "mean_minutes": _round(figures.mean),
        "median_minutes": _round(figures.median),
        "p90_minutes": _round(figures.p90),
    }


def _share(share: trs.Share) -> dict[str, Any]:
    return {"count": share.count, "of": share.of, "share_pct": _pct(share.share)}


def _interval(item: trs.IntervalFigures) -> dict[str, Any]:
    return {
        "from": item.start,
        "to": item.end,
        **_figures(item.figures),
        "total_minutes": _round(item.figures.total),
        "share_pct": _pct(item.share),
        "bands": list(item.figures.bands),
    }


def _summary(model: trs.StageModel, lines: Sequence[trs.Timeline]) -> dict[str, Any]:
    summary = trs.summarise(model, lines)
    longest = summary.longest
    before = (
        {"cleared_before_arrival": _share(trs.cleared_before_arrival(lines))}
        if model is trs.PORT_CALL
        else {"released_before_arrival": _share(trs.share_before(lines, "released", "arrived"))}
    )
    return {
        "records": summary.records,
        "out_of_order": summary.out_of_order,
        "intervals": [_interval(i) for i in summary.intervals],
        "longest": None
        if longest is None
        else {"from": longest.start, "to": longest.end, "share_pct": _pct(longest.share)},
        "totals": {
            name: _figures(trs.span_figures(lines, a, b)) for name, a, b in TOTALS[model.name]
        },
        **before,
    }


def _bands() -> list[dict[str, int | None]]:
    lows = (0, *trs.BANDS)
    highs: tuple[int | None, ...] = (*trs.BANDS, None)
    return [{"from_minutes": a, "to_minutes": b} for a, b in zip(lows, highs, strict=True)]


def _study(
    model: trs.StageModel,
    first: date,
    last: date,
    filters: dict[str, str | None],
    everything: list[trs.Timeline],
    groups: dict[str, dict[str, list[trs.Timeline]]],
) -> dict[str, Any]:
    return {
        "kind": model.name,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "filters": filters,
        "stages": [
            {"stage": stage, "zh": zh, "en": en, "marked_by": source}
            for stage, (zh, en, source) in STAGES[model.name].items()
        ],
        "bands": _bands(),
        "all": _summary(model, everything),
        **{
            f"by_{name}": [{name: key, **_summary(model, lines)} for key, lines in by.items()]
            for name, by in groups.items()
        },
    }


# --- export: the tables of the WCO guide ----------------------------------------------------------

# One table: its sheet name, title, (Chinese, English) headers and rows.
Table = tuple[str, str, list[tuple[str, str]], list[list[Any]]]


def _stage(kind: str, stage: str) -> str:
    zh, en, _ = STAGES[kind][stage]
    return f"{zh} {en}"


def _average_table(result: dict[str, Any]) -> Table:
    kind, longest = result["kind"], result["all"]["longest"]
    rows = [
        [
            _stage(kind, i["from"]),
            _stage(kind, i["to"]),
            i["count"],
            i["mean_minutes"],
            i["median_minutes"],
            i["p90_minutes"],
            i["share_pct"],
            "★" if longest and (i["from"], i["to"]) == (longest["from"], longest["to"]) else "",
        ]
        for i in result["all"]["intervals"]
    ]
    headers = [
        ("起始环节", "from stage"),
        ("结束环节", "to stage"),
        ("票数", "count"),
        ("平均(分钟)", "mean (min)"),
        ("中位数(分钟)", "median (min)"),
        ("90%分位(分钟)", "p90 (min)"),
        ("占总时间(%)", "share of time (%)"),
        ("耗时最长", "longest"),
    ]
    return ("平均时间 Average", "各环节平均时间 Average time per interval", headers, rows)


def _band_header(band: dict[str, int | None]) -> tuple[str, str]:
    low, high = band["from_minutes"], band["to_minutes"]
    if high is None:
        return f">{low}分钟", f">{low} min"
    return f"{low}-{high}分钟", f"{low}-{high} min"


def _distribution_table(result: dict[str, Any]) -> Table:
    kind = result["kind"]
    headers = [("起始环节", "from stage"), ("结束环节", "to stage")]
    headers += [_band_header(b) for b in result["bands"]]
    rows = [
        [_stage(kind, i["from"]), _stage(kind, i["to"]), *i["bands"]]
        for i in result["all"]["intervals"]
    ]
    title = "各环节时间分布 Distribution per interval in time bands (upper bound inclusive)"
    return ("时间分布 Distribution", title, headers, rows)


def _totals_table(result: dict[str, Any]) -> Table:
    group = "lane" if result["kind"] == "declaration" else "month"
    zh, en = GROUP_LABELS[group]
    rows = []
    for key, summary in [("全部 all", result["all"])] + [
        (g[group], g) for g in result[f"by_{group}"]
    ]:
        for name, figures in summary["totals"].items():
            label = " ".join(TOTAL_LABELS[name])
            rows.append(
                [
                    key,
                    label,
                    figures["count"],
                    figures["mean_minutes"],
                    figures["median_minutes"],
                    figures["p90_minutes"],
                ]
            )
    headers = [
        (zh, en),
        ("合计", "total"),
        ("票数", "count"),
        ("平均(分钟)", "mean (min)"),
        ("中位数(分钟)", "median (min)"),
        ("90%分位(分钟)", "p90 (min)"),
    ]
    return (f"按{zh}合计 Totals by {en}", f"按{zh}合计 Totals by {en}", headers, rows)


def tables(result: dict[str, Any]) -> list[Table]:
    """The study's tables as the WCO guide lays them out: the average time per interval, the
    distribution per interval in time bands, the totals by lane (port calls: by month)."""
    return [_average_table(result), _distribution_table(result), _totals_table(result)]


def export_xlsx(result: dict[str, Any]) -> bytes:
    """The study as a workbook, one sheet per table: a title row, then the headers on two rows
    (Chinese first, English second), then the figures."""
    from openpyxl import Workbook  # only the download needs it

    book = Workbook()
    book.remove(book.active)
    for sheet_name, title, headers, rows in tables(result):
        sheet = book.create_sheet(sheet_name[:31])
        for row in _lines(_title(result, title), headers, rows):
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_csv(result: dict[str, Any]) -> str:
    """The same tables one after another in one CSV, an empty line between them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for n, (_, title, headers, rows) in enumerate(tables(result)):
        if n:
            writer.writerow([])
        writer.writerows(_lines(_title(result, title), headers, rows))
    return out.getvalue()


def _title(result: dict[str, Any], title: str) -> str:
    what = "报关单 declarations" if result["kind"] == "declaration" else "船舶 port calls"
    filters = " ".join(f"{k}={v}" for k, v in result["filters"].items() if v is not None)
    period = f"{result['first']} - {result['last']}"
    return " ".join(
        p for p in (f"通关时间研究 Time Release Study: {what}", period, filters, title) if p
    )


def _lines(title: str, headers: list[tuple[str, str]], rows: list[list[Any]]) -> list[list[Any]]:
    return [[title], [zh for zh, _ in headers], [en for _, en in headers], *rows]
