"""Credentials that cannot leak by accident: ``Secret`` hides its value from repr, str,
logs and pickles, and ``redact`` strips secrets from any text or URL before it is shown."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ...core.errors import UnsupportedOperationError

# query parameters that carry credentials on the supported sites
SECRET_QUERY_KEYS = frozenset({"api_key", "user_id", "login", "password", "password_hash", "access_token", "key"})
MASK = "***"


class Secret:
    """A credential value. ``reveal()`` gives it to the code that sends it; everything else sees ``***``.

    Copies share the value; pickling refuses, so a secret is never written to disk.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = str(value)

    @classmethod
    def of(cls, value: object | None) -> Secret | None:
        """``None``/empty stays ``None``; a Secret stays itself; anything else is wrapped."""
        if value is None or value == "":
            return None
        return value if isinstance(value, Secret) else cls(str(value))

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo) -> Secret:
        return self

    def __reduce__(self):
        raise UnsupportedOperationError("credentials are never pickled or written to disk",
                                        "pass them again to the source in each process that crawls")


def redact_url(url: str) -> str:
    """``url`` with the values of credential query parameters replaced by ``***``."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = [(k, MASK if k.lower() in SECRET_QUERY_KEYS else v)
             for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*:")))


def redact(text: str, secrets: Iterable[Secret | None] = ()) -> str:
    """``text`` with every revealed secret value replaced by ``***`` (values under 4 characters
    are left alone: replacing them would garble the text without protecting anything)."""
    for secret in secrets:
        if secret is not None and len(secret.reveal()) >= 4:
            text = text.replace(secret.reveal(), MASK)
    return text
