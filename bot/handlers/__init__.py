from aiogram import Router

from bot.handlers import (
    accounts,
    admin,
    auth,
    check_log,
    common,
    errors,
    fallback,
    files,
    fixes,
    history,
    privacy,
    reports,
    rules,
    upload,
)


def build_routers() -> list[Router]:
    """Fresh routers, in order: commands that work in any state first, the catch-all last."""
    modules = (
        errors,
        common,
        privacy,
        admin,
        auth,
        accounts,
        files,
        history,
        reports,
        fixes,
        rules,
        check_log,
        upload,
        fallback,
    )
    return [module.build_router() for module in modules]
