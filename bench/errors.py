"""The one error the command line turns into exit code 2."""


class BadInput(ValueError):
    """Input that can be seen to be wrong before anything runs: the message names the value."""
