"""The resubmission step of the review job: every open submission whose file has a newer
checked version is judged by its team's gate (core/services/resubmissions.py). Opens its own
sessions; safe to run twice at once (each pair is judged once)."""

import logging
from dataclasses import dataclass

from core.services.gate import GateChecker
from core.services.resubmissions import judge_next_version, waiting_versions
from infra.database import SessionFactory

logger = logging.getLogger(__name__)

BATCH = 20


@dataclass
class ResubmissionStep:
    session_factory: SessionFactory
    checker: GateChecker

    async def __call__(self) -> int:
        """Judge what waits; returns how many versions were judged."""
        judged = 0
        while True:
            async with self.session_factory() as session:
                waiting = await waiting_versions(session, BATCH)
            for next_version in waiting:
                async with self.session_factory() as session:
                    if await judge_next_version(session, self.checker, next_version):
                        judged += 1
                        logger.info(
                            "submission %s: version %s judged by the gate",
                            next_version.submission_id,
                            next_version.version_id,
                        )
            if len(waiting) < BATCH:
                return judged
