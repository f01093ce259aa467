"""Settings: ``QUORUM_*`` environment variables, with command-line flags on top.

Nothing is read from the current directory by surprise: the one relative default is the
data folder ``./quorum-data``, which holds everything the embedded default needs (the SQLite
file, the local object store ``objects/`` and the URL-signing key).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from quorum.errors import StartupError


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(env: Mapping[str, str], name: str, default: float, what: str) -> float:
    """A non-negative number from ``env[name]``; ``what`` names it in the error message."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise StartupError(f"{name}={text!r} is not {what}") from None
    if value < 0:
        raise StartupError(f"{name}={text!r} must be 0 or more")
    return value


def _lease_seconds(env: Mapping[str, str]) -> float:
    """``QUORUM_RUNNER_LEASE_SECONDS``: more than 0, 15 when unset."""
    value = _number(env, "QUORUM_RUNNER_LEASE_SECONDS", 15.0, "a number of seconds")
    if value <= 0:
        raise StartupError("QUORUM_RUNNER_LEASE_SECONDS must be more than 0")
    return value


def _port(text: str) -> int:
    """``QUORUM_PORT``: a TCP port, 8000 when unset."""
    if not text.strip():
        return 8000
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()) or not 1 <= int(digits) <= 65535:
        raise StartupError(f"QUORUM_PORT={text!r} is not a port (1 to 65535)")
    return int(digits)


def _currency(text: str) -> str:
    """``QUORUM_CURRENCY``: an ISO 4217 code (three letters), ``USD`` when unset."""
    code = text.strip().upper() or "USD"
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise StartupError(f"QUORUM_CURRENCY={text!r} is not a currency code such as USD or EUR")
    return code


#: The whole-number limits read from ``QUORUM_<FIELD>`` (upper-cased field names).
_BUDGETS = (
    "max_request_bytes",
    "max_graphql_request_bytes",
    "max_anonymous_request_bytes",
    "max_query_bytes",
    "max_anonymous_query_bytes",
    "max_query_depth",
    "max_aliases",
    "max_fields",
    "max_query_cost",
    "max_anonymous_query_cost",
    "max_subscriptions_per_connection",
    "sign_in_failures_per_minute",
)


def _budgets(env: Mapping[str, str]) -> dict[str, int]:
    """The size limits set in ``env`` (``QUORUM_MAX_QUERY_COST=100000``), whole numbers."""
    found: dict[str, int] = {}
    for name in _BUDGETS:
        variable = f"QUORUM_{name.upper()}"
        text = env.get(variable, "").strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit()) or int(text) < 1:
            raise StartupError(f"{variable}={text!r} is not a whole number of 1 or more")
        found[name] = int(text)
    return found


