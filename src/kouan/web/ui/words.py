"""Every word the pages' code says: notices, navigation, names of coded values and the messages of
refused forms, marked for translation (templates hold their own words).

A leaf: it imports only the N_ marker, so any module may read it and reading it changes nothing.
"""

from __future__ import annotations

from kouan.web.ui.i18n import N_

# --- the page frame ---------------------------------------------------------------------------

# What a page confirms after the form that led to it (the notice cookie holds only the key).
NOTICES = {
    "case_confirmed": N_("Case confirmed: the joint alert is raised."),
    "acknowledged": N_("Acknowledged for your organisation."),
    "filed": N_("Arrival notice filed."),
    "decided": N_("Decision recorded."),
    "event": N_("Event recorded."),
    "departure": N_("Departure filed."),
    "logged_out": N_("You have logged out."),
    "password_changed": N_("Password changed: your other sessions have ended."),
    "legal_published": N_("The legal-inspection list is published."),
    "declaration_filed": N_("Declaration filed"),
    "inspection_result": N_("Inspection result recorded"),
    "seized": N_("Goods seized"),
    "gated_out": N_("Gate-out recorded"),
    "transit_opened": N_("Transit opened."),
    "transit_departed": N_("Departure under seal recorded: the time limit runs."),
    "transit_arrived": N_("Arrival acknowledged."),
    "transit_released": N_("Held goods released: the transit is closed."),
    "guarantee_set": N_("Guarantee recorded."),
    "tariff_imported": N_("Tariff version imported."),
}
# The navigation's entries by key (their addresses and who sees them: render.NAVIGATION).
NAVIGATION = {
    "home": N_("Home"),
    "calls": N_("Port calls"),
    "new": N_("File an arrival notice"),
    "reviews": N_("Review queue"),
    "board": N_("Port board"),
    "declarations": N_("Declarations"),
    "declare": N_("File a declaration"),
    "cargo_queue": N_("Cargo queue"),
    "inspections": N_("Inspections"),
    "risk": N_("Risk rules"),
    "clearance": N_("Clearance times"),
    "legal": N_("Legal inspection"),
    "lists": N_("Passenger and crew lists"),
    "alerts": N_("Alert console"),
    "transits": N_("Transit under seal"),
    "baggage": N_("Baggage hall"),
    "stats": N_("Statistics"),
    "manifests": N_("Manifests"),
    "gate": N_("Gate check"),
    "writeoff": N_("Write-off"),
    "duties": N_("Duties and guarantees"),
    "moves": N_("Container moves"),
    "discrepancies": N_("Discharge discrepancies"),
}
ERROR_HEADLINES = {
    400: N_("The request could not be understood"),
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not possible here"),
    409: N_("Changed in the meantime"),
    413: N_("Too large"),
    422: N_("Cannot be accepted"),
    429: N_("Too many attempts"),
}

# --- coded values of port calls and reviews (templates: `label.status(code)` ...) ------------

STATUS_LABELS = {
    "filed": N_("Filed"),
    "cleared": N_("Cleared"),
    "rejected": N_("Rejected"),
    "arrived": N_("Arrived"),
    "alongside": N_("Alongside"),
    "working": N_("Working"),
    "completed": N_("Completed"),
    "departed": N_("Departed"),
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "inspect": N_("Inspection"),
    "hold": N_("Hold"),
}
ORG_LABELS = {
    "PORT_OFFICE": N_("Port office"),
    "CUSTOMS": N_("Customs"),
    "CIQ": N_("Inspection and quarantine"),
    "BORDER": N_("Border inspection"),
    "MSA": N_("Maritime safety"),
    "TERMINAL": N_("Terminal"),
    "SHIPPING_AGENT": N_("Shipping agent"),
    "CUSTOMS_BROKER": N_("Customs broker"),
    "AIRLINE": N_("Airline"),
    "CRUISE_LINE": N_("Cruise line"),
}
EVENT_LABELS = {
    "ETA": N_("ETA"),
    "ATA": N_("Arrived (ATA)"),
    "ALL_FAST": N_("All fast"),
    "OPS_START": N_("Operations started"),
    "OPS_COMPLETE": N_("Operations complete"),
    "ATD": N_("Departed (ATD)"),
}
DECISION_LABELS = {
    "approve": N_("Approve"),
    "inspect": N_("Order inspection"),
    "hold": N_("Hold"),
    "reject": N_("Reject"),
}
PHASE_LABELS = {"entry": N_("Entry"), "departure": N_("Departure"), "cargo": N_("Cargo")}
DECIDER_LABELS = {"rules": N_("Rules"), "officer": N_("Officer")}
AUDIT_LABELS = {
    "port_call.filed": N_("Arrival notice filed"),
    "port_call.amended": N_("Arrival notice amended"),
    "port_call.departure_filed": N_("Departure filed"),
    "port_call.event": N_("Event recorded"),
    "port_call.settled": N_("Status or permits changed"),
    "review.opened": N_("Review opened"),
    "review.reopened": N_("Review re-opened"),
    "review.decided": N_("Review decided"),
    "declaration.filed": N_("Declaration filed"),
    "declaration.settled": N_("Declaration status changed"),
    "declaration.gated_out": N_("Gate-out recorded"),
    "declaration.seized": N_("Goods seized"),
    "inspection.booked": N_("Inspection booked"),
    "inspection.cancelled": N_("Inspection cancelled"),
    "inspection.result": N_("Inspection result recorded"),
    "duties.assessed": N_("Duties assessed"),
    "duties.guaranteed": N_("Duties secured by the guarantee"),
    "duties.paid": N_("Duties payment recorded"),
}

