"""Every diagnostic code ilo can print, with a short title and a longer
explanation for ``ilo --explain CODE``.

Codes follow one scheme, ``ILO-<letter><3 digits>``:

====  ==========================================================
L     lexer: a character or word the tokenizer refuses
P     parser: the token stream does not form a program
T     verifier: a static check failed (some T codes are warnings)
W     warnings that are neither parse nor type errors
R     runtime: raised while a program runs (R016/R017/R6xx come
      from the runtime guard and process supervisor)
U     usage: the command line itself is wrong
====  ==========================================================

The L/P/T/W/R001-R099 codes are the ones the reference implementation
defines; the meanings are kept so an agent's knowledge transfers. The
explanations are written for this implementation. ILO-R016, ILO-R017,
ILO-R601..R611 and the ILO-U codes are ours.

Each explanation says what the code means, the usual cause, how to fix it,
and shows a small example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from textwrap import dedent


@dataclass(frozen=True)
class Entry:
    code: str
    title: str
    explanation: str


REGISTRY: dict[str, Entry] = {}


def _add(code: str, title: str, explanation: str) -> None:
    if code in REGISTRY:  # pragma: no cover - guarded by the tests
        raise ValueError(f"duplicate diagnostic code {code}")
    REGISTRY[code] = Entry(code, title, dedent(explanation).strip() + "\n")


# ── Lexer ────────────────────────────────────────────────────────────────────

_add("ILO-L001", "unexpected character", """
    The tokenizer met a character (or word) that has no meaning in ilo, such
    as `#`, a backtick, or an uppercase keyword borrowed from another
    language.

    Common causes:
      - writing `AND a b`, `OR a b` or `NOT a`; ilo spells these `&a b`,
        `|a b` and `!a`
      - pasting code from another language

    Fix: remove the character or use the ilo operator.

    Example:
      f a:b c:b>b;AND a c     -- rejected
      f a:b c:b>b;&a c        -- accepted
""")

_add("ILO-L002", "underscore in identifier", """
    Names of functions, parameters and bindings may not contain `_`. ilo
    joins words in a name with a hyphen.

    The only place underscores are accepted is a field name after `.` or
    `.?` (so JSON keys such as `r.user_id` still work).

    Fix: replace `_` with `-`, or drop it.

    Example:
      my_sum a:n b:n>n;+a b   -- rejected
      my-sum a:n b:n>n;+a b   -- accepted
""")

_add("ILO-L003", "uppercase identifier", """
    Identifiers are lowercase ASCII letters and digits, optionally split
    into segments with `-`: the shape is `[a-z][a-z0-9]*(-[a-z0-9]+)*`.
    Capital letters are kept for the type constructors (`L`, `R`, `O`, `M`,
    `S`, `F`).

    Uppercase is allowed only in a field name after `.` or `.?`.

    Fix: lowercase the name, using `-` where a capital marked a new word.

    Example:
      getUser id:t>t;id       -- rejected
      get-user id:t>t;id      -- accepted
""")

# ── Parser ───────────────────────────────────────────────────────────────────

_add("ILO-P001", "unexpected token where a declaration should start", """
    At the top level the parser expects a declaration: a function
    (`name params>type;body`), `type`, `tool`, `alias` or `use`. It found
    something else.

    Common causes:
      - a keyword from another language (`def`, `fn`, `function`, `let`,
        `if`, `return`) at the start of a line
      - a statement that belongs to the previous function but was placed on
        a new, unindented line

    Fix: start the line with a declaration, or indent/join the statement
    into the function it belongs to.

    Example:
      def dbl x:n>n;*x 2      -- rejected: no `def`
      dbl x:n>n;*x 2          -- accepted
""")

_add("ILO-P002", "input ended where a declaration was expected", """
    The source ended in the middle of a top-level construct, before a
    complete declaration could be read.

    Common cause: a truncated program, for example a header without its
    body.

    Fix: finish the declaration.

    Example:
      sq x:n>                 -- rejected: return type and body missing
      sq x:n>n;*x x           -- accepted
""")

_add("ILO-P003", "unexpected token", """
    The parser needed one kind of token and found another. The message
    names both.

    Common causes:
      - `main:>n;...` (there is no `:` between a function name and `>`)
      - `=<a b` or `=>a b` (the operators are `<=` and `>=`, one token)
      - a loop or conditional body split over lines without braces; write
        `@x xs{...}` / `cond{...}` with the braces on the same line
      - an unbalanced bracket, brace or parenthesis

    Fix: write the token the message asks for.

    Example:
      main:>n;42              -- rejected
      main>n;42               -- accepted
