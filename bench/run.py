"""claimledger against quantulum3 and spaCy: speed on one core, accuracy on the seed gold.

    make bench                       # = .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --docs 300 --repeat 3 --workers-scaling --profile
    .venv/bin/python bench/run.py --rss --rss-docs 10000,100000

Speed: the public VOA stories (../shared/corpus/voa/stories.jsonl) replicated
to --docs documents with new ids, written to a temp JSONL. Each contender runs
in its own fresh process pinned to one core (and OMP/BLAS threads set to 1),
timed from process start to exit, so imports and model loading are included:
docs/s = documents / wall seconds. The load time (start until the model is
loaded) is reported apart. With --repeat R each is measured R times (rounds
interleaved) and the median is reported.

Accuracy: claimledger's claims and quantulum3's quantities (mapped to the claim
fields it has) for the seed documents, both scored by ../shared/eval/score.py.

Prints a plain text table; writes the JSON summary to bench/out/result.json.
Timings are for reading, not for asserting: the machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus as corpus_mod  # noqa: E402  (bench/corpus.py, beside this file)

ROOT = corpus_mod.ROOT
CHILD = HERE / "contenders.py"
THREAD_ENV = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS")}
THREAD_ENV["TOKENIZERS_PARALLELISM"] = "false"

GOAL_VS_QUANTULUM = 25.0  # claimledger docs/s over quantulum3 docs/s
GOAL_VS_SPACY = 2.0  # claimledger docs/s over spaCy en_core_web_sm docs/s
GOAL_F1_MARGIN = 0.1  # claim F1 at least this much above quantulum3's
GOAL_ATTR_MARGIN = 0.3  # attribute mean at least this much above quantulum3's
GOAL_WORKERS = 1.6  # --workers 2 over --workers 1
GOAL_RSS_MIB = 1024.0  # peak RSS of ingest

CONTENDERS = (  # (key, label)
    ("claimledger", "claimledger (Extractor.stream, batched)"),
    ("quantulum3", "quantulum3 (parser.parse)"),
    ("spacy", "spaCy {model} (nlp.pipe)"),
)


def log(msg: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# --- processes ---------------------------------------------------------------------------

def run_process(cmd: list[str], cpu: Optional[int], workdir: Path, name: str,
                timeout: Optional[float] = None) -> dict[str, Any]:
    """Run ``cmd`` in a fresh process (pinned to ``cpu`` from before exec), timed from start to exit.

    Returns wall seconds, the start time (``time.time()``), the exit code, and
    this child's own resource usage from ``os.wait4`` (peak RSS, CPU seconds).
    stdout and stderr go to files in ``workdir`` so a chatty child never blocks.
    """
    env = os.environ.copy()
    env.update(THREAD_ENV)
    env["PYTHONUNBUFFERED"] = "1"
    preexec = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    out_path, err_path = workdir / f"{name}.stdout", workdir / f"{name}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t_start = time.time()
        p0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                preexec_fn=preexec, cwd=str(ROOT))
        deadline = None if timeout is None else p0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - p0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"cmd": cmd, "wall": wall, "t_start": t_start, "returncode": proc.returncode,
            "maxrss_mib": usage.ru_maxrss / 1024.0,  # KiB on Linux
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "stderr_tail": err_path.read_text(encoding="utf-8", errors="replace")[-2000:],
            "stdout_path": str(out_path)}


def run_child(kind: str, workdir: Path, name: str, cpu: Optional[int], **opts: Any) -> dict[str, Any]:
    """One ``contenders.py KIND`` process; its own JSON result merged into the timing."""
    result_path = workdir / f"{name}.json"
    cmd = [sys.executable, str(CHILD), kind, "--result", str(result_path)]
    if cpu is not None:
        cmd += ["--cpu", str(cpu)]
    for k, v in opts.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    r = run_process(cmd, cpu, workdir, name)
    if r["returncode"] != 0 or not result_path.exists():
        raise SystemExit(f"bench: {kind} failed (exit {r['returncode']}):\n{r['stderr_tail']}")
    child = json.loads(result_path.read_text(encoding="utf-8"))
    r.update(child)
    r["load_s"] = child["t_loaded"] - r["t_start"]
    r["work_s"] = child["t_done"] - child["t_loaded"]
    return r


def claimledger_cmd() -> list[str]:
    """The ``claimledger`` console script beside this interpreter, else ``python -m claimledger``."""
    script = Path(sys.executable).parent / "claimledger"
    return [str(script)] if script.exists() else [sys.executable, "-m", "claimledger"]


def cli_has_workers() -> bool:
    """Whether ``claimledger extract --help`` lists ``--workers``."""
    try:
        out = subprocess.run(claimledger_cmd() + ["extract", "--help"], capture_output=True, text=True,
                             timeout=120, cwd=str(ROOT))
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--workers" in out.stdout


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def summarize(runs: list[dict[str, Any]], n: int) -> dict[str, Any]:
    for r in runs:
        r["docs_s"] = n / r["wall"]
        if "load_s" in r:
            r["docs_s_excl_load"] = n / max(r["wall"] - r["load_s"], 1e-9)
    s = {"docs_s": median_of(runs, "docs_s"), "wall_s": median_of(runs, "wall"),
         "cpu_s": median_of(runs, "cpu_s"), "maxrss_mib": median_of(runs, "maxrss_mib"),
         "runs": [{k: r.get(k) for k in ("wall", "docs_s", "load_s", "docs_s_excl_load", "cpu_s", "maxrss_mib",
                                         "returncode")} for r in runs]}
    if all("load_s" in r for r in runs):
        s["load_s"] = median_of(runs, "load_s")
        s["docs_s_excl_load"] = median_of(runs, "docs_s_excl_load")
    for k in ("found", "what", "model", "pipeline", "batch_size", "cpus"):
        if k in runs[0]:
            s[k] = runs[0][k]
    return s


# --- the parts ---------------------------------------------------------------------------------

def bench_throughput(a: argparse.Namespace, corpus_path: Path, work: Path, cpu: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k, _ in CONTENDERS}
    if a.cli:
        runs["cli"] = []
    if a.warmup:  # untimed: bring every contender's files into the page cache, so none pays for a cold disk
        warm = corpus_mod.write_corpus(work / "warmup.jsonl", 2, Path(a.voa))
        for key, _ in CONTENDERS:
            log(f"warm-up (untimed): {key}")
            run_child(key, work, f"warmup-{key}", cpu, corpus=warm)
        if a.cli:
            run_process(claimledger_cmd() + ["extract", str(warm), "--out", os.devnull], cpu, work, "warmup-cli")
    for rep in range(a.repeat):
        for key, _ in CONTENDERS:
            log(f"throughput {rep + 1}/{a.repeat}: {key} on {a.docs} docs, cpu {cpu}")
            opts: dict[str, Any] = {"corpus": corpus_path}
            if key == "spacy":
                opts["batch_size"] = a.spacy_batch_size
            r = run_child(key, work, f"{key}-{rep}", cpu, **opts)
            log(f"  {a.docs / r['wall']:.2f} docs/s (wall {r['wall']:.1f} s, load {r['load_s']:.1f} s)")
            runs[key].append(r)
        if a.cli:
            log(f"throughput {rep + 1}/{a.repeat}: claimledger extract (CLI) on {a.docs} docs, cpu {cpu}")
            r = run_process(claimledger_cmd() + ["extract", str(corpus_path), "--out", os.devnull], cpu, work,
                            f"cli-{rep}")
            if r["returncode"] != 0:
                log(f"  claimledger extract exited {r['returncode']}: {r['stderr_tail'][-300:]}")
            log(f"  {a.docs / r['wall']:.2f} docs/s (wall {r['wall']:.1f} s)")
            runs["cli"].append(r)
    out = {k: summarize(v, a.docs) for k, v in runs.items()}
    cl = out["claimledger"]["docs_s"]
    out["ratios"] = {
        "vs_quantulum3": ratio(cl, out["quantulum3"]["docs_s"], GOAL_VS_QUANTULUM),
        "vs_spacy": ratio(cl, out["spacy"]["docs_s"], GOAL_VS_SPACY),
    }
    if "docs_s_excl_load" in out["claimledger"]:  # for information: the same without load times
        out["ratios_excl_load"] = {
            "vs_quantulum3": out["claimledger"]["docs_s_excl_load"] / out["quantulum3"]["docs_s_excl_load"],
            "vs_spacy": out["claimledger"]["docs_s_excl_load"] / out["spacy"]["docs_s_excl_load"],
        }
    return out


def ratio(num: float, den: float, goal: float) -> dict[str, Any]:
    value = num / den if den else float("inf")
    return {"value": value, "goal": goal, "pass": value >= goal}


def load_scorer(shared: Path):
    path = shared / "eval" / "score.py"
    spec = importlib.util.spec_from_file_location("claimledger_shared_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"bench: cannot import the scorer {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_accuracy(a: argparse.Namespace, shared: Path, work: Path, cpu: int) -> dict[str, Any]:
    seeds = shared / "corpus" / "seeds"
    docs_dir, gold_path = seeds / "docs", seeds / "gold.jsonl"
    scorer = load_scorer(shared)
    gold = scorer.load(str(gold_path))
    out: dict[str, Any] = {"gold": str(gold_path), "gold_claims": len(gold),
                           "docs": len(list(docs_dir.glob("*.txt")))}
    for system in ("claimledger", "quantulum3"):
        log(f"accuracy: {system} on the seed documents")
        pred_path = work / f"seeds-{system}.jsonl"
        r = run_child(f"seeds-{system}", work, f"seeds-{system}", cpu, docs_dir=docs_dir, pred=pred_path)
        res = scorer.score_claims(gold, scorer.load(str(pred_path)), str(docs_dir))
        res.pop("_pairs", None)
        out[system] = {"claims": res["claims"], "spans": res["spans"],
                       "attribute_accuracy": res["attribute_accuracy"], "attribute_mean": res["attribute_mean"],
                       "offset_problem_count": res["offset_problem_count"], "predicted": r["found"],
                       "wall_s": r["wall"]}
    d_f1 = out["claimledger"]["claims"]["f1"] - out["quantulum3"]["claims"]["f1"]
    d_attr = out["claimledger"]["attribute_mean"] - out["quantulum3"]["attribute_mean"]
    out["f1_difference"] = {"value": d_f1, "goal": GOAL_F1_MARGIN, "pass": d_f1 >= GOAL_F1_MARGIN}
    out["attribute_mean_difference"] = {"value": d_attr, "goal": GOAL_ATTR_MARGIN, "pass": d_attr >= GOAL_ATTR_MARGIN}
    return out


def bench_workers(a: argparse.Namespace, corpus_path: Path, work: Path) -> dict[str, Any]:
    if not cli_has_workers():
        return {"skipped": "claimledger extract has no --workers option yet (not in `claimledger extract --help`)"}
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for rep in range(a.repeat):
        for w in (1, 2):
            log(f"workers scaling {rep + 1}/{a.repeat}: claimledger extract --workers {w} on {a.docs} docs "
                f"({ncpu} cores allowed)")
            r = run_process(claimledger_cmd() + ["extract", str(corpus_path), "--out", os.devnull,
                                                 "--workers", str(w)], None, work, f"workers{w}-{rep}")
            if r["returncode"] != 0:
                log(f"  exited {r['returncode']}: {r['stderr_tail'][-300:]}")
            log(f"  {a.docs / r['wall']:.2f} docs/s (wall {r['wall']:.1f} s)")
            runs[w].append(r)
    s1, s2 = summarize(runs[1], a.docs), summarize(runs[2], a.docs)
    return {"workers_1": s1, "workers_2": s2, "cores_allowed": ncpu,
            "ratio": ratio(s2["docs_s"], s1["docs_s"], GOAL_WORKERS),
            "returncodes": [r["returncode"] for v in runs.values() for r in v]}


def bench_rss(a: argparse.Namespace, shared: Path, work: Path, cpu: int) -> list[dict[str, Any]]:
    out = []
    for n in a.rss_docs:
        path = work / f"rss-{n}.jsonl"
        db = work / f"rss-{n}.duckdb"
        log(f"rss: writing {n} documents to {path}")
        corpus_mod.write_corpus(path, n, shared / "corpus" / "voa" / "stories.jsonl", unique=not a.exact_copies)
        log(f"rss: claimledger ingest of {n} documents into a fresh DuckDB file, cpu {cpu} "
            f"(at ~{a.docs_s_hint:.1f} docs/s this takes ~{n / a.docs_s_hint / 60:.0f} min)")
        r = run_process(claimledger_cmd() + ["ingest", str(path), "--db", str(db), "--quiet"], cpu, work,
                        f"rss-{n}")
        size = db.stat().st_size if db.exists() else None
        ok = r["returncode"] == 0
        log(f"  peak RSS {r['maxrss_mib']:.0f} MiB, {n / r['wall']:.2f} docs/s, {r['wall'] / 60:.1f} min, "
            f"exit {r['returncode']}")
        out.append({"docs": n, "exact_copies": a.exact_copies, "maxrss_mib": r["maxrss_mib"], "wall_s": r["wall"],
                    "docs_s": n / r["wall"],
                    "cpu_s": r["cpu_s"], "returncode": r["returncode"], "db_mib": size / 2**20 if size else None,
                    "goal_mib": GOAL_RSS_MIB, "pass": ok and r["maxrss_mib"] < GOAL_RSS_MIB,
                    "stderr_tail": r["stderr_tail"][-500:],
                    "method": "os.wait4 rusage of the ingest process (ru_maxrss)"})
        for p in (path, db, Path(str(db) + ".wal")):
            p.unlink(missing_ok=True)
    return out


def bench_profile(a: argparse.Namespace, corpus_path: Path, work: Path, cpu: int) -> dict[str, Any]:
    html, text = a.out_dir / "profile.html", a.out_dir / "profile.txt"
    log(f"profile: pyinstrument over claimledger extraction of {a.docs} docs, cpu {cpu}")
    r = run_child("profile", work, "profile", cpu, corpus=corpus_path, html=html, text=text)
    return {"html": str(html), "text": str(text), "wall_s": r["wall"], "load_s": r["load_s"]}


# --- output ----------------------------------------------------------------------------------

def mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render(res: dict[str, Any], a: argparse.Namespace) -> str:
    lines: list[str] = []
    add = lines.append
    cfg = res["config"]
    add(f"claimledger bench  {cfg['when']}  git {cfg['git']}  {cfg['python']}  {cfg['cores_allowed']} cores "
        f"allowed, contenders pinned to cpu {cfg['cpu']}")
    tp = res.get("throughput")
    if tp:
        add("")
        add(f"throughput: {cfg['docs']} documents ({cfg['stories']} VOA stories replicated, "
            f"{cfg['corpus_mib']:.1f} MiB of text), one core per contender, fresh process, imports and model "
            f"loading included; median of {cfg['repeat']}")
        head = f"{'contender':40s} {'docs/s':>8s} {'wall s':>8s} {'load s':>7s} {'docs/s excl load':>17s} " \
               f"{'cpu s':>7s} {'RSS MiB':>8s}  found"
        add(head)
        add("-" * len(head))
        add_after = ("load s: process start until imports, model loading and one primer sentence are done; "
                     "RSS: the process's peak")
        rows = [(key, label.format(model=tp["spacy"].get("model", "en_core_web_sm"))) for key, label in CONTENDERS]
        if "cli" in tp:
            rows.insert(1, ("cli", "claimledger extract FILE --out /dev/null"))
        for key, label in rows:
            s = tp[key]
            load = f"{s['load_s']:7.1f}" if "load_s" in s else f"{'-':>7s}"
            excl = f"{s['docs_s_excl_load']:17.2f}" if "docs_s_excl_load" in s else f"{'-':>17s}"
            found = f"{s['found']} {s['what']}" if "found" in s else "(end to end, for information)"
            add(f"{label:40s} {s['docs_s']:8.2f} {s['wall_s']:8.1f} {load} {excl} {s['cpu_s']:7.1f} "
                f"{s['maxrss_mib']:8.0f}  {found}")
        add(add_after)
        add("")
        add(f"{'ratio (docs/s)':40s} {'measured':>9s} {'goal':>8s}  result   (excl. load, for information)")
        for key, label in (("vs_quantulum3", "claimledger / quantulum3"), ("vs_spacy", "claimledger / spaCy")):
            r = tp["ratios"][key]
            info = f"{tp['ratios_excl_load'][key]:.2f}x" if "ratios_excl_load" in tp else ""
            goal = ">= " + format(r["goal"], "g") + "x"
            add(f"{label:40s} {r['value']:8.2f}x {goal:>8s}  {mark(r['pass']):7s}  {info}")
    acc = res.get("accuracy")
    if acc:
        add("")
        add(f"accuracy on the seed gold: {acc['docs']} documents, {acc['gold_claims']} gold claims, "
            f"scored by shared/eval/score.py")
        head = (f"{'system':40s} {'claim P':>8s} {'claim R':>8s} {'claim F1':>9s} {'span F1':>8s} "
                f"{'attr mean':>10s}  predicted")
        add(head)
        add("-" * len(head))
        for system in ("claimledger", "quantulum3"):
            s = acc[system]
            add(f"{system:40s} {s['claims']['precision']:8.3f} {s['claims']['recall']:8.3f} {s['claims']['f1']:9.3f} "
                f"{s['spans']['f1']:8.3f} {s['attribute_mean']:10.3f}  {s['predicted']}")
        for key, label in (("f1_difference", "claim F1 difference"), ("attribute_mean_difference",
                                                                       "attribute mean difference")):
            d = acc[key]
            add(f"{label:40s} {d['value']:+8.3f}  {'>= +' + format(d['goal'], 'g'):>8s}  {mark(d['pass'])}")
    w = res.get("workers_scaling")
    if w:
        add("")
        if "skipped" in w:
            add(f"workers scaling: skipped: {w['skipped']}")
        else:
            add(f"workers scaling: claimledger extract end to end on {cfg['docs']} documents, "
                f"{w['cores_allowed']} cores allowed, median of {cfg['repeat']}")
            add(f"{'--workers 1':40s} {w['workers_1']['docs_s']:8.2f} docs/s  wall {w['workers_1']['wall_s']:.1f} s")
            add(f"{'--workers 2':40s} {w['workers_2']['docs_s']:8.2f} docs/s  wall {w['workers_2']['wall_s']:.1f} s")
            r = w["ratio"]
            add(f"{'ratio workers 2 / workers 1':40s} {r['value']:8.2f}x {'>= ' + format(r['goal'], 'g') + 'x':>8s}  "
                f"{mark(r['pass'])}" + ("" if all(c == 0 for c in w["returncodes"]) else "  (a run exited non-zero)"))
    rss = res.get("rss")
    if rss:
        add("")
        add("peak RSS of `claimledger ingest` (fresh DuckDB file, streamed replicated VOA stories, one core)")
        head = (f"{'documents':>10s} {'peak RSS MiB':>13s} {'goal':>9s}  result {'docs/s':>8s} {'took':>9s} "
                f"{'db MiB':>8s}")
        add(head)
        add("-" * len(head))
        for r in rss:
            db = f"{r['db_mib']:8.0f}" if r["db_mib"] is not None else f"{'-':>8s}"
            note = "" if r["returncode"] == 0 else f"  (exit {r['returncode']})"
            add(f"{r['docs']:10d} {r['maxrss_mib']:13.0f} {'< 1024':>9s}  {mark(r['pass']):6s} {r['docs_s']:8.2f} "
                f"{r['wall_s'] / 60:7.1f} m {db}{note}")
    prof = res.get("profile")
    if prof:
        add("")
        add(f"profile: {prof['html']} (pyinstrument, open in a browser); text: {prof['text']}")
        try:
            text = Path(prof["text"]).read_text(encoding="utf-8").splitlines()
        except OSError:
            text = []
        add("")
        add("\n".join(text[:a.profile_lines]))
    add("")
    add(f"JSON summary: {res['config']['result_json']}; total {res['config']['total_s'] / 60:.1f} min")
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------

def git_state() -> str:
    """The commit measured, and whether the extractor's sources differ from it (others edit them live)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=str(ROOT), timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], capture_output=True, text=True,
                               cwd=str(ROOT), timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head}{' + uncommitted changes in src/' if dirty else ''}" if head else "unknown"


