"""Run ruff on uploaded sources: one isolated process per batch; the code is parsed, never run."""

import asyncio
import contextlib
import logging
import os
import resource
import signal
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from core.errors import ConfigRefusal, ConfigRefusedError
from core.review import FoundIssues
from core.ruff_config import OwnConfig, ReviewConfig
from infra.ruff.output import DiagnosticReader, UnreadableOutputError, communicate

logger = logging.getLogger(__name__)

# Only these variables reach ruff: no RUFF_*, no user configuration directory.
_PASSED_ENVIRONMENT = ("PATH", "SYSTEMROOT", "LANG", "LC_ALL")
# Issues kept of one file (the rest are counted): Settings.max_issues_per_check.
DEFAULT_MAX_ISSUES = 10_000
# ruff's output is read in pieces of at most this size, each decoded in a worker thread.
_READ_SIZE = 1 << 20
# The address space one ruff process may take. One file of a million issues needs 660 MB; a
# batch of eight such files would take 5 GB: past this limit ruff aborts, which splits the
# batch in halves like any crash, until the files fit.
RUFF_MEMORY_LIMIT = 2 * 1024**3


class RuffError(Exception):
    """ruff failed, crashed, printed output we cannot read, or timed out; `details` is what it
    printed on stderr, when it said anything. `exited`: it ran and exited with an error or was
    killed (a crash on one of the files, say); `timed_out`: it ran past the timeout. Either
    may be one file's doing; a ruff that cannot start is neither."""

    def __init__(
        self, reason: str, details: str = "", *, exited: bool = False, timed_out: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details
        self.exited = exited
        self.timed_out = timed_out


def default_ruff_path() -> str:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]  # noqa: PLC0415

    return str(find_ruff_bin())


def file_name(key: int) -> str:
    # A valid module name either way, so naming rules (N999) never fire on our own name.
    return f"v{key}.py" if key >= 0 else f"v_{-key}.py"


def write_sources(directory: Path, sources: Mapping[int, bytes]) -> dict[str, int]:
    names: dict[str, int] = {}
    for key, source in sources.items():
        name = file_name(key)
        (directory / name).write_bytes(source)
        names[name] = key
    return names


def _first_line(text: bytes) -> str:
    lines = text.decode("utf-8", "replace").strip().splitlines()
    return lines[0].strip() if lines else "no error message"


def default_scratch_dir() -> str | None:
    """Where the folders of ruff runs go: `TMPDIR` when the operator set it, else `/dev/shm`
    when it can be written (the files live for one run: a disk's file system spent 0.15 ms of
    CPU a file creating and discarding them, more than ruff spends checking most of them), else
    the system's temporary folder."""
    if os.environ.get("TMPDIR"):
        return None
    shared_memory = Path("/dev/shm")  # noqa: S108 - a private folder (0700) is made inside
    if shared_memory.is_dir() and os.access(shared_memory, os.W_OK | os.X_OK):
        return str(shared_memory)
    return None


