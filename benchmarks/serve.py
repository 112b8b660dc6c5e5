"""The production app plus one trivial route, for gunicorn: `gunicorn benchmarks.serve:app`.

The route answers "hello" through the same hooks (security headers, Vary, sessions) as every
other route, so a 304 can be compared with the cheapest response the same server gives.
It is registered here only, never in the app itself.
"""

from benchmarks.search import HELLO_PATH
from recovery_network import create_app

app = create_app(serving=True)  # as wsgi.py
app.add_url_rule(HELLO_PATH, "bench_hello", lambda: "hello")