@dataclass(frozen=True)
class Settings:
    """Everything the server, the runner and the command line need to know."""

    data_dir: Path
    database_url: str
    storage_url: str
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str | None = None
    s3_secure: bool = True
    local_roots: tuple[Path, ...] = ()
    plugins_dir: Path | None = None
    disabled_plugins: frozenset[str] = frozenset()
    trace_plugins: bool = False
    #: A TOML file of each plugin's own settings, one table per plugin name
    #: (``QUORUM_PLUGIN_CONFIG``; :meth:`quorum.plugin_context.PluginContext.plugin_config`).
    plugin_config_file: Path | None = None
    #: How long a signed or presigned object URL stays valid.
    url_expiry_seconds: int = 3600
    #: Largest accepted HTTP request body (a manifest sent to ``/uploads``).
    max_request_bytes: int = 16 * 1024 * 1024
    #: Largest ``/graphql`` request body (``QUORUM_MAX_GRAPHQL_REQUEST_BYTES``): room for a
    #: segmentation answer's PNG mask, far below an upload's.
    max_graphql_request_bytes: int = 4 * 1024 * 1024
    #: Largest HTTP request body from a caller with no token or session cookie
    #: (``QUORUM_MAX_ANONYMOUS_REQUEST_BYTES``): far below ``max_request_bytes``.
    max_anonymous_request_bytes: int = 64 * 1024
    #: GraphQL query budgets (:mod:`quorum.graphql.budget`): the document's bytes (also
    #: bounds a websocket message, twice that with its variables), depth, aliases, fields,
    #: and cost for a known caller and for anyone else.
    max_query_bytes: int = 16 * 1024
    #: The document's bytes for a caller the server does not know: parsing costs about a
    #: millisecond of CPU per kilobyte, and the introspection query is 1.6 KB.
    max_anonymous_query_bytes: int = 4 * 1024
    max_query_depth: int = 10
    max_aliases: int = 100
    max_fields: int = 1_000
    max_query_cost: int = 50_000
    max_anonymous_query_cost: int = 500
    #: How many operations (``jobProgress`` subscriptions, and any query sent over the
    #: socket) one websocket connection may have running at once
    #: (``QUORUM_MAX_SUBSCRIPTIONS_PER_CONNECTION``; strawberry refuses one more unparsed).
    max_subscriptions_per_connection: int = 20
    #: How long a websocket may stay open without a ``connection_init`` that authenticates
    #: (``QUORUM_WEBSOCKET_INIT_SECONDS``): it is closed then (4408), and at once (4403)
    #: when the one it sends names no valid token or session.
    websocket_init_seconds: float = 10.0
    #: How often the runner looks for work when idle.
    runner_poll_seconds: float = 0.5
    #: How long a runner holds a job it ingests, writes out or auto-labels
    #: (``QUORUM_RUNNER_LEASE_SECONDS``); it renews every third of it, and another runner
    #: takes over a crashed runner's job once it runs out.
    runner_lease_seconds: float = 15.0
    #: How long a server remembers whom a token belongs to (see ``quorum.auth.CallerCache``).
    auth_cache_seconds: float = 5.0
    #: Refused tokens a client may send in a minute before its sign-ins and requests with
    #: a token get 429 (``QUORUM_SIGN_IN_FAILURES_PER_MINUTE``; :mod:`quorum.http.sign_ins`).
    sign_in_failures_per_minute: int = 10
    #: Mark browser session cookies ``Secure`` whatever the request's scheme says: for a
    #: server behind a TLS proxy that uvicorn does not trust with ``X-Forwarded-Proto``.
    secure_cookies: bool = False
    #: One INFO line per HTTP request on the ``quorum.access`` logger (``QUORUM_ACCESS_LOG``;
    #: :mod:`quorum.http.access_log` says what it leaves out).
    access_log: bool = True
    #: Cost accounting (``Job.cost``): a fee per labeled item, by people or by machine (the
    #: Ground Truth service fee's counterpart; 0 on a self-hosted server unless an operator
    #: charges for it), and the price of an hour of auto-labeling compute.
    service_fee_per_item: float = 0.0
    compute_price_per_hour: float = 0.0
    #: The ISO 4217 code of the currency prices and costs are in (``QUORUM_CURRENCY``).
    currency: str = "USD"
    #: The port ``quorum serve`` listens on, and the one the command line's API calls reach.
    port: int = 8000
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``QUORUM_*`` variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("QUORUM_DATA_DIR", "./quorum-data")).expanduser().resolve()
        roots = tuple(
            Path(part).expanduser().resolve()
            for part in env.get("QUORUM_LOCAL_ROOTS", "").split(":")
            if part.strip()
        )
        plugins_dir = env.get("QUORUM_PLUGINS_DIR")
        plugin_config = env.get("QUORUM_PLUGIN_CONFIG")
        return cls(
            data_dir=data_dir,
            database_url=env.get("QUORUM_DATABASE_URL")
            or f"sqlite:///{data_dir / 'quorum.db.engine'}",
            storage_url=env.get("QUORUM_STORAGE_URL") or f"file://{data_dir / 'objects'}",
            s3_endpoint=env.get("QUORUM_S3_ENDPOINT") or None,
            s3_access_key=env.get("QUORUM_S3_ACCESS_KEY") or None,
            s3_secret_key=env.get("QUORUM_S3_SECRET_KEY") or None,
            s3_region=env.get("QUORUM_S3_REGION") or None,
            s3_secure=_flag(env.get("QUORUM_S3_SECURE", "true")),
            local_roots=roots,
            plugins_dir=Path(plugins_dir).resolve() if plugins_dir else None,
            disabled_plugins=frozenset(
                name.strip()
                for name in env.get("QUORUM_DISABLED_PLUGINS", "").split(",")
                if name.strip()
            ),
            trace_plugins=_flag(env.get("QUORUM_TRACE_PLUGINS", "")),
            plugin_config_file=Path(plugin_config).resolve() if plugin_config else None,
            secure_cookies=_flag(env.get("QUORUM_SECURE_COOKIES", "")),
            access_log=_flag(env.get("QUORUM_ACCESS_LOG") or "on"),
            auth_cache_seconds=_number(
                env, "QUORUM_AUTH_CACHE_SECONDS", 5.0, "a number of seconds"
            ),
            runner_lease_seconds=_lease_seconds(env),
            websocket_init_seconds=_number(
                env, "QUORUM_WEBSOCKET_INIT_SECONDS", 10.0, "a number of seconds"
            ),
            service_fee_per_item=_number(env, "QUORUM_SERVICE_FEE_PER_ITEM", 0.0, "a price"),
            compute_price_per_hour=_number(env, "QUORUM_COMPUTE_PRICE_PER_HOUR", 0.0, "a price"),
            **_budgets(env),  # type: ignore[arg-type]
            port=_port(env.get("QUORUM_PORT", "")),
            currency=_currency(env.get("QUORUM_CURRENCY", "")),
        )

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced (command-line flags on top of the env)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def objects_dir(self) -> Path:
        """The local object store: the only folder ``file://`` URLs may name by default."""
        return self.data_dir / "objects"

    @property
    def readable_roots(self) -> tuple[Path, ...]:
        """Every folder a ``file://`` URL may name: ``objects/`` plus ``QUORUM_LOCAL_ROOTS``."""
        return (self.objects_dir, *self.local_roots)

    def prepare_data_dir(self) -> None:
        """Create the data folder and ``objects/`` if they are missing, readable by the
        server's user alone (``0700``: they hold the database, the signing key, uploads and
        outputs); existing folders keep their modes."""
        try:
            for folder in (self.data_dir, self.objects_dir):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StartupError(f"cannot create the data folder {self.data_dir}: {exc}") from exc

    def signing_key(self) -> bytes:
        """The HMAC key for signed object URLs, created once in the data folder."""
        self.prepare_data_dir()
        path = self.data_dir / "signing.key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return bytes.fromhex(path.read_text().strip())
