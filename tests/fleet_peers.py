#!/usr/bin/env python3
"""Drives every endpoint of a simulated fleet (`listener --endpoints N`) with
a client known to work against Windows, to show each endpoint answers as
its own host would (tests/it/fleet_listener.rs runs it and checks the lines).

  fleet_peers.py pywinrm TARGETS_FILE    winrm.Protocol: a WS-Transfer Get of
                                         Win32_OperatingSystem, then
                                         run_cmd("hostname")
  fleet_peers.py pypsrp TARGETS_FILE     pypsrp.wsman.WSMan.get of
                                         Win32_OperatingSystem

For each URL of TARGETS_FILE (one per line), in order, prints one line:
  URL ok CSNAME [HOSTNAME]             the host answered (pywinrm adds what
                                       `hostname` printed)
  URL refused | timeout | unauthorized | fault CODE | error TEXT
Basic over plain HTTP as user demo, password from WINRM_PASSWORD; every
wait is cut at 10 s, so a stalled endpoint shows as a timeout (long enough
that a healthy one on a loaded 2-core CI machine never does). The script
asserts nothing itself: the caller knows what each endpoint should do.
"""

import os
import sys
import xml.etree.ElementTree as ET

import requests

PASSWORD = os.environ.get("WINRM_PASSWORD", "demo-pass")
OS_URI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_OperatingSystem"
GET = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"


def csname(element):
    """The CSName inside a Win32_OperatingSystem instance element."""
    for e in element.iter():
        if e.tag.endswith("}CSName") or e.tag == "CSName":
            return e.text
    raise AssertionError("no CSName in " + ET.tostring(element, encoding="unicode")[:300])


def pywinrm(url):
    import xmltodict
    from winrm.exceptions import InvalidCredentialsError, WSManFaultError
    from winrm.protocol import Protocol

    p = Protocol(url, transport="plaintext", username="demo", password=PASSWORD,
                 read_timeout_sec=10, operation_timeout_sec=8)
    try:
        # pywinrm has no Get of its own: its header builder and transport,
        # the way its shell calls use them.
        request = {"env:Envelope": p._get_soap_header(action=GET, resource_uri=OS_URI)}
        request["env:Envelope"]["env:Body"] = {}
        reply = ET.fromstring(p.send_message(xmltodict.unparse(request)))
        name = csname(reply)
        session_out = p.open_shell()
        try:
            command = p.run_command(session_out, "hostname")
            out, _, code = p.get_command_output(session_out, command)
            p.cleanup_command(session_out, command)
        finally:
            p.close_shell(session_out)
        host = out.decode().strip() if code == 0 else "exit %d" % code
        return "ok %s %s" % (name, host)
    except InvalidCredentialsError:
        return "unauthorized"
    except WSManFaultError as e:
        return "fault %s" % e.wsman_fault_code
    except requests.exceptions.ConnectionError as e:
        return failure(e)
    except requests.exceptions.Timeout:
        return "timeout"


def pypsrp(url):
    from pypsrp.exceptions import AuthenticationError, WSManFaultError
    from pypsrp.wsman import WSMan

    rest = url.split("://", 1)[1]
    hostport, path = rest.split("/", 1)
    host, port = hostport.rsplit(":", 1)
    wsman = WSMan(host, port=int(port), path=path, username="demo", password=PASSWORD,
                  ssl=False, auth="basic", encryption="never", connection_timeout=10,
                  read_timeout=10, operation_timeout=8)
    try:
        body = wsman.get(OS_URI)
        return "ok %s" % csname(body)
    except AuthenticationError:
        return "unauthorized"
    except WSManFaultError as e:
        return "fault %s" % e.code
    except requests.exceptions.ConnectionError as e:
        return failure(e)
    except requests.exceptions.Timeout:
        return "timeout"
    finally:
        wsman.close()


def failure(error):
    """requests reports a read timeout on an open connection as a
    ConnectionError wrapping urllib3's ReadTimeoutError."""
    text = str(error)
    if "Connection refused" in text:
        return "refused"
    if "timed out" in text.lower():
        return "timeout"
    return "error " + text.replace("\n", " ")[:200]


def main():
    client, targets = sys.argv[1], sys.argv[2]
    drive = {"pywinrm": pywinrm, "pypsrp": pypsrp}[client]
    with open(targets) as f:
        urls = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    for url in urls:
        print("%s %s" % (url, drive(url)), flush=True)


if __name__ == "__main__":
    main()
