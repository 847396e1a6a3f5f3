"""A server of one protocol that says it is starting for its first seconds, then serves.

Usage: starting-server.py PROTOCOL PORT SECONDS. Each answer is logged as "answered starting" or "answered serving",
so a test can tell which phase its own connection met and whether readiness saw the starting phase at all.
"""
import signal
import socket
import struct
import sys
import time

# As PID 1 the server would ignore SIGTERM, and every stop would wait out the engine's stop timeout.
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))


def postgres_error(code, message):
    fields = b"SFATAL\0VFATAL\0C" + code.encode() + b"\0M" + message.encode() + b"\0\0"
    return b"E" + struct.pack("!I", 4 + len(fields)) + fields


def mysql_packet(payload):
    return struct.pack("<I", len(payload))[:3] + b"\0" + payload


MYSQL_GREETING = mysql_packet(b"\x0a" + b"10.11.0-starting-server\0" + struct.pack("<I", 7) + b"abcdefgh\0"
                              + b"\xff\xf7" + b"\x21" + b"\x02\0" + b"\xff\x81" + b"\x15" + b"\0" * 10
                              + b"ijklmnopqrst\0" + b"mysql_native_password\0")

# protocol: (bytes read before answering, answer while starting or None to hang up, answer when serving)
PROTOCOLS = {
    "postgres": (8, postgres_error("57P03", "the database system is starting up"),
                 b"R" + struct.pack("!II", 8, 3)),
    "mysql": (0, mysql_packet(b"\xff" + struct.pack("<H", 1053) + b"#08S01Server shutdown in progress"),
              MYSQL_GREETING),
    "redis": (6, b"-LOADING Redis is loading the dataset in memory\r\n", b"+PONG\r\n"),
    "smtp": (0, b"421 starting-server not ready yet\r\n", b"220 starting-server ESMTP\r\n"),
    "amqp": (8, None, b"\x01\x00\x00\x00\x00\x00\x04\x00\x0a\x00\x0a\xce"),
    "http": (16, None, b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"),
}


def read_some(connection, count):
    connection.settimeout(2)
    data = b""
    try:
        while len(data) < count:
            chunk = connection.recv(count - len(data))
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data


def main():
    protocol, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    wanted, starting, serving = PROTOCOLS[protocol]
    began = time.monotonic()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", port))
    server.listen(64)
    print("listening", flush=True)
    while True:
        connection, _ = server.accept()
        with connection:
            read_some(connection, wanted)
            if time.monotonic() - began < seconds:
                print("answered starting", flush=True)
                if starting is not None:
                    connection.sendall(starting)
            else:
                print("answered serving", flush=True)
                connection.sendall(serving)
                # A client reads the answer before the server hangs up.
                read_some(connection, 1)


main()
