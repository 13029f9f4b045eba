#!/usr/bin/env python3
"""Benchmark: winrm against the simulated listener on loopback.

Measures what the closing notes report, side by side in one run:
  - `winrm --help` start-to-exit time (mean of many runs);
  - one Get round trip (mean of many runs);
  - enumerating N Win32_Service instances to /dev/null in each format
    (text, json, jsonl; table up to 10,000, since a table holds its rows):
    wall time, client CPU time and peak RSS, for several N, so a flat peak
    RSS shows the enumeration streams.

Remote commands (`winrm exec`, the listener's scripted WinRS shell), beside
pywinrm and pypsrp (tests/peer_shell.py), each in a new process:
  - `hostname` start to exit;
  - 10 MB and 100 MB of stdout (`bigout N`) to /dev/null, and 100 MB of stdin
    to `findstr` (which prints nothing): wall, client CPU, peak RSS.

Side by side with the peers (skipped, with a note, when they are missing):
  - one Get: curl POSTing the same envelope, and pypsrp's WSMan client
    (tests/peer_pypsrp.py, `pip install pypsrp`), each in a new process;
  - the 10,000-instance enumeration through pypsrp, to compare client CPU.
The targets from issue 5 are printed beside the figures.

A fleet (issue 14): one listener process serving --hosts endpoints (200)
on loopback, each its own simulated host, and `winrm get
wmicimv2/Win32_OperatingSystem` across all of them three ways:
  - one `winrm -r:@TARGETS` run with its default parallelism (printed as
    "not supported by this build" where -r takes a single target);
  - a sequential shell loop of single `winrm` runs;
  - a Python loop with pypsrp, one client per host (peer_pypsrp.py fleet).
Wall, client CPU (user+sys of the process and its children) and peak RSS
(the largest single process), with the targets: under 2 s wall, under
64 MiB, and wall within 2x of (slowest host + hosts/N x median host), the
host times being single `winrm` runs timed one by one. Once with instant
replies, where every simulated host's work is CPU on the same 2 cores as
the client (so N hosts at a time cannot take 1/N of the time), and once
with every reply 20 ms late (--fleet-delays), where hosts wait as remote
ones do and the bound is what parallelism should reach.

Run from the repository root:  python3 tests/bench.py [--sizes 10000,100000]
                               [--only exec|wsman|fleet]
It builds the published binaries (the dist profile: release with fat LTO) first and needs GNU time (/usr/bin/time, Debian
package "time"). It is a measurement, not a test: it never fails on a number.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
# WINRM_BENCH_PROFILE=release measures without fat LTO (a quicker build).
PROFILE = os.environ.get("WINRM_BENCH_PROFILE", "dist")
# WINRM_BENCH_WINRM=PATH measures another build of winrm (a branch, a
# release) against the same listener.
WINRM = os.environ.get("WINRM_BENCH_WINRM") or os.path.join(TARGET, PROFILE, "winrm")
LISTENER = os.path.join(TARGET, PROFILE, "examples", "listener")



def build():
    subprocess.run(
        ["cargo", "build", "--quiet", "--profile", PROFILE, "--bin", "winrm", "--example", "listener"],
        cwd=ROOT,
        check=True,
    )


def start_listener(services, fleet=None, delay_ms=0):
    """The listener with `services` Win32_Service instances; returns (process,
    port), or with `fleet` = N hosts, (process, their URLs). `delay_ms`: how
    long every reply waits."""
    ready = tempfile.NamedTemporaryFile(delete=False)
    ready.close()
    os.unlink(ready.name)
    where = ["--endpoints", str(fleet)] if fleet else ["--https-port", "0"]
    proc = subprocess.Popen(
        [LISTENER, "--port", "0", "--services", str(services), "--ready-file", ready.name,
         "--delay-ms", str(delay_ms)] + where,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        if os.path.exists(ready.name) and open(ready.name).read().strip():
            text = open(ready.name).read()
            os.unlink(ready.name)
            return proc, (text.split() if fleet else int(text.strip()))
        time.sleep(0.02)
    proc.kill()
    sys.exit("the listener did not start")


def run_measured(args, stdin=None, stdout=None):
    """Runs a command under GNU time; returns (wall s, cpu s, peak RSS KiB,
    exit code) of that process alone. (Python's own rusage would count the
    forked interpreter's memory before exec.) `stdin`: a file to read.
    `stdout`: an open file for its output (discarded otherwise).
    For a shell running other programs, CPU covers them all and peak RSS is
    the largest one's."""
    with tempfile.NamedTemporaryFile("r") as report:
        source = open(stdin, "rb") if stdin else subprocess.DEVNULL
        start = time.perf_counter()
        code = subprocess.run(
            ["/usr/bin/time", "-f", "%U %S %M", "-o", report.name] + args,
            stdin=source, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "WINRM_PASSWORD": "demo-pass"}).returncode
        if stdin:
            source.close()
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


