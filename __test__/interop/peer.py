"""The Python side of the live interop suite, and the smallest complete example of a Python service
sharing one Redis with a Node.js service that uses cachekit (Node: `cache(fn, { namespace, interop, backend })`).

What a Python service needs, and all this script uses:

    from cachekit import cache
    from cachekit.backends.redis import RedisBackend

    backend = RedisBackend(redis_url="redis://127.0.0.1:6379")   # explicit: no key prefix

    @cache(namespace="users", interop="get_user", backend=backend, ttl=60)
    def get_user(user_id: int) -> dict: ...

    @cache.secure(namespace="users-enc", interop="get_user", backend=backend, ttl=60,
                  master_key="<64 hex characters, the same key the Node side is given>")
    def get_user_encrypted(user_id: int) -> dict: ...

Both SDKs then read and write `users:get_user:<blake2b-256 of the arguments>`; the encrypted entries
use the tenant "default" on both sides, or a deployment UUID when both are given the same one
(Python: `deployment_uuid="<lowercase canonical UUID>"`, Node: `tenant: '<the same string>'`).

Run by __test__/integration/python-interop.test.ts, one process per direction:

    python peer.py write SPEC.json   stores every value and argument shape of SPEC through the decorators
    python peer.py read SPEC.json    reads them back with functions that must not run, and prints what it
                                     got as one line of tagged JSON

SPEC.json (written by the test from __test__/interop/shapes.ts):
    {"redisUrl": ..., "masterKey": hex, "deploymentUuid": ...,
     "namespaces": {"plain": ..., "encrypted": ..., "uuid-tenant": ...},
     "values": [{"name", "value": tagged}], "arguments": [{"name", "operation", "args": [tagged], "marker"}]}

Shapes are the protocol's tagged JSON ($int, $float, $bytes, $datetime, $set, $uuid; JSON numbers are
always integers) plus three tags of this suite for Python types JavaScript lacks: {"$date": iso},
{"$time": iso} and {"$tuple": [...]}.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import date, datetime, time

from cachekit import cache
from cachekit.backends.redis import RedisBackend

MAX_SAFE_INTEGER = 2**53 - 1  # beyond it, a JSON number loses digits in JavaScript


class Ran(Exception):
    """Raised by a reader's function body: reaching it means the cache missed."""


# --- tagged JSON -> Python values, and back ------------------------------------------------------


def from_tagged(v):
    if isinstance(v, list):
        return [from_tagged(e) for e in v]
    if not isinstance(v, dict):
        return v  # str, int (JSON numbers in shapes are always integers), bool, None
    if len(v) == 1:
        ((tag, inner),) = v.items()
        if tag == "$int":
            return int(inner)
        if tag == "$float":
            return float(inner)
        if tag == "$bytes":
            return bytes.fromhex(inner)
        if tag == "$datetime":
            return datetime.fromisoformat(inner)
        if tag == "$date":
            return date.fromisoformat(inner)
        if tag == "$time":
            return time.fromisoformat(inner)
        if tag == "$uuid":
            return uuid.UUID(inner)
        if tag == "$set":
            return {from_tagged(e) for e in inner}
        if tag == "$tuple":
            return tuple(from_tagged(e) for e in inner)
        if tag.startswith("$"):
            raise ValueError(f"unknown tag {tag}")
    return {key: from_tagged(e) for key, e in v.items()}


def to_tagged(v):
    """What a reader got, typed: floats stay distinguishable from ints, big ints keep their digits."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if abs(v) <= MAX_SAFE_INTEGER else {"$int": str(v)}
    if isinstance(v, float):
        return {"$float": repr(v)}
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, datetime):  # before date: a datetime is a date
        return {"$datetime": v.isoformat()}
    if isinstance(v, date):
        return {"$date": v.isoformat()}
    if isinstance(v, time):
        return {"$time": v.isoformat()}
    if isinstance(v, list):
        return [to_tagged(e) for e in v]
    if isinstance(v, dict):
        return {str(key): to_tagged(e) for key, e in v.items()}
    return {"$unexpected": f"{type(v).__name__}: {v!r}"}


# --- the cached functions ------------------------------------------------------------------------


KINDS = ("plain", "encrypted", "uuid-tenant")


def decorate(spec, backend, kind, operation):
    """The decorators of the module docstring, for one operation; "uuid-tenant" encrypts for a deployment UUID."""
    namespace = spec["namespaces"][kind]
    if kind == "plain":
        return cache(namespace=namespace, interop=operation, backend=backend, ttl=60)
    tenant = {"deployment_uuid": spec["deploymentUuid"]} if kind == "uuid-tenant" else {}
    return cache.secure(
        namespace=namespace, interop=operation, backend=backend, ttl=60, master_key=spec["masterKey"], **tenant
    )


# Interop keys hash the bound argument list, so each arity needs a function with that many parameters.
def writer_for(arity, result):
    bodies = {
        0: lambda: result,
        1: lambda a: result,
        2: lambda a, b: result,
        3: lambda a, b, c: result,
    }
    return bodies[arity]


def reader_for(arity):
    def ran(*args):
        raise Ran(f"called with {args!r}")

    bodies = {
        0: lambda: ran(),
        1: lambda a: ran(a),
        2: lambda a, b: ran(a, b),
        3: lambda a, b, c: ran(a, b, c),
    }
    return bodies[arity]


def write(spec, backend):
    values = {shape["name"]: from_tagged(shape["value"]) for shape in spec["values"]}
    for kind in KINDS:

        @decorate(spec, backend, kind, "value")
        def value(name: str):
            return values[name]

        for name in values:
            value(name)
        for shape in spec["arguments"]:
            args = [from_tagged(a) for a in shape["args"]]
            stored = decorate(spec, backend, kind, shape["operation"])(writer_for(len(args), shape["marker"]))
            stored(*args)
    return {"written": len(spec["values"]) + len(spec["arguments"])}


def read(spec, backend):
    report = {}
    for kind in KINDS:

        @decorate(spec, backend, kind, "value")
        def value(name: str):
            raise Ran(name)

        got_values = {}
        for shape in spec["values"]:
            try:
                got_values[shape["name"]] = {"hit": to_tagged(value(shape["name"]))}
            except Ran:
                got_values[shape["name"]] = {"miss": True}
        got_arguments = {}
        for shape in spec["arguments"]:
            args = [from_tagged(a) for a in shape["args"]]
            read_marker = decorate(spec, backend, kind, shape["operation"])(reader_for(len(args)))
            try:
                got_arguments[shape["name"]] = {"hit": to_tagged(read_marker(*args))}
            except Ran:
                got_arguments[shape["name"]] = {"miss": True}
        report[kind] = {"values": got_values, "arguments": got_arguments}
    return report


def main():
    command, spec_path = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding="utf-8") as file:
        spec = json.load(file)
    backend = RedisBackend(redis_url=spec["redisUrl"])
    result = {"write": write, "read": read}[command](spec, backend)
    # One line, last: the library may log to stdout before it.
    print(json.dumps(result, ensure_ascii=True))


if __name__ == "__main__":
    main()
