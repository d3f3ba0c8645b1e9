# A workload that asks a DNS server on 127.0.0.1:53 (its own thread, in the test's network
# namespace) for NAME, gets ANSWER_IP back, then makes TCP connections to each address given
# (a listener on each, so the connects succeed). Usage: dns-client.py NAME ANSWER_IP ADDR...
import socket
import struct
import sys
import threading

name, answer_ip, targets = sys.argv[1], sys.argv[2], sys.argv[3:]


def serve(sock):
    data, addr = sock.recvfrom(512)
    reply = (data[:2] + b"\x81\x80" + struct.pack(">HHHH", 1, 1, 0, 0) + data[12:]
             + b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(answer_ip))
    sock.sendto(reply, addr)


srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", 53))
t = threading.Thread(target=serve, args=(srv,))
t.start()
labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
query = b"\xab\xcd\x01\x00" + struct.pack(">HHHH", 1, 0, 0, 0) + labels + b"\x00\x00\x01\x00\x01"
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.sendto(query, ("127.0.0.1", 53))
resp, _ = c.recvfrom(512)
t.join()
assert socket.inet_ntoa(resp[-4:]) == answer_ip
for target in targets:
    listener = socket.socket()
    listener.bind((target, 0))
    listener.listen()
    s = socket.socket()
    s.connect((target, listener.getsockname()[1]))
    s.close()
    listener.close()
