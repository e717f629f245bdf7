"""The pipeline's limits: one frozen `PipelineLimits` (core/limits.py), built by
reviewbot/runtime.py from the settings operators tune; their defaults are the numbers the
pipeline always had, and a setting changes what the worker does."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.config import Settings
from core.limits import DEFAULT_PIPELINE_LIMITS, PipelineLimits
from infra.ruff.runner import RuffRunner
from reviewbot.runtime import open_worker, pipeline_limits
from tests.support.app import BotApp
from tests.support.pipeline import counting_ruff


def test_the_defaults_are_the_limits_the_pipeline_always_had() -> None:
    assert (
        PipelineLimits(
            versions_per_claim=200,
            bytes_per_claim=8 * 1024 * 1024,
            ruff_runs_in_flight=2,
            claim_again_seconds=0.5,
            abandoned_per_scan=100,
            deliveries_per_claim=50,
            deliveries_held=200,
            email_queues=4,
            mark_interval_seconds=0.2,
            lease=timedelta(seconds=15),
        )
        == DEFAULT_PIPELINE_LIMITS
    )
    assert DEFAULT_PIPELINE_LIMITS.heartbeat_seconds == 5.0


def test_unset_settings_give_the_default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CLAIM_LEASE_SECONDS",
        "CHECK_VERSIONS_PER_CLAIM",
        "CHECK_BYTES_PER_CLAIM",
        "DELIVERIES_PER_CLAIM",
    ):
        monkeypatch.delenv(name, raising=False)
    assert pipeline_limits(Settings(_env_file=None)) == DEFAULT_PIPELINE_LIMITS


def test_the_environment_sets_the_tuned_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIM_LEASE_SECONDS", "30")
    monkeypatch.setenv("CHECK_VERSIONS_PER_CLAIM", "25")
    monkeypatch.setenv("CHECK_BYTES_PER_CLAIM", "1048576")
    monkeypatch.setenv("DELIVERIES_PER_CLAIM", "10")
    assert pipeline_limits(Settings(_env_file=None)) == replace(
        DEFAULT_PIPELINE_LIMITS,
        lease=timedelta(seconds=30),
        versions_per_claim=25,
        bytes_per_claim=1_048_576,
        deliveries_per_claim=10,
    )


@pytest.mark.parametrize("name", ["CHECK_VERSIONS_PER_CLAIM", "DELIVERIES_PER_CLAIM"])
def test_a_batch_of_none_is_refused_at_start(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, "0")
    with pytest.raises(ValueError, match=name.lower()):
        Settings(_env_file=None)


@pytest.mark.parametrize(
    ("tuned", "ruff_checks"),
    [
        ({"check_versions_per_claim": 2}, 3),  # 2 + 2 + 1
        ({"check_bytes_per_claim": 1}, 5),  # each claim takes one file
        ({}, 1),  # all five in one claim, one ruff run
    ],
)
async def test_the_worker_claims_as_the_settings_say(
    bot_app: BotApp, tmp_path: Path, tuned: dict[str, int], ruff_checks: int
) -> None:
    """Five files uploaded while no worker runs; the worker's claims follow the settings."""
    ada = await bot_app.registered("ada@example.com")
    names = [f"m{n}.py" for n in range(5)]
    for n, name in enumerate(names):
        await ada.upload(name, f"import os\nvalue_{n} = {n}\n".encode())
    ruff_path, log = counting_ruff(tmp_path)
    async with open_worker(
        replace(bot_app.resources, settings=bot_app.settings.model_copy(update=tuned)),
        bot_app.bot,
        runner=RuffRunner(ruff_path=ruff_path),
        identity="tuned",
    ):
        reviews = [(await ada.chat.next_screen(timeout=30)).text for _ in names]
    assert sorted(review.split("\n")[0] for review in reviews) == [
        f"Review of {name}, version 1" for name in names
    ]
    calls = [line for line in log.read_text().splitlines() if line.startswith("check")]
    assert len(calls) == ruff_checks, calls
