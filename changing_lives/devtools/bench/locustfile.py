"""The users of `make bench-web`: caseworkers signed in (a verified session each, made by
web_data.py), moving between the main pages of the product.

Run by web.py (`locust --headless`); the data file (BENCH_WEB_DATA) holds each user's
session and CSRF cookie values and the records they visit, drawn from the database. Every
request's time is written to BENCH_WEB_TIMES at the end, so web.py computes exact medians
and percentiles (locust's own are rounded).

The mix, by weight of the tasks below (a save also fetches its page first, counted with the
return page, since it is that page):

| task | weight |
| --- | --: |
| family list (page 1, 'my caseload', a later page) | 25 |
| search by name (forename and surname, or surname) | 15 |
| search by National Insurance number | 10 |
| a family's page | 20 |
| an assessment's page | 10 |
| a progress return's page | 10 |
| saving a progress return | 5 |
| home page | 5 |
"""

import itertools
import json
import os
import random
import re
from pathlib import Path
from typing import Any

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

DATA = json.loads(Path(os.environ["BENCH_WEB_DATA"]).read_text())
TIMES_FILE = os.environ.get("BENCH_WEB_TIMES")
# Seconds a user waits between pages (uniform): BENCH_WEB_THINK "low,high".
THINK = tuple(float(x) for x in os.environ.get("BENCH_WEB_THINK", "0.5,1.5").split(","))
# Outside development the session and CSRF cookies are `__Host-` (Secure); over the
# benchmark's plain http the client sends them itself.
COOKIE_PREFIX = os.environ.get("BENCH_WEB_COOKIE_PREFIX", "__Host-")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_next_user = itertools.count()
# (page name, milliseconds, failed) of every request.
TIMES: list[tuple[str, float, bool]] = []


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **_: Any) -> None:
    TIMES.append((name, response_time, exception is not None))


@events.quitting.add_listener
def _write_times(**_: Any) -> None:
    if TIMES_FILE:
        Path(TIMES_FILE).write_text(json.dumps(TIMES))


class Caseworker(FastHttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        users = DATA["users"]
        self.me = users[next(_next_user) % len(users)]
        self.rng = random.Random(self.me["username"])  # noqa: S311 (repeatable, not secret)
        # The cookies go in a header of their own: the client's cookie jar would add the
        # Secure cookies the server sets a second time.
        self.client.client.cookiejar = None
        self.headers = {
            "Cookie": f"{COOKIE_PREFIX}sessionid={self.me['session']}; "
            f"{COOKIE_PREFIX}csrftoken={self.me['csrf']}"
        }
        # Which value each save sets next, by return (this user's own returns only).
        self.toggles: dict[tuple[str, str], int] = {}

    def get(self, path: str, name: str, **params: str) -> Any:
        with self.client.get(
            path, params=params or None, headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif "govuk-error-summary" in response.text and name != "home":
                response.failure("the page shows an error")
            return response

    @task(25)
    def family_list(self) -> None:
        choice = self.rng.random()
        if choice < 0.6:
            self.get("/families/", "family list")
        elif choice < 0.8:
            self.get("/families/", "family list", mine="on")
        else:
            self.get("/families/", "family list", page=str(self.rng.randint(2, 10)))

    @task(15)
    def search_by_name(self) -> None:
        forename, surname = self.rng.choice(DATA["names"])
        query = f"{forename} {surname}" if self.rng.random() < 0.6 else surname
        self.get("/families/", "search by name", q=query)

    @task(10)
    def search_by_nino(self) -> None:
        self.get("/families/", "search by NINO", q=self.rng.choice(DATA["ninos"]))

    @task(20)
    def family_page(self) -> None:
        # Mostly the user's own families; now and then any family of the authority.
        own = self.me["families"]
        pool = own if own and self.rng.random() < 0.7 else DATA["any_families"]
        self.get(f"/families/{self.rng.choice(pool)}/", "family page")

    @task(10)
    def assessment_page(self) -> None:
        if not self.me["assessments"]:
            return
        family, assessment = self.rng.choice(self.me["assessments"])
        self.get(f"/families/{family}/assessments/{assessment}/", "assessment page")

    @task(10)
    def return_page(self) -> None:
        if not self.me["returns"]:
            return
        period, family = self.rng.choice(self.me["returns"])
        self.get(f"/progress/{period}/families/{family}/", "progress return page")

    @task(5)
    def return_save(self) -> None:
        if not self.me["saves"]:
            return
        save = self.rng.choice(self.me["saves"])
        path = f"/progress/{save['period']}/families/{save['family']}/"
        page = self.get(path, "progress return page")
        token = CSRF_TOKEN.search(page.text or "")
        if token is None:
            return
        key = (save["period"], save["family"])
        turn = self.toggles.get(key, 1)
        self.toggles[key] = 1 - turn
        data = dict(save["data"])
        data[save["field"]] = save["values"][turn]
        data["csrfmiddlewaretoken"] = token[1]
        data["action"] = "save"
        with self.client.post(
            path,
            data=data,
            headers=self.headers,
            name="progress return save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Saved: back to the page (302). A 200 is the form again, with errors.
            if response.status_code != 302:
                response.failure(f"status {response.status_code}: not saved")

    @task(5)
    def home(self) -> None:
        self.get("/", "home")
