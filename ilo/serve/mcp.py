"""``ilo mcp``: a Model Context Protocol server over stdio.

Built on the official ``mcp`` SDK (``pip install ilo[mcp]``; 1.x calls the
server class ``FastMCP``, 2.x ``MCPServer``: both work).  Tools:

* ``run``: program, func, args, engine, max_runtime, max_output_bytes,
  max_memory -> the ``ilo serv`` response (value or error, stdout,
  diagnostics) as JSON text.  Every run goes through the same warm,
  supervised workers as ``ilo serv``: a runaway program ends in its
  diagnostic, never in the server's death.
* ``check``: program -> its diagnostics (JSON text), without running it.
* ``explain``: code -> the explanation of a diagnostic code.

A harness plugs it in with one line of its MCP config::

    {"mcpServers": {"ilo": {"command": "ilo", "args": ["mcp"]}}}
"""

from __future__ import annotations

import atexit
import json

from ilo import runtime_guard
from ilo.diagnostics.errors import IloUsageError
from ilo.serve import core
from ilo.serve.workers import Workers


def _server_class():
    try:
        from mcp.server.mcpserver import MCPServer
        return MCPServer
    except ImportError:
        pass
    try:
        from mcp.server.fastmcp import FastMCP
        return FastMCP
    except ImportError:
        raise IloUsageError(
            "ILO-U007", "ilo mcp needs the MCP SDK, which is not installed",
            hint="install it with: pip install 'ilo[mcp]' (or pip install mcp)") from None


def build(workers: Workers):
    """The MCP server object with ilo's three tools (not started)."""
    server = _server_class()("ilo", instructions=(
        "Run and check programs in ilo, a compact prefix-notation language for agents. "
        "Every run is guarded: a runaway program ends with a diagnostic code."))

    @server.tool(description="Run an ilo program and return its value, stdout and "
                             "diagnostics as JSON. args are CLI-style strings or JSON values.")
    def run(program: str, func: str | None = None, args: list | None = None,
            engine: str | None = None, max_runtime: float | None = None,
            max_output_bytes: int | None = None, max_memory: float | None = None) -> str:
        req = {"program": program, "func": func, "args": args or [], "engine": engine,
               "max_runtime": max_runtime, "max_output_bytes": max_output_bytes,
               "max_memory": max_memory}
        return json.dumps(workers.call({k: v for k, v in req.items() if v is not None}),
                          ensure_ascii=False)

    @server.tool(description="Parse and verify an ilo program without running it; "
                             "returns its diagnostics (errors and warnings) as JSON.")
    def check(program: str) -> str:
        return json.dumps({"diagnostics": core.check(program)}, ensure_ascii=False)

    @server.tool(description="Explain an ilo diagnostic code such as ILO-T004 or ILO-R016.")
    def explain(code: str) -> str:
        from ilo.diagnostics.registry import explain as lookup
        return lookup(code) or f"unknown diagnostic code {code!r}"

    return server


def main(argv: list[str], opts) -> int:
    from ilo.cli.args import guard_flags, sandbox_policy

    if argv:
        raise IloUsageError("ILO-U001", f"ilo mcp: unexpected argument '{argv[0]}'",
                            hint="usage: ilo [guard flags] [--engine E] mcp")
    server_class = _server_class()        # a usage error before anything starts
    del server_class
    workers = Workers(1, runtime_guard.limits_from_flags(guard_flags(opts)), opts.engine,
                      policy=sandbox_policy(opts))
    atexit.register(workers.close)
    workers.call({"program": "main>n;1"})   # fork the first worker before any thread exists
    build(workers).run()
    return 0
