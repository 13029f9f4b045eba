#!/usr/bin/env python3
"""Benchmark: winrm against the simulated listener on loopback.

Measures what the closing notes report, side by side in one run:
  - `winrm --help` start-to-exit time (mean of many runs);
  - one Get round trip (mean of many runs);
  - enumerating N Win32_Service instances to /dev/null in each format
    (text, json, jsonl; table up to 10,000, since a table holds its rows):
    wall time, client CPU time and peak RSS, for several N, so a flat peak
    RSS shows the enumeration streams.

Run from the repository root:  python3 tests/bench.py [--sizes 10000,100000]
It builds release binaries first and needs GNU time (/usr/bin/time, Debian
package "time"). It is a measurement, not a test: it never fails on a number.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
WINRM = os.path.join(TARGET, "release", "winrm")
LISTENER = os.path.join(TARGET, "release", "examples", "listener")



def build():
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "--bin", "winrm", "--example", "listener"],
        cwd=ROOT,
        check=True,
    )


def start_listener(services):
    ready = tempfile.NamedTemporaryFile(delete=False)
    ready.close()
    os.unlink(ready.name)
    proc = subprocess.Popen(
        [LISTENER, "--port", "0", "--https-port", "0", "--services", str(services),
         "--ready-file", ready.name],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        if os.path.exists(ready.name) and open(ready.name).read().strip():
            return proc, int(open(ready.name).read().strip())
        time.sleep(0.02)
    proc.kill()
    sys.exit("the listener did not start")


def run_measured(args):
    """Runs a command under GNU time; returns (wall s, cpu s, peak RSS KiB,
    exit code) of that process alone. (Python's own rusage would count the
    forked interpreter's memory before exec.)"""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        code = subprocess.run(
            ["/usr/bin/time", "-f", "%U %S %M", "-o", report.name] + args,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "WINRM_PASSWORD": "demo-pass"}).returncode
        wall = time.perf_counter() - start
        user, system, rss = report.read().split()[-3:]
    return wall, float(user) + float(system), int(rss), code


def mean_time(args, runs):
    env = {**os.environ, "WINRM_PASSWORD": "demo-pass"}
    start = time.perf_counter()
    for _ in range(runs):
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                       check=True)
    return (time.perf_counter() - start) / runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="enumeration sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=100, help="runs for the short timings")
    parser.add_argument("--formats", default="text,json,jsonl,table",
                        help="output formats to enumerate to, comma-separated")
    args = parser.parse_args()
    build()
    sizes = [int(s) for s in args.sizes.split(",")]

    rows = []
    rows.append(("winrm --help", f"{mean_time([WINRM, '--help'], args.runs) * 1000:.2f} ms", "", ""))

    proc, port = start_listener(max(sizes))
    try:
        conn = ["-r:127.0.0.1:%d" % port, "-u:demo", "-a:basic", "-unencrypted"]
        get = [WINRM, "get", "wmicimv2/Win32_Service?Name=Spooler"] + conn
        rows.append(("get (one round trip, new process)",
                     f"{mean_time(get, args.runs) * 1000:.2f} ms", "", ""))
        for n in sorted(sizes):
            # The listener serves its first n services for this filter-free
            # enumeration only when n equals its size, so restart per size.
            proc.terminate()
            proc.wait()
            proc, port = start_listener(n)
            conn[0] = "-r:127.0.0.1:%d" % port
            for fmt in args.formats.split(","):
                if fmt == "table" and n > 10000:
                    continue
                cmd = [WINRM, "e", "wmicimv2/Win32_Service", "--max-elements", "100",
                       "-format:" + fmt] + conn
                wall, cpu, rss, code = run_measured(cmd)
                status = "" if code == 0 else f" (exit {code})"
                rows.append((f"enumerate {n:,} (MaxElements 100, {fmt})",
                             f"{wall:.3f} s{status}", f"{cpu:.3f} s", f"{rss / 1024:.1f} MiB"))

    finally:
        proc.terminate()
        proc.wait()

    print(f"\nwinrm benchmark  ({os.uname().machine}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')})\n")
    print(f"{'what':44} {'wall':>14} {'client CPU':>12} {'peak RSS':>10}")
    for what, wall, cpu, rss in rows:
        print(f"{what:44} {wall:>14} {cpu:>12} {rss:>10}")


if __name__ == "__main__":
    main()
