"""The OmniVibe Pro load scenario for Locust.

The same scenario `omnivibe loadtest` runs built in (see docs/loadtest.md), for
teams that run Locust themselves:

    locust -f loadtest/locustfile.py --host http://127.0.0.1:8080 \
        --users 100 --spawn-rate 10 --run-time 5m --headless --csv results/run

Two kinds of virtual user, 70 % / 30 % by weight:

* RegularUser (weight 7, waits 1-3 s): on start registers a new account, moves it
  to the pro plan and creates one client; then lists campaigns (5), writes a
  script (3), creates a campaign (2) and reads the public plans (1).
* PowerUser (weight 3, waits 2-5 s): on start registers and moves to pro; then
  generates audio (3), polls the status of one of its own tasks (2; skipped while
  it has none) and lists campaigns (1).

A user whose on-start fails (the server is down, a step answers an error) records
the failure and tries the remaining steps again after its wait, instead of
hammering the server or stopping. Access tokens are refreshed at four fifths of
their life, so runs longer than the tokens' 30 minutes keep working.
"""

import itertools
import random
import time
import uuid

from locust import HttpUser, between, task

# One id per run: every account's email and every campaign name is unique across
# runs against the same database.
RUN_ID = uuid.uuid4().hex[:8]
_user_numbers = itertools.count()

PASSWORD = "LoadTest-2026-pw"  # 8-128 chars with lower case, upper case and a digit
TOPIC = "AI 비디오 자동화"
AUDIO_TEXT = "안녕하세요, 테스트 오디오입니다."
PLATFORMS = ["youtube", "instagram", "tiktok"]
GENDERS = ["male", "female", "neutral"]
TONES = ["professional", "casual", "friendly"]
STYLES = ["cinematic", "minimal", "dynamic"]
MAX_TASK_IDS = 64
TIMEOUT = 30  # seconds per request, as `omnivibe loadtest --timeout 30s`
STATUS_NAME = "/api/v1/audio/status/[id]"


def _failed(response):
    """True for a transport failure (status 0, as Locust reports one) or an error answer."""
    return response.status_code == 0 or response.status_code >= 400


def _failure_kind(response):
    """Names a failure the way `omnivibe loadtest` does, so both tables group alike."""
    if response.status_code == 0:
        error = str(response.error or "")
        if "refused" in error.lower():
            return "connection refused"
        if "timed out" in error.lower() or "timeout" in error.lower():
            return "timeout"
        return f"transport error: {type(response.error).__name__}"
    try:
        code = response.json().get("error_code")
    except (ValueError, AttributeError):
        code = None
    return f"HTTP {response.status_code} {code or response.reason or ''}".strip()


