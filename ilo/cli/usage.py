"""Help texts for ``ilo --help`` and ``ilo SUBCOMMAND --help``, and the
upstream subcommands this implementation does not offer (with the reason)."""

from __future__ import annotations

USAGE = """usage:
  ilo [flags] 'code' [func] [args...]     run inline code
  ilo [flags] FILE.ilo [func] [args...]   run a file (default: main, or its only function)
  ilo run SRC [func] [args...]            the same, spelled out; SRC may be - (stdin)
  ilo check SRC [--strict]                parse and verify without running
  ilo test [PATH...] [-v] [-j N] ...      run the -- run:/-- out: cases of .ilo files
  ilo serv [-j N]                         JSON-lines server: one request per line
  ilo mcp                                 Model Context Protocol server over stdio
  ilo repl                                interactive session
  ilo graph FILE [--fn NAME] [--reverse] [--dot]   call graph (text, --json, DOT)
  ilo dis FILE.ilo [func...]              the VM bytecode of each function, with source lines
  ilo explain CODE | ilo --explain CODE   explain a diagnostic code
  ilo version | ilo --version             version (with --json: engines, guards)
  ilo spec [lang|ai]                      the language spec, full or compact
  ilo skill list | get NAME | path NAME   the agent skills shipped with ilo
  ilo help [lang|ai]                      this text, or the spec
run flags (before SRC, right after it, or long forms after the arguments):
  --engine tree|vm|jit   --vm (--run-vm)   --jit (--run-jit)   --run-tree
  --jit-report           with the jit engine: one stderr line per function, native or not
  --ast                  print the parsed program as JSON instead of running
  --dense / -d           print the program reformatted, one line per declaration
  --expanded / -e        print the program reformatted, one statement per line
  --silent / -s          discard the program's stdout (stderr untouched)
global flags:
  --json / -j   --text / -t   --ansi / -a   (default: JSON unless stderr is a
                terminal; colour on a terminal unless NO_COLOR is set)
  --no-hints / -nh       --max-ast-depth N (256)
  --max-runtime SECS (60)   --max-output-bytes BYTES (104857600)
  --max-memory MB (4096)    --max-idle SECS (0 = off)
  --max-write-bytes BYTES (1073741824)   --drain-timeout SECS (5)
  --allow-read DIRS  --allow-write DIRS  --allow-net HOSTS  --allow-env NAMES
                     (comma lists, '*' = all; once one is given the rest are denied)
  --require-kernel-sandbox   exit 2 unless Landlock enforces the --allow-* rules too
not offered here: compile/build (AOT), httpd, tools (see SPEC.md section 9)
"""

SUBCOMMAND_HELP = {
    "run": """usage: ilo run [flags] SRC [func] [args...]
  SRC is a .ilo file, inline code, or - to read the program from stdin.
  The function defaults to main, or the only function of the program.
flags: --engine tree|vm|jit, --vm/--run-vm, --jit/--run-jit, --run-tree (one engine only),
       --ast, --dense/-d, --expanded/-e, --silent/-s, and the global flags (ilo --help)
""",
    "check": """usage: ilo check [flags] SRC [--strict]
  Parse and verify SRC without running it. Prints nothing and exits 0 when
  the program is fine; otherwise every diagnostic (errors and warnings) in
  the active mode, exit 2 for an error.
  --strict   warnings fail the check too (exit 1)
  --max-ast-depth N   refuse programs nested deeper than N (default 256)
""",
    "test": """usage: ilo test [PATH...] [--engine tree|vm|jit|all] [-j N] [--case-timeout S]
                [--results FILE [--resume]] [--json] [--junit FILE] [--shard K/N] [-v]
  Run the -- run: / -- out: / -- err: cases written in the .ilo files under
  PATH (default: the current directory) on forked workers, each case under
  the runtime guard. -v lists passing cases too. (ilo test --help: all flags)
""",
    "serv": """usage: ilo [guard flags] [--engine E] serv [-j N]
  JSON lines on stdin, one JSON response line per request on stdout:
  {"program": ..., "func": ..., "args": [...], "id": ..., "max_runtime": ...}
""",
    "mcp": """usage: ilo [guard flags] [--engine E] mcp
  A Model Context Protocol server over stdio with tools run, check, explain.
""",
    "explain": """usage: ilo explain CODE
  Describe a diagnostic code, e.g. ilo explain ILO-T004 (also: ilo --explain CODE).
""",
    "version": """usage: ilo version [--json]
  Print the version; with --json also the engines available and the
  runtime guard's layers.
""",
    "spec": """usage: ilo spec [lang|ai]
  lang (default): the language specification (SPEC.md).
  ai: a compact form of it for agents: headings, rules and examples only.
""",
    "help": """usage: ilo help [lang|ai]
  Without a topic: the command overview (ilo --help). With one: ilo spec TOPIC.
""",
    "skill": """usage: ilo skill list | get NAME | path NAME
  list       the skills shipped with ilo, one per line: name and description
  get NAME   print the skill's SKILL.md
  path NAME  print where the skill's SKILL.md is on disk
""",
    "repl": """usage: ilo repl
  An interactive session. Declarations (functions, types) and bindings are
  kept between entries; every entry runs under the runtime guard, so a
  runaway entry is stopped (ILO-R016) and the session goes on.
  Commands: :help, :defs, :reset, :quit (or end of input).
""",
    "graph": """usage: ilo graph FILE [--fn NAME] [--reverse] [--dot]
  The call graph of a program: which functions call which (builtins left out).
  --fn NAME   only NAME and what it calls, transitively
  --reverse   with --fn: the functions that call NAME, transitively
  --dot       Graphviz DOT instead of text; --json gives JSON
""",
}

NOT_OFFERED = {
    "compile": "ahead-of-time compilation to a native binary needs upstream's Rust/Cranelift "
               "toolchain; run the program with `ilo run` (or --jit) instead",
    "build": "`build` is upstream's alias for AOT `compile`, which this implementation does not "
             "offer; run the program with `ilo run` (or --jit) instead",
    "httpd": "serving HTTP would run untrusted handlers outside the runtime guard's one-shot "
             "model; run each request with `ilo run` instead",
    "tools": "tool discovery over MCP/HTTP providers is not implemented; declare tools in the "
             "program with `tool` declarations",
    "tool": "tool discovery over MCP/HTTP providers is not implemented; declare tools in the "
            "program with `tool` declarations",
}


def subcommand_help(name: str) -> str:
    return SUBCOMMAND_HELP.get(name, USAGE)
