"""Kue's connection options parsed into `ConnectionSettings`.

Accepted forms, as Kue 0.11.6 reads them (`lib/redis.js`), plus what redis-py adds:

* `"redis://host:port/db?opt=v"`: the db comes from the path, else from `?db=`, else 0; the
  other query options go to the client, converted to redis-py's types (`socket_timeout=2.5`,
  `socket_keepalive=true`...). An option redis-py does not know is refused rather than
  dropped, so a typo never passes silently.
* `"redis://:password@host:port/db"`: as in Kue, the password is the text after the first
  `:` of the user info (all of it when there is no `:`) and a user name is ignored, so
  Heroku-style `redis://h:secret@...` keeps working; a Redis 6 ACL user is given with
  `?username=alice` or the dict form. `"rediss://..."` is the same over TLS.
* `"unix:///path/to/redis.sock?db=2"`: a Unix socket (Kue's `socket` option).
* a dict `{"host", "port", "password", "db", "unix_socket_path", ...}` with Kue's names too
  (`auth` for the password, `socket` for the socket path) and Kue's nested `options` dict; any
  other key is a redis-py client option.
* `{"client_factory": fn}`: `fn()` returns a client built by the user (Sentinel master,
  `redis.cluster.RedisCluster`...). With a cluster client every key of the queue must share
  one slot, so the prefix is wrapped as `{prefix}` (see `Keys.for_cluster`), which is also
  what Kue with an ioredis client writes; a prefix with braces that make no hash tag
  (`"q{"`, `"{}q"`) is refused with `InvalidPrefix`.

Parsing never connects; errors are `InvalidConnectionSettings`, with any password redacted.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

import redis

from kueport.adapters.redis.connection import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ConnectionSettings,
    ConnectionSpec,
)
from kueport.domain.errors import InvalidConnectionSettings

_SCHEMES = {"redis": False, "rediss": True}


def _to_bool(value: str) -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{value!r} is not a boolean")


#: How a query-string value becomes the type redis-py expects; other options stay strings.
_QUERY_TYPES: dict[str, Callable[[str], Any]] = {
    "socket_timeout": float,
    "socket_connect_timeout": float,
    "socket_read_size": int,
    "socket_keepalive": _to_bool,
    "retry_on_timeout": _to_bool,
    "max_connections": int,
    "health_check_interval": float,
    "ssl_check_hostname": _to_bool,
    "ssl_min_version": int,
    "protocol": int,
    "single_connection_client": _to_bool,
}

#: Options kueport sets itself; a user value would break the adapters or the settings.
_MANAGED = frozenset({"decode_responses", "connection_pool", "host", "port", "db", "ssl"})
_MANAGED |= frozenset({"password", "unix_socket_path"})


def _client_options() -> frozenset[str]:
    names = set(inspect.signature(redis.Redis.__init__).parameters) - {"self"}
    return frozenset(names - _MANAGED)


_CLIENT_OPTIONS = _client_options()


def parse_connection(spec: ConnectionSpec = None) -> ConnectionSettings:
    """Settings from a URL, a dict of options, settings already built, or None (defaults)."""
    if spec is None:
        return ConnectionSettings()
    if isinstance(spec, ConnectionSettings):
        return spec
    if isinstance(spec, str):
        return parse_url(spec)
    if isinstance(spec, Mapping):
        return parse_options(spec)
    raise InvalidConnectionSettings(
        f"redis connection must be a URL string or a dict of options, not {type(spec).__name__}"
    )


def parse_url(url: str) -> ConnectionSettings:
    """`redis://`, `rediss://` or `unix://` URL to settings (see the module docstring)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in (*_SCHEMES, "unix"):
        raise InvalidConnectionSettings(
            f"unsupported redis URL scheme {parts.scheme!r} in {_redact(url)!r}: "
            "use redis://, rediss:// or unix://"
        )
    query = _query(parts.query, url)
    password = _url_password(parts.netloc, query)
    db = _url_db(parts.path if scheme != "unix" else "", query, url)
    if scheme == "unix":
        if not parts.path:
            raise InvalidConnectionSettings(f"no socket path in {_redact(url)!r}")
        return _settings(url, unix_socket_path=unquote(parts.path), db=db, password=password,
                         options=_typed_options(query, url))  # fmt: skip
    return _settings(
        url,
        host=parts.hostname or DEFAULT_HOST,
        port=_url_port(parts, url),
        db=db,
        password=password,
        ssl=_SCHEMES[scheme],
        options=_typed_options(query, url),
    )