""")

_add("ILO-P004", "unexpected end of input", """
    The source ended while the parser was still waiting for a specific
    token, usually a closing `}`, `]` or `)`.

    Fix: close every bracket you open.

    Example:
      f xs:L n>n;s=0;@x xs{s=+s x;s     -- rejected: `}` missing
      f xs:L n>n;s=0;@x xs{s=+s x};s    -- accepted
""")

_add("ILO-P005", "expected an identifier", """
    A name was required here (a function name, parameter, binding, field or
    loop variable) but a different token was found. Reserved words and
    literals cannot be used as names.

    Fix: put a valid lowercase name in that position.

    Example:
      f 1:n>n;1               -- rejected: a parameter needs a name
      f x:n>n;x               -- accepted
""")

_add("ILO-P006", "expected an identifier, input ended", """
    The source ended where a name was required, for example right after
    `type` or after `@` in a loop.

    Fix: complete the construct with a name.

    Example:
      type                    -- rejected
      type pt{x:n;y:n}        -- accepted
""")

_add("ILO-P007", "expected a type", """
    A type was required (after `:` on a parameter, after `>` for the
    return type, inside `L`, `R`, `O`, `M`, `F`) but something else
    followed, or the line ended.

    Types are `n`, `t`, `b`, `_`, a declared record name, a one-letter type
    variable, or a constructor such as `L n`, `R n t`, `O t`, `M t n`,
    `S a b`, `F n n`.

    Fix: write the missing type.

    Example:
      f x:>n;x                -- rejected: parameter type missing
      f x:n>n;x               -- accepted
""")

_add("ILO-P008", "expected a type, input ended", """
    The source ended where a type was required, typically a header such as
    `f x:n>R n` whose error type was never written.

    Fix: complete the type.

    Example:
      f x:n>R n               -- rejected: `R` needs an ok and an err type
      f x:n>R n t;~x          -- accepted
""")

_add("ILO-P009", "expected an expression", """
    An expression was required (a function body, an operand, a call
    argument, a guard body) but another token came.

    Common causes:
      - an empty body: `f x:n>n;`
      - a lambda written with `fn`; ilo lambdas are parenthesised
        declarations without a name: `(x:n>n;*x 2)`
      - a `{key value}` map literal; ilo has none, build maps with
        `mmap` and `mset`
      - an `F` type with nothing in it

    Example:
      map fn x:n>n;*x 2 xs    -- rejected
      map (x:n>n;*x 2) xs     -- accepted
""")

_add("ILO-P010", "expected an expression, input ended", """
    The source ended where an expression was still needed, for example
    after an operator that has only received one operand. Also reported for
    a sum type `S` with no variants.

    Fix: supply the rest of the expression.

    Example:
      f a:n>n;+a              -- rejected: `+` needs two operands
      f a:n>n;+a 1            -- accepted
""")

_add("ILO-P011", "bad pattern, or a reserved/builtin name used as a name", """
    Two related situations share this code.

    1. In a match `?x{...}` an arm must start with a pattern: a number,
       text, `true`/`false`/`nil`, `~v`, `^e`, a type test (`n v`, `t v`,
       `b v`, `l v`) or `_`. Something else was found, often a statement
       written where a pattern belongs.

    2. A reserved word (`if`, `return`, `let`, `fn`, `def`, `var`, `const`,
       `brk`, `cnt`) or the name of a builtin (`len`, `map`, `flt`, `fld`,
       `ord`, `flat`, ...) was used as a function name or a binding. Builtin
       names always win at a call site, so such a name would silently call
       the builtin instead.

    Fix: for (1) write a valid pattern; for (2) pick another name, e.g. add
    a letter (`lenv`) or a prefix (`my-len`). Two-letter names that are not
    builtins today are safe to use.

    Example:
      main>n;len=3;len        -- rejected: `len` is a builtin
      main>n;ln=3;ln          -- accepted
""")

_add("ILO-P012", "expected a pattern, input ended", """
    The source ended inside a match block before an arm's pattern.

    Fix: finish the arm and close the `}`.

    Example:
      f x:n>t;?x{1:"one";     -- rejected
      f x:n>t;?x{1:"one";_:"other"}   -- accepted
""")

_add("ILO-P013", "expected a number literal", """
    A literal number was required, for example as the value of a tool's
    `timeout:` or `retry:` option, and another token was found.

    Fix: write a number there.

    Example:
      tool ping"Ping" h:t>R t t timeout:x,retry:1   -- rejected
      tool ping"Ping" h:t>R t t timeout:5,retry:1   -- accepted
""")

_add("ILO-P014", "expected a number literal, input ended", """
    The source ended where a literal number was required.

    Fix: supply the number.

    Example:
      tool ping"Ping" h:t>R t t timeout:      -- rejected
      tool ping"Ping" h:t>R t t timeout:5     -- accepted
""")

_add("ILO-P015", "tool declaration without a description", """
    A `tool` declaration must carry a quoted description right after its
    name; it is part of the tool's public interface.

    Fix: add the description string.

    Example:
      tool lookup id:t>R t t               -- rejected
      tool lookup"Find a record" id:t>R t t   -- accepted
""")

_add("ILO-P016", "stray token after a braceless guard body (or a malformed `use`)", """
    A braceless guard `cond value` takes exactly one operand as its value.
    If more tokens follow before `;`, `}` or `)`, the value was probably a
    function call. The parser does not read calls there; bind the call
    first, or use a braced body with `ret` (a braced body alone does not
    return early).

    The same code is used for a malformed `use` line: a missing path
    string, an unclosed `[`, or an empty `[]` name list.

    Fix: wrap a call in braces, or bind it first.

    Example:
      f x:n>t;>x 9 str x;"small"       -- rejected
      f x:n>t;>x 9{ret str x};"small"  -- braces, with `ret` to return
      f x:n>t;s=str x;>x 9 s;"small"   -- or bind first
""")

_add("ILO-P017", "`use` could not be resolved", """
    A `use "path.ilo"` import failed: the file does not exist or cannot be
    read, or `use` appeared in an inline program (`ilo 'code'`), where there
    is no directory to resolve the path against. Paths are relative to the
    importing file.

    (Older releases also used this code for an inline lambda that referred
    to outer variables; capturing is now allowed.)

    Fix: check the path, or put the program in a file.

    Example:
      use "lib/mathx.ilo"      -- lib/mathx.ilo must exist next to this file
""")

_add("ILO-P018", "variadic call in the middle of an argument list (or circular import)", """
    `fmt` takes a template plus any number of values, so the parser cannot
    tell where its arguments stop. Used as an argument of another call it
    must be the last argument, or be wrapped in parentheses.

    The same code reports a circular import: file A uses B and B (directly
    or through others) uses A again.

    Fix: move `fmt ...` to the last slot, or write `(fmt ...)`; break import
    cycles by moving shared declarations into a third file.

    Example:
      g a:t b:n>t;a
      f x:n>t;g fmt "v={}" x 1       -- rejected
      f x:n>t;g (fmt "v={}" x) 1     -- accepted
""")

_add("ILO-P019", "imported name not found", """
    A scoped import `use "file.ilo" [a b]` listed a name that the imported
    file does not declare.

    Fix: correct the spelling, or drop the name from the list.

    Example:
      use "shapes.ilo" [area perimiter]    -- rejected if only `perimeter` exists
""")

_add("ILO-P020", "incomplete function header", """
    A function header (`name params>return-type;body`) stopped before it was
    complete: the `>` is missing, or the return type is cut short (e.g. `R`
    without both of its types). The error points at the function whose
    header is incomplete rather than at whatever follows it.

    Fix: finish the header on the line where the function starts; a long
    header may continue on an indented line.

    Example:
      half x:n                -- rejected: no `>type;body`
      half x:n>n;/x 2         -- accepted
""")

_add("ILO-P021", "ambiguous double minus before two prefix groups", """
    A shape like `- -*a b *c d` is rejected. It looks like "-(a*b) minus
    (c*d)" but the inner `-` takes both groups as a subtraction and the
    outer `-` becomes a negation, giving -(a*b - c*d): the sign of the
    second term flips. Because that silently computes the wrong number,
    the parser refuses it. `- -a b` with plain atoms is still fine.

    Fix: negate a sum, or bind the parts first.

    Example:
      f a:n b:n c:n d:n>n;- -*a b *c d        -- rejected
      f a:n b:n c:n d:n>n;- 0 +*a b *c d      -- -(a*b) - (c*d)
      f a:n b:n c:n d:n>n;p=*a b;q=*c d;- 0 +p q
""")

_add("ILO-P022", "program nested deeper than --max-ast-depth", """
    The parsed program nests expressions or blocks more levels deep than
    `--max-ast-depth` allows (256 by default). No hand-written program
    comes close; the limit keeps generated or hostile input from
    exhausting the stack of the checks and engines. Every subcommand that
    parses (`run`, `check`, `graph`, `repl`, `test` cases) applies it.

    Fix: bind intermediate results to names instead of nesting them, or
    raise the limit if the nesting is intended.

    Example:
      f>n;+1 +1 +1 ... 1                  -- 300 nested `+`: rejected
      ilo --max-ast-depth 1000 prog.ilo   -- raise the limit
""")

# ── Verifier ─────────────────────────────────────────────────────────────────

_add("ILO-T001", "type declared twice", """
    Two `type` declarations (possibly from different imported files) use
    the same name.

    Fix: rename or remove one of them.

    Example:
      type pt{x:n;y:n}
      type pt{x:n}            -- rejected: `pt` already exists
""")

_add("ILO-T002", "function or tool declared twice", """
    A function or tool name is declared more than once across the program
    and its imports.

    Fix: rename one of them or delete the duplicate.

    Example:
      sq x:n>n;*x x
      sq x:n>n;+x x           -- rejected: `sq` already exists
""")

_add("ILO-T003", "unknown type", """
    A type name in a signature, record field or lambda is neither a builtin
    type, a declared `type`/`alias`, nor a single-letter type variable.

    The same code is given to a ternary `?c a b` whose two branches have
    different types (`?c 1 "one"`): its value would have no single type.

    Fix: declare the type or correct the spelling; give both branches of a
    ternary the same type.

    Example:
      area s:shape>n;s.w      -- rejected: no `type shape{...}`
      type shape{w:n;h:n}
      area s:shape>n;*s.w s.h -- accepted
""")

_add("ILO-T004", "undefined variable", """
    A name is read that is not a parameter, an earlier binding in scope, a
    loop variable, a match binding or a function.

    Common causes: a typo, a binding that only exists inside a loop or
    braces, or using a value before the statement that binds it.

    Fix: bind it first, pass it as a parameter, or fix the spelling (the
    message suggests close matches).

    Example:
      f x:n>n;+x y            -- rejected: `y` is unknown
      f x:n y:n>n;+x y        -- accepted
""")

_add("ILO-T005", "undefined function", """
    A call names a function that is not declared, imported, or a builtin,
    or names a local that holds a value that is not a function (`x 1` where
    `x` is a number).

    Fix: declare it, import it with `use`, or fix the spelling (the message
    suggests close matches, and long builtin names such as `length` map to
    their short forms).

    Example:
      f x:n>n;twice x         -- rejected: `twice` is not declared
      twice x:n>n;*x 2
      f x:n>n;twice x         -- accepted
""")

_add("ILO-T006", "wrong number of arguments", """
    A function or builtin was called with more or fewer arguments than it
    declares. Because calls have no parentheses, a wrong count often means
    a nested call was not wrapped: `f g x` passes `g` and `x` to `f`.

    Fix: pass the declared number of arguments; wrap inner calls as
    `f (g x)` or bind them first.

    Example:
      add a:n b:n>n;+a b
      f x:n>n;add x           -- rejected: add needs 2
      f x:n>n;add x 1         -- accepted
""")

_add("ILO-T007", "argument has the wrong type", """
    An argument's type does not fit the parameter it is passed to.

    Fix: pass a value of the right type, or convert it: `str n` makes text
    from a number, `num s` parses text into a number (it returns a Result).

    Example:
      dbl x:n>n;*x 2
      f s:t>n;dbl s           -- rejected: text given where n is expected
      f s:t>n;v=num! s;dbl v  -- fixed (f must then return R n t)
""")

_add("ILO-T008", "return type mismatch", """
    The value a function ends with does not match the return type in its
    header.

    Common causes: returning a raw value from an `R` function (wrap it with
    `~`), or forgetting that the last statement is the result.

    Example:
      f x:n>t;x               -- rejected: returns n, header says t
      f x:n>t;str x           -- accepted
""")

_add("ILO-T009", "bad operand types for arithmetic", """
    `+` works on two numbers, two texts (join) or two lists (concatenate).
    `-`, `*` and `/` need numbers. The operands here do not fit.

    Fix: convert one side (`str`, `num`) or use the right operator.

    Example:
      f s:t n:n>t;+s n        -- rejected: text + number
      f s:t n:n>t;v=str n;+s v          -- accepted
""")

_add("ILO-T010", "bad operand types for comparison", """
    `<`, `>`, `<=`, `>=` compare two numbers or two texts; `=` and `!=`
    need both sides to be comparable. Mixed types were given.

    Fix: convert so both sides have the same type.

    Example:
      f s:t>b;>s 3            -- rejected: text vs number
      f s:t>b;k=len s;>k 3    -- accepted
""")

_add("ILO-T011", "bad operands for `+=` (append)", """
    `+=xs v` needs a list on the left and an element of the list's type on
    the right. It returns a new list; it does not change `xs`.

    Example:
      f x:n>L n;+=x 1         -- rejected: `x` is not a list
      f xs:L n>L n;+=xs 1     -- accepted
""")

_add("ILO-T012", "negating a non-number", """
    Unary minus only applies to numbers.

    Example:
      f s:t>n;-s              -- rejected
      f x:n>n;-x              -- accepted
""")

_add("ILO-T013", "builtin argument has the wrong type", """
    A builtin received an argument of a type it does not accept, for
    example `upr` on a number or `sum` on a list of text. The message names
    the builtin and what it expected.

    Fix: convert the argument or choose the builtin that fits.

    Example:
      f x:n>t;upr x           -- rejected: upr takes text
      f x:n>t;s=str x;upr s   -- accepted
""")

_add("ILO-T014", "loop over a non-list", """
    `@v coll{...}` iterates over a list (use `@i a..b{...}` for a numeric
    range). The collection given is not a list.

    Fix: iterate a list, or turn text into one with `chars` / `spl`.

    Example:
      f s:t>n;c=0;@x s{c=+c 1};c                -- rejected
      f s:t>n;cs=chars s;c=0;@x cs{c=+c 1};c    -- accepted
""")

_add("ILO-T015", "record literal is missing a field", """
    Building a record requires a value for every field of its type.

    Example:
      type pt{x:n;y:n}
      f>pt;pt x:1             -- rejected: `y` missing
      f>pt;pt x:1 y:2         -- accepted
""")

_add("ILO-T016", "record literal has an unknown field", """
    A record literal or `with` update names a field that the type does not
    have.

    Fix: remove it or correct the spelling.

    Example:
      type pt{x:n;y:n}
      f>pt;pt x:1 y:2 z:3     -- rejected: no field `z`
""")

_add("ILO-T017", "record field given the wrong type", """
    A value in a record literal does not match the declared type of its
    field.

    Example:
      type pt{x:n;y:n}
      f>pt;pt x:"1" y:2       -- rejected: `x` is n
""")

_add("ILO-T018", "field access on a value that is not a record", """
    `v.name` needs a record (or a parsed JSON object). The value here is a
    number, text, list or similar. For lists use `xs.0` or `at xs i`; for
    optional or dynamic shapes use `.?`, which yields nil instead of
    failing.

    Example:
      f x:n>n;x.val           -- rejected
""")

_add("ILO-T019", "no such field on this record type", """
    The record type has no field with that name.

    Fix: correct the name (the message suggests close matches) or use `.?`
    when the field may legitimately be absent.

    Example:
      type pt{x:n;y:n}
      f p:pt>n;p.z            -- rejected
      f p:pt>n;p.y            -- accepted
""")

_add("ILO-T020", "`with` on a value that is not a record", """
    `v with field:value` copies a record with some fields replaced; `v` must
    be a record.

    Example:
      f xs:L n>L n;xs with x:1    -- rejected
""")

_add("ILO-T021", "`with` names an unknown field", """
    A field given to `with` does not exist on the record's type.

    Example:
      type pt{x:n;y:n}
      f p:pt>pt;p with z:1    -- rejected
      f p:pt>pt;p with y:1    -- accepted
""")

_add("ILO-T022", "`with` gives a field the wrong type", """
    The new value in a `with` update does not match the field's declared
    type.

    Example:
      type pt{x:n;y:n}
      f p:pt>pt;p with x:"a"  -- rejected: `x` is n
""")

_add("ILO-T023", "index on a value that is not a list", """
    A literal index `v.0` or `v.i` needs a list (or text for `at`). The
    value is something else.

    Example:
      f x:n>n;x.0             -- rejected
      f xs:L n>n;xs.0         -- accepted
""")

_add("ILO-T024", "match does not cover every case", """
    A match must handle every value its subject can have. Open types such as
    numbers and text need a `_` arm; a Result needs both `~` and `^` arms
    (or `_`). The message lists what is missing.

    Fix: add the missing arms or a final `_:...` arm.

    Example:
      f x:n>t;?x{1:"one"}              -- rejected
      f x:n>t;?x{1:"one";_:"other"}    -- accepted
""")

_add("ILO-T025", "`!` or `!!` on a call that returns neither R nor O", """
    Auto-unwrap only makes sense for a call that returns a Result (`R`) or
    an optional (`O`). This callee returns a plain value.

    Fix: drop the `!`, or make the callee return `R`/`O`.

    Example:
      sq x:n>n;*x x
      f x:n>R n t;v=sq! x;~v  -- rejected
      f x:n>R n t;v=sq x;~v   -- accepted
""")

_add("ILO-T026", "`!` used in a function that cannot propagate", """
    `call! args` returns the callee's error from the *enclosing* function,
    so that function must itself return `R` (or `O` when the callee is
    optional). Builtins (`num!`, `rd!`, `jpar!`, ...) follow the same rule
    as your own functions.

    Fix: change the enclosing return type to `R ...`, match on the result
    instead, or use `!!` to abort the program on failure.

    Example:
      f s:t>n;num! s          -- rejected: f returns n
      f s:t>R n t;v=num! s;~v -- accepted
      f s:t>n;num!! s         -- accepted: aborts on bad input
""")

_add("ILO-T027", "braceless guard value is a function name", """
    A braceless guard's value is a bare name that is also a function. The
    guard would return the name (a function value) instead of calling it.

    Fix: bind the call's result first, or call it inside braces with `ret`.

    Example:
      f x:n>t;>x 9 label              -- rejected
      f x:n>t;s=label x;>x 9 s;"small"  -- accepted (label declared elsewhere)
      f x:n>t;>x 9{ret label x};"small"
""")

_add("ILO-T028", "`brk` or `cnt` outside a loop", """
    `brk` leaves the innermost `wh`/`@` loop and `cnt` skips to its next
    pass; neither means anything outside a loop body.

    Fix: use `ret` to leave a function early.

    Example:
      f x:n>n;>x 9{brk};x     -- rejected
      f x:n>n;>x 9{ret 9};x   -- accepted
""")

_add("ILO-T029", "unreachable code (warning)", """
    Statements after an unconditional `ret`, `brk` or `cnt` in the same
    block can never run. This is a warning: the program still runs.

    Fix: delete them or move them before the jump.

    Example:
      f x:n>n;ret x;*x 2      -- `*x 2` never runs
""")

_add("ILO-T030", "circular type alias", """
    `alias` declarations refer to each other in a loop, so none of them has
    a concrete meaning.

    Example:
      alias a b
      alias b a               -- rejected
""")

_add("ILO-T031", "alias shadows a builtin type", """
    An `alias` may not reuse a builtin type name (`n`, `t`, `b`, `L`, `R`,
    `_`).

    Example:
      alias n t               -- rejected
      alias ids L n           -- accepted
""")

_add("ILO-T032", "`fmt` result thrown away (warning)", """
    `fmt` and `fmt2` build text and return it; they do not print. Written as
    a statement that is not the last one and not bound, the text is lost.

    Fix: print it with `prnt fmt ...`, bind it, or make it the final value.

    Example:
      f x:n>n;fmt "x={}" x;x          -- warns: nothing is printed
      f x:n>n;prnt fmt "x={}" x;x     -- prints "x=..."
""")

_add("ILO-T033", "new value from `+=`, `mset` or `mdel` thrown away (warning)", """
    These return a new list or map and leave the original untouched. As a
    bare statement (or anywhere inside a loop body without a binding) the
    new value is discarded, so nothing changes.

    Fix: assign it back: `xs=+=xs v`, `m=mset m k v`, `m=mdel m k`.

    Example:
      f>L n;xs=[];@i 0..3{+=xs i};xs       -- warns, returns []
      f>L n;xs=[];@i 0..3{xs=+=xs i};xs    -- returns [0, 1, 2]
""")

_add("ILO-T034", "`!` or `!!` after a name that is not a function", """
    The unwrap operators attach to a call (`f! x`, `f!!()`). Here they follow
    a plain value such as a local binding, so there is no call to unwrap.

    Fix: match on the value, or put the `!` on the call that produced it.

    Example:
      f s:t>R n t;r=num s;r!              -- rejected
      f s:t>R n t;r=num s;?r{~v:~v;^e:^e} -- accepted
      f s:t>R n t;v=num! s;~v             -- simpler
""")

# ── Warnings ─────────────────────────────────────────────────────────────────

_add("ILO-W001", "guard inside a loop (retired)", """
    No longer emitted. It used to warn about braced guards inside loops.
    Braced conditionals `cond{...}` now run their body and carry on, which
    is safe in loops; use `ret` inside the braces to leave the function.

    Example:
      f xs:L n>n;@x xs{>x 9{ret x}};0
""")

_add("ILO-W002", "`x == v` at statement start binds (warning)", """
    `==` is read as `=`, and a statement that starts with `name=` is a
    binding, so `x == 3` binds 3 to `x` instead of comparing. The program
    runs as written (this is how the reference implementation reads it).

    Fix: compare with the prefix form `=x 3` (or `(x == 3)`), or write the
    binding as `x=3` if that is what you meant.

    Example:
      f x:n>b;x == 3          -- warns: binds x, returns nil
      f x:n>b;=x 3            -- compares
""")

_add("ILO-W003", "`fmt` placeholders and values do not pair up (warning)", """
    `fmt` fills each bare `{}` with the next value, left to right. A `{}`
    with no value left stays in the text as `{}`, and values beyond the last
    `{}` are dropped; the program runs anyway (as in the reference
    implementation). Often a call swallowed a value meant for `fmt`.

    Fix: pass one value per `{}`; parenthesise calls used as values.

    Example:
      f>t;fmt "{} {}" 1       -- warns: result is "1 {}"
      f>t;fmt "{} {}" 1 2     -- "1 2"
""")

# ── Runtime ──────────────────────────────────────────────────────────────────

_add("ILO-R001", "undefined variable at run time", """
    A name had no value when it was read. The verifier (ILO-T004) normally
    stops this before the program starts, so seeing it means verification
    was skipped or a dynamic path slipped through.

    Fix: bind the name on every path before it is used.

    Example:
      f x:n>n;>x 0{y=1};y     -- y is only bound when x > 0
""")

_add("ILO-R002", "undefined function at run time", """
    A call reached a function name that does not exist. Statically this is
    ILO-T005. The CLI also reports it when the function named on the
    command line (`ilo file.ilo NAME ...`) is not declared.

    Fix: check the spelling of the function, or of the name given on the
    command line.

    Example:
      ilo prog.ilo mian 3     -- no function `mian`
""")

_add("ILO-R003", "division by zero", """
    `/` or `mod` was given a zero divisor.

    Fix: guard the divisor, or return an error Result.

    Example:
      div a:n b:n>R n t;=b 0 ^"divide by zero";~/a b
""")

_add("ILO-R004", "wrong type (or argument count) at run time", """
    An operation received a value of a type it cannot handle while running,
    typically through `_` typed data or parsed JSON that the verifier could
    not see into.

    The CLI also uses this code when the number of command-line arguments
    does not match the entry function's parameters, e.g. `f: expected 2
    args, got 1`; the program is not started with missing arguments.

    Fix: check the data's shape (match with `n v`, `t v`, ... arms) or pass
    the right number of arguments.

    Example:
      ilo 'f a:n b:n>n;+a b' 1       -- f: expected 2 args, got 1
""")

_add("ILO-R005", "field missing at run time", """
    `v.name` was read on a record (often one from `jpar`) that has no such
    field.

    Fix: use `v.?name` when the field is optional, combined with `??` for a
    default.

    Example:
      f r:_>n;v=r.?count;??v 0
""")

_add("ILO-R006", "index out of range", """
    A list or text index fell outside the value. Indexes start at 0 and
    negative ones count from the end; `hd` of an empty list also fails.

    Fix: check `len` first, or use `slc`/`take`, which clamp instead of
    failing.

    Example:
      f>n;xs=[1 2];xs.5       -- fails: only 2 elements
""")

_add("ILO-R007", "loop over a non-list at run time", """
    `@v coll{...}` was handed something that is not a list while the
    program ran (the static form is ILO-T014).

    Example:
      f x:_>n;c=0;@v x{c=+c 1};c      -- fails when x is a number
""")

_add("ILO-R008", "`with` on a non-record at run time", """
    A `with` update was applied to a value that is not a record (static
    form: ILO-T020).

    Example:
      f x:_>_;x with a:1      -- fails when x is a list
""")

_add("ILO-R009", "builtin failed", """
    A builtin rejected its input while running: a bad type, a value out of
    its domain, an empty list where one element is needed (`min`, `max`,
    `avg`), a bad regex, an invalid map key, and so on. The message starts
    with the builtin's name and says what was wrong.

    Fix: check the input before the call, or use the Result-returning
    variant where one exists.

    Example:
      f>n;avg []              -- avg: empty list
""")

_add("ILO-R010", "undefined variable while compiling", """
    A compiling engine (bytecode VM or JIT) met a name with no binding.
    Normally ILO-T004 catches this first; seeing it points at an engine
    bug or skipped verification.

    Fix: bind the variable; if the program verifies cleanly, report it.
""")

_add("ILO-R011", "undefined function while compiling", """
    A compiling engine (bytecode VM or JIT) met a call to an unknown
    function. Normally ILO-T005 catches this first.

    Fix: declare the function; if the program verifies cleanly, report it.
""")

_add("ILO-R012", "nothing to run, or the engine cannot run this", """
    Either the program declares no function at all, so there is no entry
    point, or the selected compiling engine does not support a construct
    in it (for example an inline lambda that captures outer variables).

    Fix: declare a function; for the engine case run with `--engine tree`,
    which supports every construct.

    Example:
      type pt{x:n;y:n}        -- nothing callable
""")

_add("ILO-R013", "internal engine error", """
    The virtual machine reached a state it should never reach (for example
    an unknown instruction). This is a bug in ilo, not in the program.

    Fix: run the same program with `--engine tree` to continue, and report
    the program that triggered it.
""")

_add("ILO-R014", "error propagated by `!`", """
    Internal marker for an `!` unwrap that is returning an Err (or nil) out
    of the current function. It is not shown as a failure; the caller sees
    the Err value itself. If it ever reaches the top level, the program's
    result is that Err, printed to stderr with exit code 1.

    Example:
      f s:t>R n t;v=num! s;~v  -- `ilo ... f abc` prints ^... to stderr
""")

_add("ILO-R016", "wall-clock runtime limit exceeded", """
    The program ran longer than `--max-runtime` seconds (60 by default) and
    was stopped. The limit protects the caller from programs that never
    finish.

    Common causes:
      - a `wh` loop whose variable is never changed: `wh <i 10{...}`
        without `i=+i 1` inside
      - a recursive function whose base-case guard is wrong or unreachable
      - genuinely heavy work on large input

    Fix: first check that every loop variable moves toward the exit and
    that recursion has a reachable base case. If the work really is long,
    raise the cap: `ilo --max-runtime 300 prog.ilo`; `--max-runtime 0`
    turns the limit off.

    Example:
      main>n;i=0;wh <i 5{s=1};i        -- i never grows: stopped
      main>n;i=0;wh <i 5{i=+i 1};i     -- finishes with 5
""")

_add("ILO-R017", "output size limit exceeded", """
    The program tried to write more than `--max-output-bytes` bytes to
    stdout (104857600 = 100 MiB by default). Every byte is counted before
    it is written, so the output stops exactly at the cap and the program
    is ended.

    Common causes:
      - `prnt` inside a loop that does not terminate
      - printing a huge value (a very large list) by accident

    Fix: check loop exits and what is printed inside loops; print a summary
    (`len`, `sum`, `take 10 xs`) instead of everything. To allow more,
    pass `--max-output-bytes N`; `0` turns the limit off.

    Example:
      main>n;wh true{prnt "y"};0       -- stopped at the cap
""")

_add("ILO-R601", "no output for too long (idle limit)", """
    With `--max-idle SECS`, a program that writes nothing to stdout for
    that many seconds is stopped. The limit is off by default
    (`--max-idle 0`). It catches a program that is stuck (waiting, or
    looping silently) without capping total run time.

    Fix: check for a loop that never exits or a `sleep` that is too long;
    raise `--max-idle`, or use 0 to disable it.

    Example:
      ilo --max-idle 5 prog.ilo       -- stop if quiet for 5 seconds
""")

_add("ILO-R602", "memory limit exceeded", """
    The engine's resident memory grew beyond `--max-memory` megabytes
    (4096 by default) and the program was stopped.

    Common causes: a list or map that grows inside an endless loop, or
    building very large intermediate lists (nested `map`/`flatmap` over big
    input).

    Fix: make sure accumulators stop growing, process data in chunks
    (`chunks`, `window`), or raise the limit with `--max-memory MB`
    (0 disables it).

    Example:
      main>n;xs=[];wh true{xs=+=xs 1};0   -- grows until stopped
""")

_add("ILO-R603", "engine crashed (killed by a signal)", """
    The process running the program died from a signal instead of
    finishing: for example SIGSEGV (a crash inside native code such as the
    JIT), or SIGKILL (often the operating system's out-of-memory killer).
    The supervisor reports which signal it was.

    Fix: if memory was the cause, lower the program's memory use or set
    `--max-memory` below the machine's limit so ILO-R602 stops it cleanly;
    if it is a crash in a compiling engine, rerun with `--engine tree` and
    report the program.
""")

_add("ILO-R605", "file write limit exceeded", """
    The program tried to write more bytes to files (`wr`, `wrl`) than
    `--max-write-bytes` allows (1073741824, 1 GiB, by default). The write
    that would cross the limit is not made and the program is stopped, so a
    runaway loop cannot fill the disk.

    Writes whose target is the process's own stdout (`/dev/stdout`,
    `/proc/self/fd/1`, ...), its stderr or a terminal are not file writes:
    they count against `--max-output-bytes` (ILO-R017), like `prnt`.

    Fix: check the exit condition of loops that write files, and write a
    file once rather than once per step. To allow more, pass
    `--max-write-bytes N`; `0` turns the limit off.

    Example:
      main>n;wh true{wr "log.txt" "x"};0   -- stopped at the cap
""")

_add("ILO-R606", "stdout is not writable", """
    The program's output could not be written to stdout: stdout was closed
    when ilo started (`>&-`), or writing failed (a full disk behind
    `> file`, an I/O error). ilo stops with this diagnostic and exit code 1
    rather than exit 0 with the output lost. (A reader that goes away, as
    in `ilo prog | head`, is not an error: ilo stops quietly.)

    Fix: give ilo a writable stdout: a file on a disk with room, a pipe, or
    `/dev/null` to discard the output.

    Example:
      ilo 'main>n;prnt 1;2' > /dev/full     -- no space left on device
""")

_add("ILO-R607", "reading a file is not allowed (--allow-read)", """
    The run was given `--allow-*` flags and the file a builtin tried to
    read (`rd`, `rdl`, `rdjl`) does not lie in a folder named by
    `--allow-read`. Once any `--allow-*` flag is given, whatever is not
    named is denied. The path checked is the file actually opened, after
    `..` and symlinks are resolved, so neither can leave an allowed folder.
    `"layer": "kernel"` in the JSON form means the Landlock layer refused
    it (the Python check was bypassed or missed it).

    Fix: add the folder: `--allow-read data,config` (`--allow-read '*'`
    allows every file).

    Example:
      ilo --allow-read data 'main>R t t;rd "/etc/passwd"'   -- refused
""")

_add("ILO-R608", "writing a file is not allowed (--allow-write)", """
    The run was given `--allow-*` flags and the file `wr` / `wrl` tried to
    write does not lie in a folder named by `--allow-write`. A new file is
    created inside its checked parent folder and never through a symlink.
    The program's own stdout and stderr (`/dev/stdout`) are always allowed.

    Fix: add the folder: `--allow-write out` (`--allow-write '*'` allows
    every file).

    Example:
      ilo --allow-write out 'main>R t t;wr "../x.txt" "hi"'   -- refused
""")

_add("ILO-R609", "network access is not allowed (--allow-net)", """
    The run was given `--allow-*` flags and `get` / `post` / `get-many`
    (or a redirect it followed) went to a host not named by `--allow-net`.
    Hosts are compared after URL parsing: `http://allowed@evil/` goes to
    `evil`; IP literals in decimal or hex are compared as the address they
    mean; only http and https URLs are allowed.

    Fix: name the host: `--allow-net api.example.com,*.example.org`, or
    `host:port`; `--allow-net '*'` allows every host.

    Example:
      ilo --allow-net api.example.com 'main>R t t;get "http://evil.test/"'
""")

_add("ILO-R610", "reading an environment variable is not allowed (--allow-env)", """
    The run was given `--allow-*` flags and `env NAME` asked for a
    variable not named by `--allow-env`.

    Fix: name it: `--allow-env HOME,LANG` (`--allow-env '*'` allows all).

    Example:
      ilo --allow-read . 'main>R t t;env "HOME"'   -- refused
""")

_add("ILO-R611", "the kernel sandbox could not be applied", """
    `--require-kernel-sandbox` was given and the Landlock ruleset failed to
    apply in the process that runs the program, so ilo stops before the
    program starts. (Without the flag the run goes on with the Python
    checks alone.)

    Fix: run on a Linux kernel with Landlock enabled, or drop
    `--require-kernel-sandbox`.
""")

_add("ILO-R604", "recursion too deep", """
    A chain of function calls nested deeper than the engine's stack limit.
    Almost always the recursion has no reachable base case.

    Common causes: a base-case guard that tests the wrong thing (`=n 0`
    when n can skip past 0), or a recursive call whose argument does not
    shrink.

    Fix: check the guard that ends the recursion, or rewrite deep
    recursion as a `wh` loop.

    Example:
      f n:n>n;=n 0 0;r=f -n 2;+r 1    -- odd n skips 0 and never stops
      f n:n>n;<=n 0 0;r=f -n 2;+r 1   -- stops for every n
""")

_add("ILO-R026", "panic-unwrap failed (`!!`)", """
    `call!! args` got an Err (or nil) from the call. Unlike `!`, which
    returns the error to the caller, `!!` ends the program: it prints
    `panic-unwrap: ...` with the error to stderr and exits with code 1.

    Use `!!` in scripts and entry points where nothing could recover from
    the failure; use `!` or a match when the caller should handle it.

    Example:
      main s:t>n;num!! s      -- `ilo ... abc` aborts: not a number
""")

_add("ILO-R099", "external tool call failed", """
    A declared `tool` was called and the provider behind it (configured
    with `--tools`) reported a failure: it could not be reached, timed
    out, or returned an error.

    Fix: check the tool configuration and the service; declare the tool's
    return type as `R ... t` and handle the Err arm.
""")

# ── Usage (command line) ─────────────────────────────────────────────────────

_add("ILO-U001", "unknown command-line flag or subcommand", """
    A `--flag` given to `ilo` (or to one of its subcommands) is not one it
    knows, a bare word is neither a subcommand nor an existing file, or a
    subcommand got too few or too many arguments. Flags go before the
    program or file; arguments after the function name are passed to the
    program.

    Fix: check the spelling against `ilo --help`.

    Example:
      ilo --max-runtim 5 prog.ilo     -- rejected: typo
      ilo --max-runtime 5 prog.ilo    -- accepted
""")

_add("ILO-U002", "bad value for a command-line flag", """
    A flag that takes a value got none, or one of the wrong kind: a
    negative or non-numeric limit, an engine name other than `tree`, `vm`
    or `jit`, and similar.

    Fix: give the flag a valid value.

    Example:
      ilo --max-runtime soon prog.ilo  -- rejected
      ilo --engine tree prog.ilo       -- accepted
""")

_add("ILO-U003", "file not found or unreadable", """
    The program file (or the path given to `ilo test`) does not exist or
    cannot be read.

    Fix: check the path and permissions. To run inline code, quote it as a
    single argument: `ilo 'main>n;42'`.
""")

_add("ILO-U004", "source is not valid UTF-8", """
    The program file contains bytes that are not valid UTF-8. ilo source
    must be UTF-8 text.

    Fix: re-save the file as UTF-8 (or remove stray binary content).
""")

_add("ILO-U005", "unknown entry function", """
    The function named on the command line is not declared in the
    program, or the file has several functions, none called `main`, and no
    name was given.

    (The reference implementation reports the first case as ILO-R002.)

    Fix: name an existing function, or add a `main`.

    Example:
      ilo shapes.ilo area 3 4         -- `area` must be declared
""")

_add("ILO-U006", "bad command-line argument", """
    The arguments on the command line do not fit the entry function: the
    wrong number of them, or a value that cannot become the parameter's
    type (e.g. `abc` for an `n` parameter).

    (The reference implementation reports a wrong count as ILO-R004.)

    Fix: pass one argument per parameter. Lists are written `1,2,3` or
    `[1,2,3]`; text parameters receive the argument as-is.

    Example:
      ilo 'f a:n b:n>n;+a b' 2 3      -- 5
""")

_add("ILO-U007", "engine not available", """
    The engine chosen with `--engine` cannot be used in this build or on
    this machine (for example the JIT when llvmlite is missing or the
    engine is not finished yet).

    Fix: use `--engine tree`, which is always available.
""")

_add("ILO-U008", "subcommand not offered by this implementation", """
    The reference implementation has this subcommand, but this one does
    not: `compile`/`build` (ahead-of-time native binaries need upstream's
    Rust toolchain), `httpd` (a long-running server outside the runtime
    guard's one-run model), `tools`/`tool` (MCP/HTTP tool discovery) and
    `serv` (the JSON stdio loop, not implemented yet).

    Fix: run the program with `ilo run` (or the bare form); declare tools
    in the program with `tool` declarations.

    Example:
      ilo compile prog.ilo        -- rejected
      ilo run prog.ilo            -- accepted
""")


_add("ILO-U009", "kernel sandbox required but unavailable", """
    `--require-kernel-sandbox` asks that the `--allow-*` rules also hold at
    the OS level (Landlock, Linux 5.13+). This machine's kernel has no
    Landlock (older kernel, other OS, or landlock missing from the boot
    `lsm=` list), or no `--allow-*` flag was given to enforce.
    `ilo --version --json` shows which sandbox layers are available.

    Fix: run where Landlock is enabled, or drop the flag to rely on the
    Python checks alone.
""")


# ── Lookup ───────────────────────────────────────────────────────────────────

_CODE_RE = re.compile(r"^(?:ILO[-_ ]?)?([A-Z])(\d{3})$")


def normalise(code: str) -> str | None:
    """Canonical ``ILO-X000`` form of ``code`` (``t004``, ``ILO-T004``, ...),
    or ``None`` when it does not look like a diagnostic code."""
    if not isinstance(code, str):
        return None
    m = _CODE_RE.match(code.strip().upper())
    if not m:
        return None
    return f"ILO-{m.group(1)}{m.group(2)}"


def lookup(code: str) -> Entry | None:
    key = normalise(code)
    return REGISTRY.get(key) if key else None


def title(code: str) -> str | None:
    entry = lookup(code)
    return entry.title if entry else None


def explain(code: str) -> str | None:
    """Full text for ``ilo --explain CODE``; ``None`` for an unknown code."""
    entry = lookup(code)
    if entry is None:
        return None
    return f"{entry.code}: {entry.title}\n\n{entry.explanation}"


def codes() -> list[str]:
    return sorted(REGISTRY)