def parse_sizes(s: str) -> list[int]:
    try:
        sizes = [int(x.replace("_", "")) for x in s.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {s!r}") from None
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"need positive document counts: {s!r}")
    return sizes


def default_cpu() -> int:
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    return allowed[-1]


def build_args(argv: Optional[list[str]]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=300, help="documents in the speed corpus (default 300)")
    ap.add_argument("--repeat", type=int, default=1, help="measure each contender R times, report the median")
    ap.add_argument("--cpu", type=int, default=None, help="the core to pin contenders to (default: the last allowed)")
    ap.add_argument("--spacy-batch-size", type=int, default=64, help="nlp.pipe batch size for spaCy (default 64)")
    ap.add_argument("--no-cli", dest="cli", action="store_false",
                    help="skip timing `claimledger extract` end to end (information only)")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false",
                    help="skip the untimed warm-up run of each contender on 2 documents (page cache)")
    ap.add_argument("--no-throughput", dest="throughput", action="store_false", help="skip the speed table")
    ap.add_argument("--no-accuracy", dest="accuracy", action="store_false", help="skip the seed-gold scores")
    ap.add_argument("--workers-scaling", action="store_true",
                    help="also time `claimledger extract --workers 1` vs `--workers 2` (if the option exists)")
    ap.add_argument("--rss", action="store_true", help="also measure peak RSS of `claimledger ingest`")
    ap.add_argument("--no-rss", dest="rss", action="store_false", help="do not measure RSS (the default)")
    ap.add_argument("--rss-docs", type=parse_sizes, default=[10_000, 100_000],
                    help="document counts for --rss, comma-separated (default 10000,100000: 100k takes hours)")
    ap.add_argument("--profile", action="store_true",
                    help="pyinstrument over claimledger extraction: bench/out/profile.html, top of the text report")
    ap.add_argument("--profile-lines", type=int, default=80, help="lines of the profile text to print")
    ap.add_argument("--exact-copies", action="store_true",
                    help="replicate stories verbatim (default: a tag paragraph makes every copy's text distinct)")
    ap.add_argument("--shared", default=os.environ.get("SHARED"),
                    help="the shared folder (default: ../shared beside the repo root)")
    ap.add_argument("--out-dir", type=Path, default=HERE / "out", help="where result.json goes (default bench/out)")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temp folder (corpus, child logs)")
    a = ap.parse_args(argv)
    if a.docs < 1 or a.repeat < 1:
        ap.error("--docs and --repeat must be at least 1")
    return a


