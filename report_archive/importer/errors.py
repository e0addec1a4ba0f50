"""The importer's one exception: a message for the user, in Chinese, never a traceback."""


class ImportFailure(Exception):
    """A source that cannot become a report; the message says why, in Chinese, for the user."""
