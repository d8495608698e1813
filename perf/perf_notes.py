"""Lines that the benchmarks leave for the end-of-session summary."""

NOTES: list[str] = []
