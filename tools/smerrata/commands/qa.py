"""`smerrata qa`: the QA matrix (scenarios x builds x modes) with reports; exit 10 when a cell misses."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from ..console import info, stage, warn
from ..context import Context
from ..errors import QAFailure, StorageError, UsageError
from ..qa.builds import ALL_BUILDS, resolve_builds
from ..qa.matrix import default_jobs, run_matrix
from ..qa.report import write_reports
from ..qa.scenarios import BY_NAME, CATALOGUE, Mode


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser = subparsers.add_parser("qa", help="run the QA matrix: sendmail builds against TLS-breaking loopback peers")
    parser.add_argument("--builds", nargs="+", metavar="BUILD", help=f"builds to test (default: all available of {', '.join(ALL_BUILDS)}; "
                        "upstream-8.18.2 is compiled (~45 s, once) only when named here)")
    parser.add_argument("--scenarios", nargs="+", metavar="NAME", help="scenarios to run (default: the whole catalogue)")
    parser.add_argument("--modes", nargs="+", metavar="MODE", choices=[m.value for m in Mode], help="off, on-O, on-m4 (default: all)")
    parser.add_argument("--out", help="report directory (default: results/qa)")
    parser.add_argument("--results", help="build results directory holding RPMS/ (default: results)")
    parser.add_argument("--unpatched-results", help="results of `smerrata build --without-backport` (default: results-unpatched)")
    parser.add_argument("--jobs", type=_positive, default=default_jobs(), help="cells run at once (default: %(default)s)")
    parser.add_argument("--list", action="store_true", help="list the scenario catalogue and exit")
    parser.set_defaults(func=run)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def run(args: argparse.Namespace) -> int:
    if args.list:
        for s in CATALOGUE:
            print(f"{s.name:22} off={s.expect_off.value:13} on={s.expect_on.value:13} {s.title}")
        return 0
    unknown = [n for n in args.scenarios or [] if n not in BY_NAME]
    if unknown:
        raise UsageError(f"--scenarios: unknown scenario(s) {', '.join(unknown)}; `smerrata qa --list` shows the catalogue")
    ctx = Context.load()
    results = ctx.results_dir(args.results)
    out = Path(args.out).resolve() if args.out else results / "qa"
    unpatched = Path(args.unpatched_results).resolve() if args.unpatched_results else None
    with stage("QA builds (Debian reference debs, built RPMs, compiled upstream)"):
        builds, notes = resolve_builds(ctx, args.builds, results, unpatched)
    for note in notes:
        warn(note)
    if not builds:
        raise QAFailure(f"{results}: no build to test; fetch the Debian debs (smerrata sources --debs) or run `tox -e build`")
    scenarios = [BY_NAME[n] for n in args.scenarios] if args.scenarios else list(CATALOGUE)
    modes = [Mode(m) for m in args.modes] if args.modes else list(Mode)
    # run into a staging directory so a report directory is never half-written
    staging = out.with_name(out.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
    except OSError as exc:
        raise StorageError(f"{staging}: cannot create the report directory ({exc.strerror}); pass --out DIR") from exc
    total = len(builds) * len(scenarios) * len(modes)
    with stage(f"QA matrix: {total} cells, {args.jobs} at a time"):
        result = run_matrix(builds, scenarios, modes, staging, jobs=args.jobs, notes=notes)
    write_reports(result, staging)
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    for cell in result.failed:
        warn(f"FAIL {cell.build} {cell.scenario} {cell.mode}: want {cell.expected}, got {cell.outcome} ({cell.detail}); evidence {out / cell.evidence}")
    info(f"{len(result.cells) - len(result.failed)}/{len(result.cells)} cells ok in {result.seconds} s")
    for check in result.parity:
        (info if check.holds else warn)(f"parity {'holds' if check.holds else 'FAILS'}: {check.note}")
    if not result.parity:
        info(f"parity: {result.parity_summary()}")
    info(f"report: {out / 'report.md'} (JSON {out / 'report.json'}, JUnit {out / 'junit.xml'})")
    if not result.passed:
        raise QAFailure(f"{out / 'report.md'}: {len(result.failed)} cell(s) missed their expectation"
                        + ("" if result.parity_holds else "; parity fails: " + ", ".join(
                            f"{p.subject} vs {p.reference}" for p in result.parity if not p.holds))
                        + "; open the evidence directories named above")
    return 0
