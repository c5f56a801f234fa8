"""TracingContract's app: a request function, a Flask app and a FastAPI app that each continue the
trace Java hands them, the way Python code that uses opentelemetry-api does, and call a Java object
under a span of their own.

With only opentelemetry-api installed (no SDK), Python's own span is a NonRecordingSpan with a new id:
what the SDK's span would carry across a call, without an exporter to read it back from.
"""
import json
import random

import httpy
from opentelemetry import propagate, trace
from opentelemetry.trace import NonRecordingSpan, SpanContext


def _continued(carrier, seen):
    parent = trace.get_current_span(propagate.extract(carrier)).get_span_context()
    own = SpanContext(parent.trace_id, random.getrandbits(64), is_remote=False, trace_flags=parent.trace_flags)
    with trace.use_span(NonRecordingSpan(own)):
        bean = httpy.java("traced").work()
    return json.dumps({"seen": seen, "trace": f"{parent.trace_id:032x}", "parent": f"{parent.span_id:016x}",
                       "span": f"{own.span_id:016x}", "bean": bean})


def handle(method, path, params, query, headers, body):
    # The request function's headers are canonical names with lists of values; propagators read lower case.
    carrier = {name.lower(): values for name, values in headers.items()}
    return 200, _continued(carrier, headers.get("Traceparent", [None])[0]), {"Content-Type": "application/json"}


def make_flask():
    from flask import Flask, request

    app = Flask(__name__)

    @app.get("/traced")
    def traced():
        return _continued(request.headers, request.environ.get("HTTP_TRACEPARENT")), 200, \
            {"Content-Type": "application/json"}

    return app


def make_fastapi():
    from fastapi import FastAPI, Request, Response

    app = FastAPI()

    @app.get("/traced")
    async def traced(request: Request):
        seen = [value.decode("latin-1") for name, value in request.scope["headers"] if name == b"traceparent"]
        return Response(_continued(request.headers, seen[0] if len(seen) == 1 else seen), media_type="application/json")

    return app


flask_app = make_flask()
fastapi_app = make_fastapi()
