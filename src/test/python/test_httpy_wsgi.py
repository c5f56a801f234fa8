"""Tests for _httpy_wsgi, httpy's WSGI (PEP 3333) half, driven the way Java drives it.

A small stand-in (JavaSide) plays WsgiApplication and WsgiStream: wsgi_start, wsgi_next up
to the first chunk, then, unless that chunk was the whole body, wsgi_next until None, and
wsgi_close once whatever happened, each step on the thread it is given, as Java's workers
take them. Standard library only; runs on CPython 3.11 and later.

    cd src/test/python && python3 -m unittest -v test_httpy_wsgi
"""

from __future__ import annotations

import contextvars
import io
import logging
import os
import sys
import tempfile
import threading
import time
import unittest
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator
from wsgiref.util import FileWrapper
from wsgiref.validate import validator

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "main" / "resources"
                       / "dev" / "httpy" / "python"))

import _httpy  # noqa: E402
import _httpy_wsgi  # noqa: E402
import httpy  # noqa: E402
from _httpy import BadResponse  # noqa: E402
from _httpy_wsgi import wsgi_close, wsgi_next, wsgi_start  # noqa: E402

HEADERS = [("Content-Type", "text/plain")]


def cgi_environ(**overrides: str) -> dict[str, Any]:
    """The CGI part of an environ, as WsgiEnviron builds it on the Java side."""
    environ = {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/ctx/app", "PATH_INFO": "/a/b",
        "QUERY_STRING": "x=1", "SERVER_NAME": "example.org", "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1", "REMOTE_PORT": "4321",
        "wsgi.url_scheme": "https", "HTTP_HOST": "example.org",
    }
    environ.update(overrides)
    return environ


def request_context(**overrides: Any) -> dict[str, Any]:
    """What the filter hands over for httpy.request(), as test_httpy_api has it."""
    base = {"user": "alice", "auth_type": "BASIC", "secure": True, "roles": ["py-user"],
            "checked_roles": ["py-user"], "attributes": {"tenant": "acme"},
            "refused_attributes": {}, "may_create_session": False, "session_writes": True,
            "session": ["S1", False, {"cart": ["apple"]}, {}]}
    base.update(overrides)
    return base


class Response:
    """What Java saw of one call."""

    def __init__(self, first: tuple, chunks: list[bytes]) -> None:
        self.first = first
        self.status: int = first[0]
        self.headers = list(zip(first[1][::2], first[1][1::2]))
        self.complete: bool = first[3]
        self.session_writes = first[4] if len(first) > 4 else None
        self.chunks = [first[2], *chunks]
        self.body = b"".join(self.chunks)


def on_thread(work: Callable[[], Any]) -> Any:
    """Runs work on a new thread, as another Java worker would, and gives back what it returned or raised."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            outcome.append((False, exc))

    thread = threading.Thread(target=run, name="worker")
    thread.start()
    thread.join(10)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


class JavaSide:
    """Plays WsgiApplication.start and WsgiStream: every step, and wsgi_close exactly once."""

    def __init__(self, app: Callable[..., Any], threads: bool = False) -> None:
        self.app = app
        self.step: Callable[[Callable[[], Any]], Any] = on_thread if threads else (lambda work: work())
        self.closes = 0

    def close(self, call: Any) -> None:
        self.closes += 1
        self.step(lambda: wsgi_close(call))

    def serve(self, environ: dict[str, Any] | None = None, body: int | bytes = -1,
              context: dict[str, Any] | None = None) -> Response:
        environ = cgi_environ() if environ is None else environ
        call = self.step(lambda: wsgi_start(self.app, environ, body, context))
        keep = False
        try:
            first = self.step(lambda: wsgi_next(call))
            keep = not first[3]
        finally:
            if not keep:
                self.close(call)
        chunks: list[bytes] = []
        if keep:
            try:
                while (chunk := self.step(lambda: wsgi_next(call))) is not None:
                    chunks.append(chunk)
            finally:
                self.close(call)
        return Response(first, chunks)


def serve(app: Callable[..., Any], **kwargs: Any) -> Response:
    return JavaSide(app).serve(**kwargs)


class Closing:
    """An app's iterable that counts its close() calls."""

    def __init__(self, chunks: list[Any], fail_at: int | None = None) -> None:
        self.chunks = chunks
        self.fail_at = fail_at
        self.made = 0
        self.closes = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if self.made == self.fail_at:
                raise ValueError(f"chunk {self.made} failed")
            self.made += 1
            yield chunk

    def close(self) -> None:
        self.closes += 1


