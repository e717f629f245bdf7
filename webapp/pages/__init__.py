"""The Mini App's pages, one module each; `register_all` adds every one to the app."""

from webapp.app import WebApp
from webapp.pages import (
    check_log,
    dashboard,
    explain,
    files,
    fixes,
    history,
    report,
    report_link,
    reviews,
    rules,
)


def register_all(webapp: WebApp) -> None:
    modules = (
        files,
        check_log,
        rules,
        history,
        fixes,
        report,
        explain,
        report_link,
        dashboard,
        reviews,
    )
    for module in modules:
        module.register(webapp)
