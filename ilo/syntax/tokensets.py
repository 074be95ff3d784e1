"""Token classes shared by the statement and expression passes."""

ATOM_START = {"ident", "num", "str", "true", "false", "nil", "_", "(", "[", "fnhead"}
PREFIX_BINOPS = {"+", "*", "/", ">", "<", ">=", "<=", "=", "!=", "&", "|", "+="}
OPERAND_START = ATOM_START | PREFIX_BINOPS | {"-", "??", "!", "~", "^", "$"}
COMPARISONS = {"=", "!=", ">", "<", ">=", "<="}
GUARD_OPS = COMPARISONS | {"&", "|"}
INFIX_BP = {"|": (1, 2), "&": (3, 4), "=": (5, 6), "!=": (5, 6), "<": (7, 8), ">": (7, 8),
            "<=": (7, 8), ">=": (7, 8), "+=": (9, 10), "+": (9, 10), "-": (9, 10),
            "*": (11, 12), "/": (11, 12)}
STMT_KEYWORDS = {"wh", "ret", "brk", "cnt"}
TYPE_LETTERS = {"n", "t", "b", "l"}
