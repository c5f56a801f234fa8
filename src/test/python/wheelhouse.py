#!/usr/bin/env python3
"""Build wheel files offline for the httpy integration tests.

Subcommands:
  flask OUT_DIR                            repack Debian's python3-flask stack as wheels,
                                           patched to run on Python 3.14 (see PY314_PATCHES)
  probes OUT_DIR --include DIR [--cc gcc]  build the httpy_pure / httpy_speedup probe wheels
  hashes WHEEL_DIR [NAME ...]              print a hash-pinned requirements file

Standard library only; runs on Python 3.11+. No network access is needed.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from email.parser import HeaderParser
from pathlib import Path

DIST_PACKAGES = Path("/usr/lib/python3/dist-packages")
FLASK_STACK = ("Flask", "Werkzeug", "Jinja2", "MarkupSafe", "itsdangerous", "click")
FLASK_SERIES = "2.2."
# Debian's dh_python3 turns upstream's unconditional requirements into dpkg Depends and
# drops them from requires.txt; restore the Flask 2.2 stack's ones so pip can resolve it.
DEBIAN_STRIPPED_REQUIRES = {
    "flask": ("Werkzeug>=2.2.2", "Jinja2>=3.0", "itsdangerous>=2.0", "click>=8.0"),
    "werkzeug": ("MarkupSafe>=2.1.1",),
    "jinja2": ("MarkupSafe>=2.0",),
}
# Debian bookworm's Flask 2.2.2 and Werkzeug 2.2.2 predate Python 3.12 and 3.14, which removed
# ast.Str and pkgutil.get_loader; these edits backport the fixes of Werkzeug 2.3 and Flask 2.3.
# Each old text must be found, so a changed Debian file fails the build instead of shipping unfixed.
PY314_PATCHES: dict[str, tuple[tuple[str, str], ...]] = {
    "werkzeug/routing/rules.py": (
        ("ast.Str(s=elem)", "ast.Constant(elem)"),
        ("ast.Str(ret[-1].s + p.s)", "ast.Constant(ret[-1].value + p.value)"),
        ("ast.Str", "ast.Constant"),
    ),
    "flask/helpers.py": (
        ("import pkgutil\n", "import importlib.util\nimport pkgutil\n"),
        ("    loader = pkgutil.get_loader(import_name)\n",
         "    try:\n"
         "        spec = importlib.util.find_spec(import_name)\n"
         "    except (ImportError, ValueError):\n"
         "        spec = None\n"
         "    loader = spec.loader if spec is not None else None\n"),
    ),
    "flask/scaffold.py": (
        ("pkgutil.get_loader(root_mod_name)", "None  # find_spec() above found nothing"),
    ),
}
METADATA_FIELDS = ("Name", "Version", "Summary", "Home-page", "License", "Requires-Python")
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
GENERATOR = "httpy wheelhouse.py"
PROBE_VERSION = "1.0"
PURE_PROBE_SOURCE = f'''\
"""Pure-Python probe module for the httpy wheel-install tests."""

__version__ = "{PROBE_VERSION}"


def greet(name: str) -> str:
    """Return a greeting that names this module."""
    return f"hello {{name}} from httpy_pure"
'''
SPEEDUP_PROBE_SOURCE = r"""
/* httpy_speedup: C-extension probe for the httpy wheel-install tests.
 * Multi-phase initialisation (PEP 489) with per-module state and no static mutable
 * state, so it loads in isolated sub-interpreters, including ones with their own GIL. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    long long add_calls; /* add() calls made through this module object */
} speedup_state;

static PyObject *
speedup_add(PyObject *module, PyObject *args)
{
    speedup_state *state = PyModule_GetState(module);
    long a, b, sum;

    state->add_calls++;
    if (!PyArg_ParseTuple(args, "ll:add", &a, &b)) {
        return NULL;
    }
    if (__builtin_add_overflow(a, b, &sum)) {
        PyErr_SetString(PyExc_OverflowError, "add() result does not fit in a C long");
        return NULL;
    }
    return PyLong_FromLong(sum);
}

static PyObject *
speedup_calls(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    speedup_state *state = PyModule_GetState(module);
    return PyLong_FromLongLong(state->add_calls);
}

static PyObject *
speedup_interpreter_id(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored))
{
    int64_t id = PyInterpreterState_GetID(PyInterpreterState_Get());
    if (id < 0) {
        return NULL;
    }
    return PyLong_FromLongLong(id);
}

static int
speedup_exec(PyObject *module)
{
    speedup_state *state = PyModule_GetState(module);
    state->add_calls = 0;
    return PyModule_AddStringConstant(module, "__version__", PROBE_VERSION);
}

