"""A Docker engine for `make docker-test`: the one DOCKER_HOST names when it answers, else
Debian's dockerd started here on a socket of its own, with no bridge and no iptables rules (so
nothing listens outside loopback: containers use the host's network), its own data root and
pidfile, and stopped again at the end."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

STATE_DIR = Path(os.environ.get("DOCKER_TEST_STATE_DIR", "/var/lib/reviewbot-docker"))
RUN_DIR = Path("/run/reviewbot-docker")
OWN_HOST = f"unix://{RUN_DIR / 'docker.sock'}"
START_SECONDS = 60
STOP_SECONDS = 30


def docker_environment() -> dict[str, str]:
    """The environment for `docker` commands: DOCKER_HOST as given, else our own socket."""
    return {**os.environ, "DOCKER_HOST": os.environ.get("DOCKER_HOST") or OWN_HOST}


def answers(environment: dict[str, str]) -> bool:
    done = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"],
        env=environment,
        capture_output=True,
        check=False,
        timeout=30,
    )
    return done.returncode == 0


def _cannot_start(reason: str) -> None:
    pytest.fail(f"the Docker engine cannot start: {reason}", pytrace=False)


def _start_dockerd(log: Path) -> subprocess.Popen[bytes]:
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        _cannot_start("dockerd is not installed (Debian: apt-get install docker.io)")
    if shutil.which("docker") is None:
        _cannot_start("the docker client is not installed")
    if os.geteuid() != 0:
        _cannot_start("dockerd must be started as root (or set DOCKER_HOST to a running one)")
    for folder in (STATE_DIR, RUN_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        return subprocess.Popen(
            [
                str(dockerd),
                "--host",
                OWN_HOST,
                "--bridge=none",
                "--iptables=false",
                "--ip6tables=false",
                "--ip-forward=false",
                "--ip-masq=false",
                "--data-root",
                str(STATE_DIR / "data"),
                "--exec-root",
                str(RUN_DIR / "exec"),
                "--pidfile",
                str(RUN_DIR / "dockerd.pid"),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches pytest, which stops it
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_SECONDS)


@contextmanager
def docker_engine() -> Iterator[dict[str, str]]:
    """Yield the environment for `docker` commands; an engine started here is stopped on exit."""
    environment = docker_environment()
    if answers(environment):
        yield environment
        return
    if environment["DOCKER_HOST"] != OWN_HOST:
        _cannot_start(f"DOCKER_HOST={environment['DOCKER_HOST']} does not answer")
    log = STATE_DIR / "dockerd.log"
    process = _start_dockerd(log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not answers(environment):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                _cannot_start(f"dockerd did not answer within {START_SECONDS} s:\n{tail}")
            time.sleep(0.5)
        yield environment
    finally:
        _stop(process)
