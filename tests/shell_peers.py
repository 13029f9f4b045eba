#!/usr/bin/env python3
"""Drives the simulated listener's WinRS shell with two clients known to work
against real Windows, pywinrm and pypsrp, to show the listener answers the way
they expect (tests/it/shell_listener.rs runs it).

  shell_peers.py pywinrm PORT     winrm.Protocol and winrm.Session
  shell_peers.py pypsrp PORT      pypsrp.shell.WinRS/Process and Client

Basic over plain HTTP (user demo, password from WINRM_PASSWORD). The listener
must run with Config::shell_tick = TICK seconds (env SHELL_TICK, default 0.2).
Each scenario asserts what it saw and prints "ok NAME"; any failure raises and
exits non-zero. Every shell opened is closed again.
"""

import os
import sys
import time
import xml.etree.ElementTree as ET

PASSWORD = os.environ.get("WINRM_PASSWORD", "demo-pass")
TICK = float(os.environ.get("SHELL_TICK", "0.2"))
CTRL_C_EXIT = 0xC000013A  # Windows reports exit codes as unsigned DWORDs


def check(what, got, want):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def done(name):
    print("ok " + name, flush=True)


def pywinrm(port):
    import winrm
    from winrm.exceptions import WinRMOperationTimeoutError, WSManFaultError

    url = "http://127.0.0.1:%d/wsman" % port
    session = winrm.Session(url, auth=("demo", PASSWORD), transport="plaintext")
    r = session.run_cmd("ipconfig", ["/all"])
    check("ipconfig rc", r.status_code, 0)
    assert b"Windows IP Configuration\r\n" in r.std_out, r.std_out
    assert b"Host Name . . . . . . . . . . . . : WIN-TEST01\r\n" in r.std_out, r.std_out
    done("run_cmd ipconfig /all")

    p = winrm.Protocol(url, transport="plaintext", username="demo", password=PASSWORD)

    def run(shell, command, args=(), stdin=None):
        cid = p.run_command(shell, command, args)
        if stdin is not None:
            p.send_command_input(shell, cid, stdin, end=True)
        out = p.get_command_output(shell, cid)
        p.cleanup_command(shell, cid)
        return out

    shell = p.open_shell(working_directory="C:\\work", env_vars={"GREETING": "hello world"},
                         codepage=65001)
    check("cd", run(shell, "cd"), (b"C:\\work\r\n", b"", 0))
    check("set", run(shell, "set GREETING"), (b"GREETING=hello world\r\n", b"", 0))
    check("%VAR%", run(shell, "echo %GREETING%!"), (b"hello world!\r\n", b"", 0))
    check("hostname", run(shell, "hostname"), (b"WIN-TEST01\r\n", b"", 0))
    # cmd keeps the blank before a redirection.
    check("stderr", run(shell, "echo err 1>&2"), (b"", b"err \r\n", 0))
    check("exit /b", run(shell, "exit /b 7"), (b"", b"", 7))
    check("cmd /c exit", run(shell, "cmd", ["/c", "exit", "-1073741510"]), (b"", b"", CTRL_C_EXIT))
    check("exit -1", run(shell, "exit /b -1")[2], 0xFFFFFFFF)
    check("unknown", run(shell, "nosuch"), (b"", b"'nosuch' is not recognized as an internal or "
                                            b"external command,\r\noperable program or batch file.\r\n", 1))
    check("list", run(shell, "echo a & echo b && nosuch || echo c")[0], b"a \r\nb \r\nc\r\n")
    check("utf-8", run(shell, "echo caf\u00e9")[0], b"caf\xc3\xa9\r\n")
    done("commands in one shell (cd, set, echo, stderr, exit codes, unknown)")

    check("findstr", run(shell, "findstr", ["hello"], b"hello world\r\nbye\r\nhello again\r\n"),
          (b"hello world\r\nhello again\r\n", b"", 0))
    check("findstr miss", run(shell, "findstr", ["zzz"], b"abc\r\n")[2], 1)
    check("sort", run(shell, "sort", (), b"pear\r\napple\r\nfig\r\n")[0], b"apple\r\nfig\r\npear\r\n")
    check("type con", run(shell, "type con", (), b"raw \x00 bytes")[0], b"raw \x00 bytes")
    done("stdin round trip (findstr, sort, type con)")

    # Output streams: a Receive returns what is there, one ping line per tick.
    cid = p.run_command(shell, "ping", ["-n", "4", "127.0.0.1"])
    pieces, started = [], time.time()
    while True:
        out, err, rc, finished = p.get_command_output_raw(shell, cid)
        if out:
            pieces.append(out)
        if finished:
            break
    p.cleanup_command(shell, cid)
    check("ping rc", rc, 0)
    text = b"".join(pieces)
    check("ping replies", text.count(b"Reply from 127.0.0.1"), 4)
    assert len(pieces) >= 3, "ping output came in %d piece(s), not streamed" % len(pieces)
    assert time.time() - started >= 3 * TICK * 0.9, "ping finished too fast"
    done("ping streams (%d Receives with output)" % len(pieces))

    # An OperationTimeout shorter than the command: w:TimedOut, polled again.
    slow = winrm.Protocol(url, transport="plaintext", username="demo", password=PASSWORD,
                          operation_timeout_sec=1, read_timeout_sec=3)
    cid = slow.run_command(shell, "timeout", ["/t", str(int(2.5 / TICK))])
    timeouts = 0
    while True:
        try:
            out, err, rc, finished = slow.get_command_output_raw(shell, cid)
        except WinRMOperationTimeoutError:
            timeouts += 1
            continue
        if finished:
            break
    slow.cleanup_command(shell, cid)
    check("timeout rc", rc, 0)
    assert timeouts >= 1, "no w:TimedOut fault was seen"
    done("Receive w:TimedOut polled through (%d timeouts)" % timeouts)

    try:
        p.run_command("00000000-0000-0000-0000-000000000000", "hostname")
        raise AssertionError("a made-up ShellId was accepted")
    except WSManFaultError as e:
        check("unknown shell code", e.wsman_fault_code, 2150858843)
        check("unknown shell subcode", e.fault_subcode, "w:InvalidSelectors")
    done("unknown ShellId is w:InvalidSelectors 2150858843")
    p.close_shell(shell)

    shell = p.open_shell(codepage=437)
    check("cp437", run(shell, "echo caf\u00e9")[0], b"caf\x82\r\n")
    p.close_shell(shell)
    done("code page 437")

    r = session.run_ps('Write-Output "hello"; Write-Error "boom"')
    check("run_ps stdout", r.std_out, b"hello\r\n")
    check("run_ps rc", r.status_code, 1)
    # pywinrm turned the #< CLIXML error stream into text.
    assert r.std_err.startswith(b'Write-Error "boom" : boom\n'), r.std_err
    assert b"FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException" in r.std_err
    r = session.run_ps("Get-Service | Where Status -eq Running; exit 3")
    check("Get-Service rc", r.status_code, 3)
    assert b"Running  WinRM" in r.std_out and b"Stopped" not in r.std_out, r.std_out
    done("run_ps (Write-Output, Write-Error as CLIXML, Get-Service | Where, exit)")