# --- coded values of declarations (templates: `dm.word(kind, code)`) --------------------------

DECLARATION_WORDS: dict[str, dict[str, str]] = {
    "status": {
        "under_review": N_("Under review"),
        "inspection": N_("Inspection"),
        "held": N_("Held"),
        "payment_due": N_("Awaiting payment"),
        "rejected": N_("Rejected"),
        "released": N_("Released"),
        "gated_out": N_("Gated out"),
        "seized": N_("Seized"),
    },
    "lane": {
        "green": N_("Green lane"),
        "document": N_("Document review"),
        "inspection": N_("Physical inspection"),
    },
    "inspection": {
        "booked": N_("Booked"),
        "passed": N_("Passed"),
        "failed": N_("Failed"),
        "cancelled": N_("Cancelled"),
    },
    "kind": {"xray": N_("X-ray scan"), "opened": N_("Opened and examined")},
    "direction": {"import": N_("Import"), "export": N_("Export")},
    # An import's duties (kouan.services.duties): unpaid, released on the guarantee, paid.
    "duties": {
        "due": N_("Duties unpaid"),
        "guaranteed": N_("Released on guarantee"),
        "paid": N_("Duties paid"),
    },
    "mode": {"sea": N_("By sea"), "air": N_("By air")},
}
# How wide an entry of the legal-inspection list is, by its digits (other widths: SUBHEADING).
LEGAL_ENTRY_KINDS = {2: N_("Chapter"), 4: N_("Heading")}
SUBHEADING = N_("Subheading")

# --- times, figures and the clearance chart ---------------------------------------------------

DAYS_HOURS = N_("%(d)d d %(h)d h")
HOURS_MINUTES = N_("%(h)d h %(m)02d min")
MINUTES = N_("%(m)d min")
UNDER_A_MINUTE = N_("under a minute")
CHART_MEDIAN = N_("Median (p50)")
CHART_P90 = N_("90th percentile (p90)")
CHART_Y_TITLE = N_("Minutes from filing to release")

# --- logging in -------------------------------------------------------------------------------

LOGIN_THROTTLED = N_("Too many failed logins: wait %(wait)s, then try again.")
LOGIN_WRONG = N_("Wrong username or password.")
WAIT_SECONDS = N_("%(s)d s")
PASSWORD_NOT_CURRENT = N_("This is not your current password.")
PASSWORD_RULE = N_("8 to 1024 characters.")
PASSWORD_MISMATCH = N_("The new password and its repetition differ.")

# --- refused forms: headlines and what a field expects ----------------------------------------

# What an error of each kind (the services' codes) means for the person at the form.
REFUSAL_HEADLINES = {
    "validation_failed": N_("Please correct the marked fields."),
    "conflict": N_("Someone changed this since you opened the page: reload it and try again."),
    "invalid_transition": N_("This is not possible in the call's present state."),
    "forbidden": N_("Your organisation may not do this."),
    "not_found": N_("Not found, or not yours to see."),
}
# A message beside a field that names the value typed.
VALUE_SAID = N_('"%(value)s": %(message)s')
# Pydantic's error types a person meets in a form.
TYPE_MESSAGES = {
    "missing": N_("Required."),
    "int_parsing": N_("A whole number, e.g. 12."),
    "int_from_float": N_("A whole number, e.g. 12."),
    "float_parsing": N_("A number, e.g. 12.5."),
    "date_parsing": N_("A date, e.g. 2027-05-31."),
    "date_from_datetime_parsing": N_("A date, e.g. 2027-05-31."),
    "datetime_parsing": N_("A date and time, e.g. 2026-12-01 08:00."),
    "datetime_from_date_parsing": N_("A date and time, e.g. 2026-12-01 08:00."),
    "greater_than_equal": N_("At least %(ge)s."),
    "greater_than": N_("More than %(gt)s."),
    "string_too_long": N_("At most %(max_length)s characters."),
    "too_long": N_("At most %(max_length)s entries."),
    "literal_error": N_("One of %(expected)s."),
}
# Checks of one port-call form field whose expectation the page says itself.
FIELD_MESSAGES = {
    "reason": N_("Give a reason for anything but approve."),
    "etd": N_("A time after the ETA."),
}
# The pages' own checks of one field.
DATE = N_("A date, e.g. 2027-05-31.")
DATE_TIME = N_("A date and time, e.g. 2026-12-01 08:00.")
CHOOSE_DECISION = N_("Choose a decision.")
CHOOSE_EVENT = N_("Choose an event.")
CHOOSE_RESULT = N_("Choose pass or fail.")
SAY_FINDING = N_("Say what the inspection found (required on fail).")
FINDING_TOO_LONG = N_("At most 2,000 characters.")
SEIZURE_REASON = N_("Give the reason for the seizure.")
CHOOSE_CUSDEC = N_("Choose a CUSDEC file to upload.")
CAPACITY_BELOW_BOOKED = N_("Not below what is already booked.")

