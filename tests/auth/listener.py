#!/usr/bin/env python3
"""Authenticating front for the winrm integration tests.

Accepts Negotiate (NTLM inside SPNEGO, or raw NTLM) through pyspnego (with
--ntlm-scheme, raw NTLM under the `NTLM` scheme instead), and,
with --kerberos, raw Kerberos and Negotiate (Kerberos inside SPNEGO) through
MIT's GSSAPI via Debian's python3-gssapi (the acceptor key comes from
KRB5_KTNAME): implementations we did not write. Over HTTP it requires MS-WSMV message
encryption and parses/builds the multipart/encrypted framing itself; over
HTTPS it checks the tls-server-end-point channel binding. Decrypted SOAP is
forwarded to a backend (the Rust simulated listener) with Basic auth, and
the reply is sealed on the way back.

Every event is appended as one JSON line to --log: which TCP connection
(numbered in accept order) carried which handshake leg and which request,
so tests can assert "authenticated exactly once" and "no handshake crossed
connections".

With --client-ca (HTTPS only) it is instead a client-certificate endpoint:
the TLS handshake requires a certificate that CA signed, and each request
must carry the https/mutual Authorization header.

With --credssp it accepts CredSSP instead, through pyspnego's CredSSP
acceptor (its own TLS session with a self-signed certificate it generates,
SPNEGO/NTLM inside): handshake legs in `CredSSP` headers, and over HTTP the
`application/HTTP-CredSSP-session-encrypted` sealing, replies over 16 KiB
split into 16 KiB parts as `multipart/x-multi-encrypted`.

Modes: --tamper N flips one byte in the Nth sealed reply; --close-after N
drops the connection (without answering) when the Nth SOAP request arrives;
--early-413 N answers 413 in clear text, unread, to a body over N bytes.
"""

import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import socketserver
import ssl
import sys
import threading
import urllib.request

import spnego
from spnego.channel_bindings import GssChannelBindings

try:
    import gssapi
    import gssapi.raw as gss_raw
except ImportError:  # only --kerberos needs it
    gssapi = None

BOUNDARY = b"Encrypted Boundary"
CREDSSP = "application/HTTP-CredSSP-session-encrypted"
CREDSSP_CHUNK = 16384
MUTUAL = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"
LOCK = threading.Lock()
COUNTERS = {"conn": 0, "soap": 0, "sealed": 0}


def log(args, **event):
    with LOCK, open(args.log, "a", encoding="utf-8") as f:
        f.write(json.dumps(event) + "\n")


def cert_binding(der):
    # RFC 5929: SHA-256 unless the certificate is signed with SHA-384/512.
    from cryptography import x509
    cert = x509.load_der_x509_certificate(der)
    name = cert.signature_hash_algorithm.name if cert.signature_hash_algorithm else "sha256"
    algo = {"sha384": hashlib.sha384, "sha512": hashlib.sha512}.get(name, hashlib.sha256)
    return b"tls-server-end-point:" + algo(der).digest()


def split_parts(content_type, body):
    """MS-WSMV multipart/encrypted → [(protocol, length, header, data)]."""
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    boundary = m.group(1).encode() if m else BOUNDARY
    pieces = re.split(b"--\\s*" + re.escape(boundary) + b"(?:--)?\\r\\n", body)
    pieces = [p for p in pieces if p]
    if len(pieces) % 2:
        raise ValueError("odd number of MIME parts")
    out = []
    for meta, data in zip(pieces[0::2], pieces[1::2]):
        fields = {}
        for line in meta.split(b"\r\n"):
            if b":" in line:
                k, v = line.strip().split(b":", 1)
                fields[k.strip().lower()] = v.strip().decode()
        length = int(re.search(r"Length=(\d+)", fields[b"originalcontent"]).group(1))
        prefix = b"Content-Type: application/octet-stream\r\n"
        data = data.lstrip(b"\t")
        if not data.startswith(prefix):
            raise ValueError("data part is not application/octet-stream")
        blob = data[len(prefix):]
        hlen = int.from_bytes(blob[:4], "little")
        out.append((fields.get(b"content-type"), length, blob[4:4 + hlen], blob[4 + hlen:]))
    return out


def build_parts(protocol, original_type, sealed):
    body = b""
    for length, header, data in sealed:
        body += (b"--" + BOUNDARY + b"\r\nContent-Type: " + protocol.encode() + b"\r\n"
                 + b"OriginalContent: type=" + original_type.encode()
                 + b";Length=" + str(length).encode() + b"\r\n--" + BOUNDARY + b"\r\n"
                 + b"Content-Type: application/octet-stream\r\n"
                 + len(header).to_bytes(4, "little") + header + data)
    return body + b"--" + BOUNDARY + b"--\r\n"


