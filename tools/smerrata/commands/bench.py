"""`smerrata bench` (tox -e bench): benchmarks reported as ratios measured in one run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..console import info, stage, warn
from ..context import Context

KINDS = ("backport", "pipeline", "qa")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser = subparsers.add_parser("bench", help="benchmarks (medians of interleaved runs, as ratios)")
    parser.add_argument(
        "--what", nargs="+", choices=KINDS, default=list(KINDS),
        help="backport: generation vs GNU patch; pipeline: build overhead vs bare rpmbuild -ba and the no-op "
             "rebuild; qa: matrix wall and per-scenario time (default: all)",
    )
    parser.add_argument("--runs", type=int, default=7, help="repetitions per comparison (default: %(default)s; pipeline uses at most 3 full builds each side unless given)")
    parser.add_argument("--results", help="build results holding the RPMs the QA matrix tests (default: results/)")
    parser.add_argument("--out", help="where to write bench.json (default: results/bench)")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    ctx = Context.load()
    figures: list[dict[str, object]] = []
    runs_given = args.runs != 7
    if "backport" in args.what:
        from ..bench.backport import bench_backport

        with stage(f"benchmark: backport generation x{args.runs}"):
            c = bench_backport(ctx, args.runs)
        figures.append(c.as_dict())
        info(f"{c.name}: {c.subject} median {c.subject_median:.2f} s; {c.baseline} median {c.baseline_median:.2f} s; ratio {c.ratio:.2f} ({len(c.subject_seconds)} interleaved runs)")
    if "pipeline" in args.what:
        from ..bench.pipeline import bench_pipeline, sources_missing

        missing = sources_missing(ctx)
        if missing:
            warn(f"pipeline benchmark skipped: {missing}")
            figures.append({"name": "pipeline overhead", "skipped": missing})
        else:
            runs = args.runs if runs_given else 3
            with stage(f"benchmark: pipeline overhead x{runs} (full builds) and no-op rebuild"):
                comparisons = bench_pipeline(ctx, runs)
            for c in comparisons:
                figures.append(c.as_dict())
                info(f"{c.name}: {c.subject} median {c.subject_median:.2f} s; {c.baseline} median {c.baseline_median:.2f} s; ratio {c.ratio:.2f} ({len(c.subject_seconds)} interleaved runs)")
    if "qa" in args.what:
        from ..bench.qa import bench_qa

        with stage("benchmark: QA matrix"):
            timing = bench_qa(ctx, ctx.results_dir(args.results))
        figures.append(timing.as_dict())
        slowest = sorted(timing.per_scenario_max_s.items(), key=lambda kv: -kv[1])[:3]
        info(f"QA matrix: {timing.cells} cells ({', '.join(timing.builds)}), {timing.jobs} at a time: wall {timing.wall_s:.1f} s, "
             f"cells sum {timing.cell_seconds_sum:.1f} s (x{timing.parallel_speedup:.1f}); slowest: "
             + ", ".join(f"{k} {v:.1f} s" for k, v in slowest))
    out = Path(args.out) if args.out else ctx.results_dir() / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return 0
