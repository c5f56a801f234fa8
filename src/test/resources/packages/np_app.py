"""A tiny app that computes with numpy (org.bytedeco:numpy, from the jars)."""
from concurrent import interpreters

import numpy


def total(n):
    return int(numpy.arange(n, dtype=numpy.int64).sum())


def interpreter_id():
    return interpreters.get_current().id
