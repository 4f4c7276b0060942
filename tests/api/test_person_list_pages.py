"""The passenger pages: an airline uploads a list and is answered person by person; a refused
list names segment and element in the reader's language; the agencies see the screening."""

from __future__ import annotations

from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.test_pages import signed_in, text_of, texts_of, token_of
from tests.api.test_person_lists_api import _paxlst
from tests.conftest import Clock


def _upload(ctx: ServiceContext, who: str, name: str, content: str | bytes, lang: str = "zh"):
    client = signed_in(ctx, who, lang=lang)
    token = token_of(client.get("/person-lists/upload"))
    answer = client.post(
        "/person-lists/upload", data={"csrf_token": token}, files={"list": (name, content)}
    )
    return client, answer


def test_an_airline_uploads_a_list_and_sees_it_accepted(ctx: ServiceContext, clock: Clock) -> None:
    client, answer = _upload(ctx, "airline", "nh935.edi", _paxlst(clock, 4))
    assert answer.status_code == 201, answer.text
    assert text_of(answer, "count-persons") == "4"
    (link,) = [t for t in texts_of(answer, "upload-answer")]
    assert "名单已接收" in link
    lists_page = client.get("/person-lists")
    assert "旅客名单" in lists_page.text and 'data-testid="nav-lists"' in lists_page.text


def test_a_refused_list_is_named_in_chinese_and_in_english(
    ctx: ServiceContext, clock: Clock
) -> None:
    broken = _paxlst(clock, 3).replace("CNT+42:3'", "CNT+42:9'")
    _, answer = _upload(ctx, "airline", "nh935.edi", broken)
    assert answer.status_code == 422
    (error,) = texts_of(answer, "upload-errors")
    assert "CNT" in error and "名单被退回" in answer.text
    _, english = _upload(ctx, "airline", "nh935.edi", broken, lang="en")
    (error,) = texts_of(english, "upload-errors")
    assert "counts 9 persons but the list has 3" in error


def test_no_file_chosen_is_named_beside_the_field(ctx: ServiceContext) -> None:
    client = signed_in(ctx, "airline")
    token = token_of(client.get("/person-lists/upload"))
    answer = client.post("/person-lists/upload", data={"csrf_token": token})
    assert answer.status_code == 422 and text_of(answer, "error-list").startswith("请选择")


def test_border_sees_each_persons_screening_and_the_airline_does_not(
    ctx: ServiceContext, clock: Clock
) -> None:
    _, answer = _upload(ctx, "airline", "nh935.edi", _paxlst(clock, 2))
    list_id = answer.text.split('data-testid="sent-list-')[1].split('"')[0]
    border = signed_in(ctx, "border").get(f"/person-lists/{list_id}")
    assert border.status_code == 200 and len(texts_of(border, "person-status")) == 2
    airline = signed_in(ctx, "airline").get(f"/person-lists/{list_id}")
    assert airline.status_code == 200 and texts_of(airline, "person-status") == []
    assert signed_in(ctx, "cruise").get(f"/person-lists/{list_id}").status_code == 404


def test_the_board_counts_todays_passengers_by_flight(ctx: ServiceContext, clock: Clock) -> None:
    _upload(ctx, "airline", "nh935.edi", _paxlst(clock, 3))
    board = signed_in(ctx, "port_office").get("/board")
    assert board.status_code == 200
    # The list's flight lands tomorrow at the port: nothing yet among today's arrivals.
    assert "今日旅客" in board.text and text_of(board, "passengers-arriving") == "0"
