"""The web layer: Kue's JSON API and the dashboard, as one WSGI app built from a queue."""

from kueport.http.app import KueportApp, create_app
from kueport.http.settings import Auth, BasicAuth, BearerToken, Settings

__all__ = ["Auth", "BasicAuth", "BearerToken", "KueportApp", "Settings", "create_app"]
