#!/usr/bin/env python3
"""The pypsrp side of the peer benchmark (tests/bench.py): the same jobs
winrm does, through pypsrp's WSMan class, so both are timed on equal terms.

  peer_pypsrp.py get PORT          one Get of Win32_Service?Name=Spooler,
                                   printed as XML
  peer_pypsrp.py enumerate PORT    every Win32_Service (OptimizeEnumeration,
                                   MaxElements 100, Pull until the end), each
                                   item printed as XML, as -format:xml does
  peer_pypsrp.py fleet TARGETS     for each URL of TARGETS (one per line), a
                                   WSMan client of its own and a Get of
                                   Win32_OperatingSystem, printing
                                   "URL CSName = NAME": the loop people
                                   write today

Basic over HTTP against the simulated listener (user demo); the password
comes from WINRM_PASSWORD.
"""

import os
import sys
import xml.etree.ElementTree as ET

from pypsrp.wsman import NAMESPACES, SelectorSet, WSMan

SERVICE = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service"
OS = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_OperatingSystem"


def connect(port, host="127.0.0.1", path="wsman"):
    return WSMan(host, port=port, path=path, username="demo",
                 password=os.environ.get("WINRM_PASSWORD", "demo-pass"),
                 ssl=False, auth="basic", encryption="never", max_envelope_size=512000)


def get(wsman, out):
    selectors = SelectorSet()
    selectors.add_option("Name", "Spooler")
    body = wsman.get(SERVICE, selector_set=selectors)
    for item in body:
        out.write(ET.tostring(item, encoding="unicode"))
        out.write("\n")


def enumerate_all(wsman, out):
    wsen, ws = NAMESPACES["wsen"], NAMESPACES["wsman"]
    request = ET.Element("{%s}Enumerate" % wsen)
    ET.SubElement(request, "{%s}OptimizeEnumeration" % ws)
    ET.SubElement(request, "{%s}MaxElements" % ws).text = "100"
    reply = wsman.enumerate(SERVICE, resource=request)
    page = reply.find("wsen:EnumerateResponse", NAMESPACES)
    count = 0
    while True:
        items = page.find("wsman:Items", NAMESPACES)
        if items is None:
            items = page.find("wsen:Items", NAMESPACES)
        for item in items if items is not None else []:
            out.write(ET.tostring(item, encoding="unicode"))
            out.write("\n")
            count += 1
        if page.find("wsman:EndOfSequence", NAMESPACES) is not None or \
                page.find("wsen:EndOfSequence", NAMESPACES) is not None:
            return count
        context = page.find("wsen:EnumerationContext", NAMESPACES).text
        pull = ET.Element("{%s}Pull" % wsen)
        ET.SubElement(pull, "{%s}EnumerationContext" % wsen).text = context
        ET.SubElement(pull, "{%s}MaxElements" % wsen).text = "100"
        reply = wsman.pull(SERVICE, resource=pull)
        page = reply.find("wsen:PullResponse", NAMESPACES)


def fleet(targets, out):
    with open(targets) as f:
        urls = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    for url in urls:
        hostport, path = url.split("://", 1)[1].split("/", 1)
        host, port = hostport.rsplit(":", 1)
        with connect(int(port), host, path) as wsman:
            body = wsman.get(OS)
        name = next(e.text for e in body.iter() if e.tag.endswith("}CSName"))
        out.write("%s CSName = %s\n" % (url, name))


def main():
    if sys.argv[1] == "fleet":
        fleet(sys.argv[2], sys.stdout)
        return
    job, port = sys.argv[1], int(sys.argv[2])
    wsman = connect(port)
    if job == "get":
        get(wsman, sys.stdout)
    else:
        count = enumerate_all(wsman, sys.stdout)
        print(f"{count} items", file=sys.stderr)


if __name__ == "__main__":
    main()
