"""Notifications: a local HTTP server standing in for the WeCom, DingTalk and Feishu group
robots (the ``platforms`` fixture), one chat robot on each (``robots``, ``make_robots``), and
``no_inline`` for tests that deliver only when they say so.

The stand-in checks what the real platforms check (the message format; DingTalk's and Feishu's
signatures, recomputed from the shared secret; the timestamp within an hour) and answers as
they do: ``errcode``/``code`` 0 when accepted, another code when not. It can be switched
"down": answering 500, refusing connections (the socket closed), answering too slowly, or
answering 200 with a platform error code.

It also keeps each platform's rate limit per robot, counted over a rolling window on its own
clock (``clock``: the real time, or a test's :class:`SimClock` shared with the delivery's
``at``): DingTalk and WeCom 20 messages in any 60 s, Feishu 100 in any 60 s and 5 in any
second. Beyond, it answers as the platform does (DingTalk errcode 130101 and ten minutes of
refusals, WeCom errcode 45009, Feishu code 11232) and counts the refusal in ``rate_refused``;
``sent_at`` holds the accepted messages' times per robot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import select
import socket
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mashang.notify.models import ChatRobot, Platform
from tests.kit.clocks import CST

#: The moment the notification tests happen at: Monday 12 October 2026, 09:00.
T0 = datetime(2026, 10, 12, 9, 0, tzinfo=CST)

DINGTALK_SECRET = "SECdingtalk-test-secret"
FEISHU_SECRET = "feishu-test-secret"
WECOM_KEY = "5f7c0e7e-0000-4000-8000-000000000001"


#: Each platform's limits per robot: (window in seconds, at most), and how long DingTalk keeps
#: refusing a robot that went beyond (the others refuse only while over).
LIMITS = {"dingtalk": [(60, 20)], "wecom": [(60, 20)], "feishu": [(60, 100), (1, 5)]}
PENALTY = {"dingtalk": 600, "wecom": 0, "feishu": 0}
RATE_ANSWER = {
    "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
    "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
    "feishu": {"code": 11232, "msg": "frequency limited"},
}


@dataclass
class SimClock:
    """A clock a test moves by hand, shared by the stand-in and the delivery's ``at``."""

    now: datetime = T0

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def __call__(self) -> float:
        return self.now.timestamp()


@dataclass
class Received:
    platform: str
    body: dict[str, Any]
    text: str  # every piece of text in the message, joined


@dataclass
class FakePlatforms:
    port: int = 0
    mode: str = "up"  # up | 500 | refused | slow | errcode
    slow_seconds: float = 0.0
    #: Messages whose sender hung up while a slow answer was on its way: the platform posted
    #: them, the sender never learnt it (a worker killed mid-delivery sends them again).
    abandoned: int = 0
    received: list[Received] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    hits: int = 0
    #: The clock the rate limits count on (POSIX seconds).
    clock: Callable[[], float] = time.time
    sent_at: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    throttled_until: dict[str, float] = field(default_factory=dict)
    rate_refused: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- addresses, as an administrator would paste them --------------------------------------
    def url(self, platform: str) -> str:
        base = f"http://127.0.0.1:{self.port}"
        if platform == "wecom":
            return f"{base}/cgi-bin/webhook/send?key={WECOM_KEY}"
        if platform == "dingtalk":
            return f"{base}/robot/send?access_token=dingtalk-token"
        return f"{base}/open-apis/bot/v2/hook/feishu-hook-id"

    # --- switching ---------------------------------------------------------------------------
    def start(self) -> None:
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def set(self, mode: str) -> None:
        """Switch to ``mode``; "refused" closes the listening socket, any other mode reopens it."""
        if mode == "refused":
            self.stop()
        elif self._server is None:
            self.start()
        self.mode = mode

    # --- what arrived ------------------------------------------------------------------------
    def count_containing(self, needle: str) -> int:
        with self._lock:
            return sum(1 for r in self.received if needle in r.text)

    def per_platform(self) -> Counter:
        with self._lock:
            return Counter(r.platform for r in self.received)

    def record(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)

    def problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)

    def admit(self, platform: str, robot: str) -> bool:
        """Whether the platform takes one more message from ``robot`` now; counts it if so."""
        with self._lock:
            now = self.clock()
            key = f"{platform}:{robot}"
            if self.throttled_until.get(key, 0) > now:
                self.rate_refused += 1
                return False
            times = self.sent_at[key]
            for seconds, most in LIMITS[platform]:
                if sum(1 for t in times if t > now - seconds) >= most:
                    self.rate_refused += 1
                    if PENALTY[platform]:
                        self.throttled_until[key] = now + PENALTY[platform]
                    return False
            times.append(now)
            return True

    def most_in_window(self, key: str, seconds: float) -> int:
        """The most messages ``key`` ("dingtalk:token") had accepted in any rolling window."""
        with self._lock:
            times = sorted(self.sent_at[key])
        best, start = 0, 0
        for end, t in enumerate(times):
            while times[start] <= t - seconds:
                start += 1
            best = max(best, end - start + 1)
        return best


