"""The load of bench/load_test.py: recruiters browsing and deciding, and Willo's webhooks.

Run by bench/load_test.py (``locust --headless``); it reads what to request from the JSON
file named by ``LOAD_TEST_CONFIG``: the team, its recruiters' logins, job and candidate
keys, and a webhook route with its new_response token.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from urllib.parse import urlencode

from locust import between, constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

CONFIG = json.loads(open(os.environ["LOAD_TEST_CONFIG"]).read())  # noqa: SIM115
LOGINS = itertools.cycle(CONFIG["logins"])
DELIVERY = itertools.count()


class Recruiter(FastHttpUser):
    """Opens the jobs list, a job, a candidate, and now and then decides.

    Production cookies are Secure, and loopback has no TLS: the session and CSRF cookies
    are carried by hand in a Cookie header."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        session, self.csrf = next(LOGINS)  # signed in by the set-up
        self.headers = {"Cookie": f"csrftoken={self.csrf}; sessionid={session}"}
        self.team = f"/teams/{CONFIG['team']}"

    @task(3)
    def jobs_list(self) -> None:
        self.client.get(f"{self.team}/jobs/", headers=self.headers, name="jobs list")

    @task(4)
    def job_page(self) -> None:
        key = random.choice(CONFIG["jobs"])
        self.client.get(f"{self.team}/jobs/{key}/", headers=self.headers, name="job page")

    @task(4)
    def candidate_page(self) -> None:
        key = random.choice(CONFIG["candidates"])
        self.client.get(
            f"{self.team}/candidates/{key}/", headers=self.headers, name="candidate page"
        )

    @task(1)
    def decide(self) -> None:
        key = random.choice(CONFIG["decidable"])
        self.client.post(
            f"{self.team}/candidates/{key}/decision/",
            data=urlencode({"status": random.choice(["Accepted", "Rejected"])}),
            headers={
                **self.headers,
                "X-CSRFToken": self.csrf,
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            name="decide",
        )


class Willo(FastHttpUser):
    """Delivers new_response webhooks, each a new candidate of one of the jobs."""

    fixed_count = CONFIG["webhook_senders"]
    wait_time = constant_throughput(CONFIG["webhooks_per_second"] / CONFIG["webhook_senders"])

    @task
    def new_response(self) -> None:
        n = next(DELIVERY)
        key = f"load{os.getpid()}{n:020d}"[-32:]
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        job = random.choice(CONFIG["jobs"])
        body = {
            "key": key, "email": f"load{n}@example.com", "name": f"Load Candidate {n}",
            "status": "Completed", "interview": {"key": job, "title": "Load job"},
            "created_at": now, "updated_at": now, "status_changed_at": now, "answers": [],
            "availability": [],
        }  # fmt: skip
        self.client.post(
            f"/webhooks/willo/{CONFIG['webhook_route']}/",
            data=json.dumps(body),
            headers={"Authorization": CONFIG["webhook_token"], "Content-Type": "application/json"},
            name="webhook",
        )
