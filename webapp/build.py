"""The Mini App with every page: what `reviewbot` installs on its aiohttp app."""

from webapp.app import WebApp
from webapp.deps import WebappDeps
from webapp.pages import register_all


def build_webapp(deps: WebappDeps) -> WebApp:
    """Every page and action of the Mini App, to `install` on the webhook's aiohttp app."""
    webapp = WebApp(deps)
    register_all(webapp)
    return webapp