# --- the declaration form ---------------------------------------------------------------------

# Pydantic's error types a broker meets in the declaration form.
DECLARATION_TYPE_MESSAGES = {
    "missing": N_("Required."),
    "decimal_parsing": N_("A number, e.g. 12.5."),
    "decimal_type": N_("A number, e.g. 12.5."),
    "finite_number": N_("A number, e.g. 12.5."),
    "greater_than": N_("More than %(gt)s."),
    "greater_than_equal": N_("At least %(ge)s."),
    "string_too_long": N_("At most %(max_length)s characters."),
}
# What each field expects when its value does not fit (indexes dropped: "items.hs_code").
DECLARATION_FIELD_MESSAGES = {
    "trader": N_("A 10-character customs code of digits and capital letters, e.g. 3702960003."),
    "trade_mode": N_("A trade mode code of up to 10 digits or capital letters, e.g. 0110."),
    "direction": N_("Import or export."),
    "transport.mode": N_("Sea or air."),
    "transport": N_("Sea or air."),
    "transport.imo": N_("An IMO number: 7 digits with a valid check digit, e.g. 9783502."),
    "transport.flight": N_("A flight number: airline code and 1 to 4 digits, e.g. CA1234."),
    "declaration_office": N_("A UN/LOCODE in Kouan's reference data, e.g. CNJNA or CNTAO."),
    "release_port": N_("A UN/LOCODE in Kouan's reference data, e.g. CNJNA or CNTAO."),
    "containers": N_(
        "An ISO 6346 container number: 3 letters, U, J or Z, 6 digits and the check digit, "
        "e.g. CSQU3054383."
    ),
    "packages": N_("A whole number of packages from 1, e.g. 120."),
    "gross_weight_kg": N_("A weight in kilograms above 0, e.g. 12500.5."),
    "items": N_("At least one line of goods."),
    "items.hs_code": N_("An HS 2022 code: 6, 8 or 10 digits beginning with an HS subheading."),
    "items.unit": N_("A unit code of up to 3 capital letters or digits, e.g. PCE or KGM."),
    "items.currency": N_("An ISO 4217 currency code, e.g. USD or CNY."),
    "items.origin": N_("An ISO 3166 country code, e.g. CN or VNM."),
}
# What Kouan's records refuse in a well-formed declaration.
DECLARATION_RECORD_MESSAGES = {
    "trader": N_("A trader registered with customs: customs registers it before it declares."),
    "items.currency": N_("A currency customs publishes an exchange rate for."),
    "reference": N_("A reference your organisation has not used before."),
}

# --- the risk pages' forms: rules, rates, tests, capacity, traders, periods -------------------

# What each field of the rule editor expects.
RULE_MESSAGES = {
    "rule.code": N_("1 to 40 letters, digits, hyphens, underscores or dots, e.g. HS-6109."),
    "rule.title": N_("A title of 1 to 200 characters."),
    "rule.lane": N_("Choose a lane."),
    "rule.kind": N_("Choose a kind of condition."),
    "rule.hs_prefix": N_("An HS prefix of 2 to 10 digits, e.g. 6109."),
    "rule.low": N_("A number of CNY per unit, 0 or more."),
    "rule.high": N_("A number of CNY per unit, 0 or more."),
}
# What a rule's values are, by the rule's kind.
RULE_VALUES_MESSAGES = {
    "hs_prefix": N_("HS prefixes of 2 to 10 digits, e.g. 6109 or 847130."),
    "origin": N_("Countries as ISO 3166 codes, e.g. KP."),
    "trader": N_("10-character customs codes of traders, e.g. 3702960003."),
    "credit_class": N_("Credit classes among AA, A, B, C, D."),
    "watch_list": N_("Trader codes or declarant names of up to 200 characters."),
}
RULE_HIGH_BELOW_LOW = N_("At least the low value.")
PERCENT = N_("A percentage from 0 to 100, e.g. 3.")
# What the other fields of the risk, inspection, trader and clearance forms expect.
EXPECTATIONS = {
    "random_rates.document": PERCENT,
    "random_rates.inspection": PERCENT,
    "random_rates": N_("The two rates add up to at most 100 %."),
    "last": N_("A whole number of declarations from 1 to 100,000."),
    "capacity": N_("A whole number of inspections from 0 to 10,000."),
    "finding": SAY_FINDING,
    "code": N_("10 digits or capital letters, e.g. 3702960003."),
    "name": N_("A name of 1 to 200 characters."),
    "credit_class": N_("One of AA, A, B, C, D."),
    "first": N_("A day on or before the last day."),
}