class OmniVibeUser(HttpUser):
    """What both kinds share: the account set-up and authenticated requests."""

    abstract = True
    needs_client = False

    def on_start(self):
        self.number = next(_user_numbers)
        self.attempts = 0
        self.step = 0  # 0 register, 1 pro plan, 2 client, 3 ready
        self.headers = None
        self.refresh_token = None
        self.renew_at = None
        self.client_id = None
        self.campaign_seq = 0
        self.task_ids = []
        self._set_up()

    @property
    def ready(self):
        return self.step >= 3

    def _set_up(self):
        """Runs the remaining on-start steps; returns False at the first failure."""
        while not self.ready:
            if self.step == 0:
                ok = self._register()
            elif self.step == 1:
                ok = self._json("PUT", "/api/v1/billing/plan", {"plan": "pro"})
            else:
                ok = not self.needs_client or self._create_client()
            if not ok:
                return False
            self.step += 1
        return True

    def _register(self):
        self.attempts += 1  # a retried register uses a new email: the first may exist
        ident = f"{RUN_ID}-u{self.number}-{self.attempts}"
        body = {
            "email": f"loadtest-{ident}@example.com",
            "password": PASSWORD,
            "name": f"Load User {self.number}",
            "account_name": f"Loadtest {ident}",
        }
        with self.client.post("/api/v1/auth/register", json=body, catch_response=True, timeout=TIMEOUT) as r:
            return self._take_tokens(r)

    def _take_tokens(self, r):
        if _failed(r):
            r.failure(_failure_kind(r))
            return False
        try:
            answer = r.json()
        except ValueError:
            r.failure("bad response: body is not JSON")
            return False
        token = answer.get("access_token")
        if not token:
            r.failure("bad response: no access_token")
            return False
        self.headers = {"Authorization": f"Bearer {token}"}
        self.refresh_token = answer.get("refresh_token")
        expires_in = answer.get("expires_in")
        self.renew_at = time.time() + 0.8 * expires_in if expires_in else None
        r.success()
        return True

    def _create_client(self):
        body = {"name": f"Loadtest client {RUN_ID}-u{self.number}", "industry": "Load testing"}
        with self.client.post("/api/v1/clients", json=body, headers=self.headers, catch_response=True, timeout=TIMEOUT) as r:
            if _failed(r):
                r.failure(_failure_kind(r))
                return False
            try:
                self.client_id = int(r.json()["id"])
            except (ValueError, KeyError, TypeError):
                r.failure("bad response: no client id")
                return False
            r.success()
            return True

    def _json(self, method, path, body=None, name=None):
        """Sends an authenticated request; returns whether it succeeded."""
        with self.client.request(method, path, json=body, headers=self.headers, name=name, catch_response=True, timeout=TIMEOUT) as r:
            if _failed(r):
                r.failure(_failure_kind(r))
                return False
            r.success()
            return True

    def _before_task(self):
        """Finishes a failed on-start, or refreshes the token when due.

        Returns False when the task should not run this time (the user then waits
        its think time, as after any task).
        """
        if not self.ready:
            self._set_up()
            return False
        if self.refresh_token and self.renew_at and time.time() >= self.renew_at:
            with self.client.post(
                "/api/v1/auth/refresh", json={"refresh_token": self.refresh_token}, catch_response=True, timeout=TIMEOUT
            ) as r:
                if not self._take_tokens(r):
                    self.renew_at = time.time() + 1
        return True

    def list_campaigns(self):
        self._json("GET", "/api/v1/campaigns")


class RegularUser(OmniVibeUser):
    weight = 7
    wait_time = between(1, 3)
    needs_client = True

    @task(5)
    def campaigns(self):
        if self._before_task():
            self.list_campaigns()

    @task(3)
    def write_script(self):
        if self._before_task():
            body = {
                "campaign_name": f"Campaign {random.randint(1, 100)}",
                "topic": TOPIC,
                "platform": random.choice(PLATFORMS),
                "target_duration": random.randint(60, 180),
            }
            self._json("POST", "/api/v1/writer/generate", body)

    @task(2)
    def create_campaign(self):
        if self._before_task():
            self.campaign_seq += 1
            body = {
                "name": f"Loadtest {RUN_ID}-u{self.number}-{self.campaign_seq}",
                "client_id": self.client_id,
                "concept_gender": random.choice(GENDERS),
                "concept_tone": random.choice(TONES),
                "concept_style": random.choice(STYLES),
                "target_duration": random.randint(30, 180),
            }
            self._json("POST", "/api/v1/campaigns", body)

    @task(1)
    def plans(self):
        if self._before_task():
            # Public and cacheable: no credentials.
            self.client.get("/api/v1/billing/plans", timeout=TIMEOUT)


class PowerUser(OmniVibeUser):
    weight = 3
    wait_time = between(2, 5)

    @task(3)
    def generate_audio(self):
        if not self._before_task():
            return
        body = {"text": AUDIO_TEXT, "voice_id": "default", "language": "ko"}
        with self.client.post("/api/v1/audio/generate", json=body, headers=self.headers, catch_response=True, timeout=TIMEOUT) as r:
            if _failed(r):
                r.failure(_failure_kind(r))
                return
            try:
                task_id = r.json()["task_id"]
            except (ValueError, KeyError, TypeError):
                task_id = None
            if task_id in (None, ""):
                r.failure("bad response: no task_id")
                return
            r.success()
            self.task_ids.append(str(task_id))
            del self.task_ids[:-MAX_TASK_IDS]

    @task(2)
    def audio_status(self):
        if not self._before_task() or not self.task_ids:
            return  # nothing of its own to poll yet
        task_id = random.choice(self.task_ids)
        self._json("GET", f"/api/v1/audio/status/{task_id}", name=STATUS_NAME)

    @task(1)
    def campaigns(self):
        if self._before_task():
            self.list_campaigns()

