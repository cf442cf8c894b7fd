"""What a deployment chooses: its title, who may use it, and whether it may change jobs."""

from __future__ import annotations

import attrs


@attrs.frozen
class BasicAuth:
    """HTTP basic auth with one user name and password."""

    username: str
    password: str


@attrs.frozen
class BearerToken:
    """`Authorization: Bearer <token>` for scripts and API clients."""

    token: str


Auth = BasicAuth | BearerToken


@attrs.frozen
class Settings:
    """Read by every route; `read_only` hides and refuses every mutating action."""

    title: str = "Kue"
    auth: Auth | None = None
    read_only: bool = False
