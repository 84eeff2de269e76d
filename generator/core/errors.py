"""The one error type the CLI turns into a clear message and exit code 2."""


class UserError(Exception):
    """Bad input or environment: message names file, sheet, row and column where known."""

    def __init__(self, message: str, *, exit_code: int = 2):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
