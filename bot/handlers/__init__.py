from aiogram import Router

from bot.handlers import auth, common, errors, fallback, files, upload


def build_routers() -> list[Router]:
    """Fresh routers, in order: commands that work in any state first, the catch-all last."""
    modules = (errors, common, auth, files, upload, fallback)
    return [module.build_router() for module in modules]
