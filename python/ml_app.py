"""The example's scikit-learn app, mounted under /ml as a WSGI app: a model trained at import, as ML
services train or load theirs at start-up, answering predictions as JSON.

scikit-learn (with numpy and scipy) is not in the WAR: point python.executable at a venv that has it
(docs/packages.md, "Today's Python stacks"). Where it cannot be imported, every route answers 503 with the reason.
On Python 3.10 and 3.11 the default python.interpreter=auto gives such an app the main interpreter,
where scipy's pybind11 modules load (a sub-interpreter would hang their import there).
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

try:
    import sklearn
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
except ImportError as missing:
    _model = None
    _reason = f"scikit-learn is not installed for this Python ({missing}); see README.md"
else:
    _iris = load_iris()
    _model = LogisticRegression(max_iter=500).fit(_iris.data, _iris.target)
    _names = [str(name) for name in _iris.target_names]
    _reason = ""


def _answer(start_response: Callable[..., Any], status: str, body: Any) -> list[bytes]:
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    kind = "application/json" if not isinstance(body, bytes) else "text/plain; charset=utf-8"
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(data)))])
    return [data]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """GET /ml/predict?x=5.1,3.5,1.4,0.2 -> {"class": "setosa", ...}; GET /ml/ -> the model's facts."""
    if _model is None:
        return _answer(start_response, "503 Service Unavailable", _reason.encode())
    path = environ.get("PATH_INFO", "")
    if path in ("", "/"):
        return _answer(start_response, "200 OK", {"model": type(_model).__name__, "sklearn": sklearn.__version__,
                                                  "classes": _names})
    if path == "/predict":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        try:
            x = [float(v) for v in query["x"][0].split(",")]
            if len(x) != 4:
                raise ValueError("four numbers")
        except (KeyError, ValueError):
            return _answer(start_response, "400 Bad Request", b"give x=sepal length,sepal width,petal length,petal width\n")
        label = int(_model.predict([x])[0])
        return _answer(start_response, "200 OK", {"x": x, "class": _names[label]})
    return _answer(start_response, "404 Not Found", b"no such route\n")
