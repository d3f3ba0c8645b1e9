# A workload for the in-kernel address filter: N rounds, each asking a DNS server on
# 127.0.0.1:53 (its own thread, in the test's network namespace) for hI.zone.mining.test
# (answered 127.0.1.I) and hI.other.test (answered 127.0.2.I), and connecting to each answer
# at once, as a client does: the connect follows the answer by microseconds, before a watcher
# can have read the answer. With "connected", the client connect()s its socket to the server
# and uses send/recv without addresses, as glibc's resolver does. Usage: dns-burst.py N
# [connected]
import socket
import struct
import sys
import threading

n = int(sys.argv[1])
connected = sys.argv[2:] == ["connected"]


def answer_for(qname):
    host, rest = qname.split(".", 1)
    net = 1 if rest == "zone.mining.test" else 2
    return "127.0.%d.%d" % (net, int(host[1:]))


def read_name(data):
    labels, i = [], 12
    while data[i]:
        labels.append(data[i + 1:i + 1 + data[i]].decode())
        i += 1 + data[i]
    return ".".join(labels)


def serve(sock):
    for _ in range(2 * n):
        data, addr = sock.recvfrom(512)
        reply = (data[:2] + b"\x81\x80" + struct.pack(">HHHH", 1, 1, 0, 0) + data[12:]
                 + b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4)
                 + socket.inet_aton(answer_for(read_name(data))))
        sock.sendto(reply, addr)


srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", 53))
t = threading.Thread(target=serve, args=(srv,))
t.start()
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if connected:
    c.connect(("127.0.0.1", 53))
for i in range(1, n + 1):
    for zone in ("zone.mining.test", "other.test"):
        name = "h%d.%s" % (i, zone)
        labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
        query = (b"\xab\xcd\x01\x00" + struct.pack(">HHHH", 1, 0, 0, 0) + labels
                 + b"\x00\x00\x01\x00\x01")
        if connected:
            c.send(query)
            resp = c.recv(512)
        else:
            c.sendto(query, ("127.0.0.1", 53))
            resp, _ = c.recvfrom(512)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect((socket.inet_ntoa(resp[-4:]), 9))  # a UDP connect: no listener needed
        s.close()
t.join()
print("done")
