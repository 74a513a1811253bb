"""The one exception type whose message is meant for the person who typed the input."""


class UserError(Exception):
    """Bad input from a user: the message says how to fix it and is shown as the reply."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