def main(argv: Optional[list[str]] = None) -> int:
    a = build_args(argv)
    t0 = time.perf_counter()
    shared = corpus_mod.shared_dir(a.shared)
    voa = shared / "corpus" / "voa" / "stories.jsonl"
    a.voa = str(voa)
    if not voa.exists():
        raise SystemExit(f"bench: {voa} not found (give --shared DIR)")
    cpu = a.cpu if a.cpu is not None else default_cpu()
    a.out_dir = Path(a.out_dir).resolve()
    a.out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="claimledger-bench-"))
    stories = corpus_mod.load_stories(voa)
    corpus_path = corpus_mod.write_corpus(work / "corpus.jsonl", a.docs, voa, unique=not a.exact_copies)
    res: dict[str, Any] = {"config": {
        "when": dt.datetime.now().isoformat(timespec="seconds"), "docs": a.docs, "repeat": a.repeat,
        "stories": len(stories), "corpus": str(voa), "exact_copies": a.exact_copies,
        "corpus_mib": sum(len(t.encode("utf-8")) for _, t in corpus_mod.read_texts(corpus_path)) / 2**20,
        "cpu": cpu, "cores_allowed": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": f"Python {platform.python_version()}", "machine": platform.machine(),
        "git": git_state(), "warmup": a.warmup, "thread_env": THREAD_ENV, "result_json": str(a.out_dir / "result.json"),
    }}
    try:
        if a.throughput:
            res["throughput"] = bench_throughput(a, corpus_path, work, cpu)
        if a.accuracy:
            res["accuracy"] = bench_accuracy(a, shared, work, cpu)
        if a.workers_scaling:
            res["workers_scaling"] = bench_workers(a, corpus_path, work)
        if a.profile:
            res["profile"] = bench_profile(a, corpus_path, work, cpu)
        if a.rss:
            a.docs_s_hint = res["throughput"]["claimledger"]["docs_s_excl_load"] if "throughput" in res else 4.0
            res["rss"] = bench_rss(a, shared, work, cpu)
    finally:
        if a.keep_temp:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    res["config"]["total_s"] = time.perf_counter() - t0
    (a.out_dir / "result.json").write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
    print(render(res, a), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
