"""The check and delivery pipeline's limits, in one place (docs/presets-and-limits.md).

`reviewbot/runtime.py` builds one `PipelineLimits` from the settings (the limits operators
tune: `CLAIM_LEASE_SECONDS`, `CHECK_VERSIONS_PER_CLAIM`, `CHECK_BYTES_PER_CLAIM`,
`DELIVERIES_PER_CLAIM`) and hands it to the check and delivery jobs; the others keep the
defaults given here, which are also the settings' defaults.
"""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PipelineLimits:
    # --- Checks (checks/check_job.py, checks/claims.py, checks/leases.py) ---
    # Versions one claim takes at most: large enough for ruff to keep every core busy, few
    # enough processes to start.
    versions_per_claim: int = 200
    # A claim stops adding versions once their content passes this many bytes (it takes at
    # least one): a batch of large files holds no more memory than a batch of ordinary ones.
    bytes_per_claim: int = 8 * 1024 * 1024
    # Batches in ruff at once: the next one starts while the last is read and written, so ruff
    # never waits for the database.
    ruff_runs_in_flight: int = 2
    # While a batch is in ruff and another slot is free, new work is looked for this often.
    claim_again_seconds: float = 0.5
    # Versions failed for good (their last attempt's claim died) by one scan at most; the rest
    # by the next.
    abandoned_per_scan: int = 100

    # --- Deliveries (checks/delivery_job.py, checks/outbox.py) ---
    # Deliveries one claim takes at most.
    deliveries_per_claim: int = 50
    # Deliveries a lane keeps claimed and not yet done: enough different chats to send at
    # Telegram's overall rate while each chat gets one a second.
    deliveries_held: int = 200
    # Emails are sent over this many queues (a little more than the SMTP pool, so that one is
    # composed while another is on the wire).
    email_queues: int = 4
    # Accepted deliveries are marked `sent` together this often: a crash repeats at most the
    # results of this moment (each once) and loses none.
    mark_interval_seconds: float = 0.2

    # --- Both ---
    # How long a claim on a version or delivery lasts; renewed every `heartbeat_seconds` while
    # held, so a dead worker's work is taken over within about this long (checks/leases.py).
    lease: timedelta = timedelta(seconds=15)

    @property
    def heartbeat_seconds(self) -> float:
        """Seconds between renewals of a lease: three renewals fit in one lease."""
        return self.lease.total_seconds() / 3


DEFAULT_PIPELINE_LIMITS = PipelineLimits()
