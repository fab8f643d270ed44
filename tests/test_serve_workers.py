"""`suivi serve --workers N`: one port, N processes, figures summed over them, a clean stop.

The live tests run the real command in a child process, on a database of their own or on the
embedded server, as an operator would; the others look at what `serve` hands uvicorn.
"""

import asyncio
import json
import os
import re
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from api.streams import StreamLimits
from suivi import cli
from suivi.settings import Settings, get_settings
from tests.commands import SUIVI, command_env
from tests.databases import create_database, drop_database

# Workers import the whole application after the parent has migrated: slow on a busy machine.
STARTUP_SECONDS = 120
# A stop waits for the workers' graceful shutdown (10 s at most, streams included).
STOP_SECONDS = 30
POOL_SIZE = 2
HEALTH = {"method": "GET", "route": "/health", "status": "200"}
_STARTED_WORKER = re.compile(r"Started server process \[(\d+)\]")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    """A running `suivi serve`, its base URL and what it logged."""

    process: asyncio.subprocess.Process
    base: str
    log: Path

    def said(self) -> str:
        return self.log.read_text(errors="replace")

    def events(self, name: str) -> list[dict[str, Any]]:
        """The JSON log lines whose event is `name`."""
        lines = (json.loads(line) for line in self.said().splitlines() if line.startswith("{"))
        return [line for line in lines if line.get("event") == name]

    def workers(self) -> set[int]:
        """Every worker process that started."""
        return {int(pid) for pid in _STARTED_WORKER.findall(self.said())}

    async def stop(self, signal_number: int) -> int:
        """Send `signal_number`; the exit code, which must come within STOP_SECONDS."""
        self.process.send_signal(signal_number)
        return await asyncio.wait_for(self.process.wait(), timeout=STOP_SECONDS)


