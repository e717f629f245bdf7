"""The Mini App's pages, one module each; `register_all` adds every one to the app."""

from webapp.app import WebApp
from webapp.pages import files, report


def register_all(webapp: WebApp) -> None:
    for module in (files, report):
        module.register(webapp)
