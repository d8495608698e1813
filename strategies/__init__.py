"""Search strategies, one per file: the file's name is the strategy's name.

Files whose names start with an underscore are shared helpers, not strategies.
"""
