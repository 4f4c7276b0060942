"""A page request the input guard refused (kouan.web.input_guard): the error page, in the
reader's language, naming the field, the value sent and what it expects."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from kouan.domain.errors import FieldError
from kouan.web.errors import encodable
from kouan.web.ui.i18n import translations
from kouan.web.ui.render import error_page, language
from kouan.web.ui.strict_words import GUARD_MESSAGES, REFUSED_FIELD


def input_refused(request: Request, found: FieldError) -> Response:
    t = translations(language(request)).gettext
    msgid = GUARD_MESSAGES.get(found.expected)
    said = t(msgid) if msgid else found.expected
    message = t(REFUSED_FIELD) % {"field": found.field, "value": repr(found.value), "message": said}
    return error_page(request, 422, encodable(message), message_lang=language(request))