class RuffRunner:
    """Reviews sources with one ruff binary, ignoring any configuration on the machine."""

    def __init__(
        self,
        *,
        ruff_path: str | None = None,
        timeout_seconds: float = 60.0,
        scratch_dir: str | None = None,
        max_issues: int = DEFAULT_MAX_ISSUES,
    ) -> None:
        self.ruff_path = ruff_path or default_ruff_path()
        self.timeout_seconds = timeout_seconds
        self.max_issues = max_issues
        self.scratch_dir = scratch_dir or default_scratch_dir()
        self._version: str | None = None

    async def version(self) -> str:
        if self._version is None:
            with tempfile.TemporaryDirectory(
                prefix="reviewbot-", dir=self.scratch_dir
            ) as directory:
                stdout = await self._run(["--version"], Path(directory))
            words = stdout.decode("utf-8", "replace").split()
            if not words:
                raise RuffError("ruff --version printed nothing")
            self._version = words[-1]
        return self._version

    async def rule_descriptions(self) -> bytes:
        """`ruff rule --all --output-format json`: every rule this ruff knows, as JSON."""
        with tempfile.TemporaryDirectory(prefix="reviewbot-", dir=self.scratch_dir) as directory:
            return await self._run(["rule", "--all", "--output-format", "json"], Path(directory))

    async def check_batch(
        self, sources: Mapping[int, bytes], config: ReviewConfig
    ) -> dict[int, FoundIssues]:
        """The issues of each source: at most `max_issues` kept, all counted. ruff's output is
        read as it comes and decoded in a worker thread, never held whole."""
        if not sources:
            return {}
        with tempfile.TemporaryDirectory(prefix="reviewbot-", dir=self.scratch_dir) as name:
            directory = Path(name)
            # Written here, not in a thread: a thread takes the GIL back once per file and waits
            # for it while the job parses and writes (500 files: 0.2 s there, 0.1 s here on disk,
            # under 0.01 s in /dev/shm).
            names = write_sources(directory, sources)
            reader = DiagnosticReader(names, self.max_issues)
            args = check_arguments(config, directory, names, output="json-lines")
            await self._run(args, directory, reader)
        issues = await asyncio.to_thread(reader.finish)
        logger.info(
            "ruff checked %s files with %s: %s issues (%s kept)",
            len(sources),
            config.describe(),
            sum(found.total for found in issues.values()),
            sum(map(len, issues.values())),
        )
        return issues

    async def validate_config(self, config: OwnConfig) -> None:
        """Let ruff itself read a person's configuration, as they sent it, by checking an empty
        file with it; raises ConfigRefusedError with ruff's own reason when ruff refuses it."""
        with tempfile.TemporaryDirectory(prefix="reviewbot-", dir=self.scratch_dir) as name:
            directory = Path(name)
            path = directory / config.kind.value
            path.write_text(config.original, encoding="utf-8")
            (directory / "empty.py").write_bytes(b"")
            args = ["check", "--config", str(path), "--no-respect-gitignore", "--no-cache"]
            args += ["--no-fix", "--no-fix-only", "--exit-zero"]
            try:
                await self._run([*args, "--output-format", "json", "--", "empty.py"], directory)
            except RuffError as error:
                reason = (error.details or error.reason).replace(f"{directory}/", "")
                raise ConfigRefusedError(
                    ConfigRefusal.RUFF_REJECTED, reason.replace(str(directory), ".").strip()
                ) from None

    async def run_in(self, args: list[str], cwd: Path) -> bytes:
        """ruff with these arguments in `cwd` (a folder of ours), isolated like every run."""
        return await self._run(args, cwd)

    async def _run(
        self, args: list[str], cwd: Path, reader: DiagnosticReader | None = None
    ) -> bytes:
        """ruff's standard output; with a `reader`, given to it piece by piece instead (in a
        worker thread, so the event loop stays free), and b"" returned."""
        environment = {key: os.environ[key] for key in _PASSED_ENVIRONMENT if key in os.environ}
        environment |= {"HOME": str(cwd), "XDG_CONFIG_HOME": str(cwd)}
        try:
            process = await asyncio.create_subprocess_exec(
                self.ruff_path,
                *args,
                cwd=cwd,
                env=environment,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # its own process group, killed as a whole
                limit=_READ_SIZE,
            )
        except OSError as error:
            raise RuffError(f"cannot start ruff: {error}") from error
        _limit_memory(process.pid)
        try:
            stdout, stderr = await asyncio.wait_for(
                communicate(process, reader, _READ_SIZE), self.timeout_seconds
            )
        except TimeoutError:
            logger.warning("ruff timed out after %s s; killing it", self.timeout_seconds)
            raise RuffError(
                f"ruff timed out after {self.timeout_seconds:g} s", timed_out=True
            ) from None
        except UnreadableOutputError as error:
            raise RuffError(f"ruff printed unparsable output: {error}") from error
        finally:
            if process.returncode is None:
                _kill_group(process.pid)
                await process.wait()
        if process.returncode != 0:
            reason = _first_line(stderr)
            logger.warning("ruff exited with %s: %s", process.returncode, reason)
            raise RuffError(
                f"ruff failed with exit code {process.returncode}: {reason}",
                stderr.decode("utf-8", "replace"),
                exited=True,
            )
        if stderr.strip():
            logger.debug("ruff said on stderr: %s", _first_line(stderr))
        return stdout


CONFIG_NAME = "ruff.toml"


def config_arguments(config: ReviewConfig, directory: Path, *, lint: bool = True) -> list[str]:
    """How ruff is told the rules: `--isolated` (with the preset's selection for `check`), or
    the person's own configuration written into our folder as the only configuration ruff
    reads. Writes the configuration file when there is one."""
    # Files are named explicitly, so ignore files have nothing to say; without this flag ruff
    # reads git's global configuration (/etc/gitconfig) to find them.
    args = ["--no-respect-gitignore"]
    if config.custom is None:
        rules = config.preset.selectors if lint else ()
        return (
            [*args, "--isolated", "--select", ",".join(rules)] if rules else [*args, "--isolated"]
        )
    path = directory / CONFIG_NAME
    path.write_text(config.custom, encoding="utf-8")
    return [*args, "--config", str(path)]


def check_arguments(
    config: ReviewConfig, directory: Path, names: Iterable[str], *, output: str = "json"
) -> list[str]:
    """`ruff check` of these files in `directory`: JSON out (`json-lines`: one diagnostic a
    line, for reading as it comes), no cache, never fixing (a configuration stored before such
    settings were refused may say `fix = true` or `fix-only = true`)."""
    args = ["check", *config_arguments(config, directory), "--no-cache", "--no-fix"]
    args += ["--no-fix-only"]
    args += ["--output-format", output, "--exit-zero"]
    if config.muted:
        args += ["--extend-ignore", ",".join(config.muted)]
    # Explicit file paths: ruff's exclusions (.venv, build, …) apply only to discovery.
    return [*args, "--", *names]


def _limit_memory(pid: int) -> None:
    """Set ruff's address space limit from outside, right after it starts (a `preexec_fn`
    is not safe with threads); ruff allocates its diagnostics much later."""
    try:
        resource.prlimit(pid, resource.RLIMIT_AS, (RUFF_MEMORY_LIMIT, RUFF_MEMORY_LIMIT))
    except OSError as error:  # gone already, or not allowed here
        logger.debug("ruff's memory is not limited: %s", error)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
