"""A sweep of the whole command line with bad input: no traceback, no hang; bad usage is exit 2 and one line.

Bounded in time for CI: examples are generated, not shrunk (`Phase.generate`), so a failure reports the
command line as drawn; the in-process sweep takes about 20 s and the `serve` sweep about 15 s here.

The commands and their options are read from the argparse parser itself, and
each option's bad values follow from how it is declared: an `int` or `float`
option gets non-numbers, huge, negative and non-finite numbers; a choice gets
names that are not among its choices; a `Path` gets a missing file, a file
where a folder belongs, a folder where a file belongs, and small corpora that
are broken in known ways; any other option gets arbitrary text. Stdin gets
arbitrary bytes and known troublemakers. An option added later is swept
without a change here. Three options take values from a short safe list
instead (`SAFE`): arbitrary text there would resolve a host name over the
network, start a program or import a module.

`sigvec serve` runs as a process (a valid setting makes it serve until it is
stopped); every other command runs in this process.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sigvec.cli import main, parser
from tests.support.corpus import REPO

ARGV_TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=20)
"""What a shell can pass as one argument: anything but NUL (undecodable bytes arrive as surrogate escapes)."""
NASTY_TEXT = st.sampled_from(["", "-", "--", " ", "\udcff", "\x1b[2J", "nan", "inf", "-1", "0", "9" * 40, "a\nb", "é"])
NUMBERS = st.sampled_from(["nan", "inf", "-inf", "1e309", "-1", "0", "-0", "99999999999999999999999", "0x10", "1_0", " 5"])
SAFE = {
    "--host": ["127.0.0.1", "::1", "localhost"],
    "--harness": ["/nonexistent/harness", "", "'unclosed", "   "],
    "--python": [
        "nocolon", "no_such_module_sigvec:f", "tests.support.gate:no_such_function", ":", "a:b:c", "tests.support.gate:",
    ],
}
HEX_TIMESTAMP = "0x" + "f" * 4000
HEX_INPUT = f"scheme: coinex-v2\ncredentials: {{api_key: k, secret: s}}\nmethod: GET\npath: /v2/x\ntimestamp: {HEX_TIMESTAMP}\n"
STDIN = st.one_of(
    st.binary(max_size=200),
    ARGV_TEXT.map(lambda text: text.encode("utf-8", "surrogateescape")),
    st.sampled_from([
        HEX_INPUT.encode(),
        b'{"scheme": "max-v2", "credentials": {"api_key": "k", "secret": "s"}, "method": "GET", "path": "/", "timestamp": '
        + b"9" * 5000 + b"}",
        b"[" * 100_000,
        b'{"method": "GET", "url": "https://x/\xff", "headers": {}, "body": null}',
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
    ]),
)


def small_corpus(root: Path) -> Path:
    """A corpus of one file (MAX), so that a command that succeeds is quick."""
    root.mkdir(parents=True)
    for path in (REPO / "vectors").iterdir():
        if path.is_file():
            shutil.copy(path, root / path.name)
    (root / "max").mkdir()
    shutil.copy(REPO / "vectors" / "max" / "max.yaml", root / "max" / "max.yaml")
    return root


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Paths a user gets wrong: missing, a file for a folder, a folder for a file, and corpora broken in known ways."""
    base = tmp_path_factory.mktemp("sweep")
    (base / "file.txt").write_text("not a folder, not YAML: {[\n")
    (base / "binary.yaml").write_bytes(b"\xff\xfe\x00")
    (base / "folder").mkdir()
    small = small_corpus(base / "small")
    with_folder = small_corpus(base / "folder-named-yaml")
    (with_folder / "max" / "extra.yaml").mkdir()
    hex_clock = small_corpus(base / "hex-timestamp")
    max_file = hex_clock / "max" / "max.yaml"
    max_file.write_text(max_file.read_text().replace("timestamp: 1700000000000", f"timestamp: {HEX_TIMESTAMP}", 1))
    return {
        "cwd": base, "small": small, "missing": base / "missing", "file": base / "file.txt", "binary": base / "binary.yaml",
        "folder": base / "folder", "folder-named-yaml": with_folder, "hex-timestamp": hex_clock,
    }


def value_strategy(action: argparse.Action, places: dict[str, Path]) -> st.SearchStrategy[str]:
    """Bad (and some good) values for one option, from its declaration alone (but the `SAFE` three)."""
    name = action.option_strings[-1]
    if name in SAFE:
        return st.sampled_from(SAFE[name])
    if action.choices is not None:
        return st.one_of(st.sampled_from([str(choice) for choice in action.choices]), ARGV_TEXT, NASTY_TEXT)
    if action.type in (int, float):
        return st.one_of(NUMBERS, NASTY_TEXT, ARGV_TEXT, st.integers(-(10**30), 10**30).map(str))
    if action.type is Path:
        return st.one_of(st.sampled_from([str(path) for key, path in places.items() if key != "cwd"]), NASTY_TEXT, ARGV_TEXT)
    return st.one_of(NASTY_TEXT, ARGV_TEXT)


def commands() -> dict[str, argparse.ArgumentParser]:
    subparsers = next(action for action in parser()._actions if isinstance(action, argparse._SubParsersAction))
    return dict(subparsers.choices)