static PyMethodDef speedup_methods[] = {
    {"add", speedup_add, METH_VARARGS,
     PyDoc_STR("add(a, b)\n--\n\nReturn a + b for two C longs; counts the call.")},
    {"calls", speedup_calls, METH_NOARGS,
     PyDoc_STR("calls()\n--\n\nReturn how many times add() was called in this interpreter.")},
    {"interpreter_id", speedup_interpreter_id, METH_NOARGS,
     PyDoc_STR("interpreter_id()\n--\n\nReturn the ID of the current interpreter.")},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot speedup_slots[] = {
    {Py_mod_exec, speedup_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef speedup_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "httpy_speedup",
    .m_doc = "C-extension probe for the httpy wheel-install tests.",
    .m_size = sizeof(speedup_state),
    .m_methods = speedup_methods,
    .m_slots = speedup_slots,
};

PyMODINIT_FUNC
PyInit_httpy_speedup(void)
{
    return PyModuleDef_Init(&speedup_def);
}
"""


class WheelhouseError(Exception):
    """A failure to report to the user without a traceback."""


def canonical_name(name: str) -> str:
    """Return the PEP 503 normalised form of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name(name: str) -> str:
    """Return the distribution name as spelled in wheel and .dist-info names."""
    return canonical_name(name).replace("-", "_")


def record_hash(data: bytes) -> str:
    """Return a RECORD hash: sha256, urlsafe base64 without padding."""
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def write_wheel(out_dir: Path, name: str, version: str, tag: str,
                files: dict[str, bytes], metadata: str,
                extra_dist_info: dict[str, bytes] | None = None) -> Path:
    """Write a deterministic wheel holding files plus a generated .dist-info; return its path."""
    dist_info = f"{wheel_name(name)}-{version}.dist-info"
    wheel = (f"Wheel-Version: 1.0\nGenerator: {GENERATOR}\n"
             f"Root-Is-Purelib: {'true' if tag.endswith('-none-any') else 'false'}\nTag: {tag}\n")
    entries = dict(sorted(files.items()))
    for file_name, data in sorted((extra_dist_info or {}).items()):
        entries[f"{dist_info}/{file_name}"] = data
    entries[f"{dist_info}/METADATA"] = metadata.encode("utf-8")
    entries[f"{dist_info}/WHEEL"] = wheel.encode("utf-8")
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    writer.writerows((path, record_hash(data), len(data)) for path, data in entries.items())
    writer.writerow((f"{dist_info}/RECORD", "", ""))
    entries[f"{dist_info}/RECORD"] = record.getvalue().encode("utf-8")

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{wheel_name(name)}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for arcname, data in entries.items():
            info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE_TIME)
            info.create_system = 3  # Unix, so external_attr holds the file mode
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return path


def metadata_text(fields: list[tuple[str, str]]) -> str:
    """Render core-metadata header fields as a METADATA file."""
    return "".join(f"{key}: {value}\n" for key, value in fields)


def convert_requires(requires_txt: str) -> tuple[list[str], list[str]]:
    """Convert a setuptools requires.txt to (Requires-Dist values, Provides-Extra names)."""
    requirements: list[str] = []
    extras: list[str] = []
    extra, marker = "", ""
    for line in map(str.strip, requires_txt.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            if extra and extra not in extras:
                extras.append(extra)
            continue
        if extra and marker:
            requirements.append(f'{line}; ({marker}) and extra == "{extra}"')
        elif extra:
            requirements.append(f'{line}; extra == "{extra}"')
        elif marker:
            requirements.append(f"{line}; {marker}")
        else:
            requirements.append(line)
    return requirements, extras


def find_egg_info(site_dir: Path, name: str) -> Path:
    """Return the NAME-VERSION.egg-info directory for a distribution in site_dir."""
    matches = [path for path in site_dir.glob("*.egg-info")
               if path.is_dir() and canonical_name(path.name.partition("-")[0]) == canonical_name(name)]
    if len(matches) != 1:
        found = "none" if not matches else ", ".join(sorted(str(path) for path in matches))
        raise WheelhouseError(
            f"expected one {name}-*.egg-info directory in {site_dir}, found {found}; "
            "install Debian's Flask stack with: apt-get install python3-flask")
    return matches[0]


def package_files(site_dir: Path, top_level: str) -> dict[str, bytes]:
    """Read a top-level package or module from site_dir, skipping compiled files."""
    module = site_dir / f"{top_level}.py"
    if module.is_file():
        return {module.name: module.read_bytes()}
    package = site_dir / top_level
    if not package.is_dir():
        raise WheelhouseError(f"neither {package}/ nor {module} exists")
    files = {}
    for path in package.rglob("*"):
        relative = path.relative_to(site_dir)
        if "__pycache__" in relative.parts or path.suffix in (".pyc", ".so") or path.is_dir():
            continue
        try:
            files[relative.as_posix()] = path.read_bytes()  # follows Debian's symlinks
        except FileNotFoundError:
            raise WheelhouseError(f"{path} is a dangling symlink to {path.readlink()}; "
                                  "install the Debian package providing it (e.g. libjs-jquery)") from None
    return files


def apply_patches(files: dict[str, bytes]) -> None:
    """Apply PY314_PATCHES in place to the files of a distribution that has any."""
    for path, edits in PY314_PATCHES.items():
        if path not in files:
            continue
        text = files[path].decode("utf-8")
        for old, new in edits:
            if old not in text:
                raise WheelhouseError(f"Debian's {path} no longer contains {old!r}; "
                                      f"update PY314_PATCHES in {Path(__file__).name}")
            text = text.replace(old, new)
        files[path] = text.encode("utf-8")


def build_egg_info_wheel(site_dir: Path, name: str, out_dir: Path) -> Path:
    """Repack one installed egg-info distribution as a py3-none-any wheel."""
    egg_info = find_egg_info(site_dir, name)
    pkg_info = HeaderParser().parsestr((egg_info / "PKG-INFO").read_text(encoding="utf-8"))
    if not pkg_info["Name"] or not pkg_info["Version"]:
        raise WheelhouseError(f"{egg_info / 'PKG-INFO'} lacks a Name or Version field")
    requires_txt = egg_info / "requires.txt"
    requirements, extras = convert_requires(
        requires_txt.read_text(encoding="utf-8") if requires_txt.is_file() else "")
    requirements = list(dict.fromkeys(
        [*DEBIAN_STRIPPED_REQUIRES.get(canonical_name(name), ()), *requirements]))

    fields = [("Metadata-Version", "2.1")]
    fields += [(key, pkg_info[key]) for key in METADATA_FIELDS if pkg_info[key]]
    fields += [("Requires-Dist", requirement) for requirement in requirements]
    fields += [("Provides-Extra", extra) for extra in extras]

    files: dict[str, bytes] = {}
    for top_level in (egg_info / "top_level.txt").read_text(encoding="utf-8").split():
        files.update(package_files(site_dir, top_level))
    apply_patches(files)
    entry_points = egg_info / "entry_points.txt"
    extra_dist_info = {"entry_points.txt": entry_points.read_bytes()} if entry_points.is_file() else {}
    return write_wheel(out_dir, pkg_info["Name"], pkg_info["Version"], "py3-none-any",
                       files, metadata_text(fields), extra_dist_info)


def build_flask(out_dir: Path) -> list[Path]:
    """Write wheels for Debian's Flask 2.2 stack into out_dir."""
    if not DIST_PACKAGES.is_dir():
        raise WheelhouseError(f"{DIST_PACKAGES} does not exist; install: apt-get install python3-flask")
    flask_version = find_egg_info(DIST_PACKAGES, "Flask").stem.split("-")[1]
    if not flask_version.startswith(FLASK_SERIES):
        raise WheelhouseError(f"found Flask {flask_version} in {DIST_PACKAGES}, but DEBIAN_STRIPPED_REQUIRES "
                              f"and PY314_PATCHES in {Path(__file__).name} are for Flask {FLASK_SERIES}x")
    return [build_egg_info_wheel(DIST_PACKAGES, name, out_dir) for name in FLASK_STACK]


def python_tag(include_dir: Path) -> str:
    """Return the cpXY tag of the CPython whose headers are in include_dir."""
    patchlevel = include_dir / "patchlevel.h"
    if not (include_dir / "Python.h").is_file() or not patchlevel.is_file():
        raise WheelhouseError(f"{include_dir} lacks Python.h or patchlevel.h; pass the embedded "
                              "CPython's include/python3.X directory as --include")
    text = patchlevel.read_text(encoding="utf-8")
    version = [re.search(rf"#define\s+PY_{part}_VERSION\s+(\d+)", text) for part in ("MAJOR", "MINOR")]
    if not all(version):
        raise WheelhouseError(f"no PY_MAJOR_VERSION/PY_MINOR_VERSION defines in {patchlevel}")
    return "cp" + "".join(match.group(1) for match in version)


def probe_metadata(name: str, summary: str) -> str:
    """Return the METADATA of a probe distribution."""
    return metadata_text([("Metadata-Version", "2.1"), ("Name", name),
                          ("Version", PROBE_VERSION), ("Summary", summary)])


def compile_extension(cc: str, include_dir: Path, source: str, output: Path) -> None:
    """Compile C source into the shared library output against the headers in include_dir."""
    compiler = shutil.which(cc)
    if compiler is None:
        raise WheelhouseError(f"C compiler {cc!r} not found on PATH; install: apt-get install gcc libc6-dev")
    source_file = output.parent / (output.name.partition(".")[0] + ".c")
    source_file.write_text(source, encoding="utf-8")
    command = [compiler, "-shared", "-fPIC", "-O2", "-Wall", f"-I{include_dir}",
               f'-DPROBE_VERSION="{PROBE_VERSION}"', str(source_file), "-o", str(output)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise WheelhouseError(f"{' '.join(command)} failed with exit code {result.returncode}:\n"
                              f"{result.stderr.strip()}\n(missing system headers? "
                              "install: apt-get install gcc libc6-dev)")


def build_probes(out_dir: Path, include_dir: Path, cc: str) -> list[Path]:
    """Write the httpy_pure and httpy_speedup probe wheels into out_dir."""
    tag = python_tag(include_dir)
    machine = platform.machine()
    library = f"httpy_speedup.cpython-{tag[2:]}-{machine}-linux-gnu.so"
    with tempfile.TemporaryDirectory(prefix="wheelhouse-") as build_dir:
        output = Path(build_dir) / library
        compile_extension(cc, include_dir, SPEEDUP_PROBE_SOURCE, output)
        speedup_files = {library: output.read_bytes()}
    return [
        write_wheel(out_dir, "httpy_pure", PROBE_VERSION, "py3-none-any",
                    {"httpy_pure.py": PURE_PROBE_SOURCE.encode("utf-8")},
                    probe_metadata("httpy_pure", "Pure-Python probe for httpy tests")),
        write_wheel(out_dir, "httpy_speedup", PROBE_VERSION, f"{tag}-{tag}-linux_{machine}",
                    speedup_files, probe_metadata("httpy_speedup", "C-extension probe for httpy tests")),
    ]


def pinned_requirements(wheel_dir: Path, names: list[str]) -> list[str]:
    """Return 'name==version --hash=sha256:...' lines for the wheels in wheel_dir, sorted by name."""
    if not wheel_dir.is_dir():
        raise WheelhouseError(f"wheel directory {wheel_dir} does not exist")
    wanted = {canonical_name(name) for name in names}
    hashes: dict[tuple[str, str], list[str]] = {}
    for wheel in sorted(wheel_dir.glob("*.whl")):
        parts = wheel.stem.split("-")
        if len(parts) not in (5, 6):
            raise WheelhouseError(f"{wheel} is not named NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl")
        name, version = canonical_name(parts[0]), parts[1]
        if not wanted or name in wanted:
            hashes.setdefault((name, version), []).append(hashlib.sha256(wheel.read_bytes()).hexdigest())
    missing = wanted - {name for name, _ in hashes}
    if missing:
        raise WheelhouseError(f"no wheel for {', '.join(sorted(missing))} in {wheel_dir}")
    if not hashes:
        raise WheelhouseError(f"no *.whl files in {wheel_dir}")
    duplicates = sorted(name for name, count in Counter(name for name, _ in hashes).items() if count > 1)
    if duplicates:
        raise WheelhouseError(f"several versions of {', '.join(duplicates)} in {wheel_dir}; cannot pin one")
    return [f"{name}=={version} " + " ".join(f"--hash=sha256:{digest}" for digest in digests)
            for (name, version), digests in sorted(hashes.items())]


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the chosen subcommand and return the exit status."""
    parser = argparse.ArgumentParser(prog="wheelhouse.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    flask = commands.add_parser("flask", help="repack Debian's python3-flask stack as wheels for Python 3.14")
    flask.add_argument("out_dir", type=Path)
    probes = commands.add_parser("probes", help="build the httpy_pure and httpy_speedup wheels")
    probes.add_argument("out_dir", type=Path)
    probes.add_argument("--include", type=Path, required=True,
                        help="the embedded CPython's include/python3.X directory (holds Python.h)")
    probes.add_argument("--cc", default="gcc", help="C compiler (default: gcc)")
    hashes = commands.add_parser("hashes", help="print a hash-pinned requirements file")
    hashes.add_argument("wheel_dir", type=Path)
    hashes.add_argument("names", nargs="*", help="distributions to pin (default: all)")
    args = parser.parse_args(argv)

    try:
        if args.command == "flask":
            lines = [str(path) for path in build_flask(args.out_dir)]
        elif args.command == "probes":
            lines = [str(path) for path in build_probes(args.out_dir, args.include, args.cc)]
        else:
            lines = pinned_requirements(args.wheel_dir, args.names)
    except (WheelhouseError, OSError) as error:
        print(f"wheelhouse.py: error: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
