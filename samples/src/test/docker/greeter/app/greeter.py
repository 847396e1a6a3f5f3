import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

GREETING = os.environ.get("GREETING", "Hello")


class Greeter(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/health":
            self.answer(200, "ok")
        elif url.path == "/greet":
            name = parse_qs(url.query).get("name", ["world"])[0]
            self.answer(200, f"{GREETING}, {name}!")
        else:
            self.answer(404, "not found")

    def answer(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


HTTPServer(("", 8080), Greeter).serve_forever()