class GssAcceptor:
    """MIT GSSAPI behind the same small interface pyspnego's contexts offer.

    MS-WSMV sealing with Kerberos is GSS_Wrap split in two: the token header
    (which, with AES, also carries the rotated checksum) goes in front of
    the encrypted data. GSS_WrapEx/UnwrapEx with IOV buffers do that split.
    """

    def __init__(self, binding, spnego_mech):
        cb = None
        if binding is not None:
            cb = gss_raw.ChannelBindings(application_data=binding)
        self.binding = cb
        self.ctx = gssapi.SecurityContext(usage="accept", channel_bindings=cb)
        self.spnego = spnego_mech

    @property
    def complete(self):
        return self.ctx.complete

    @property
    def client_principal(self):
        return self.ctx.initiator_name

    @property
    def negotiated_protocol(self):
        # The mechanism MIT settled on, named as the tests expect it.
        mech = self.ctx.mech.dotted_form
        krb5 = mech == "1.2.840.113554.1.2.2"
        return ("spnego-" if self.spnego else "") + ("kerberos" if krb5 else mech)

    def step(self, token):
        out = self.ctx.step(token) or b""
        # python-gssapi returns the error token of a failed step and raises
        # the failure on the next use of the context: raise it here.
        _ = self.ctx.complete
        return out

    def wrap_winrm(self, data):
        iov = gss_raw.IOV(gss_raw.IOVBufferType.header, data, gss_raw.IOVBufferType.padding,
                          std_layout=False)
        gss_raw.wrap_iov(self.ctx, iov, confidential=True)
        header, body, padding = iov[0].value, iov[1].value, iov[2].value or b""
        return header, body + padding, len(padding)

    def unwrap_winrm(self, header, data):
        iov = gss_raw.IOV((gss_raw.IOVBufferType.header, False, header), data,
                          gss_raw.IOVBufferType.data, std_layout=False)
        gss_raw.unwrap_iov(self.ctx, iov)
        return iov[1].value or b""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with LOCK:
            COUNTERS["conn"] += 1
            self.conn_id = COUNTERS["conn"]
        self.ctx = None
        self.scheme = None
        self.legs = 0

    def log_message(self, *a):
        pass

    def reply(self, status, body=b"", content_type=None, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def challenge(self):
        if self.server.args.credssp:
            return self.reply(401, headers=[("WWW-Authenticate", "CredSSP")])
        # --ntlm-scheme: raw NTLM under its own word, as some non-Windows
        # WS-Man servers offer it.
        offered = [("WWW-Authenticate", "NTLM" if self.server.args.ntlm_scheme else "Negotiate")]
        if self.server.args.kerberos:
            offered.append(("WWW-Authenticate", "Kerberos"))
        offered.append(("WWW-Authenticate", 'Basic realm="WSMAN"'))
        self.reply(401, headers=offered)

    def do_POST(self):
        args = self.server.args
        length = int(self.headers.get("Content-Length", "0"))
        if args.early_413 and length > args.early_413:
            # Turn the upload away unread, in clear text, with words an
            # on-path party might have written; closing with it unread
            # makes the close a reset.
            log(args, conn=self.conn_id, event="early-413", size=length)
            self.close_connection = True
            return self.reply(413, b"Too large. Re-enter your password at http://evil.example/",
                              "text/plain")
        body = self.rfile.read(length)
        auth = self.headers.get("Authorization")
        if args.client_ca:
            if auth != MUTUAL:
                log(args, conn=self.conn_id, event="refused", reason="no https/mutual header")
                return self.reply(401)
            subject = dict(x[0] for x in self.connection.getpeercert().get("subject", ()))
            log(args, conn=self.conn_id, event="certificate", subject=subject.get("commonName", ""))
            return self.soap(body)
        if auth:
            scheme, _, token = auth.partition(" ")
            accepted = ("CredSSP",) if args.credssp else ("Negotiate", "Kerberos")
            if args.ntlm_scheme:
                accepted = ("NTLM",)
            if scheme not in accepted or (scheme == "Kerberos" and not args.kerberos):
                return self.challenge()
            if self.ctx is None or self.ctx.complete or self.scheme != scheme:
                cb = None
                if self.server.binding is not None:
                    cb = GssChannelBindings(application_data=self.server.binding)
                if args.credssp:
                    self.ctx = spnego.server(protocol="credssp", service="HTTP",
                                             hostname=args.hostname)
                elif args.kerberos:
                    self.ctx = GssAcceptor(self.server.binding, scheme == "Negotiate")
                else:
                    protocol = "ntlm" if scheme == "NTLM" else "negotiate"
                    self.ctx = spnego.server(protocol=protocol, channel_bindings=cb,
                                             service="HTTP", hostname=args.hostname)
                self.scheme = scheme
                self.legs = 0
            self.legs += 1
            try:
                out = self.ctx.step(base64.b64decode(token))
            except Exception as e:  # a refused token: wrong password, bad binding
                log(args, conn=self.conn_id, event="refused", scheme=scheme,
                    reason=type(e).__name__)
                self.ctx = None
                return self.challenge()
            log(args, conn=self.conn_id, event="leg", scheme=scheme, leg=self.legs,
                complete=self.ctx.complete,
                mech=str(getattr(self.ctx, "negotiated_protocol", "")))
            hdrs = [("WWW-Authenticate", scheme + " " + base64.b64encode(out).decode())] if out else []
            if not self.ctx.complete:
                return self.reply(401, headers=hdrs)
            delegated = ""
            if scheme == "CredSSP":
                creds = self.ctx.get_extra_info("client_credential")
                # The delegated user name only: never the password.
                delegated = "%s\\%s" % (getattr(creds, "domain_name", ""),
                                         getattr(creds, "username", ""))
            log(args, conn=self.conn_id, event="authenticated", scheme=scheme,
                user=str(self.ctx.client_principal), delegated=delegated)
            if not body:
                return self.reply(200, headers=hdrs)
        if self.ctx is None or not self.ctx.complete:
            return self.challenge()
        self.soap(body)

    def soap(self, body):
        args = self.server.args
        with LOCK:
            COUNTERS["soap"] += 1
            n = COUNTERS["soap"]
        content_type = self.headers.get("Content-Type", "")
        sealed = content_type.startswith("multipart/")
        log(args, conn=self.conn_id, event="soap", n=n, sealed=sealed, size=len(body),
            multi=content_type.startswith("multipart/x-multi-encrypted"))
        if args.close_after and n == args.close_after:
            log(args, conn=self.conn_id, event="closed", n=n)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if sealed:
            plain = b""
            original = "application/soap+xml;charset=UTF-8"
            for protocol, length, header, data in split_parts(content_type, body):
                want = self.protocol()
                if protocol != want:
                    return self.reply(400, b"wrong protocol " + str(protocol).encode())
                piece = self.ctx.unwrap_winrm(header, data)
                if len(piece) != length:
                    return self.reply(400, b"length mismatch")
                plain += piece
        elif self.server.binding is None and not args.allow_unencrypted:
            log(args, conn=self.conn_id, event="unencrypted-refused")
            return self.reply(500)
        else:
            plain = body
            original = content_type
        request = urllib.request.Request(args.backend, data=plain, method="POST", headers={
            "Content-Type": original,
            "Authorization": "Basic " + base64.b64encode(b"demo:demo-pass").decode()})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                status, answer, answer_type = r.status, r.read(), r.headers.get("Content-Type")
        except urllib.error.HTTPError as e:
            status, answer, answer_type = e.code, e.read(), e.headers.get("Content-Type")
        if not sealed:
            return self.reply(status, answer, answer_type)
        # CredSSP seals at most 16 KiB per part (MS-WSMV); the others seal
        # the whole message in one.
        size = CREDSSP_CHUNK if self.scheme == "CredSSP" else max(len(answer), 1)
        pieces = [answer[i:i + size] for i in range(0, len(answer), size)] or [b""]
        with LOCK:
            COUNTERS["sealed"] += 1
            m = COUNTERS["sealed"]
        sealed_parts = []
        for i, piece in enumerate(pieces):
            header, data, pad = self.ctx.wrap_winrm(piece)
            if args.tamper and m == args.tamper and i == len(pieces) - 1:
                data = bytes([data[0] ^ 1]) + data[1:]
                log(args, conn=self.conn_id, event="tampered", n=m)
            sealed_parts.append((len(piece) + pad, header, data))
        protocol = self.protocol()
        kind = "multipart/x-multi-encrypted" if len(sealed_parts) > 1 else "multipart/encrypted"
        log(args, conn=self.conn_id, event="sealed", n=m, parts=len(sealed_parts))
        out = build_parts(protocol, answer_type or "application/soap+xml;charset=UTF-8",
                          sealed_parts)
        self.reply(status, out, f'{kind};protocol="{protocol}";boundary="Encrypted Boundary"')

    def protocol(self):
        if self.scheme == "CredSSP":
            return CREDSSP
        if self.scheme == "Kerberos":
            return "application/HTTP-Kerberos-session-encrypted"
        return "application/HTTP-SPNEGO-session-encrypted"


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--backend", required=True)
    p.add_argument("--ready-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--hostname", default="localhost")
    p.add_argument("--kerberos", action="store_true",
                   help="accept Kerberos and SPNEGO through MIT GSSAPI (keytab: KRB5_KTNAME)")
    p.add_argument("--credssp", action="store_true",
                   help="accept CredSSP (pyspnego's acceptor, NTLM inside) instead of Negotiate")
    p.add_argument("--ntlm-scheme", action="store_true",
                   help="offer and accept raw NTLM as the NTLM scheme, not Negotiate")
    p.add_argument("--early-413", type=int, default=0,
                   help="answer 413 unread to any request with a body over this many bytes")
    p.add_argument("--allow-unencrypted", action="store_true")
    p.add_argument("--tamper", type=int, default=0)
    p.add_argument("--close-after", type=int, default=0)
    p.add_argument("--client-ca", help="require a client certificate signed by this CA")
    p.add_argument("--wrong-binding", action="store_true",
                   help="expect another certificate's channel binding (Strict CBT must refuse)")
    args = p.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.args = args
    server.binding = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        with open(args.cert, "rb") as f:
            der = ssl.PEM_cert_to_DER_cert(f.read().decode())
        server.binding = cert_binding(der)
        if args.wrong_binding:
            server.binding = b"tls-server-end-point:" + bytes(32)
    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.ready_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
