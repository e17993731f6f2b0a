"""Benchmarks run by `smerrata bench` (tox -e bench): every figure is measured in one run and
reported next to a baseline measured in the same run, as a ratio, because these machines are
noisy; medians over interleaved repetitions."""
