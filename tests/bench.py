#!/usr/bin/env python3
"""Benchmark: winrm against the simulated listener on loopback.

Measures what the closing notes report, side by side in one run:
  - `winrm --help` start-to-exit time (mean of many runs);
  - one Get round trip (mean of many runs);
  - enumerating N Win32_Service instances to /dev/null in each format
    (text, json, jsonl; table up to 10,000, since a table holds its rows):
    wall time, client CPU time and peak RSS, for several N, so a flat peak
    RSS shows the enumeration streams.

Side by side with the peers (skipped, with a note, when they are missing):
  - one Get: curl POSTing the same envelope, and pypsrp's WSMan client
    (tests/peer_pypsrp.py, `pip install pypsrp`), each in a new process;
  - the 10,000-instance enumeration through pypsrp, to compare client CPU.
The targets from issue 5 are printed beside the figures.

Run from the repository root:  python3 tests/bench.py [--sizes 10000,100000]
It builds the published binaries (the dist profile: release with fat LTO) first and needs GNU time (/usr/bin/time, Debian
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
WINRM = os.path.join(TARGET, "dist", "winrm")
LISTENER = os.path.join(TARGET, "dist", "examples", "listener")



def build():
    subprocess.run(
        ["cargo", "build", "--quiet", "--profile", "dist", "--bin", "winrm", "--example", "listener"],
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
    return subprocess.run([sys.executable, "-c", "import pypsrp.wsman"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


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
        peer = [sys.executable, os.path.join(ROOT, "tests", "peer_pypsrp.py"), "get", str(port)]
        rows.append(("get: pypsrp (new process)",
                     f"{mean_time(peer, max(3, runs // 10)) * 1000:.2f} ms", "", ""))
    else:
        rows.append(("get: pypsrp", "skipped: pip install pypsrp", "", ""))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="enumeration sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=100, help="runs for the short timings")
    parser.add_argument("--formats", default="text,xml,json,jsonl,table",
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
                peer = [sys.executable, os.path.join(ROOT, "tests", "peer_pypsrp.py"),
                        "enumerate", str(port)]
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
