"""Measure what one learner costs the hub's machine: memory with notebooks running, CPU seconds of the quick course.

    sudo .venv/bin/python hub/measure.py memory [--learners 3]
    sudo .venv/bin/python hub/measure.py cpu [--threads 1]

``memory`` starts a private hub as the tests do (loopback port, temporary accounts and homes, all removed after),
starts each learner's server, then runs notebook 00 and notebook 07 (the heaviest: a CNN on the MNIST sample) each
in a kernel of its own, cell by cell, as a learner's JupyterLab would, and prints the memory of every process of
every learner: RSS (resident, shared libraries counted in full), PSS (shared pages split between the processes
that map them) and USS (pages only that process has: what one more learner adds). It also prints the machine's
MemAvailable before and after.

``cpu`` runs every notebook of the quick course with ``tools/run_notebooks.py`` under ``/usr/bin/time`` in the
course environment, with the hub's per-learner thread setting, and prints user+system CPU seconds per notebook.
Both print the load average (``/proc/loadavg``) beside each number: on a shared machine, say it.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def mem_available_mb() -> float:
    text = Path("/proc/meminfo").read_text()
    return int(re.search(r"MemAvailable:\s+(\d+) kB", text).group(1)) / 1024


def code_cells(notebook: Path) -> list[str]:
    nb = json.loads(notebook.read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def memory_of(uid: int) -> list[dict]:
    import psutil

    rows = []
    for proc in psutil.process_iter(["pid", "uids", "cmdline"]):
        if proc.info["uids"] and proc.info["uids"].real == uid:
            try:
                full = proc.memory_full_info()
            except psutil.NoSuchProcess:
                continue
            cmd = " ".join(proc.info["cmdline"] or [])
            kind = "server" if "jupyterhub.singleuser" in cmd else "kernel" if "ipykernel" in cmd else cmd[:40]
            rows.append({"pid": proc.pid, "kind": kind, "rss": full.rss / 2**20, "pss": full.pss / 2**20,
                         "uss": full.uss / 2**20})
    return rows


def measure_memory(learners: int) -> int:
    import hubkit

    reason = hubkit.missing()
    if reason:
        print(f"cannot measure: {reason}")
        return 1
    before = mem_available_mb()
    print(f"MemAvailable before the hub: {before:,.0f} MB   load {load()}")
    hub = hubkit.TestHub()
    try:
        hub.start()
        names = [f"learner{i}" for i in range(learners)]
        for name in names:
            hub.api("POST", f"/hub/api/users/{name}")
            hub.start_server(name)
        time.sleep(5)
        print(f"\nservers only ({learners} learners)   load {load()}")
        for name in names:
            for row in memory_of(hub.system_user(name).pw_uid):
                print(f"  {name:9s} {row['kind']:7s} RSS {row['rss']:6.0f} MB  PSS {row['pss']:6.0f} MB  "
                      f"USS {row['uss']:6.0f} MB")
        kernels = {}
        for notebook in ("00_functions_and_parameters.ipynb", "07_cnn_vs_mlp_mnist.ipynb"):
            cells = code_cells(ROOT / "notebooks" / notebook)
            for name in names:
                token = hub.token_for(name)
                started = time.monotonic()
                _, kernel = hubkit.run_in_kernel(hub, name, token, cells, timeout=1200, keep=True)
                kernels[(name, notebook)] = (kernel, token)
                print(f"  {name} ran {notebook} in {time.monotonic() - started:.0f} s   load {load()}")
        time.sleep(5)
        print(f"\nafter notebooks 00 and 07, each kernel left running   load {load()}")
        totals = []
        for name in names:
            rows = memory_of(hub.system_user(name).pw_uid)
            for row in rows:
                print(f"  {name:9s} {row['kind']:7s} RSS {row['rss']:6.0f} MB  PSS {row['pss']:6.0f} MB  "
                      f"USS {row['uss']:6.0f} MB")
            totals.append({k: sum(r[k] for r in rows) for k in ("rss", "pss", "uss")})
        for k in ("rss", "pss", "uss"):
            print(f"  per learner (server + 2 kernels), {k.upper()}: "
                  + ", ".join(f"{t[k]:.0f}" for t in totals) + " MB")
        after = mem_available_mb()
        print(f"\nMemAvailable with {learners} learners: {after:,.0f} MB, "
              f"{(before - after) / learners:,.0f} MB less per learner (the hub and proxy included)   load {load()}")
    finally:
        hub.close()
    return 0


def measure_cpu(threads: int | None) -> int:
    env = dict(os.environ, COURSE_PROFILE="quick", COURSE_DEVICE="cpu")
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    total = wall_total = 0.0
    print(f"threads per learner: {threads or 'library default'}")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        start_load = load()
        done = subprocess.run(["/usr/bin/time", "-f", "TIME %U %S %e", sys.executable, "tools/run_notebooks.py",
                               str(notebook)], cwd=ROOT, env=env, capture_output=True, text=True)
        user, system, wall = map(float, re.search(r"TIME (\S+) (\S+) (\S+)", done.stderr).groups())
        ok = "pass" if done.returncode == 0 else "FAIL"
        total += user + system
        wall_total += wall
        print(f"  {notebook.name:38s} {ok}  CPU {user + system:6.1f} s  wall {wall:6.1f} s   load {start_load}")
    print(f"  {'quick course':38s}       CPU {total:6.1f} s  wall {wall_total:6.1f} s   load {load()}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    mem = sub.add_parser("memory")
    mem.add_argument("--learners", type=int, default=3)
    cpu = sub.add_parser("cpu")
    cpu.add_argument("--threads", type=int, default=1, help="threads per learner (0: the libraries' default)")
    args = parser.parse_args(argv)
    return measure_memory(args.learners) if args.what == "memory" else measure_cpu(args.threads)


if __name__ == "__main__":
    sys.exit(main())
