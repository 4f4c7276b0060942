"""What the pages say when input is impossible (kouan.domain.values, kouan.web.input_guard).

A leaf like words.py: it imports only the N_ marker and the domain's English expectations.
"""

from __future__ import annotations

from kouan.domain.values import NO_NUL, NO_SURROGATE
from kouan.web.ui.i18n import N_

# The error types of kouan.domain.values, said beside a form's field (the error's context fills
# the placeholders).
TYPE_MESSAGES = {
    "text_nul": N_("Text without NUL characters."),
    "text_surrogate": N_("Text without unpaired surrogates (valid Unicode)."),
    "time_out_of_range": N_("A date and time in the years %(first)s to %(last)s."),
    "time_without_offset": N_("A date and time with a UTC offset, e.g. 2026-11-27T08:00:00+08:00."),
    "date_out_of_range": N_("A date in the years %(first)s to %(last)s."),
    "birth_date_out_of_range": N_("A date of birth from %(first)s up to today."),
    "date_not_number": N_("A date written as a date, e.g. 2026-11-27, not a number."),
    "number_not_bool": N_("A number, not true or false."),
    "bool_type": N_("Yes or no."),
}
# What the request guard expected, by its English words.
GUARD_MESSAGES = {
    NO_NUL: TYPE_MESSAGES["text_nul"],
    NO_SURROGATE: TYPE_MESSAGES["text_surrogate"],
}
# A field the request guard refused: its name, the value sent and what it expects.
REFUSED_FIELD = N_("%(field)s %(value)s: %(message)s")
