/**
 * The faithfulness gate's reader, in Python, for the CPython helper (cpython.ts): `facts(source)`
 * reads what the gate needs from an algorithm with CPython's own `ast` (the `self.NAME = <expression>`
 * statements of `initialize`, a literal's value folded when it is plain arithmetic on numbers) and
 * `tokenize` (comments are not in the ast). Nothing is executed. It needs `ast`, `io` and `tokenize`.
 */
export const FACTS_PYTHON = String.raw`
ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}

def value(node):
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = value(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
        a, b = value(node.left), value(node.right)
        if a is None or b is None or (isinstance(node.op, ast.Div) and b == 0):
            return None
        return ARITHMETIC[type(node.op)](a, b)
    if isinstance(node, ast.Call) and not node.keywords:
        f = node.func
        # int(x) / float(x) around a value, and LEAN's get_parameter("name", default) read as its default
        if isinstance(f, ast.Name) and f.id in ("int", "float") and len(node.args) == 1:
            return value(node.args[0])
        if isinstance(f, ast.Attribute) and f.attr in ("get_parameter", "GetParameter") and len(node.args) == 2:
            return value(node.args[1])
    return None

def is_algorithm(cls):
    return any((isinstance(b, ast.Name) and b.id == "QCAlgorithm") or (isinstance(b, ast.Attribute) and b.attr == "QCAlgorithm") for b in cls.bases)

def initialize_of(tree):
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    for cls in sorted(classes, key=lambda c: not is_algorithm(c)):
        for node in cls.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "initialize":
                return node
    return None

def facts(source):
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as e:
        return {"ok": False, "message": str(e)}
    init = initialize_of(tree)
    assignments = []
    if init is not None:
        for node in ast.walk(init):
            if isinstance(node, ast.Assign):
                targets, rhs = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, rhs = [node.target], node.value
            else:
                continue
            for t in targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                    text = ast.get_source_segment(source, node) or ("self." + t.attr + " = ...")
                    assignments.append({"name": t.attr, "value": value(rhs), "source": text.split("\n")[0], "line": node.lineno})
    assignments.sort(key=lambda a: a["line"])
    comments = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments.append({"text": tok.string, "line": tok.start[0]})
    except (tokenize.TokenError, SyntaxError):
        pass
    return {"ok": True, "initializeFound": init is not None, "assignments": assignments, "comments": comments}
`;
