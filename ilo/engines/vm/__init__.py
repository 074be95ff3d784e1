"""The bytecode VM engine (``--engine vm``).

A **register machine**, not a stack machine. In a VM hosted in CPython the
cost is the number of Python-level dispatch steps, not the work per step
(see ``shared/notes/vm-speed.md``: a push/pop stack loop measured ~18x
CPython on a while loop, registers with fused instructions ~3x). So:

* every local, temporary and constant has a register resolved at compile
  time; an instruction ``(op, a, b, c)`` reads and writes registers
  directly, with no push/pop traffic and no name lookups;
* the hot shapes are single instructions: ``x=+x e`` (``ADD_SELF``, which
  also appends text in place), compare-and-branch (``JT_LT`` ...), loops
  tested at the bottom (one branch per iteration), calls of user functions
  and builtins with their target resolved at compile time;
* a peephole pass fuses the shapes ilo programs are made of: the loop step
  and its test (``STEP_LT``), a braceless guard and its exit (``RET_IF``;
  ``MOVE_IF`` once inlined), a call whose argument is arithmetic
  (``ARITH_CALL1``, ``fib -n 1``); a one-parameter function whose first
  guard returns (``<=n 1 n``) is answered at the call site without a frame
  when that guard holds;
* record and list literals get a handler generated for their registers,
  which also computes the values made only for the literal (``builders``);
* everything rare is one ``EXT`` instruction calling a small handler.

Modules: ``opcodes`` (instruction set), ``code`` (Code objects),
``compiler`` and ``expressions`` (checked AST -> Code: scopes, statements,
expressions, inlining of small leaf functions), ``loop`` (the dispatch
loop), ``handlers`` (EXT operations), ``builders`` (generated literal
handlers and producer fusion), ``engine`` (VMEngine, the guard
locator) and ``dis`` (``ilo dis FILE.ilo``).
Operators, patterns, unwrap and builtins are the shared ``ilo.runtime``.
"""

from __future__ import annotations


def __getattr__(name):
    if name == "VMEngine":
        from ilo.engines.vm.engine import VMEngine

        return VMEngine
    raise AttributeError(name)
