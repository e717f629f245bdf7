"""The feature routers in the order the dispatcher tries them."""

from aiogram import Router

from bot.features.accounts import router as accounts
from bot.features.admin import router as admin
from bot.features.auth import router as auth
from bot.features.baselines import router as baselines
from bot.features.check_log import router as check_log
from bot.features.dashboard import router as dashboard
from bot.features.errors import router as errors
from bot.features.fallback import router as fallback
from bot.features.files import router as files
from bot.features.fixes import router as fixes
from bot.features.help import router as help_
from bot.features.history import router as history
from bot.features.privacy import router as privacy
from bot.features.reports import router as reports
from bot.features.reviews import router as reviews
from bot.features.rules import router as rules
from bot.features.snippets import router as snippets
from bot.features.teams import router as teams
from bot.features.uploads import router as uploads


def build_routers() -> list[Router]:
    """Fresh routers, in order: commands that work in any state first, the catch-all last."""
    modules = (
        errors,
        help_,
        privacy,
        admin,
        teams,  # before auth: its invite links are /start join_<token>
        auth,
        accounts,
        files,
        baselines,
        history,
        reports,
        fixes,
        rules,
        check_log,
        dashboard,
        reviews,  # before uploads and fallback: replies to submissions are comments
        snippets,  # after reviews: a code block replied to a submission is a comment
        uploads,
        fallback,
    )
    return [module.build_router() for module in modules]
