"""One module per CLI subcommand (see smerrata.cli)."""