GET_ENVELOPE = """<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" \
xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" \
xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>\
<a:To>http://127.0.0.1:{port}/wsman</a:To>\
<w:ResourceURI s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service</w:ResourceURI>\
<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>\
<a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action>\
<w:MaxEnvelopeSize s:mustUnderstand="true">512000</w:MaxEnvelopeSize>\
<a:MessageID>uuid:00000000-0000-0000-0000-000000000001</a:MessageID>\
<w:OperationTimeout>PT60.000S</w:OperationTimeout>\
<w:SelectorSet><w:Selector Name="Name">Spooler</w:Selector></w:SelectorSet>\
</s:Header><s:Body/></s:Envelope>"""


def have_pypsrp():
    return python_with("pypsrp.wsman") is not None


def peer_rows(port, runs, winrm_get_s):
    """One Get through curl and pypsrp, beside winrm's."""
    rows = []
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as envelope:
        envelope.write(GET_ENVELOPE.format(port=port))
    try:
        curl = ["curl", "-s", "-o", "/dev/null", "-u", "demo:demo-pass", "-H",
                "Content-Type: application/soap+xml;charset=UTF-8",
                "--data-binary", "@" + envelope.name, f"http://127.0.0.1:{port}/wsman"]
        try:
            curl_s = mean_time(curl, runs)
            rows.append(("get: curl POSTing the same envelope", f"{curl_s * 1000:.2f} ms",
                         f"winrm/curl {winrm_get_s / curl_s:.2f}x (target <= 1.2x)", ""))
        except FileNotFoundError:
            rows.append(("get: curl", "not installed", "", ""))
    finally:
        os.unlink(envelope.name)
    if have_pypsrp():
        peer = [python_with("pypsrp.wsman"), os.path.join(ROOT, "tests", "peer_pypsrp.py"), "get",
                str(port)]
        rows.append(("get: pypsrp (new process)",
                     f"{mean_time(peer, max(3, runs // 10)) * 1000:.2f} ms", "", ""))
    else:
        rows.append(("get: pypsrp", "skipped: pip install pypsrp", "", ""))
    return rows


