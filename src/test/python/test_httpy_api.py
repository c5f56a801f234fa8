"""Unit tests of httpy.py, the app's API module: request() as the Java side hands a request's
context over (_enter) and takes its session writes back (_leave), and the ASGI server setting it
for each task. Run: python3 -m unittest -v test_httpy_api (from src/test/python)."""
from __future__ import annotations

import asyncio
import sys
import threading
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "main" / "resources" / "dev" / "httpy" / "python"))

import httpy  # noqa: E402


def context(**overrides):
    base = {"user": "alice", "auth_type": "BASIC", "secure": False, "roles": ["py-user"],
            "checked_roles": ["py-user", "admin"], "attributes": {"tenant": "acme", "count": 7},
            "refused_attributes": {"conn": "java.sql.Connection"}, "may_create_session": False,
            "session_writes": True,
            "session": ["S1", False, {"cart": ["apple"]}, {"cache": "java.util.concurrent.ConcurrentHashMap"}]}
    base.update(overrides)
    return base


class RequestTest(unittest.TestCase):
    def tearDown(self):
        httpy._leave()

    def test_outside_a_request_it_is_anonymous_with_nothing(self):
        req = httpy.request()
        self.assertIsNone(req.user)
        self.assertIsNone(req.session)
        self.assertEqual({}, dict(req.attributes))
        with self.assertRaisesRegex(RuntimeError, "python.session=create"):
            req.create_session()

    def test_the_login_roles_and_attributes_java_gave(self):
        httpy._enter(context())
        req = httpy.request()
        self.assertEqual(("alice", "BASIC"), (req.user, req.auth_type))
        self.assertTrue(req.is_user_in_role("py-user"))
        self.assertFalse(req.is_user_in_role("admin"))
        with self.assertRaisesRegex(ValueError, "python.roles"):
            req.is_user_in_role("root")
        self.assertEqual({"tenant": "acme", "count": 7}, dict(req.attributes))
        with self.assertRaisesRegex(TypeError, "java.sql.Connection"):
            req.attributes["conn"]

    def test_session_writes_go_back_to_java_and_nothing_when_untouched(self):
        httpy._enter(context())
        self.assertEqual(["apple"], httpy.request().session["cart"])
        with self.assertRaisesRegex(TypeError, "java.util.concurrent.ConcurrentHashMap"):
            httpy.request().session["cache"]
        self.assertIsNone(httpy._leave(), "read only: nothing to write")
        httpy._enter(context())
        session = httpy.request().session
        session["cart"] = ["apple", "pear"]
        session["profile"] = {"n": 3, "tags": ["a", "b"]}
        del session["cache"]
        self.assertEqual([False, {"cart": ["apple", "pear"], "profile": {"n": 3, "tags": ["a", "b"]}}, ["cache"]],
                         httpy._leave())
        self.assertIsNone(httpy.request().session, "left: the thread serves no request")

    def test_values_java_cannot_hold_are_refused_at_once(self):
        httpy._enter(context())
        with self.assertRaisesRegex(TypeError, "cannot hold a set"):
            httpy.request().session["s"] = {1, 2}
        with self.assertRaisesRegex(TypeError, "dict keys must be str"):
            httpy.request().session["d"] = {1: "x"}
        # Java would keep these as BigInteger, which it cannot give back to Python.
        with self.assertRaisesRegex(TypeError, "beyond Java's long"):
            httpy.request().session["big"] = [2**63]
        httpy.request().session["edges"] = [-(2**63), 2**63 - 1, True]

    def test_starting_a_session_needs_python_session_create(self):
        httpy._enter(context(session=None))
        with self.assertRaisesRegex(RuntimeError, "python.session=create"):
            httpy.request().create_session()
        httpy._enter(context(session=None, may_create_session=True))
        httpy.request().create_session()["made_by"] = "python"
        self.assertEqual([True, {"made_by": "python"}, []], httpy._leave())

    def test_an_asgi_session_is_read_only(self):
        httpy._enter(context(session_writes=False))
        session = httpy.request().session
        self.assertEqual(["apple"], session["cart"])
        with self.assertRaisesRegex(RuntimeError, "read-only"):
            session["cart"] = []

    def test_an_asgi_response_start_takes_the_writes_and_closes_the_session(self):
        httpy._enter(context())
        httpy.request().session["cart"] = []
        self.assertEqual([False, {"cart": []}, []], httpy._started())
        with self.assertRaisesRegex(RuntimeError, "the response has started"):
            httpy.request().session["cart"] = ["late"]
        self.assertIsNone(httpy._leave())

    def test_each_thread_sees_its_own_request(self):
        httpy._enter(context(user="alice"))
        seen = []
        other = threading.Thread(target=lambda: seen.append(httpy.request().user))
        other.start()
        other.join()
        self.assertEqual([None], seen)
        self.assertEqual("alice", httpy.request().user)

    def test_each_asyncio_task_sees_its_own_request(self):
        async def serve(user):
            httpy._enter(context(user=user))
            await asyncio.sleep(0)
            return httpy.request().user

        async def main():
            return await asyncio.gather(serve("alice"), serve("bob"))

        self.assertEqual(["alice", "bob"], asyncio.run(main()))


if __name__ == "__main__":
    unittest.main()
