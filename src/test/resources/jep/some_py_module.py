"""The module Jep's "Getting Started" calls somePyModule, for JepGettingStartedTest."""


def foo1(arg: list[int]) -> int:
    return sum(arg)


def foo2() -> str:
    return "foo2"


def foo3(arg: list[int]) -> list[int]:
    return sorted(arg, reverse=True)


def greet(name: str, greeting: str = "Hello", punctuation: str = ".") -> str:
    return f"{greeting}, {name}{punctuation}"