def python_with(module):
    """The first Python that imports `module` (this one, or Debian's, where
    .ci/run installs the peers), or None."""
    for python in (sys.executable, "/usr/bin/python3"):
        try:
            ok = subprocess.run([python, "-c", f"import {module}"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode == 0
        except FileNotFoundError:
            ok = False
        if ok:
            return python
    return None


def exec_rows(runs):
    """`winrm exec` beside pywinrm and pypsrp on the same jobs."""
    rows = []
    proc, port = start_listener(10)
    conn = ["-r:127.0.0.1:%d" % port, "-u:demo", "-a:basic", "-unencrypted"]
    pythons = {name: python_with(module) for name, module in
               (("pywinrm", "winrm"), ("pypsrp", "pypsrp.shell"))}
    peers = [name for name, python in pythons.items() if python]
    for name in set(pythons) - set(peers):
        rows.append((f"exec: {name}", "skipped: pip install " + name, "", ""))
    peer = os.path.join(ROOT, "tests", "peer_shell.py")
    try:
        winrm_s = mean_time([WINRM, "exec"] + conn + ["hostname"], runs)
        rows.append(("exec hostname (new process)", f"{winrm_s * 1000:.2f} ms", "", ""))
        fastest = None
        for name in peers:
            s = mean_time([pythons[name], peer, name, "hostname", str(port)], max(3, runs // 10))
            rows.append((f"exec hostname: {name}", f"{s * 1000:.2f} ms", "", ""))
            fastest = s if fastest is None else min(fastest, s)
        if fastest:
            rows.append(("  wall, winrm / fastest peer", f"1/{fastest / winrm_s:.1f}",
                         "(target <= 1/10)", ""))
        with tempfile.NamedTemporaryFile("wb", delete=False) as data:
            line = b"the quick brown fox jumps over the lazy dog 0123456789\n"
            for _ in range(100_000_000 // len(line) + 1):
                data.write(line)
        try:
            jobs = [
                ("10 MB of stdout", ["bigout", "10000000"], None),
                ("100 MB of stdout", ["bigout", "100000000"], None),
                ("100 MB of stdin", ["findstr", "zzzzzz"], data.name),
            ]
            for what, command, stdin in jobs:
                cpus = {}
                args = [WINRM, "exec"] + conn + command
                wall, cpu, rss, code = run_measured(args, stdin)
                rows.append((f"exec, {what}", f"{wall:.3f} s{exit_note(code, command)}",
                             f"{cpu:.3f} s", f"{rss / 1024:.1f} MiB"))
                for name in peers:
                    job = ["stdin", stdin] if stdin else ["bigout", command[1]]
                    pwall, pcpu, prss, pcode = run_measured(
                        [pythons[name], peer, name] + job + [str(port)])
                    cpus[name] = pcpu
                    rows.append((f"exec, {what}: {name}", f"{pwall:.3f} s{exit_note(pcode, command)}",
                                 f"{pcpu:.3f} s", f"{prss / 1024:.1f} MiB"))
                if cpus and "100 MB" in what:
                    best = min(cpus.values())
                    rows.append(("  client CPU, winrm / best peer", f"1/{best / cpu:.1f}",
                                 "(target <= 1/10)", ""))
        finally:
            os.unlink(data.name)
    finally:
        proc.terminate()
        proc.wait()
    return rows


OS_CLASS = "wmicimv2/Win32_OperatingSystem"


def fleet_parallelism(override):
    """The -parallel a fleet run uses: `override`, or the default `winrm
    --help` states, or None when it states none."""
    if override:
        return override
    text = subprocess.run([WINRM, "get", "--help"], capture_output=True, text=True).stdout
    found = re.search(r"--parallel\b.{0,300}?default:? (\d+)", text, re.S | re.I)
    return int(found.group(1)) if found else None


def answered(path):
    """How many hosts a run's output shows answering (text format)."""
    with open(path) as out:
        return sum(1 for line in out if "CSName = WIN-" in line)


def fleet_rows(hosts, parallel, delay_ms):
    """One fleet run, a shell loop of single runs and a pypsrp loop, against
    the same `hosts` simulated endpoints of one listener process, whose
    replies each wait `delay_ms`."""
    rows = []
    proc, urls = start_listener(10, fleet=hosts, delay_ms=delay_ms)
    label = f"fleet {hosts}" + (f" +{delay_ms}ms" if delay_ms else "")
    auth = ["-u:demo", "-a:basic", "-unencrypted"]
    tmp = tempfile.mkdtemp(prefix="winrm-bench-fleet-")
    targets = os.path.join(tmp, "targets")
    with open(targets, "w") as f:
        f.write("".join(u + "\n" for u in urls))
    two = os.path.join(tmp, "two")
    with open(two, "w") as f:
        f.write("".join(u + "\n" for u in urls[:2]))
    output = os.path.join(tmp, "out")

    def measured(what, args):
        with open(output, "w") as out:
            wall, cpu, rss, code = run_measured(args, stdout=out)
        got = answered(output)
        status = "" if code == 0 else f" (exit {code})"
        if got != hosts:
            status += f" ({got} of {hosts} answered)"
        rows.append((what, f"{wall:.3f} s{status}", f"{cpu:.3f} s",
                     f"{rss / 1024:.1f} MiB"))
        return wall, rss

    try:
        env = {**os.environ, "WINRM_PASSWORD": "demo-pass"}
        # Host times: single runs, one after the other, each timed.
        host_s = []
        for url in urls:
            start = time.perf_counter()
            subprocess.run([WINRM, "get", OS_CLASS, "-r:" + url] + auth, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            host_s.append(time.perf_counter() - start)
        median = statistics.median(host_s)
        slowest = max(host_s)

        probe = subprocess.run([WINRM, "get", OS_CLASS, "-r:@" + two] + auth, env=env,
                               capture_output=True, text=True)
        fleet_ok = probe.returncode == 0 and all(
            f"CSName = WIN-{i:04}" in probe.stdout for i in (1, 2))
        n = fleet_parallelism(parallel) if fleet_ok else None
        if fleet_ok:
            extra = ["--parallel", str(parallel)] if parallel else []
            wall, rss = measured(f"{label}: winrm -r:@targets (N={n or '?'})",
                                 [WINRM, "get", OS_CLASS, "-r:@" + targets] + auth + extra)
        else:
            rows.append(("winrm fleet: not supported by this build", "", "", ""))
        loop = ('while read -r url; do "$0" get %s -r:"$url" %s; done < "$1"'
                % (OS_CLASS, " ".join(auth)))
        measured(f"{label}: shell loop of winrm runs", ["sh", "-c", loop, WINRM, targets])
        python = python_with("pypsrp.wsman")
        if python:
            measured(f"{label}: pypsrp loop, one per host",
                     [python, os.path.join(ROOT, "tests", "peer_pypsrp.py"), "fleet", targets])
        else:
            rows.append(("fleet: pypsrp", "skipped: pip install pypsrp", "", ""))
        rows.append(("  host (single run): median / slowest",
                     f"{median * 1000:.2f} ms", f"{slowest * 1000:.2f} ms", ""))
        if fleet_ok:
            rows.append(("  target: wall < 2 s", f"{wall:.3f} s",
                         "met" if wall < 2 else "MISSED", ""))
            rows.append(("  target: peak RSS < 64 MiB", f"{rss / 1024:.1f} MiB",
                         "met" if rss < 64 * 1024 else "MISSED", ""))
            if n:
                bound = slowest + hosts / n * median
                rows.append((f"  slowest + {hosts}/N x median (N={n})", f"{bound:.3f} s",
                             f"wall {wall / bound:.2f}x",
                             "met" if wall <= 2 * bound else "MISSED (>2x)"))
            else:
                rows.append(("  slowest + hosts/N x median", "N unknown: --fleet-parallel",
                             "", ""))
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def exit_note(code, command):
    # findstr finding nothing exits 1, as on Windows.
    ok = code == 0 or (command[0] == "findstr" and code == 1)
    return "" if ok else f" (exit {code})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="enumeration sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=100, help="runs for the short timings")
    parser.add_argument("--formats", default="text,xml,json,jsonl,table",
                        help="output formats to enumerate to, comma-separated")
    parser.add_argument("--only", choices=["all", "exec", "wsman", "fleet"], default="all",
                        help="just the remote-command rows, the WS-Man ones or the fleet ones")
    parser.add_argument("--hosts", type=int, default=200,
                        help="simulated hosts in the fleet rows")
    parser.add_argument("--fleet-parallel", type=int,
                        help="--parallel for the fleet run (default: winrm's own)")
    parser.add_argument("--fleet-delays", default="0,20",
                        help="ms each simulated host waits before a reply, one fleet case "
                             "per value, comma-separated")
    args = parser.parse_args()
    build()
    sizes = [int(s) for s in args.sizes.split(",")]

    rows = []
    rows.append(("winrm --help", f"{mean_time([WINRM, '--help'], args.runs) * 1000:.2f} ms", "", ""))
    if args.only in ("all", "exec"):
        rows.extend(exec_rows(args.runs))

    if args.only in ("all", "fleet"):
        for delay in [int(d) for d in args.fleet_delays.split(",")]:
            rows.extend(fleet_rows(args.hosts, args.fleet_parallel, delay))

    if args.only in ("all", "wsman"):
        proc, port = start_listener(max(sizes))
        try:
            conn = ["-r:127.0.0.1:%d" % port, "-u:demo", "-a:basic", "-unencrypted"]
            get = [WINRM, "get", "wmicimv2/Win32_Service?Name=Spooler"] + conn
            winrm_get_s = mean_time(get, args.runs)
            rows.append(("get (one round trip, new process)",
                         f"{winrm_get_s * 1000:.2f} ms", "", ""))
            rows.extend(peer_rows(port, args.runs, winrm_get_s))
            for n in sorted(sizes):
                # The listener serves its first n services for this filter-free
                # enumeration only when n equals its size, so restart per size.
                proc.terminate()
                proc.wait()
                proc, port = start_listener(n)
                conn[0] = "-r:127.0.0.1:%d" % port
                winrm_xml_cpu = None
                for fmt in args.formats.split(","):
                    if fmt == "table" and n > 10000:
                        continue
                    cmd = [WINRM, "e", "wmicimv2/Win32_Service", "--max-elements", "100",
                           "-format:" + fmt] + conn
                    wall, cpu, rss, code = run_measured(cmd)
                    status = "" if code == 0 else f" (exit {code})"
                    rows.append((f"enumerate {n:,} (MaxElements 100, {fmt})",
                                 f"{wall:.3f} s{status}", f"{cpu:.3f} s", f"{rss / 1024:.1f} MiB"))
                    if fmt == "xml":
                        winrm_xml_cpu = cpu
                if n == 10000 and have_pypsrp():
                    peer = [python_with("pypsrp.wsman"),
                            os.path.join(ROOT, "tests", "peer_pypsrp.py"), "enumerate", str(port)]
                    wall, cpu, rss, code = run_measured(peer)
                    status = "" if code == 0 else f" (exit {code})"
                    rows.append((f"enumerate {n:,}: pypsrp (xml out)", f"{wall:.3f} s{status}",
                                 f"{cpu:.3f} s", f"{rss / 1024:.1f} MiB"))
                    if winrm_xml_cpu:
                        rows.append(("  client CPU, winrm xml / pypsrp",
                                     f"1/{cpu / winrm_xml_cpu:.1f}", "(target <= 1/15)", ""))

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