def _settings(source: object, **fields: Any) -> ConnectionSettings:
    names = set(fields.get("options", {}))
    managed = sorted(names & {"decode_responses", "connection_pool"})
    if managed:
        raise InvalidConnectionSettings(
            f"redis option(s) {', '.join(map(repr, managed))} in {_redact(source)!r} are set "
            "by kueport (it reads raw bytes and builds its own pools); remove them"
        )
    bad = sorted(names - _CLIENT_OPTIONS)
    if bad:
        raise InvalidConnectionSettings(
            f"unknown redis client option(s) {', '.join(map(repr, bad))} in "
            f"{_redact(source)!r}; redis.Redis accepts: {', '.join(sorted(_CLIENT_OPTIONS))}"
        )
    return ConnectionSettings(**fields)


def _query(text: str, url: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        raise InvalidConnectionSettings(f"malformed query string in {_redact(url)!r}") from None
    return dict(pairs)


def _url_password(netloc: str, query: dict[str, str]) -> str | None:
    from_query = query.pop("password", None)
    userinfo, at, _ = netloc.rpartition("@")
    if not at:
        return from_query
    _, colon, secret = userinfo.partition(":")
    return unquote(secret if colon else userinfo) or from_query


def _url_db(path: str, query: dict[str, str], url: str) -> int:
    from_query = query.pop("db", None)
    text = path[1:] if path.startswith("/") else path
    raw = text or from_query or "0"
    return _db(raw, _redact(url))


def _db(raw: object, source: object) -> int:
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit():
        raise InvalidConnectionSettings(
            f"invalid redis db {raw!r} in {source!r}: expected a non-negative integer"
        )
    return int(text)


def _url_port(parts: SplitResult, url: str) -> int:
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is None:
        return DEFAULT_PORT
    return _port(port if port >= 1 else parts.netloc.rpartition(":")[2], _redact(url))


def _port(raw: object, source: object) -> int:
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise InvalidConnectionSettings(
            f"invalid redis port {raw!r} in {source!r}: expected an integer from 1 to 65535"
        )
    return int(text)


def _typed_options(query: Mapping[str, str], url: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, value in query.items():
        convert = _QUERY_TYPES.get(name)
        try:
            options[name] = convert(value) if convert else value
        except ValueError:
            raise InvalidConnectionSettings(
                f"invalid value {value!r} for redis option {name!r} in {_redact(url)!r}"
            ) from None
    return options


def parse_options(spec: Mapping[str, Any]) -> ConnectionSettings:
    """The dict form: Kue's `{host, port, db, auth, socket, options}` or redis-py's names."""
    given = dict(spec)
    factory = given.pop("client_factory", None) or given.pop("createClientFactory", None)
    if factory is not None:
        if given:
            raise InvalidConnectionSettings(
                f"client_factory builds the client itself; drop the other options {sorted(given)}"
            )
        if not callable(factory):
            raise InvalidConnectionSettings(f"client_factory must be callable, not {factory!r}")
        return ConnectionSettings(client_factory=factory)
    nested = given.pop("options", None) or {}
    if not isinstance(nested, Mapping):
        raise InvalidConnectionSettings(f"redis 'options' must be a dict, not {nested!r}")
    return _from_dict({**nested, **given})


def _from_dict(given: dict[str, Any]) -> ConnectionSettings:
    source = _redact(given)
    password = given.pop("password", None)
    auth = given.pop("auth", None)
    socket = given.pop("unix_socket_path", None) or given.pop("socket", None)
    fields: dict[str, Any] = {
        "db": _db(given.pop("db", 0) or 0, source),
        "password": None if password is None and auth is None else str(password or auth),
        "ssl": bool(given.pop("ssl", False)),
    }
    host, port = given.pop("host", None), given.pop("port", None)
    if socket is not None:
        fields["unix_socket_path"] = str(socket)
    else:
        fields["host"] = str(host) if host else DEFAULT_HOST
        fields["port"] = DEFAULT_PORT if port in (None, "") else _port(port, source)
    fields["options"] = given
    return _settings(source, **fields)


_SECRET_KEYS = frozenset({"password", "auth"})
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*")


def _redact(source: object) -> object:
    """The source for an error message, without its password."""
    if isinstance(source, Mapping):
        return {k: "***" if k in _SECRET_KEYS else v for k, v in source.items()}
    text = _QUERY_PASSWORD.sub(r"\1***", str(source))
    scheme, sep, rest = text.partition("://")
    userinfo, at, tail = rest.rpartition("@")
    if not (sep and at):
        return text
    return f"{scheme}://{'***' if userinfo else ''}@{tail}"
