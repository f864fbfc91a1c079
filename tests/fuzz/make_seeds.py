#!/usr/bin/env python3
"""Regenerates the seed corpora of the fuzz targets from committed test data.

  python3 tests/fuzz/make_seeds.py   (from the repository root; overwrites seed_* files only)

cloud_export: one "file name\\ncontent" seed per export file, plus a NUL-joined folder.
pgwire: the recorded startup replies, alone and after an SSLRequest 'S'/'N' byte.
handshake_evidence: the frames of the lab captures as [link][len16][bytes] records.
dns_answer: hand-built responses like the lab resolver's (A, CNAME chain, NXDOMAIN,
SERVFAIL, AAAA, a CNAME loop, a compression pointer).
fleet_config: contrib/fleet.example.ini.
"""
import os
import struct

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed_" + name), "wb") as f:
        f.write(data)


def read(*parts):
    with open(os.path.join(ROOT, *parts), "rb") as f:
        return f.read()


def cloud():
    for provider in ("aws", "azure"):
        base = os.path.join("tests", "data", "cloud", provider, "base")
        joined = []
        for fn in sorted(os.listdir(os.path.join(ROOT, base))):
            if not fn.endswith(".json"):
                continue
            piece = fn.encode() + b"\n" + read(base, fn)
            put("cloud_export", provider + "_" + fn, piece)
            joined.append(piece)
        small = [p for p in joined if len(p) < 2200]
        put("cloud_export", provider + "_folder", b"\0".join(small))
    put("cloud_export", "malformed_describe-sgs.json",
        b"describe-sgs.json\n" + read("tests", "data", "cloud", "malformed", "describe-sgs.json"))
    put("cloud_export", "azure_lab_dns-links.json",
        b"dns-links.json\n" + read("tests", "lab", "cloud", "azure", "azure-chain-broken", "dns-links.json"))


def pgwire():
    d = os.path.join("tests", "data", "pgwire")
    for fn in sorted(os.listdir(os.path.join(ROOT, d))):
        if fn.endswith(".bin"):
            data = read(d, fn)
            put("pgwire", fn, data)
            put("pgwire", "S_" + fn, b"S" + data)
            put("pgwire", "N_" + fn, b"N" + data)


LINK_SELECTOR = {1: 0, 113: 1, 276: 2, 12: 3, 0: 4, 101: 5}


def pcap_frames(path):
    data = read(path)
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    frames = []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frames.append(data[off:off + incl])
        off += incl
    return link, frames


def handshake():
    d = os.path.join("tests", "data", "pcap")
    for fn in sorted(os.listdir(os.path.join(ROOT, d))):
        if not fn.endswith(".pcap"):
            continue
        link, frames = pcap_frames(os.path.join(d, fn))
        out = b""
        for fr in frames[:40]:
            out += bytes([LINK_SELECTOR.get(link, 0)]) + struct.pack(">H", len(fr)) + fr
        put("handshake_evidence", fn[:-5], out)


def dns_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_msg(qname, qtype, rcode, answers, flags=0x8180):
    hdr = struct.pack(">HHHHHH", 4242, flags | rcode, 1, len(answers), 0, 0)
    q = dns_name(qname) + struct.pack(">HH", qtype, 1)
    body = b""
    for owner, rtype, ttl, rdata in answers:
        body += dns_name(owner) + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata
    return hdr + q + body


def dns():
    neon = "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech"
    az = "labserver.postgres.database.azure.com"
    azpl = "labserver.privatelink.postgres.database.azure.com"
    a1 = bytes([10, 40, 2, 120])
    a2 = bytes([10, 40, 3, 118])
    put("dns_answer", "neon_a", dns_msg(neon, 1, 0, [(neon, 1, 60, a1), (neon, 1, 60, a2)]))
    put("dns_answer", "neon_public", dns_msg(neon, 1, 0, [(neon, 1, 60, bytes([3, 90, 12, 7]))]))
    put("dns_answer", "nxdomain", dns_msg(neon, 1, 3, []))
    put("dns_answer", "servfail", dns_msg(neon, 1, 2, []))
    put("dns_answer", "azure_chain", dns_msg(az, 1, 0, [(az, 5, 300, dns_name(azpl)), (azpl, 1, 10, a1)]))
    put("dns_answer", "azure_chain_broken", dns_msg(az, 1, 3, [(az, 5, 300, dns_name(azpl))]))
    put("dns_answer", "aaaa", dns_msg(neon, 28, 0, [(neon, 28, 60, bytes(15) + b"\x01")]))
    put("dns_answer", "cname_loop", dns_msg(az, 1, 0, [(az, 5, 300, dns_name(azpl)), (azpl, 5, 300, dns_name(az))]))
    # The answer's owner as a compression pointer to the question name (offset 12).
    ptr = struct.pack(">HHHHHH", 7, 0x8180, 1, 1, 0, 0) + dns_name(neon) + struct.pack(">HH", 1, 1)
    ptr += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + a1
    put("dns_answer", "compressed", ptr)


def fleet():
    put("fleet_config", "example.ini", read("contrib", "fleet.example.ini"))
    put("fleet_config", "small.ini",
        b"# fleet\ntimeout = 2s\n[target.neon]\nconninfo = \"host=ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech"
        b" user=app\"\nprovider = neon\n[ target.az_1 ]\nconninfo = host=labserver.postgres.database.azure.com\n")


if __name__ == "__main__":
    cloud()
    pgwire()
    handshake()
    dns()
    fleet()
