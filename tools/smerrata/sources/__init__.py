"""Step 1 of the flow: fetch upstream inputs and verify them against the pins in upstream.toml."""
