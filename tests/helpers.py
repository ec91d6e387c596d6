"""Test helpers shared across test packages: a local OpenAI-compatible chat server, an S3-compatible server,
bench loading."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

BENCH_DIR = Path(__file__).resolve().parents[1] / "bench"


def load_bench(name: str) -> ModuleType:
    """Import ``bench/<name>.py`` (not a package) as module ``bench_<name>``."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the file executes
    spec.loader.exec_module(mod)
    return mod


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class S3Server:
    """moto's S3 API on ``127.0.0.1:port`` with ``bucket`` created; clients find it through the environment
    (``AWS_ENDPOINT_URL`` and test credentials, set by ``tests/conftest.py``)."""

    def __init__(self, port: int, bucket: str) -> None:
        import boto3
        from moto.server import ThreadedMotoServer

        self.port, self.bucket = port, bucket
        self.endpoint = f"http://127.0.0.1:{port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self._server.start()
        self.client = boto3.client("s3", endpoint_url=self.endpoint)
        self.client.create_bucket(Bucket=bucket)

    def keys(self, uri: str) -> list[str]:
        """Object keys under the ``s3://bucket/prefix`` URI, sorted (pyarrow's directory markers left out)."""
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(
            o["Key"] for page in pages for o in page.get("Contents", []) if not o["Key"].endswith("/")
        )

    def clear(self, uri: str) -> None:
        """Delete every object under ``uri``."""
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for key in [o["Key"] for page in pages for o in page.get("Contents", [])]:
            self.client.delete_object(Bucket=bucket, Key=key)

    def close(self) -> None:
        self._server.stop()


class ChatServer:
    """A threaded HTTP server speaking ``POST /v1/chat/completions``.

    ``reply(body) -> str`` makes the answer; the first ``fail_first`` requests get HTTP ``fail_status``
    with ``fail_headers``. ``headers`` holds the request headers (lower-case names) of each call, ``times`` their arrival.
    """

    def __init__(
        self,
        reply: Callable[[dict], str],
        fail_first: int = 0,
        fail_status: int = 500,
        fail_headers: dict[str, str] | None = None,
    ) -> None:
        self.reply = reply
        self.fail_left = fail_first
        self.calls = 0
        self.headers: list[dict[str, str]] = []
        self.times: list[float] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.calls += 1
                    server.headers.append({k.lower(): v for k, v in self.headers.items()})
                    server.times.append(time.monotonic())
                    fail = server.fail_left > 0
                    server.fail_left -= int(fail)
                if fail:
                    self.send_response(fail_status)
                    for k, v in (fail_headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "4")
                    self.end_headers()
                    self.wfile.write(b"boom")
                    return
                text = server.reply(body)
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class MlflowServer:
    """``mlflow server`` on ``127.0.0.1:port`` (sqlite store in ``root``, artifacts under ``artifacts``, e.g. an
    S3 URI on the test's S3 server); ``uri`` is its tracking URI. Stopped by :meth:`close`."""

    def __init__(self, root: Path, artifacts: str, port: int | None = None, timeout_s: float = 60.0) -> None:
        import os
        import subprocess
        import urllib.request

        self.port = port or free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        root.mkdir(parents=True, exist_ok=True)
        self.log = root / "mlflow-server.log"
        mlflow_bin = venv_bin("mlflow")
        self._proc = subprocess.Popen(
            [
                str(mlflow_bin),
                "server",
                "--backend-store-uri",
                f"sqlite:///{root}/mlflow.db",
                "--default-artifact-root",
                artifacts,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "MLFLOW_S3_ENDPOINT_URL": os.environ.get("AWS_ENDPOINT_URL", "")},
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{self.uri}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"mlflow server did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.5)

    def close(self) -> None:
        import os
        import signal

        if self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=20)
            except Exception:
                os.killpg(self._proc.pid, signal.SIGKILL)


def venv_bin(name: str) -> str:
    """Path of console script ``name`` installed next to this interpreter (CI does not put the venv on PATH)."""
    return str(Path(sys.executable).with_name(name))


def stop_process_group(proc: subprocess.Popen, grace_s: float = 40.0) -> None:
    """Stop ``proc`` (started with ``start_new_session=True``) and everything in its process group: SIGTERM to
    the leader (a ``ray start --block`` head then drains and stops the Ray processes it started), up to
    ``grace_s`` to exit, then SIGKILL to whatever of the group is left. Nothing outside the group is signalled."""
    import contextlib
    import os
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
