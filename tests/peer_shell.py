#!/usr/bin/env python3
"""The Python side of the remote-command benchmark (tests/bench.py): the same
jobs `winrm exec` does, through pywinrm and pypsrp, each in its own process.

  peer_shell.py pywinrm|pypsrp hostname PORT     run `hostname`, print stdout
  peer_shell.py pywinrm|pypsrp bigout N PORT      N bytes of stdout, to ours
  peer_shell.py pywinrm|pypsrp stdin FILE PORT    FILE to `findstr zzzzzz`

Basic over HTTP against the simulated listener (user demo); the password
comes from WINRM_PASSWORD. Both libraries gather a command's whole output
before returning it: that is how they are used, and what is measured.
"""

import os
import sys

PASSWORD = os.environ.get("WINRM_PASSWORD", "demo-pass")


def pywinrm(port, program, args, stdin=None):
    import winrm
    protocol = winrm.Protocol(f"http://127.0.0.1:{port}/wsman", transport="basic",
                              username="demo", password=PASSWORD,
                              server_cert_validation="ignore")
    shell = protocol.open_shell(codepage=65001)
    command = protocol.run_command(shell, program, args)
    if stdin is not None:
        with open(stdin, "rb") as f:
            chunk = f.read(256 * 1024)
            while chunk:
                nxt = f.read(256 * 1024)
                protocol.send_command_input(shell, command, chunk, end=not nxt)
                chunk = nxt
    out, err, code = protocol.get_command_output(shell, command)
    protocol.cleanup_command(shell, command)
    protocol.close_shell(shell)
    return out, code


def pypsrp(port, program, args, stdin=None):
    from pypsrp.shell import Process, WinRS
    from pypsrp.wsman import WSMan
    wsman = WSMan("127.0.0.1", port=port, username="demo", password=PASSWORD, ssl=False,
                  auth="basic", encryption="never", max_envelope_size=512000)
    with WinRS(wsman, codepage=65001) as shell:
        process = Process(shell, program, args)
        if stdin is None:
            process.invoke()
        else:
            process.begin_invoke()
            with open(stdin, "rb") as f:
                chunk = f.read(256 * 1024)
                while chunk:
                    nxt = f.read(256 * 1024)
                    process.send(chunk, end=not nxt)
                    chunk = nxt
            process.end_invoke()
        return process.stdout, process.rc


def main():
    client, job = sys.argv[1], sys.argv[2]
    run = {"pywinrm": pywinrm, "pypsrp": pypsrp}[client]
    if job == "hostname":
        out, _ = run(int(sys.argv[3]), "hostname", [])
    elif job == "bigout":
        out, _ = run(int(sys.argv[4]), "bigout", [sys.argv[3]])
    else:
        out, _ = run(int(sys.argv[4]), "findstr", ["zzzzzz"], stdin=sys.argv[3])
    sys.stdout.buffer.write(out)


if __name__ == "__main__":
    main()
