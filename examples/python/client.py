#!/usr/bin/env python3
"""Command-line client for the newstag gRPC service.

    python client.py --addr HOST:PORT tag FILE           tag one article (text or HTML file)
    python client.py --addr HOST:PORT stream FILE.jsonl  TagStream, one JSON line per response

Run ./generate.sh first: it writes the stubs from ../../proto into newstag_pb/. Output uses the
protobuf JSON mapping with camelCase names, as grpcurl prints it. FILE may be "-" for stdin.

Exit status: 0 on success; 1 when the call fails (the server answers with an error status, the
deadline passes or the server cannot be reached); 2 for bad arguments or unreadable input.
Items of a stream that fail carry `error` in their response line and do not change the status.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import grpc
from google.protobuf import json_format

sys.path.insert(0, str(Path(__file__).resolve().parent / "newstag_pb"))
try:
    from newstag.v1 import tagger_pb2, tagger_pb2_grpc
except ImportError as e:  # the stubs are generated, not committed
    sys.exit(f"client.py: cannot import the generated stubs ({e}); run ./generate.sh first")

# Whole-call deadlines in seconds, per command (--timeout overrides them).
DEFAULT_TIMEOUT = {"tag": 30.0, "stream": 600.0}
MAX_MESSAGE_BYTES = 64 << 20
FORMATS = {"text": tagger_pb2.FORMAT_TEXT, "html": tagger_pb2.FORMAT_HTML}


class InputError(Exception):
    """An argument or input file the client cannot use (exit status 2)."""


def read_text(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {path}: {e}") from e


def guess_format(path: str, text: str) -> int:
    """HTML for .html/.htm files and for text that starts like a page, plain text otherwise."""
    head = text.lstrip()[:15].lower()
    if path.lower().endswith((".html", ".htm")) or head.startswith(("<!doctype", "<html")):
        return tagger_pb2.FORMAT_HTML
    return tagger_pb2.FORMAT_TEXT


def to_json(message, emit_defaults: bool, indent: int | None = None) -> str:
    as_dict = json_format.MessageToDict(message, always_print_fields_with_no_presence=emit_defaults)
    separators = None if indent else (",", ":")
    return json.dumps(as_dict, ensure_ascii=False, indent=indent, separators=separators)


def run_tag(stub: tagger_pb2_grpc.TaggerStub, args: argparse.Namespace) -> int:
    text = read_text(args.file)
    request = tagger_pb2.TagRequest(
        id=args.id if args.id is not None else Path(args.file).name,
        text=text,
        format=FORMATS[args.format] if args.format != "auto" else guess_format(args.file, text),
        include_body=args.body,
        include_scores=args.scores,
    )
    response = stub.Tag(request, timeout=args.timeout)
    print(to_json(response, args.emit_defaults, indent=2))
    return 0


class JsonlRequests:
    """The TagRequests of a JSONL file, read lazily; a bad line ends the stream and is kept in
    `error` (raising inside the iterator would only cancel the call, losing the message)."""

    def __init__(self, source: TextIO, name: str):
        self.source, self.name = source, name
        self.error: InputError | None = None

    def __iter__(self) -> Iterator[tagger_pb2.TagRequest]:
        for number, line in enumerate(self.source, start=1):
            if not line.strip():
                continue
            try:
                yield json_format.Parse(line, tagger_pb2.TagRequest())
            except json_format.ParseError as e:
                self.error = InputError(f"{self.name}:{number}: not a TagRequest: {e}")
                return


def run_stream(stub: tagger_pb2_grpc.TaggerStub, args: argparse.Namespace) -> int:
    try:
        source = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as e:
        raise InputError(f"cannot read {args.file}: {e}") from e
    with source:
        requests = JsonlRequests(source, args.file)
        answered = failed = 0
        try:
            for response in stub.TagStream(iter(requests), timeout=args.timeout):
                answered += 1
                failed += response.HasField("error")
                print(to_json(response, args.emit_defaults), flush=args.flush)
        except UnicodeDecodeError as e:
            raise InputError(f"{args.file} is not UTF-8: {e}") from e
    noun = "response" if answered == 1 else "responses"
    print(f"stream: {answered} {noun}, {failed} with an error", file=sys.stderr)
    if requests.error:
        raise requests.error
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Tag Chinese news articles with a newstag server.",
        epilog="Exit status: 0 ok, 1 the call failed, 2 bad arguments or input.",
    )
    parser.add_argument(
        "--addr",
        default=os.environ.get("NEWSTAG_CLIENT_ADDR", "localhost:50051"),
        help="server HOST:PORT (default: $NEWSTAG_CLIENT_ADDR or localhost:50051)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help="deadline of the whole call in seconds (default: 30 for tag, 600 for stream)",
    )
    parser.add_argument(
        "--emit-defaults",
        action="store_true",
        help="also print empty lists, zeros and empty strings (like grpcurl -emit-defaults)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    tag = commands.add_parser("tag", help="tag one article from a text or HTML file")
    tag.add_argument("file", help="the article, UTF-8 text or HTML ('-' for stdin)")
    tag.add_argument("--id", help="request id (default: the file name)")
    tag.add_argument(
        "--format",
        choices=["auto", "text", "html"],
        default="auto",
        help="how the file is encoded (default: by extension and content)",
    )
    tag.add_argument("--body", action="store_true", help="include the cleaned body")
    tag.add_argument("--scores", action="store_true", help="include every label's score")

    stream = commands.add_parser("stream", help="tag every line of a JSONL file via TagStream")
    stream.add_argument(
        "file", help='JSONL of TagRequests, e.g. {"id":"a1","text":"…"} ("-" for stdin)'
    )
    stream.add_argument("--flush", action="store_true", help="flush stdout after each line")

    args = parser.parse_args(argv)
    if args.timeout is None:
        args.timeout = DEFAULT_TIMEOUT[args.command]
    elif args.timeout <= 0:
        parser.error("--timeout must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    options = [
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ]
    method = {"tag": "Tag", "stream": "TagStream"}[args.command]
    run = {"tag": run_tag, "stream": run_stream}[args.command]
    try:
        with grpc.insecure_channel(args.addr, options=options) as channel:
            return run(tagger_pb2_grpc.TaggerStub(channel), args)
    except InputError as e:
        print(f"client.py: {e}", file=sys.stderr)
        return 2
    except grpc.RpcError as e:
        print(
            f"client.py: {method} on {args.addr} failed: {e.code().name}: {e.details()}",
            file=sys.stderr,
        )
        return 1
    except BrokenPipeError:  # piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
