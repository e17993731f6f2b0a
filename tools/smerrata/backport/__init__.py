"""Step 2 of the flow: take one feature out of a newer upstream release and port it onto 8.15.2.

definition (what to take, declared in patches/*.toml) -> extract (select donor lines) -> rules
(drop/adapt what the base lacks) -> place (find the site in the base: exact context, relaxed
context, declared anchor, recorded resolution) -> patch (git format-patch style) + provenance report.
"""
