"""A tiny app that computes with numpy (org.bytedeco:numpy, from the jars)."""
from concurrent import interpreters

import numpy


def total(n):
    return int(numpy.arange(n, dtype=numpy.int64).sum())


def interpreter_id():
    return interpreters.get_current().id


def routes():
    return {"/total": ["GET"], "/interpreter": ["GET"]}


def handle(method, path, params, query, headers, body):
    if path == "/total":
        return 200, str(total(int(query["n"][0]))), {}
    return 200, str(interpreter_id()), {}
