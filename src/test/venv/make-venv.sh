#!/usr/bin/env bash
# The venv of today's Python stacks that the *TodaysStacksIT tests run on: made with `python3 -m venv`
# from a Python 3.11+ that has a shared libpython (so python.executable can point at it), filled by pip
# as this machine configures pip (the user's index, or a local mirror), versions pinned by
# constraints.txt. Usage: bash src/test/venv/make-venv.sh <dir>
#
# It writes <dir>/READY when the venv is complete, or <dir>/SKIPPED with the reason when it cannot be
# made (no such Python, or pip cannot get the packages); the tests read those. It never fails the build.
# A venv whose READY matches these requirements and constraints is reused.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:?usage: make-venv.sh <dir>}"
mkdir -p "$dir"
stamp=$(cat "$here/requirements.txt" "$here/constraints.txt" | sha256sum | cut -c1-16)
if [[ -f "$dir/READY" && "$(cat "$dir/READY")" == "$stamp" ]]; then
  echo "httpy: today's stacks venv in $dir is up to date"
  exit 0
fi
skip() {
  echo "$*" >"$dir/SKIPPED"
  rm -f "$dir/READY"
  echo "httpy: no venv of today's stacks: $*" >&2
  exit 0
}
rm -f "$dir/READY" "$dir/SKIPPED"
python="${HTTPY_TEST_VENV_PYTHON:-python3}"
command -v "$python" >/dev/null || skip "no $python on PATH (set HTTPY_TEST_VENV_PYTHON to a Python 3.11+ with a shared libpython)"
"$python" - <<'PY' || skip "$python is not a Python 3.11+ with a shared libpython (set HTTPY_TEST_VENV_PYTHON to one)"
import sys, sysconfig
sys.exit(0 if sys.version_info >= (3, 11) and sysconfig.get_config_var("Py_ENABLE_SHARED") else 1)
PY
rm -rf "$dir/venv"
"$python" -m venv "$dir/venv" || skip "$python -m venv failed"
# pip as the machine configures it: the build's own offline settings for the WAR's packages
# (.ci/run's PIP_NO_INDEX, PIP_FIND_LINKS, PIP_CONFIG_FILE) are not this venv's.
if ! env -u PIP_NO_INDEX -u PIP_FIND_LINKS -u PIP_CONFIG_FILE PIP_RETRIES="${PIP_RETRIES:-0}" \
    "$dir/venv/bin/python" -m pip install --disable-pip-version-check -q \
    -r "$here/requirements.txt" -c "$here/constraints.txt" >"$dir/pip.log" 2>&1; then
  skip "pip could not install src/test/venv/requirements.txt (its log: $dir/pip.log; tail: $(tail -1 "$dir/pip.log"))"
fi
echo "$stamp" >"$dir/READY"
echo "httpy: today's stacks venv ready in $dir: $("$dir/venv/bin/python" -c 'import sys; print(sys.version.split()[0])')," \
  "$("$dir/venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -i -E '^(fastapi|flask|django|scikit-learn) ' | tr -s ' ' | paste -sd, -)"