def pypsrp(port):
    from pypsrp.client import Client
    from pypsrp.exceptions import WSManFaultError
    from pypsrp.shell import Process, SignalCode, WinRS
    from pypsrp.wsman import NAMESPACES, WSMan

    def connect(**kw):
        return WSMan("127.0.0.1", port=port, username="demo", password=PASSWORD, ssl=False,
                     auth="basic", encryption="never", **kw)

    client = Client("127.0.0.1", port=port, username="demo", password=PASSWORD, ssl=False,
                    auth="basic", encryption="never")
    out, err, rc = client.execute_cmd("ipconfig /all")
    check("execute_cmd rc", rc, 0)
    assert "Windows IP Configuration" in out and err == "", (out, err)
    out, err, rc = client.execute_cmd("echo %FOO%", environment={"FOO": "bar"})
    check("execute_cmd env", (out, err, rc), ("bar\r\n", "", 0))
    done("Client.execute_cmd (ends with ctrl_c, then Delete)")

    wsman = connect()
    with WinRS(wsman, working_directory="D:\\data", environment={"A": "1"}) as shell:
        proc = Process(shell, "cmd.exe", ["/c", "echo out & echo err>&2 & exit 1"])
        proc.invoke()
        proc.signal(SignalCode.TERMINATE)
        check("stdout", proc.stdout, b"out \r\n")
        # The blanks before & stay, as in fixture cmd-receive-stderr-exitcode.
        check("stderr", proc.stderr, b"err \r\n")
        check("rc", proc.rc, 1)

        proc = Process(shell, "cd")
        proc.invoke()
        proc.signal(SignalCode.TERMINATE)
        check("cd", proc.stdout, b"D:\\data\r\n")

        proc = Process(shell, "findstr", ["/i", "HELLO"])
        proc.begin_invoke()
        proc.send(b"Hello there\r\n", end=False)
        proc.send(b"goodbye\r\nhello again\r\n", end=True)
        proc.end_invoke()
        proc.signal(SignalCode.TERMINATE)
        check("findstr", (proc.stdout, proc.rc), (b"Hello there\r\nhello again\r\n", 0))

        proc = Process(shell, "powershell", ["-NoProfile", "-NonInteractive", "-Command", "-"])
        proc.begin_invoke()
        proc.send(b'Write-Output "from stdin"\r\n$env:A\r\nexit 4\r\n', end=True)
        proc.end_invoke()
        proc.signal(SignalCode.TERMINATE)
        check("powershell -Command -", (proc.stdout, proc.rc), (b"from stdin\r\n1\r\n", 4))
        done("WinRS + Process (stderr, exit code, cwd, stdin in two Sends, powershell -Command -)")

        proc = Process(shell, "ping", ["-n", "3", "127.0.0.1"])
        proc.begin_invoke()
        seen = []
        while proc.state != "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done":
            proc.poll_invoke()
            seen.append(proc.stdout.count(b"Reply from"))
        proc.signal(SignalCode.TERMINATE)
        check("ping replies", seen[-1], 3)
        assert len(seen) >= 3 and seen[0] < 3, "ping did not stream: %r" % seen
        done("ping streams through poll_invoke %r" % seen)

        # Ctrl-C while a Receive waits: ctrl_c, the pending output, then terminate.
        proc = Process(shell, "timeout", ["/t", "300"])
        proc.begin_invoke()
        proc.poll_invoke(timeout=1)  # w:TimedOut, swallowed by pypsrp
        check("still running", proc.rc, None)
        proc.signal(SignalCode.CTRL_C)
        proc.end_invoke()
        proc.signal(SignalCode.TERMINATE)
        check("ctrl_c rc", proc.rc, CTRL_C_EXIT)
        assert proc.stdout.endswith(b"^C"), proc.stdout
        done("Ctrl-C stops timeout /t 300 (rc 0x%X)" % proc.rc)

        try:
            Process(shell, "powershell.exe", ["Write-Host", "hi"], no_shell=True).invoke()
            raise AssertionError("WINRS_SKIP_CMD_SHELL with a bare name was accepted")
        except WSManFaultError as e:
            check("skip cmd shell code", e.code, 2147942402)
            check("provider", e.provider, "Shell cmd plugin")
        proc = Process(shell, "C:\\Windows\\System32\\HOSTNAME.EXE", no_shell=True)
        proc.invoke()
        proc.signal(SignalCode.TERMINATE)
        check("direct hostname", proc.stdout, b"WIN-TEST01\r\n")
        done("WINRS_SKIP_CMD_SHELL (bare name: file not found fault; full path runs)")

        proc = Process(shell, "bigout", ["3000000"])
        started = time.time()
        proc.invoke()
        proc.signal(SignalCode.TERMINATE)
        check("bigout bytes", len(proc.stdout), 3000000)
        done("bigout 3000000 bytes in %.2fs" % (time.time() - started))

        state = shell._get_shell()
        check("Get shell id", state["ShellId"], shell.id)
        check("Get shell state", state["State"], "Connected")
        # As pypsrp's own shell listing does (fixture enumerate-shells-optimized);
        # an empty Enumerate body is a fault on Windows (pypsrp#193).
        request = ET.Element("{%s}Enumerate" % NAMESPACES["wsen"])
        ET.SubElement(request, "{%s}OptimizeEnumeration" % NAMESPACES["wsman"])
        ET.SubElement(request, "{%s}MaxElements" % NAMESPACES["wsman"]).text = "32000"
        items = wsman.enumerate("http://schemas.microsoft.com/wbem/wsman/1/windows/shell", request)
        ids = [e.text for e in items.iter("{http://schemas.microsoft.com/wbem/wsman/1/windows/shell}ShellId")]
        check("enumerated shells", ids, [shell.id])
        done("Get and Enumerate of windows/shell")


def main():
    client, port = sys.argv[1], int(sys.argv[2])
    {"pywinrm": pywinrm, "pypsrp": pypsrp}[client](port)


if __name__ == "__main__":
    main()