class EnvironTest(unittest.TestCase):
    def test_the_wsgi_keys_around_what_java_gave(self) -> None:
        seen: dict[str, Any] = {}

        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            seen.update(environ)
            seen["same dict"] = environ is given
            start_response("200 OK", HEADERS)
            return [b"ok"]

        given = cgi_environ()
        serve(app, environ=given)
        self.assertEqual((1, 0), seen["wsgi.version"])
        self.assertIs(tuple, type(seen["wsgi.version"]))
        self.assertIs(True, seen["wsgi.multithread"])
        self.assertIs(False, seen["wsgi.multiprocess"])
        self.assertIs(False, seen["wsgi.run_once"])
        self.assertIs(FileWrapper, seen["wsgi.file_wrapper"])
        self.assertIs(_httpy_wsgi._wsgi_errors, seen["wsgi.errors"])
        self.assertTrue(seen["same dict"], "the environ is Java's dict with the wsgi.* keys added")
        self.assertNotIn("httpy.request", seen, "only with a request context")
        for key, value in cgi_environ().items():
            self.assertEqual(value, seen[key], f"{key} as the caller gave it")
        self.assertEqual(("https", "/ctx/app", "/a/b"),
                         (seen["wsgi.url_scheme"], seen["SCRIPT_NAME"], seen["PATH_INFO"]))

    def test_wsgirefs_validator_is_satisfied(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
            environ["wsgi.errors"].write("")
            start_response("200 OK", [*HEADERS, ("Content-Length", str(len(body)))])
            return [body]

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the validator warns about what it merely dislikes
            response = serve(validator(app), environ=cgi_environ(REQUEST_METHOD="POST", CONTENT_LENGTH="5"),
                             body=b"hello")
        self.assertEqual((200, b"hello"), (response.status, response.body))

    def test_wsgi_input_from_the_whole_body(self) -> None:
        seen: list[Any] = []

        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            stream = environ["wsgi.input"]
            seen.append(stream.read(3))
            seen.append(stream.readline())
            seen.append(list(stream))
            seen.append(stream.read())
            start_response("200 OK", HEADERS)
            return [b""]

        serve(app, body=b"abcdef\nline two\nlast")
        self.assertEqual([b"abc", b"def\n", [b"line two\n", b"last"], b""], seen)

    def test_wsgi_input_without_a_body_is_empty(self) -> None:
        seen: list[Any] = []

        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            seen.extend([environ["wsgi.input"].read(), environ["wsgi.input"].readline()])
            start_response("204 No Content", [])
            return []

        serve(app, body=-1)
        self.assertEqual([b"", b""], seen)

    def test_wsgi_input_from_a_pipe_while_the_body_arrives(self) -> None:
        read_end, write_end = os.pipe()

        def arrive() -> None:
            for piece in (b"ab", b"cdef\nsec", b"ond\n", b"third\nrest"):
                time.sleep(0.02)
                os.write(write_end, piece)
            os.close(write_end)

        writer = threading.Thread(target=arrive)
        writer.start()
        seen: list[Any] = []

        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            stream = environ["wsgi.input"]
            seen.append(stream.read(4))
            seen.append(stream.readline())
            seen.append(stream.readline())
            seen.append([line for line in stream])
            start_response("200 OK", HEADERS)
            return [b"read"]

        serve(app, body=read_end)
        writer.join(5)
        self.assertEqual([b"abcd", b"ef\n", b"second\n", [b"third\n", b"rest"]], seen)
        with self.assertRaises(OSError, msg="the pipe's read end is closed with the call"):
            os.fstat(read_end)

    def test_wsgi_errors_go_to_the_container_log_line_by_line(self) -> None:
        _httpy.drain_logs()

        def noisy(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            errors = environ["wsgi.errors"]
            self.assertEqual(5, errors.write("one\nt"))
            errors.write("wo\nthree")
            errors.writelines(["\n", "four\n"])
            start_response("200 OK", HEADERS)
            return [b"ok"]

        serve(noisy)
        records = _httpy.drain_logs()
        self.assertEqual([("wsgi.errors", logging.ERROR, "one", "noisy"),
                          ("wsgi.errors", logging.ERROR, "two", "noisy")], records[:2],
                         "each line a record at ERROR, with the function that wrote it")
        self.assertEqual([("wsgi.errors", logging.ERROR, "three"), ("wsgi.errors", logging.ERROR, "four")],
                         [record[:3] for record in records[2:]])

    def test_a_partial_wsgi_errors_line_is_flushed_with_the_glues_streams(self) -> None:
        _httpy.drain_logs()

        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            environ["wsgi.errors"].write("no newline")
            start_response("200 OK", HEADERS)
            return [b"ok"]

        serve(app)
        self.assertIn(_httpy_wsgi._wsgi_errors, _httpy._unflushed)
        _httpy.flush_streams()  # what Java calls after a request call that left one
        self.assertEqual([("wsgi.errors", logging.ERROR, "no newline", "")], _httpy.drain_logs())

    def test_the_request_context_is_in_the_environ_and_httpy_request(self) -> None:
        seen: list[Any] = []

        def app(environ: dict[str, Any], start_response: Callable) -> Iterator[bytes]:
            seen.append(environ["httpy.request"] is httpy.request())
            seen.append(httpy.request().user)
            httpy.request().session["cart"] = ["apple", "pear"]
            start_response("200 OK", HEADERS)

            def chunks() -> Iterator[bytes]:
                seen.append(httpy.request().user)  # making the first chunk: still the request's
                yield b"first"
                seen.append(httpy.request().user)  # after it: the session writes went with it
                yield b"second"
            return chunks()

        response = serve(app, context=request_context())
        self.assertEqual([True, "alice", "alice", None], seen)
        self.assertEqual([False, {"cart": ["apple", "pear"]}, []], response.session_writes)
        self.assertEqual(5, len(response.first), "the first step carries the session writes")
        self.assertEqual(b"firstsecond", response.body)
        self.assertIsNone(httpy.request().user, "the caller's thread serves no request")

    def test_a_first_chunk_that_raises_leaves_the_request(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> Iterator[bytes]:
            start_response("200 OK", HEADERS)

            def chunks() -> Iterator[bytes]:
                raise ValueError("no first chunk")
                yield b""
            return chunks()

        call = wsgi_start(app, cgi_environ(), -1, request_context())
        with self.assertRaisesRegex(ValueError, "no first chunk"):
            wsgi_next(call)
        self.assertIsNone(call.context.run(lambda: httpy.request().user))
        wsgi_close(call)


class StartResponseTest(unittest.TestCase):
    def answer(self, status: Any, headers: Any) -> Response:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            start_response(status, headers)
            return [b"x"]
        return serve(app)

    def test_status_and_headers_as_java_takes_them(self) -> None:
        response = self.answer("201 Created", [("Content-Type", "text/plain"), ("X-Multi", "a"),
                                               ("X-Multi", "b"), ("Set-Cookie", "k=v; Path=/")])
        self.assertEqual(201, response.status)
        self.assertEqual(["Content-Type", "text/plain", "X-Multi", "a", "X-Multi", "b",
                          "Set-Cookie", "k=v; Path=/"], response.first[1])
        self.assertEqual((100, 599), (self.answer("100 Continue", []).status, self.answer("599 Odd", []).status))

    def test_bad_statuses(self) -> None:
        for status in ["200", "200OK", "2000 OK", "abc OK", "099 Low", "600 High", 200, b"200 OK", None]:
            with self.subTest(status=status), self.assertRaisesRegex(BadResponse, "is not like '200 OK'"):
                self.answer(status, [])

    def test_bad_headers(self) -> None:
        cases = [
            (("Content-Type", "text/plain"), "are a tuple, not a list"),
            ({"Content-Type": "text/plain"}, "are a dict, not a list"),
            ([["Content-Type", "text/plain"]], "is not a \\(str, str\\) tuple"),
            ([("Content-Type", "text/plain", "x")], "is not a \\(str, str\\) tuple"),
            ([("X-Number", 3)], "is not a \\(str, str\\) tuple"),
            ([(b"X-Bytes", "v")], "is not a \\(str, str\\) tuple"),
            ([("", "v")], "name '' is not an HTTP token"),
            ([("Bad Name", "v")], "name 'Bad Name' is not an HTTP token"),
            ([("X:Colon", "v")], "is not an HTTP token"),
            ([("Connection", "close")], "Connection is hop-by-hop"),
            ([("transfer-encoding", "chunked")], "transfer-encoding is hop-by-hop"),
            ([("Keep-Alive", "5")], "hop-by-hop"),
            ([("Upgrade", "h2c")], "hop-by-hop"),
            ([("X-Split", "a\r\nInjected: yes")], "contains CR, LF or NUL"),
            ([("X-Split", "a\nb")], "contains CR, LF or NUL"),
            ([("X-Nul", "a\0b")], "contains CR, LF or NUL"),
        ]
        for headers, pattern in cases:
            with self.subTest(headers=headers), self.assertRaisesRegex(BadResponse, pattern):
                self.answer("200 OK", headers)

    def test_bad_response_is_the_glues_type_java_recognises(self) -> None:
        self.assertIs(_httpy.BadResponse, _httpy_wsgi.BadResponse)
        with self.assertRaises(BadResponse) as caught:
            self.answer("nope", [])
        self.assertEqual("_httpy.BadResponse", _httpy.describe_exception(caught.exception)[0])

    def test_a_second_call_without_exc_info_is_an_error(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            start_response("200 OK", HEADERS)
            start_response("500 Oops", HEADERS)
            return [b"x"]

        with self.assertRaisesRegex(AssertionError, "second time without exc_info"):
            serve(app)

    def test_exc_info_before_the_headers_went_replaces_them(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            start_response("200 OK", [("X-First", "yes")])
            try:
                raise KeyError("inner")
            except KeyError:
                start_response("500 Internal Server Error", [("X-Second", "yes")], sys.exc_info())
            return [b"failed"]

        response = serve(app)
        self.assertEqual((500, [("X-Second", "yes")], b"failed"),
                         (response.status, response.headers, response.body))

    def test_exc_info_is_allowed_as_the_first_call(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            try:
                raise KeyError("inner")
            except KeyError:
                start_response("503 Service Unavailable", [], sys.exc_info())
            return [b"later"]

        self.assertEqual(503, serve(app).status)

    def test_exc_info_is_still_checked(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            start_response("200 OK", HEADERS)
            start_response("bad", HEADERS, (KeyError, KeyError("inner"), None))
            return [b"x"]

        with self.assertRaisesRegex(BadResponse, "'bad' is not like"):
            serve(app)

    def test_exc_info_after_the_headers_went_reraises_it(self) -> None:
        raised: list[BaseException] = []

        def app(environ: dict[str, Any], start_response: Callable) -> Iterator[bytes]:
            start_response("200 OK", HEADERS)

            def chunks() -> Iterator[bytes]:
                yield b"headers gone"
                try:
                    raise KeyError("too late")
                except KeyError as exc:
                    raised.append(exc)
                    start_response("500 Internal Server Error", HEADERS, sys.exc_info())
                yield b"never"
            return chunks()

        side = JavaSide(app)
        try:
            side.serve()
        except KeyError as exc:
            caught = exc
        else:
            self.fail("start_response with exc_info after the first chunk did not raise")
        self.assertIs(raised[0], caught, "the app's own exception, as PEP 3333 asks")
        self.assertIn('raise KeyError("too late")', _httpy.describe_exception(caught)[2], "with its traceback")
        self.assertEqual(1, side.closes)

    def test_write_comes_before_the_iterable(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            write = start_response("200 OK", HEADERS)
            write(b"written ")
            write(bytearray(b"twice "))
            return [b"then ", b"iterated"]

        response = serve(app)
        self.assertEqual(b"written twice then iterated", response.body)
        self.assertEqual(b"written twice ", response.chunks[0], "one first chunk of all written so far")
        self.assertFalse(response.complete)

    def test_write_alone(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            start_response("200 OK", HEADERS)(b"only written")
            return []

        self.assertEqual(b"only written", serve(app).body)

    def test_write_then_a_one_item_list(self) -> None:
        """What write() gave comes first, then the list's one item: neither is taken for the whole body."""
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            start_response("200 OK", HEADERS)(b"written ")
            return [b"then iterated"]

        self.assertEqual(b"written then iterated", serve(app).body)

    def test_write_takes_bytes_only(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            start_response("200 OK", HEADERS)("text")
            return []

        with self.assertRaisesRegex(BadResponse, "write\\(\\) takes bytes, not str"):
            serve(app)


class IterableTest(unittest.TestCase):
    def test_a_streamed_answer_across_several_steps_closed_once_at_the_end(self) -> None:
        body = Closing([b"one ", b"", b"two ", bytearray(b"three")])

        def app(environ: dict[str, Any], start_response: Callable) -> Closing:
            start_response("200 OK", HEADERS)
            return body

        side = JavaSide(app)
        response = side.serve()
        self.assertFalse(response.complete)
        self.assertEqual([b"one ", b"two ", b"three"], response.chunks, "empty chunks are no steps")
        self.assertIs(bytes, type(response.chunks[-1]))
        self.assertEqual((1, 1), (body.closes, side.closes))

    def test_a_chunk_that_raises_the_call_is_still_closed_once(self) -> None:
        body = Closing([b"one ", b"two ", b"three"], fail_at=2)

        def app(environ: dict[str, Any], start_response: Callable) -> Closing:
            start_response("200 OK", HEADERS)
            return body

        side = JavaSide(app)
        with self.assertRaisesRegex(ValueError, "chunk 2 failed"):
            side.serve()
        self.assertEqual((2, 1, 1), (body.made, body.closes, side.closes))

    def test_wsgi_next_itself_never_closes(self) -> None:
        body = Closing([b"one"], fail_at=0)

        def app(environ: dict[str, Any], start_response: Callable) -> Closing:
            start_response("200 OK", HEADERS)
            return body

        call = wsgi_start(app, cgi_environ(), b"")
        with self.assertRaisesRegex(ValueError, "chunk 0 failed"):
            wsgi_next(call)
        self.assertEqual(0, body.closes, "closing is Java's, once, after the failed step")
        wsgi_close(call)
        self.assertEqual(1, body.closes)

    def test_an_app_that_raises_is_closed_by_the_glue_and_never_reaches_java(self) -> None:
        read_end, write_end = os.pipe()
        os.close(write_end)
        inputs: list[Any] = []

        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            inputs.append(environ["wsgi.input"])  # still referenced: only close() closes it
            raise RuntimeError("the app failed")

        with self.assertRaisesRegex(RuntimeError, "the app failed"):
            wsgi_start(app, cgi_environ(), read_end)
        self.assertTrue(inputs[0].closed, "wsgi.input is closed")
        with self.assertRaises(OSError, msg="and so the pipe's read end"):
            os.fstat(read_end)

    def test_an_answer_that_is_no_iterable_is_closed_once_by_the_glue(self) -> None:
        class NotIterable:
            closes = 0

            def close(self) -> None:
                NotIterable.closes += 1

        def app(environ: dict[str, Any], start_response: Callable) -> NotIterable:
            start_response("200 OK", HEADERS)
            return NotIterable()

        with self.assertRaises(TypeError):
            wsgi_start(app, cgi_environ(), b"")
        self.assertEqual(1, NotIterable.closes)

    def test_str_or_bytes_instead_of_an_iterable(self) -> None:
        for answer in ["text", b"bytes"]:
            def app(environ: dict[str, Any], start_response: Callable, answer: Any = answer) -> Any:
                start_response("200 OK", HEADERS)
                return answer
            with self.subTest(answer=answer), self.assertRaisesRegex(
                    BadResponse, f"returned a {type(answer).__name__}; it must return an iterable of bytes"):
                wsgi_start(app, cgi_environ(), b"")

    def test_a_chunk_that_is_not_bytes(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[Any]:
            start_response("200 OK", HEADERS)
            return [b"fine", "text"]

        side = JavaSide(app)
        with self.assertRaisesRegex(BadResponse, "yielded a str; it must yield bytes"):
            side.serve()
        self.assertEqual(1, side.closes)

    def test_returning_without_start_response(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            return [b"no status"]

        side = JavaSide(app)
        with self.assertRaisesRegex(BadResponse, "returned without calling start_response"):
            side.serve()
        self.assertEqual(1, side.closes)

    def test_start_response_may_wait_for_the_first_non_empty_chunk(self) -> None:
        def app(environ: dict[str, Any], start_response: Callable) -> Iterator[bytes]:
            yield b""
            start_response("202 Accepted", HEADERS)
            yield b"late start"

        response = serve(app)
        self.assertEqual((202, b"late start"), (response.status, response.body))

    def test_close_raising_still_closes_wsgi_input(self) -> None:
        read_end, write_end = os.pipe()
        os.close(write_end)

        class FailingClose(list):
            def close(self) -> None:
                raise OSError("close failed")

        def app(environ: dict[str, Any], start_response: Callable) -> FailingClose:
            start_response("200 OK", HEADERS)
            return FailingClose([b"a", b"b"])

        call = wsgi_start(app, cgi_environ(), read_end)
        self.assertEqual(b"a", wsgi_next(call)[2])
        with self.assertRaisesRegex(OSError, "close failed"):
            wsgi_close(call)
        with self.assertRaises(OSError):
            os.fstat(read_end)


class CompleteTest(unittest.TestCase):
    """complete: the first chunk is the whole body, so Java writes it with no second step."""

    def first(self, result: Any, headers: list[tuple[str, str]] = HEADERS) -> tuple[tuple, Any]:
        def app(environ: dict[str, Any], start_response: Callable) -> Any:
            start_response("200 OK", headers)
            return result

        call = wsgi_start(app, cgi_environ(), b"")
        self.addCleanup(wsgi_close, call)
        return wsgi_next(call), call

    def test_a_one_item_list_or_tuple(self) -> None:
        for result in ([b"all"], (b"all",)):
            with self.subTest(result=result):
                self.assertEqual((200, ["Content-Type", "text/plain"], b"all", True), self.first(result)[0])

    def test_an_empty_body(self) -> None:
        for result in ([], iter([]), [b"", b""]):
            with self.subTest(result=result):
                self.assertEqual((b"", True), self.first(result)[0][2:])

    def test_a_generator_or_a_longer_list_streams(self) -> None:
        for result in ([b"a", b"b"], iter([b"a"])):
            with self.subTest(result=result):
                first, call = self.first(result)
                self.assertEqual((b"a", False), first[2:])

    def test_a_chunk_as_long_as_content_length_ends_the_iterable(self) -> None:
        made: list[str] = []

        def chunks() -> Iterator[bytes]:
            made.append("first")
            yield b"12345"
            made.append("asked again")

        first, call = self.first(chunks(), [("content-length", "5")])
        self.assertEqual((b"12345", True), first[2:])
        self.assertEqual(["first", "asked again"], made)

    def test_more_than_content_length_promised_streams_the_rest(self) -> None:
        first, call = self.first(iter([b"12345", b"678"]), [("Content-Length", "5")])
        self.assertEqual((b"12345", False), first[2:])
        self.assertEqual([b"678", None], [wsgi_next(call), wsgi_next(call)])

    def test_a_content_length_that_does_not_match(self) -> None:
        for length in ("4", "x", ""):
            with self.subTest(length=length):
                self.assertFalse(self.first(iter([b"12345"]), [("Content-Length", length)])[0][3])


class ContextTest(unittest.TestCase):
    """Each call runs in a contextvars.Context of its own, whichever thread takes a step."""

    def test_a_contextvar_the_app_sets_is_there_at_every_step_on_any_thread(self) -> None:
        var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
        seen: list[tuple[str, str]] = []

        class Chunks:
            def __iter__(self) -> Iterator[bytes]:
                for n in range(3):
                    seen.append(("chunk", threading.current_thread().name, var.get()))
                    yield b"%d" % n

            def close(self) -> None:
                seen.append(("close", threading.current_thread().name, var.get()))

        def app(environ: dict[str, Any], start_response: Callable) -> Chunks:
            var.set("set by the app")
            start_response("200 OK", HEADERS)
            return Chunks()

        side = JavaSide(app, threads=True)
        response = side.serve()
        self.assertEqual(b"012", response.body)
        self.assertEqual([("chunk", "worker", "set by the app")] * 3 + [("close", "worker", "set by the app")],
                         seen)
        self.assertEqual("unset", var.get(), "nothing leaks into the caller's context")

    def test_a_contextvar_set_making_one_chunk_is_there_at_the_next(self) -> None:
        var: contextvars.ContextVar[int] = contextvars.ContextVar("count", default=0)

        def app(environ: dict[str, Any], start_response: Callable) -> Iterator[bytes]:
            start_response("200 OK", HEADERS)
            for _ in range(3):
                var.set(var.get() + 1)
                yield b"%d," % var.get()

        self.assertEqual(b"1,2,3,", JavaSide(app, threads=True).serve().body)
        self.assertEqual(0, var.get())

    def test_two_calls_interleaved_each_keep_their_own(self) -> None:
        var: contextvars.ContextVar[str] = contextvars.ContextVar("who")

        def app(environ: dict[str, Any], start_response: Callable) -> Iterator[bytes]:
            var.set(environ["PATH_INFO"])
            start_response("200 OK", HEADERS)

            def chunks() -> Iterator[bytes]:
                for _ in range(2):
                    yield var.get().encode()
            return chunks()

        a = wsgi_start(app, cgi_environ(PATH_INFO="/a"), b"")
        b = wsgi_start(app, cgi_environ(PATH_INFO="/b"), b"")
        self.assertEqual(b"/b", on_thread(lambda: wsgi_next(b))[2])
        self.assertEqual(b"/a", on_thread(lambda: wsgi_next(a))[2])
        self.assertEqual(b"/b", wsgi_next(b))
        self.assertEqual(b"/a", on_thread(lambda: wsgi_next(a)))
        for call in (a, b):
            self.assertIsNone(wsgi_next(call))
            wsgi_close(call)

    def test_a_new_empty_context_for_each_call(self) -> None:
        var: contextvars.ContextVar[str] = contextvars.ContextVar("left", default="fresh")
        seen: list[str] = []

        def app(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            seen.append(var.get())
            var.set("left behind")
            start_response("200 OK", HEADERS)
            return [b"x"]

        side = JavaSide(app)
        side.serve()
        side.serve()
        token = var.set("the caller's")
        self.addCleanup(var.reset, token)
        side.serve()
        self.assertEqual(["fresh", "fresh", "fresh"], seen, "neither an earlier call's value nor the caller's")


class FileWrapperTest(unittest.TestCase):
    def test_a_file_in_blocks_then_closed(self) -> None:
        with tempfile.NamedTemporaryFile(delete=False) as made:
            made.write(b"0123456789abcdefghij")
        self.addCleanup(os.unlink, made.name)
        opened: list[Any] = []

        def app(environ: dict[str, Any], start_response: Callable) -> Any:
            start_response("200 OK", HEADERS)
            opened.append(open(made.name, "rb"))
            return environ["wsgi.file_wrapper"](opened[0], 8)

        response = serve(app)
        self.assertEqual([b"01234567", b"89abcdef", b"ghij"], response.chunks)
        self.assertFalse(response.complete)
        self.assertTrue(opened[0].closed, "wsgi_close closes the file")

    def test_any_file_like_object(self) -> None:
        stream = io.BytesIO(b"in memory")

        def app(environ: dict[str, Any], start_response: Callable) -> Any:
            start_response("200 OK", [*HEADERS, ("Content-Length", "9")])
            return environ["wsgi.file_wrapper"](stream)

        response = serve(app)
        self.assertEqual((b"in memory", True), (response.body, response.complete),
                         "one block as long as Content-Length")
        self.assertTrue(stream.closed)


if __name__ == "__main__":
    unittest.main()
