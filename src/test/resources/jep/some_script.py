"""A script for Interpreter.runScript in JepGettingStartedTest."""

script_result = [n * 10 for n in numbers]
print("script ran")
