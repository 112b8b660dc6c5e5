"""The mixed load for benchmarks/mixed.py: visitors searching and reading, calendar apps polling, volunteers on rota.

Each simulated person talks to one of the app nodes named in RN_NODES (round robin), as a load balancer would
spread them. RN_SLUGS and RN_VOLUNTEERS name files mixed.py writes: public meeting slugs, and
"email,meeting_id,date" lines for volunteers who can sign up. Run only through mixed.py.
"""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

from benchmarks.search import TOWNS, near_query

NODES = itertools.cycle(os.environ.get("RN_NODES", "http://127.0.0.1:8000").split(","))
SLUGS = open(os.environ["RN_SLUGS"]).read().split() if "RN_SLUGS" in os.environ else []
VOLUNTEERS = itertools.cycle(
    open(os.environ["RN_VOLUNTEERS"]).read().split() if "RN_VOLUNTEERS" in os.environ else []
)
PASSWORD = os.environ.get("RN_PASSWORD", "")
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class OnANode(HttpUser):
    """A user pinned to one node, as a load balancer with sticky sessions would place them."""

    abstract = True
    host = "http://127.0.0.1:8000"

    def on_start(self) -> None:
        """Pick this person's node."""
        self.client.base_url = next(NODES)


class Visitor(OnANode):
    """Someone looking for a meeting: searches (typing, so htmx swaps), then reads a meeting or two."""

    weight = 6
    wait_time = between(0.2, 1.0)

    @task(4)
    def search(self) -> None:
        """A search from one of the 20 towns, as the htmx swap or a whole page."""
        town = random.choice(TOWNS)
        headers = {"HX-Request": "true"} if random.random() < 0.7 else {}
        self.client.get(f"/meetings?{near_query(town)}", headers=headers, name="/meetings?near=…")

    @task(2)
    def meeting(self) -> None:
        """One meeting's page."""
        self.client.get(f"/meetings/{random.choice(SLUGS)}", name="/meetings/<slug>")

    @task(1)
    def home(self) -> None:
        """The front page."""
        self.client.get("/", name="/")


class CalendarApp(OnANode):
    """A calendar app polling subscriptions: nearly always unchanged, so a 304 to If-None-Match."""

    weight = 3
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        """Subscribe to one area feed and one meeting; remember their ETags."""
        super().on_start()
        self.feeds = [f"/feeds/meetings.ics?{near_query(random.choice(TOWNS))}", f"/meetings/{random.choice(SLUGS)}.ics"]
        self.tags: dict[str, str] = {}

    @task
    def poll(self) -> None:
        """Poll one subscription with the ETag last seen."""
        path = random.choice(self.feeds)
        headers = {"If-None-Match": self.tags[path]} if path in self.tags else {}
        name = "feed poll (area)" if path.startswith("/feeds") else "feed poll (meeting)"
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            if response.status_code in (200, 304):
                self.tags[path] = response.headers.get("ETag", self.tags.get(path, ""))
                response.success()


class Volunteer(OnANode):
    """A logged-in peer mentor: looks at the rota, signs up for a date, searches (custody rules apply)."""

    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        """Log in through the form."""
        super().on_start()
        email, self.meeting_id, self.date = next(VOLUNTEERS).split(",")
        page = self.client.get("/account/login", name="/account/login")
        token = TOKEN.search(page.text).group(1)
        self.client.post("/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                         name="/account/login (POST)", allow_redirects=False)

    @task(3)
    def rota(self) -> None:
        """My rota."""
        self.client.get("/rota/", name="/rota/")

    @task(1)
    def sign_up(self) -> None:
        """Offer to help at a date (already signed up: told so, no harm)."""
        page = self.client.get("/rota/", name="/rota/")
        found = TOKEN.search(page.text)
        if found is None:
            return
        form = {"meeting_id": self.meeting_id, "occurrence_date": self.date, "role": "peer_mentor",
                "csrf_token": found.group(1)}
        self.client.post("/rota/signup", data=form, name="/rota/signup (POST)", allow_redirects=False)

    @task(2)
    def search(self) -> None:
        """A search while logged in: never from the kept answers."""
        self.client.get(f"/meetings?{near_query(random.choice(TOWNS))}", name="/meetings?near=… (logged in)")
