"""`smerrata bench` (tox -e bench): benchmarks reported as ratios measured in one run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..bench.backport import bench_backport
from ..bench.timing import Comparison
from ..console import info, stage
from ..context import Context

KINDS = ("backport",)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser = subparsers.add_parser("bench", help="benchmarks (medians of interleaved runs, as ratios)")
    parser.add_argument("--what", nargs="+", choices=KINDS, default=list(KINDS), help="which benchmarks (default: all)")
    parser.add_argument("--runs", type=int, default=7, help="repetitions per benchmark (default: %(default)s)")
    parser.add_argument("--out", help="where to write bench.json (default: results/bench)")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    ctx = Context.load()
    comparisons: list[Comparison] = []
    if "backport" in args.what:
        with stage(f"benchmark: backport generation x{args.runs}"):
            comparisons.append(bench_backport(ctx, args.runs))
    out = Path(args.out) if args.out else ctx.results_dir() / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps([c.as_dict() for c in comparisons], indent=2) + "\n")
    for c in comparisons:
        info(f"{c.name}: {c.subject} median {c.subject_median:.2f} s; {c.baseline} median {c.baseline_median:.2f} s; ratio {c.ratio:.2f} ({len(c.subject_seconds)} interleaved runs)")
    print(json.dumps([c.as_dict() for c in comparisons], indent=2))
    return 0
