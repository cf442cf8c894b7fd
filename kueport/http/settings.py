"""What a deployment chooses: its title, who may use it, and whether it may change jobs."""

from __future__ import annotations

import attrs


def _not_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """An empty secret would let anyone in (`Bearer ` with nothing after it would match)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{attribute.name} must be a non-empty string")


@attrs.frozen
class BasicAuth:
    """HTTP basic auth with one user name and password (neither may be empty; the user name
    may not contain ":", which the header uses to separate them)."""

    username: str = attrs.field(validator=_not_empty)
    password: str = attrs.field(validator=_not_empty)

    @username.validator
    def _no_colon(self, attribute: attrs.Attribute[str], value: str) -> None:
        if ":" in value:
            raise ValueError("a basic-auth user name cannot contain ':'")


@attrs.frozen
class BearerToken:
    """`Authorization: Bearer <token>` for scripts and API clients."""

    token: str = attrs.field(validator=_not_empty)

    @token.validator
    def _no_edge_spaces(self, attribute: attrs.Attribute[str], value: str) -> None:
        """The header's token is read without its surrounding spaces, so a token with
        them could never match: refuse it rather than lock everyone out."""
        if value != value.strip():
            raise ValueError("a bearer token cannot start or end with whitespace")


Auth = BasicAuth | BearerToken


@attrs.frozen
class Settings:
    """Read by every route; `read_only` hides and refuses every mutating action."""

    title: str = "Kue"
    auth: Auth | None = None
    read_only: bool = False
