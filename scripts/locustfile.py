"""The load test's traffic (run by scripts/load_test.py): agents filing and reading port calls,
brokers declaring, officers working their queues, the port office watching the board.

Bearer tokens come from KOUAN_LOAD_TOKENS (JSON: role -> token), made once by the driver, so the
servers' time goes to the traffic and not to password checks."""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import common

TOKENS: dict[str, str] = json.loads(os.environ.get("KOUAN_LOAD_TOKENS", "{}"))
TRADERS: dict[str, str] = json.loads(os.environ.get("KOUAN_LOAD_TRADERS", "{}"))
# One filing in ten needs every agency's officer (an ill person aboard, ISPS level 3).
TO_OFFICERS = {"health": {"ill_persons": 1}, "security_level": 3}


def _bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}


class Agent(FastHttpUser):
    weight = 5
    wait_time = between(0.0, 0.05)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.serial = self.rng.randrange(10**6)

    @task(8)
    def file_port_call(self) -> None:
        self.serial += 1
        body: dict[str, Any] = common.filing(self.rng, self.serial, common.utcnow())
        body["voyage"] = f"L{os.getpid()}-{self.serial}"
        if self.rng.random() < 0.1:
            body.update(TO_OFFICERS)
        self.client.post(
            "/api/v1/port-calls", json=body, headers=_bearer("agent"), name="file port call"
        )

    @task(2)
    def list_port_calls(self) -> None:
        self.client.get(
            "/api/v1/port-calls?order=filed&limit=20",
            headers=_bearer("agent"),
            name="list port calls",
        )


class Broker(FastHttpUser):
    weight = 3
    wait_time = between(0.0, 0.05)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.goods = common.clean_subheadings()
        self.serial = self.rng.randrange(10**6)

    @task
    def file_declaration(self) -> None:
        self.serial += 1
        body = common.declaration_data(self.rng, self.serial, TRADERS, self.goods, str(os.getpid()))
        self.client.post(
            "/api/v1/declarations", json=body, headers=_bearer("broker"), name="file declaration"
        )


class Officer(FastHttpUser):
    weight = 2
    wait_time = between(0.1, 0.5)

    def on_start(self) -> None:
        self.role = random.choice(("customs", "ciq", "border", "msa"))

    @task
    def work_the_queue(self) -> None:
        queue = self.client.get(
            "/api/v1/reviews?status=pending&limit=20",
            headers=_bearer(self.role),
            name="officer queue",
        )
        pending = queue.json() if queue.status_code == 200 else []
        if not pending:
            return
        review = random.choice(pending)
        with self.client.post(
            f"/api/v1/reviews/{review['id']}/decision",
            json={"decision": "approve", "reason": "checked", "version": review["version"]},
            headers=_bearer(self.role),
            name="officer decision",
            catch_response=True,
        ) as answer:
            if answer.status_code == 409:
                answer.success()  # another officer of the agency decided it first: as designed


class PortOffice(FastHttpUser):
    weight = 1
    wait_time = between(0.5, 1.5)

    @task
    def watch_the_board(self) -> None:
        self.client.get(
            "/board",
            headers={"Cookie": f"kouan_session={TOKENS['port_office']}"},
            name="board page",
        )
