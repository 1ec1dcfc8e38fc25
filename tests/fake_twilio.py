"""A local stand-in for Twilio's Messages API that the real twilio client talks to in tests.

Records every message created; can answer a given number with errors (a list
consumed in order, e.g. one 503 then success, or 21610 for an unsubscribed phone).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "fake-twilio-token"
_MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages\.json$")


class FakeTwilio:
    def __init__(self):
        self.messages: list[dict] = []
        self.attempts: list[str] = []  # every create call's "To", errors included
        self.errors: dict[str, list[tuple[int, int]]] = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One segment per reply, sent at once (Nagle plus delayed ACKs would add 40 ms).
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                status, payload = fake._create(self.path, self.headers.get("Authorization"), form)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTwilio:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, to: str, *errors: tuple[int, int]) -> None:
        """Answer the next create calls for `to` with these (HTTP status, Twilio code)."""
        self.errors[to] = list(errors)

    def _create(self, path: str, authorization: str | None, form: dict) -> tuple[int, dict]:
        match = _MESSAGES.match(path)
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if not match or match.group(1) != ACCOUNT_SID or authorization != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        to = form.get("To", "")
        with self.lock:
            self.attempts.append(to)
            pending = self.errors.get(to)
            if pending:
                status, code = pending.pop(0)
                return status, {"code": code, "message": f"fake error {code}", "status": status}
            if (
                not to
                or not form.get("Body")
                or not (form.get("From") or form.get("MessagingServiceSid"))
            ):
                return 400, {"code": 21604, "message": "missing parameter", "status": 400}
            sid = "SM" + uuid.uuid4().hex
            self.messages.append({"sid": sid, **form})
        return 201, {
            "sid": sid,
            "account_sid": ACCOUNT_SID,
            "to": to,
            "from": form.get("From"),
            "body": form["Body"],
            "status": "queued",
            "num_segments": "1",
        }