def options_of(command: argparse.ArgumentParser) -> list[argparse.Action]:
    """Every option but --help (and --version): those print and exit 0 by design."""
    skipped = (argparse._HelpAction, argparse._VersionAction)
    return [action for action in command._actions if action.option_strings and not isinstance(action, skipped)]


@st.composite
def command_lines(draw: st.DrawFn, places: dict[str, Path], names: list[str]) -> list[str]:
    """One command with a drawn subset of its options, each with a drawn value (and now and then an unknown option)."""
    name = draw(st.sampled_from(names))
    argv = [name]
    for action in options_of(commands()[name]):
        if draw(st.integers(0, 2)) == 0:
            continue
        argv.append(action.option_strings[-1])
        if not isinstance(action, argparse._StoreTrueAction) and draw(st.integers(0, 15)) > 0:
            argv.append(draw(value_strategy(action, places)))
    if draw(st.integers(0, 10)) == 0:
        argv.append(draw(st.sampled_from(["--no-such-option", "stray", "-x"])))
    return argv


@contextlib.contextmanager
def a_shell(places: dict[str, Path], stdin: bytes) -> Iterator[tuple[io.TextIOWrapper, io.TextIOWrapper]]:
    """stdin, stdout and stderr as a terminal gives them (stdout strict UTF-8, stderr backslash-escaped), in a
    scratch folder, with `$SIGVEC_VECTORS` naming the small corpus."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    saved = sys.stdin, sys.stdout, sys.stderr, os.getcwd(), os.environ.get("SIGVEC_VECTORS")
    sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"), out, err
    os.chdir(places["cwd"])
    os.environ["SIGVEC_VECTORS"] = str(places["small"])
    try:
        yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved[:3]
        os.chdir(saved[3])
        if saved[4] is None:
            del os.environ["SIGVEC_VECTORS"]
        else:
            os.environ["SIGVEC_VECTORS"] = saved[4]


def text_of(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


def assert_handled(argv: list[str], code: object, stderr: str) -> None:
    assert code in (0, 1, 2), (argv, code, stderr)
    if code == 2:
        assert stderr.count("\n") == 1 and stderr.startswith("sigvec") and ": error: " in stderr, (argv, stderr)


IN_PROCESS = sorted(set(commands()) - {"serve"})


@settings(max_examples=200, phases=[Phase.generate], deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_bad_command_line_or_stdin_makes_a_command_raise_and_bad_usage_is_one_line(
    places: dict[str, Path], data: st.DataObject
) -> None:
    argv = data.draw(command_lines(places, IN_PROCESS))
    with a_shell(places, data.draw(STDIN)) as (out, err):
        try:
            code: object = main(argv)
        except SystemExit as done:
            code = done.code
        text_of(out)
        assert_handled(argv, code, text_of(err))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_bad_serve_setting_makes_sigvec_serve_raise_or_hang(places: dict[str, Path], data: st.DataObject) -> None:
    """As a process: a setting it refuses is exit 2 and one line; one it accepts makes it listen, and SIGTERM stops it."""
    argv = data.draw(command_lines(places, ["serve"]))
    if "--port" not in argv:
        argv += ["--port", "0"]
    environment = {**os.environ, "SIGVEC_VECTORS": str(places["small"])}
    process = subprocess.Popen([sys.executable, "-m", "sigvec.cli", *argv], cwd=places["cwd"], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    if first.startswith(b"sigvec serve: listening on "):
        process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=30)
    assert_handled(argv, code, process.stderr.read().decode("utf-8", "backslashreplace"))


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["sign"], HEX_INPUT, "input: not valid JSON or YAML: an integer has more than 4300 digits at line 5"),
        (["check", "--vectors", "{folder-named-yaml}"], "", "max/extra.yaml: cannot be read (Is a directory)"),
        (["lint", "--vectors", "{folder-named-yaml}"], "", "max/extra.yaml: cannot be read (Is a directory)"),
        (["errata", "--vectors", "{folder-named-yaml}"], "", "max/extra.yaml: cannot be read (Is a directory)"),
        (["vectors", "--vectors", "{folder-named-yaml}"], "", "max/extra.yaml: cannot be read (Is a directory)"),
        (["vectors", "--vectors", "{hex-timestamp}"], "", "max/max.yaml: an integer has more than 4300 digits at line"),
        (["vectors", "--format", "ccxt-static", "--out", "{file}"], "", "--out: cannot write {file} (File exists)"),
        (["gate", "--harness", "x", "--timeout", "nan"], "", "--timeout: must be a positive number of seconds"),
        (["serve", "--port", "x"], "", "argument --port: invalid int value: 'x'"),
    ],
    ids=["hex-timestamp-stdin", "check", "lint", "errata", "vectors", "hex-timestamp-corpus", "out-is-a-file", "nan", "port"],
)
def test_the_known_bad_inputs_exit_2_with_one_line_naming_the_field(
    places: dict[str, Path], argv: list[str], stdin: str, message: str
) -> None:
    argv = [part.format_map({key: str(path) for key, path in places.items()}) for part in argv]
    with a_shell(places, stdin.encode()) as (_, err):
        try:
            code: object = main(argv)
        except SystemExit as done:
            code = done.code
        stderr = text_of(err)
    assert code == 2 and stderr.count("\n") == 1
    assert message.format_map({key: str(path) for key, path in places.items()}) in stderr
