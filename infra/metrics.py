"""Every Prometheus metric of reviewbot, in the process's default registry (served at
/metrics by `reviewbot.web`). Counters count what this process did since it started; sum them
over the processes (Prometheus does, with `sum(...)`)."""

from prometheus_client import Counter, Gauge, Histogram

CHECKS = Counter(
    "reviewbot_checks",
    "Checks written, by result (passed, failed, error) and preset",
    ["result", "preset"],
)
CHECK_DURATION = Histogram(
    "reviewbot_check_duration_seconds",
    "Time one ruff run took (one batch of versions with one configuration)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
RUFF_BATCH_SIZE = Histogram(
    "reviewbot_ruff_batch_size",
    "Versions checked by one ruff run",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
PENDING_VERSIONS = Gauge(
    "reviewbot_pending_versions",
    "Versions waiting for their check or being checked (read from the database at scrape)",
)
PENDING_DELIVERIES = Gauge(
    "reviewbot_pending_deliveries",
    "Results waiting to be sent, by channel (read from the database at scrape)",
    ["channel"],
)
DELIVERIES = Counter(
    "reviewbot_deliveries",
    "Delivery attempts by channel and status (sent, retry: tried again later, failed: given up)",
    ["channel", "status"],
)
DELIVERY_LATENCY = Histogram(
    "reviewbot_delivery_latency_seconds",
    "Time from a check's end to its result accepted by Telegram or the SMTP server",
    ["channel"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
REVIEW_NOTICES = Counter(
    "reviewbot_review_notices",
    "Review notice attempts by channel and status (sent, retry: tried again later, failed: "
    "given up)",
    ["channel", "status"],
)
TELEGRAM_ERRORS = Counter(
    "reviewbot_telegram_errors",
    "Bot API requests that failed, by kind (network, server, retry_after, unauthorized, "
    "forbidden, bad_request, too_large, other) and method",
    ["kind", "method"],
)
SMTP_ERRORS = Counter(
    "reviewbot_smtp_errors",
    "Mail that the SMTP server did not accept, by kind (unreachable, temporary, rejected, "
    "recipient_refused, authentication, policy)",
    ["kind"],
)
MAIL_OUTAGES = Counter(
    "reviewbot_mail_outages",
    "Times the SMTP server began refusing the bot itself, by kind (authentication: the login; "
    "policy: e.g. 530, STARTTLS required); emails wait pending until the operator fixes it",
    ["kind"],
)
UPDATES = Counter(
    "reviewbot_updates",
    "Telegram updates handled, by type (message, callback_query, ...)",
    ["type"],
)
