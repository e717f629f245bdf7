"""The Mini App's pages, one module each; `register_all` adds every one to the app."""

from webapp.app import WebApp
from webapp.pages import check_log, files, fixes, history, report, rules


def register_all(webapp: WebApp) -> None:
    for module in (files, check_log, rules, history, fixes, report):
        module.register(webapp)