def _texts_of_post(content: Any) -> list[str]:
    texts: list[str] = []
    for line in content:
        for element in line:
            if element.get("tag") not in {"text", "a"}:
                raise ValueError(f"unknown tag {element.get('tag')!r}")
            texts.append(element.get("text", ""))
            if element.get("tag") == "a":
                texts.append(element["href"])
    return texts


def _sender_gone(sock: socket.socket) -> bool:
    """Whether the client closed its end (its whole request was read: only EOF can be waiting)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _handler_for(fake: FakePlatforms):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # quiet
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the sender hung up (killed mid-delivery): the message was taken all the same

        def do_POST(self):
            fake.hits += 1
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if fake.mode == "500":
                self._answer(500, {"error": "internal"})
                return
            if fake.mode == "slow":
                time.sleep(fake.slow_seconds)
                if _sender_gone(self.connection):
                    with fake._lock:
                        fake.abandoned += 1
            split = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(split.query)
            try:
                body = json.loads(raw)
            except ValueError:
                fake.problem("body is not JSON")
                self._answer(400, {"errcode": 40000, "errmsg": "bad json"})
                return
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                fake.problem("Content-Type is not application/json")
            if split.path == "/cgi-bin/webhook/send":
                self._wecom(body, query)
            elif split.path == "/robot/send":
                self._dingtalk(body, query)
            elif split.path.startswith("/open-apis/bot/v2/hook/"):
                self._feishu(body, split.path.rsplit("/", 1)[1], raw)
            else:
                self._answer(404, {"errcode": 404, "errmsg": "no such hook"})

        def _platform_error(self, key: str) -> bool:
            if fake.mode == "errcode":
                # A platform error that is not "too fast" (those pause the robot: RATE_ANSWER).
                self._answer(200, {key: -1, ("errmsg" if key == "errcode" else "msg"): "system busy"})
                return True
            return False

        def _wecom(self, body, query):
            if query.get("key") != [WECOM_KEY]:
                fake.problem("wecom: wrong key")
                self._answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
                return
            try:
                assert body["msgtype"] == "markdown", "msgtype"
                content = body["markdown"]["content"]
                assert isinstance(content, str) and content, "content"
                assert len(content.encode()) <= 4096, "content over 4096 bytes"
            except (KeyError, AssertionError, TypeError) as exc:
                fake.problem(f"wecom: bad body ({exc}): {body}")
                self._answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
                return
            if self._platform_error("errcode"):
                return
            if not fake.admit("wecom", query["key"][0]):
                self._answer(200, RATE_ANSWER["wecom"])
                return
            fake.record(Received("wecom", body, content))
            self._answer(200, {"errcode": 0, "errmsg": "ok"})

        def _dingtalk(self, body, query):
            try:
                timestamp = query["timestamp"][0]
                given = query["sign"][0]  # parse_qs has undone the URL-encoding
            except KeyError:
                fake.problem("dingtalk: no timestamp/sign")
                self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                return
            to_sign = f"{timestamp}\n{DINGTALK_SECRET}".encode()
            expected = base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), to_sign, hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(given, expected) or abs(time.time() * 1000 - int(timestamp)) > 3600_000:
                fake.problem("dingtalk: sign does not match")
                self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                return
            try:
                assert body["msgtype"] == "markdown", "msgtype"
                title, text = body["markdown"]["title"], body["markdown"]["text"]
                assert isinstance(title, str) and title and isinstance(text, str) and text, "title/text"
                assert len(text.encode()) <= 20000, "markdown over 20,000 bytes"
            except (KeyError, AssertionError, TypeError) as exc:
                fake.problem(f"dingtalk: bad body ({exc}): {body}")
                self._answer(200, {"errcode": 40035, "errmsg": "missing parameter"})
                return
            if self._platform_error("errcode"):
                return
            if not fake.admit("dingtalk", query.get("access_token", [""])[0]):
                self._answer(200, RATE_ANSWER["dingtalk"])
                return
            fake.record(Received("dingtalk", body, f"{title}\n{text}"))
            self._answer(200, {"errcode": 0, "errmsg": "ok"})

        def _feishu(self, body, hook, raw):
            timestamp, given = body.get("timestamp"), body.get("sign")
            if not isinstance(timestamp, str) or not isinstance(given, str):
                fake.problem("feishu: no timestamp/sign")
                self._answer(200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"})
                return
            key = f"{timestamp}\n{FEISHU_SECRET}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(given, expected) or abs(time.time() - int(timestamp)) > 3600:
                fake.problem("feishu: sign does not match")
                self._answer(200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"})
                return
            try:
                assert body["msg_type"] == "post", "msg_type"
                post = body["content"]["post"]["zh_cn"]
                texts = [post["title"], *_texts_of_post(post["content"])]
                assert len(raw) <= 20 * 1024, "body over 20 KB"
            except (KeyError, AssertionError, TypeError, ValueError) as exc:
                fake.problem(f"feishu: bad body ({exc}): {body}")
                self._answer(200, {"code": 9499, "msg": "Bad Request"})
                return
            if self._platform_error("code"):
                return
            if not fake.admit("feishu", hook):
                self._answer(200, RATE_ANSWER["feishu"])
                return
            fake.record(Received("feishu", body, "\n".join(texts)))
            self._answer(200, {"code": 0, "msg": "success", "data": {}})

    return Handler


@pytest.fixture
def platforms():
    fake = FakePlatforms()
    fake.start()
    yield fake
    fake.stop()


@dataclass
class Robots:
    wecom: ChatRobot
    dingtalk: ChatRobot
    feishu: ChatRobot

    def all(self) -> list[ChatRobot]:
        return [self.wecom, self.dingtalk, self.feishu]


def make_robots(platforms: FakePlatforms, unit=None) -> Robots:
    return Robots(
        wecom=ChatRobot.objects.create(
            name="自然资源工作群", platform=Platform.WECOM, webhook_url=platforms.url("wecom"), unit=unit
        ),
        dingtalk=ChatRobot.objects.create(
            name="钉钉工作群",
            platform=Platform.DINGTALK,
            webhook_url=platforms.url("dingtalk"),
            secret=DINGTALK_SECRET,
            unit=unit,
        ),
        feishu=ChatRobot.objects.create(
            name="飞书工作群",
            platform=Platform.FEISHU,
            webhook_url=platforms.url("feishu"),
            secret=FEISHU_SECRET,
            unit=unit,
        ),
    )


@pytest.fixture
def robots(db, platforms) -> Robots:
    return make_robots(platforms)


@pytest.fixture
def no_inline(settings):
    """Deliver only when the test says so (as the worker would), not right after each commit."""
    settings.MASHANG_NOTIFY_DELIVER_INLINE = False
    return settings
