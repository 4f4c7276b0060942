from fastapi.testclient import TestClient
from tests.api.conftest import Tokens
def test_probe(client: TestClient, auth: Tokens) -> None:
    for text in ['{"ship": {"imo": "9134270"', "ship=EVER DIADEM", "", "[1,"]:
        r = client.post("/api/v1/port-calls", content=text, headers=auth("agent") | {"Content-Type": "application/json"})
        print(repr(text), r.status_code, r.text)
    r = client.post("/api/v1/port-calls", content='{"a":1}', headers=auth("agent") | {"Content-Type": "text/plain"})
    print("text/plain", r.status_code, r.text[:300])
    r = client.post("/api/v1/reviews/1/decision", content='{"decision": ', headers=auth("customs") | {"Content-Type": "application/json"})
    print("decision", r.status_code, r.text[:300])
