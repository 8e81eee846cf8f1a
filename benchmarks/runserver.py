"""Django's runserver as the HTTP benchmarks start it: with Nagle's algorithm off on its connections.

runserver (wsgiref) writes a response's headers and body in separate sends; with Nagle on, a small body
waits for the client to acknowledge the headers, and Linux delays that acknowledgement by 40 ms when
the client sends several requests on one connection. Production servers (uvicorn, which Saleor runs,
and asyncio servers generally) set TCP_NODELAY, so without this a benchmark would time a stall no
shopper or staff member sees.

    python -m benchmarks.runserver 127.0.0.1:8000 --noreload --settings=benchmarks.api_settings
"""

import socket
import sys

from django.core.management import execute_from_command_line
from django.core.servers import basehttp


class NoDelayRequestHandler(basehttp.WSGIRequestHandler):
    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


if __name__ == "__main__":
    basehttp.WSGIRequestHandler = NoDelayRequestHandler  # what runserver's basehttp.run() instantiates
    execute_from_command_line(["django-admin", "runserver", *sys.argv[1:]])
