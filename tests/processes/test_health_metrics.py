"""/healthz, /metrics and `reviewbot healthcheck` as an operator and Prometheus meet them."""

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from tests.fake_telegram import FakeTelegram
from tests.support.processes import reviewbot_environment, reviewbot_process, run_reviewbot
from tests.support.proxy import proxy_for
from tests.support.smtp import free_port
from tests.support.stack import SERVICES
from tests.support.webhook import get, scrape, wait_for_health, with_metrics

METRIC_NAMES = [
    "reviewbot_checks_total",
    "reviewbot_check_duration_seconds",
    "reviewbot_ruff_batch_size",
    "reviewbot_pending_versions",
    "reviewbot_pending_deliveries",
    "reviewbot_deliveries_total",
    "reviewbot_delivery_latency_seconds",
    "reviewbot_review_notices_total",
    "reviewbot_telegram_errors_total",
    "reviewbot_smtp_errors_total",
    "reviewbot_mail_outages_total",
    "reviewbot_updates_total",
]


async def _healthcheck(folder: Path, environment: dict[str, str]) -> tuple[int, str]:
    code, output = await run_reviewbot(folder, "healthcheck", environment=environment)
    return code, output.strip()


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_healthz_turns_503_while_postgresql_is_unreachable_and_200_when_back(
    settings: Settings, engine: AsyncEngine, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    """The worker reaches PostgreSQL through a proxy of the test's own; cutting the proxy is
    PostgreSQL going away for this process only."""
    async with proxy_for(settings.database_url) as proxy:
        settings = settings.model_copy(update={"database_url": proxy.url(settings.database_url)})
        environment, port = with_metrics(reviewbot_environment(settings, fake_telegram))
        async with reviewbot_process("worker", tmp_path, environment):
            assert await wait_for_health(port, 200) == "ok\n"
            assert await _healthcheck(tmp_path, environment) == (0, "ok")

            await proxy.cut()
            reason = await wait_for_health(port, 503)
            assert reason.startswith("database: "), reason
            assert "redis" not in reason
            code, output = await _healthcheck(tmp_path, environment)
            assert code == 1
            assert output.startswith(f"reviewbot: http://127.0.0.1:{port}/healthz answered 503")

            await proxy.restore()
            assert await wait_for_health(port, 200) == "ok\n"
            assert (await _healthcheck(tmp_path, environment))[0] == 0


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_healthz_turns_503_while_redis_is_unreachable_and_200_when_back(
    settings: Settings, engine: AsyncEngine, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    """Redis away is named as such, and answered within the 1 s each dependency is given."""
    async with proxy_for(settings.redis_url) as proxy:
        settings = settings.model_copy(update={"redis_url": proxy.url(settings.redis_url)})
        environment, port = with_metrics(reviewbot_environment(settings, fake_telegram))
        async with reviewbot_process("worker", tmp_path, environment):
            assert await wait_for_health(port, 200) == "ok\n"
            await proxy.cut()
            reason = await wait_for_health(port, 503)
            assert reason.startswith("redis: "), reason
            assert "database" not in reason
            await proxy.restore()
            assert await wait_for_health(port, 200) == "ok\n"


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)  # one stack: docs/testing.md
async def test_metrics_are_served_in_prometheus_format(
    settings: Settings, engine: AsyncEngine, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    environment, port = with_metrics(reviewbot_environment(settings, fake_telegram))
    async with reviewbot_process("run", tmp_path, environment):
        await wait_for_health(port, 200)
        status, body = await get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        for name in METRIC_NAMES:
            assert f"# HELP {name} " in body, name
        samples = await scrape(port)
        assert samples["reviewbot_pending_versions", ()] == 0
        channels = {
            dict(labels)["channel"]
            for name, labels in samples
            if name == "reviewbot_pending_deliveries"
        }
        assert channels == {"email", "telegram"}


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)  # one stack: docs/testing.md
async def test_metrics_port_in_use_is_one_clear_line_and_exit_2(
    settings: Settings, engine: AsyncEngine, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    blocker = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = blocker.sockets[0].getsockname()[1]
    environment = {
        **reviewbot_environment(settings, fake_telegram),
        "METRICS_PORT": str(port),
    }
    try:
        async with reviewbot_process("worker", tmp_path, environment, exit_code=2) as process:
            assert await asyncio.wait_for(process.wait(), timeout=60) == 2
    finally:
        blocker.close()
        await blocker.wait_closed()
    output = (tmp_path / "reviewbot-worker.log").read_text().strip().splitlines()
    assert output[-1] == (
        f"reviewbot: cannot listen on 127.0.0.1:{port} for /healthz and /metrics "
        "(METRICS_HOST, METRICS_PORT; 0 turns them off): Address already in use"
    ), output
    assert not any("Traceback" in line for line in output)


async def test_healthcheck_fails_when_nothing_answers(tmp_path: Path) -> None:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    port = free_port()
    code, output = await _healthcheck(tmp_path, {**keep, "METRICS_PORT": str(port)})
    assert code == 1
    assert output.startswith(f"reviewbot: no answer from http://127.0.0.1:{port}/healthz")
    code, output = await _healthcheck(tmp_path, {**keep, "METRICS_PORT": "0"})
    assert (code, output) == (1, "reviewbot: METRICS_PORT is 0: there is no /healthz to ask")


def test_an_empty_or_unset_metrics_port_turns_the_endpoint_off() -> None:
    assert Settings(_env_file=None, metrics_port="").metrics_port == 0
    assert Settings(_env_file=None).metrics_port == 0
