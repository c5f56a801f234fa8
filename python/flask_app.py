"""A small Flask app mounted under /flask/* by the example's web.xml (python.wsgi).

Flask comes from python/requirements.txt, which `mvn package` installs into the
WAR's WEB-INF/python-packages (docs/packages.md, "Python packages"). Where the build could
not install it, `app` is a tiny WSGI app that says so, so the rest of the example
still deploys.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

try:
    from flask import Flask, Response, abort, jsonify, make_response, redirect, request, url_for
except ImportError as missing:
    _reason = f"Flask is not installed for this Python ({missing}); see README.md"

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
        return [_reason.encode()]
else:
    app = Flask(__name__)
    _books = {1: {"id": 1, "title": "Dune"}, 2: {"id": 2, "title": "Solaris"}}

    @app.get("/books/<int:book_id>")
    def book(book_id: int) -> Any:
        if book_id not in _books:
            abort(404)
        return jsonify({**_books[book_id], "mount": request.script_root,
                        "query": request.args.to_dict(flat=False)})

    @app.post("/books")
    def add_book() -> Any:
        data = request.get_json(force=True)
        return jsonify(received=data), 201

    @app.post("/form")
    def form() -> Any:
        return jsonify(fields=request.form.to_dict(flat=False))

    @app.post("/upload")
    def upload() -> Any:
        uploaded = request.files["file"]
        content = uploaded.read()
        return jsonify(name=uploaded.filename, size=len(content), sum=sum(content) % 65536)

    @app.get("/stream")
    def stream() -> Response:
        pause = float(request.args.get("pause", "0"))

        def chunks() -> Iterator[str]:
            for i in range(3):
                yield f"chunk {i}\n"
                time.sleep(pause)
        return Response(chunks(), mimetype="text/plain")

    @app.get("/cookie")
    def cookie() -> Any:
        answer = make_response(jsonify(seen=request.cookies.get("flavour")))
        answer.set_cookie("flavour", "oatmeal")
        return answer

    @app.get("/go")
    def go() -> Any:
        return redirect(url_for("book", book_id=1))

    @app.get("/boom")
    def boom() -> Any:
        raise RuntimeError("a bug in a Flask view")

    @app.get("/hello")
    def hello() -> str:
        return "hello from flask"

    @app.get("/about")
    def about() -> Any:
        # Which Flask this is and where it came from: a venv's own, or the WAR's WEB-INF/python-packages.
        import importlib.metadata
        import sys

        import flask
        return jsonify(flask=importlib.metadata.version("flask"), file=flask.__file__,
                       python=sys.version.split()[0])
