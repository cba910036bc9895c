"""msgspec structs of the JSON API: ``X`` for output, ``XCreate`` and ``XUpdate`` for input."""
