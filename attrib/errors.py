"""The one exception type the CLI turns into a one-line error message (and the web app into a 4xx)."""


class AttribError(Exception):
    """A user-facing error: bad input, a missing file, an unusable model path."""


class TooLongError(AttribError):
    """Input past a size limit (the web app answers 413 rather than 400)."""


class FetchError(AttribError):
    """A web page that could not be fetched (unreachable, timed out, an HTTP error status)."""
