"""Errors that carry a message meant for the person at the keyboard or in the chat.

Every failure a user can cause or meet (bad input, unreachable vendor, unknown document) is one of these,
so the edges (CLI, chat adapters) can print one clear line instead of a traceback.
"""


class ClausewatchError(Exception):
    """Base class: ``str(error)`` is a complete sentence a user can act on."""


class UsageError(ClausewatchError):
    """The request itself is malformed (bad date, missing argument, unknown document type)."""


class NotFoundError(ClausewatchError):
    """A vendor, document or version that the request names does not exist."""


class AmbiguousError(ClausewatchError):
    """A name matches more than one document; the message lists the candidates."""


class ConflictError(ClausewatchError):
    """The request contradicts what is stored (a document re-pointed, a URL tracked under another vendor);
    the message names both sides and the explicit way to do it."""


class FetchError(ClausewatchError):
    """A document could not be fetched; recorded on the document, never fatal to a check cycle."""


class BlockedAddressError(FetchError):
    """The URL resolves to a private, loopback or link-local address and private URLs are not allowed."""


class UnsupportedContentError(FetchError):
    """The server answered with something that is not HTML, PDF or plain text, or it was too large."""


class ExtractionError(ClausewatchError):
    """A fetched body could not be turned into text (corrupt PDF, empty page)."""
