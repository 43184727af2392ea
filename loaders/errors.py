"""Errors a user sees: each names the file and, where known, the place."""


class ExtractionError(Exception):
    """A file could not be read as a policy document."""

    def __init__(self, file: str, message: str, offset: int | None = None):
        self.file = file
        self.offset = offset
        where = f"{file}" if offset is None else f"{file}:{offset}"
        super().__init__(f"{where}: {message}")