@asynccontextmanager
async def serving(env: dict[str, str], log: Path, workers: int) -> AsyncIterator[Served]:
    """`suivi serve --workers N` until each worker has started and one answers /ready.

    Killed after, if the test did not stop it.
    """
    port = _free_port()
    with open(log, "wb") as output:  # noqa: ASYNC230 - opened once, before the wait
        process = await asyncio.create_subprocess_exec(
            *SUIVI,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=output,
        )
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        async with httpx.AsyncClient(base_url=served.base) as client:
            for _ in range(STARTUP_SECONDS * 10):
                assert process.returncode is None, f"serve exited: {served.said()[-3000:]}"
                started = served.said().count("Application startup complete")
                try:
                    if started >= workers and (await client.get("/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                pytest.fail(f"suivi serve did not become ready: {served.said()[-3000:]}")
        yield served
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def _value(exposition: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return None


async def _scraped(client: httpx.AsyncClient, path: str, health_requests: int) -> str:
    """The exposition once it counts `health_requests` requests to /health.

    A request is counted just after its answer has left: the client may scrape before that.
    """
    exposition = ""
    for _ in range(50):
        exposition = (await client.get(path)).text
        if _value(exposition, "suivi_http_requests_total", **HEALTH) == health_requests:
            break
        await asyncio.sleep(0.1)
    return exposition


def _metrics_dirs(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("suivi-metrics-*"))


def _health_requests_by_worker(directory: Path) -> dict[int, float]:
    """The requests to /health each worker counted, read from the files it wrote."""
    counted: dict[int, float] = {}
    for file in directory.glob("counter_*.db"):
        pid = int(file.stem.rpartition("_")[2])
        for family in MultiProcessCollector.merge([str(file)]):  # type: ignore[no-untyped-call]
            for sample in family.samples:
                if sample.name == "suivi_http_requests_total" and sample.labels == HEALTH:
                    counted[pid] = counted.get(pid, 0) + sample.value
    return counted


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
async def scratch_database_url(admin_url: str) -> AsyncIterator[str]:
    """An empty database, which `suivi serve` migrates before its workers start."""
    url = await create_database(admin_url, prefix="suivi_workers")
    try:
        yield url
    finally:
        await drop_database(admin_url, url)


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    """The children's temporary directory, where the parent makes the metrics' one."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def _env(database_url: str, tmp: Path, **settings: str) -> dict[str, str]:
    return command_env(
        database_url,
        {"TMPDIR": str(tmp), "SUIVI_DB_POOL_SIZE": str(POOL_SIZE), **settings},
    )


async def test_two_workers_answer_and_metrics_sum_over_both(
    scratch_database_url: str, tmp: Path, tmp_path: Path
) -> None:
    async with serving(_env(scratch_database_url, tmp), tmp_path / "serve.log", 2) as served:
        [directory] = _metrics_dirs(tmp)
        sent = 0
        # New connections each time: a kept-alive one stays with the worker that accepted it.
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=served.base, limits=limits) as client:
            for _ in range(30):
                answers = await asyncio.gather(*(client.get("/health") for _ in range(20)))
                assert {answer.status_code for answer in answers} == {200}
                sent += len(answers)
                if len(_health_requests_by_worker(directory)) == 2:
                    break
            by_worker = _health_requests_by_worker(directory)
            exposition = await _scraped(client, "/metrics", sent)
        workers = served.workers()

        assert len(by_worker) == 2, "one worker answered every request"
        assert _value(exposition, "suivi_http_requests_total", **HEALTH) == sent
        assert _value(exposition, "suivi_db_pool_size") == 2 * POOL_SIZE
        assert _value(exposition, "suivi_sse_streams_open") == 0
        # Which process answered the scrape is chance: no one worker's own figures are shown.
        assert _value(exposition, "process_cpu_seconds_total") is None
        [warning] = served.events("rate_limits_counted_per_worker")
        assert "SUIVI_RATE_LIMIT_STORAGE_URI" in warning["detail"]

        assert await served.stop(signal.SIGTERM) == 0

    assert len(workers) == 2
    assert all(_gone(pid) for pid in workers)
    assert _metrics_dirs(tmp) == []


async def test_the_metrics_port_is_served_once_even_when_its_worker_dies(
    scratch_database_url: str, tmp: Path, tmp_path: Path
) -> None:
    port = _free_port()
    env = _env(scratch_database_url, tmp, SUIVI_METRICS_PORT=str(port))
    async with (
        serving(env, tmp_path / "serve.log", 2) as served,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as scraper,
    ):
        for _ in range(10):
            assert (await scraper.get(f"{served.base}/health")).status_code == 200
        before = await _scraped(scraper, "/metrics", 10)
        [serving_port] = served.events("metrics_serving")
        on_api_port = await scraper.get(f"{served.base}/metrics")

        # Killed, it cannot shut down: its lock and port go with it, its figures stay behind.
        os.kill(serving_port["worker"], signal.SIGKILL)
        after = ""
        for _ in range(STARTUP_SECONDS * 2):
            await asyncio.sleep(0.5)
            try:
                after = (await scraper.get("/metrics")).text
            except httpx.TransportError:
                continue
            if (
                len(served.workers()) == 3
                and len(served.events("metrics_serving")) == 2
                and _value(after, "suivi_db_pool_size") == 2 * POOL_SIZE
            ):
                break
        else:
            pytest.fail(f"no worker took over the metrics port: {served.said()[-3000:]}")
        holders = [event["worker"] for event in served.events("metrics_serving")]

        assert await served.stop(signal.SIGINT) == 0

    assert on_api_port.status_code == 404
    assert _value(before, "suivi_db_pool_size") == 2 * POOL_SIZE
    # The killed worker's requests still count; its pool no longer does.
    assert _value(after, "suivi_http_requests_total", **HEALTH) == _value(
        before, "suivi_http_requests_total", **HEALTH
    )
    assert len(holders) == 2
    assert holders[0] != holders[1]
    assert _metrics_dirs(tmp) == []


async def test_one_worker_serves_from_the_command_s_own_process(
    scratch_database_url: str, tmp: Path, tmp_path: Path
) -> None:
    async with serving(_env(scratch_database_url, tmp), tmp_path / "serve.log", 1) as served:
        async with httpx.AsyncClient(base_url=served.base) as client:
            exposition = (await client.get("/metrics")).text
        await served.stop(signal.SIGTERM)

    assert served.workers() == {served.process.pid}
    assert "Started parent process" not in served.said()
    assert _metrics_dirs(tmp) == []
    assert _value(exposition, "suivi_db_pool_size") == POOL_SIZE
    assert _value(exposition, "process_cpu_seconds_total") is not None
    assert served.events("rate_limits_counted_per_worker") == []


async def test_two_workers_share_the_embedded_server_the_command_holds(
    tmp: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUIVI_")}
    env |= {"SUIVI_DATA_DIR": str(tmp_path / "suivi-data"), "TMPDIR": str(tmp)}
    pgdata = tmp_path / "suivi-data" / "pgdata"

    async with serving(env, tmp_path / "serve.log", 2) as served:
        async with httpx.AsyncClient(base_url=served.base) as client:
            answers = [await client.get("/v1/recommendations") for _ in range(10)]
        holders = json.loads((pgdata / ".handle_pids.json").read_text())
        assert (pgdata / "postmaster.pid").exists()

        assert await served.stop(signal.SIGTERM) == 0

    assert {answer.status_code for answer in answers} == {200}
    # The command alone holds the server: a worker killed without a shutdown cannot keep it up.
    assert holders == [served.process.pid]
    assert not (pgdata / "postmaster.pid").exists()


def test_each_worker_takes_a_share_of_the_stream_caps() -> None:
    shared = StreamLimits.from_settings(
        Settings(workers=3, sse_max_streams=100, sse_max_streams_per_client=5)
    )
    alone = StreamLimits.from_settings(Settings(sse_max_streams=100, sse_max_streams_per_client=5))

    assert (shared.total, shared.per_client) == (34, 2)
    assert (alone.total, alone.per_client) == (100, 5)


@dataclass
class Started:
    """What `suivi serve` handed uvicorn, and the environment its workers would have seen."""

    options: dict[str, Any]
    environ: dict[str, str]
    output: str


def _serve(monkeypatch: pytest.MonkeyPatch, *args: str, url: str = "") -> Started:
    started: list[tuple[dict[str, Any], dict[str, str]]] = []
    monkeypatch.setattr(cli, "_migrate", lambda: url)
    monkeypatch.setattr(
        uvicorn,
        "run",
        lambda app, **options: started.append(({"app": app, **options}, dict(os.environ))),
    )
    get_settings.cache_clear()
    result = CliRunner().invoke(cli.app, ["serve", *args])
    assert result.exit_code == 0, result.output
    [(options, environ)] = started
    return Started(options, environ, result.output)


def test_workers_default_to_the_cpus_then_the_setting_then_the_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli, "_cpus", lambda: 4)
    by_default = _serve(monkeypatch)
    monkeypatch.setenv("SUIVI_WORKERS", "3")
    by_setting = _serve(monkeypatch)
    by_flag = _serve(monkeypatch, "--workers", "2")

    assert by_default.options["workers"] == 4
    assert by_setting.options["workers"] == 3
    assert by_flag.options["workers"] == 2
    # The workers read the number that won, whatever SUIVI_WORKERS said.
    assert by_flag.environ["SUIVI_WORKERS"] == "2"
    assert by_flag.options["factory"] is True
    assert isinstance(by_flag.options["app"], str)


def test_several_workers_get_a_fresh_metrics_directory_removed_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    started = _serve(monkeypatch, "--workers", "2")

    directory = Path(started.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert directory.name.startswith("suivi-metrics-")
    assert not directory.exists()
    # The command's own environment is left as it was.
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    assert "SUIVI_WORKERS" not in os.environ


def test_one_worker_keeps_one_process_s_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    started = _serve(monkeypatch, "--workers", "1")

    assert started.options["workers"] == 1
    assert "PROMETHEUS_MULTIPROC_DIR" not in started.environ
    assert "rate_limits_counted_per_worker" not in started.output


def test_workers_connect_to_the_embedded_server_the_command_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    released: list[Path] = []
    monkeypatch.setattr(cli, "release_embedded", released.append)
    url = "postgresql+asyncpg://postgres@/suivi?host=/run/suivi"
    started = _serve(monkeypatch, "--workers", "2", url=url)

    assert started.environ["SUIVI_DATABASE_URL"] == url
    assert released == [get_settings().data_dir]
    assert "SUIVI_DATABASE_URL" not in os.environ


def test_a_shared_rate_limit_store_silences_the_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _serve(monkeypatch, "--workers", "2")
    monkeypatch.setenv("SUIVI_RATE_LIMIT_STORAGE_URI", "redis://redis:6379")
    shared = _serve(monkeypatch, "--workers", "2")

    assert "SUIVI_RATE_LIMIT_STORAGE_URI" in alone.output
    assert "rate_limits_counted_per_worker" not in shared.output
