"""Errors a user sees: each names the file and, where known, the place."""


class ExtractionError(Exception):
    """A file could not be read as a policy document (bad input, not a bug of ours)."""

    def __init__(self, file: str, message: str, offset: int | None = None):
        self.file = file
        self.offset = offset
        where = f"{file}" if offset is None else f"{file}:{offset}"
        super().__init__(f"{where}: {message}")


class RecordError(ValueError):
    """A JSON object is not an extraction record; the message names the key (`measures[2].role`).

    Readers of record files add the file and line in front."""
