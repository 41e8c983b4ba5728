# Finds the calls a Python backend makes to its data API, with Python's own parser (ast).
#
# cora-migrate embeds this file and runs it as `python3 -I -c SCRIPT HELPERS FILE...`, where
# HELPERS is a JSON object {helper name: [its parameter names in order]}. It prints one JSON
# document: {"calls": [...], "errors": [...]}. Each call names the helper, the file and line, and
# its arguments by parameter name, each one resolved as far as it is literal:
#   {"str": "text", "line": N}                  a string literal (or a name bound once to one)
#   {"keys": [{"key": "k", "line": N}], "open": false, "line": N}
#                                               a dict literal (or a name bound once to one, with
#                                               the keys later stored into it); open: some keys are
#                                               not literal, so the list may be incomplete
#   {"none": true}                              None
#   {"dynamic": "why"}                          anything else: not checked, never guessed
# A module-level function that passes one of its own parameters straight into a helper is a
# wrapper: its calls are reported as calls of that helper (with "via"), their arguments put in
# place of its parameters; the pass-through call inside it is not reported. `X.table(NAME)` is
# reported with the method chained after it ("chain") and that method's first argument ("chain_arg").
import ast
import json
import sys


def callee_name(call):
    f = call.func
    if isinstance(f, ast.Name):
        return f.id, False
    if isinstance(f, ast.Attribute):
        return f.attr, True
    return None, False


def collect_scopes(tree):
    """Each function (and the module) with the assignments made directly in it."""
    scopes = {}

    def walk(node, scope):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                scopes[child] = {"parent": scope, "binds": {}, "stores": {}, "escapes": set()}
                walk(child, child)
                continue
            record(child, scope)
            walk(child, scope)

    def bind(scope, name, value):
        scopes[scope]["binds"].setdefault(name, []).append(value)

    def record(node, scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name_node in ast.walk(target):
                    if isinstance(name_node, ast.Name) and isinstance(name_node.ctx, ast.Store):
                        bind(scope, name_node.id, node.value if target is name_node else None)
                    elif isinstance(name_node, ast.Subscript) and isinstance(name_node.ctx, ast.Store):
                        store_key(scope, name_node)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            target = node.target
            if isinstance(target, ast.Name):
                value = node.value if isinstance(node, (ast.AnnAssign, ast.NamedExpr)) else None
                bind(scope, target.id, value)
            elif isinstance(target, ast.Subscript):
                store_key(scope, target)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.comprehension,
                               ast.ExceptHandler, ast.Import, ast.ImportFrom, ast.Delete)):
            targets = []
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                targets = [node.target]
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                targets = [item.optional_vars for item in node.items if item.optional_vars]
            elif isinstance(node, ast.Delete):
                targets = node.targets
            for target in targets:
                for name_node in ast.walk(target):
                    if isinstance(name_node, ast.Name):
                        bind(scope, name_node.id, None)
            if isinstance(node, ast.ExceptHandler) and node.name:
                bind(scope, node.name, None)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bind(scope, (alias.asname or alias.name).split(".")[0], None)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            # d.update(...), d.setdefault(...), d.pop(...): the keys are no longer known.
            if isinstance(node.func.value, ast.Name):
                scopes[scope]["escapes"].add(node.func.value.id)

    def store_key(scope, subscript):
        if not isinstance(subscript.value, ast.Name):
            return
        key = subscript.slice
        entry = scopes[scope]["stores"].setdefault(subscript.value.id, [])
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            entry.append({"key": key.value, "line": subscript.lineno})
        else:
            entry.append(None)

    scopes[tree] = {"parent": None, "binds": {}, "stores": {}, "escapes": set()}
    walk(tree, tree)
    return scopes


def parameters_of(function):
    a = function.args
    return [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]


class FileScan:
    def __init__(self, path, tree, helpers, wrappers):
        self.path = path
        self.tree = tree
        self.helpers = helpers
        self.wrappers = wrappers
        self.scopes = collect_scopes(tree)
        self.parents = {}
        # Names an import binds (modules, mostly): `common.call_rpc(...)` may be a wrapper's call,
        # `items.count(...)` on a local list may not.
        self.imported = set()
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    self.imported.add((alias.asname or alias.name).split(".")[0])

    def scope_of(self, node):
        node = self.parents.get(node)
        while node is not None and node not in self.scopes:
            node = self.parents.get(node)
        return node if node is not None else self.tree

    def resolve(self, expr, scope, params=None):
        """What `expr` is, as far as it is literal; `params`: a wrapper's parameters, kept as such."""
        if isinstance(expr, ast.Constant):
            if expr.value is None:
                return {"none": True}
            if isinstance(expr.value, str):
                return {"str": expr.value, "line": expr.lineno}
            return {"dynamic": "a constant that is not a string"}
        if isinstance(expr, ast.Dict):
            return self.dict_keys(expr)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "dict" and not expr.args:
            keys = [{"key": k.arg, "line": k.value.lineno} for k in expr.keywords if k.arg is not None]
            return {"keys": keys, "open": any(k.arg is None for k in expr.keywords), "line": expr.lineno}
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or) and len(expr.values) == 2:
            # params or {}: the left one when it is given
            right = expr.values[1]
            if isinstance(right, ast.Dict) and not right.keys:
                return self.resolve(expr.values[0], scope, params)
        if isinstance(expr, ast.Name):
            if params is not None and expr.id in params:
                return {"param": expr.id}
            return self.resolve_name(expr, scope)
        if isinstance(expr, ast.JoinedStr):
            return {"dynamic": "an f-string"}
        if isinstance(expr, ast.Attribute):
            return {"dynamic": "an attribute (" + ast.unparse(expr)[:60] + ")"}
        return {"dynamic": "an expression (" + ast.unparse(expr)[:60] + ")"}

    def dict_keys(self, node):
        keys = []
        is_open = False
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.append({"key": key.value, "line": key.lineno})
            else:
                is_open = True  # **spread or a computed key
        return {"keys": keys, "open": is_open, "line": node.lineno}

    def resolve_name(self, name, scope):
        while scope is not None:
            info = self.scopes[scope]
            binds = info["binds"].get(name.id)
            if binds is not None:
                if len(binds) != 1 or binds[0] is None:
                    return {"dynamic": "variable `%s` is bound %s" % (
                        name.id, "more than once" if len(binds) != 1 else "by something other than an assignment")}
                value = binds[0]
                if isinstance(value, ast.Dict) or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                                                   and value.func.id == "dict"):
                    resolved = self.resolve(value, scope)
                    if "keys" in resolved:
                        for stored in info["stores"].get(name.id, []):
                            if stored is None:
                                resolved["open"] = True
                            else:
                                resolved["keys"].append(stored)
                        if name.id in info["escapes"]:
                            resolved["open"] = True
                    return resolved
                if isinstance(value, ast.Constant):
                    return self.resolve(value, scope)
                return {"dynamic": "variable `%s` holds %s" % (name.id, "an f-string" if isinstance(
                    value, ast.JoinedStr) else "an expression")}
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and name.id in parameters_of(scope):
                return {"dynamic": "parameter `%s`" % name.id}
            scope = info["parent"]
        return {"dynamic": "name `%s` is not bound in this file" % name.id}

    def arguments(self, call, names, scope, params=None):
        """The call's arguments by the helper's parameter names."""
        out = {}
        unknown = None
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                unknown = "*args"
                break
            if i < len(names):
                out[names[i]] = self.resolve(arg, scope, params)
        for kw in call.keywords:
            if kw.arg is None:
                unknown = "**kwargs"
            elif kw.arg in names:
                out[kw.arg] = self.resolve(kw.value, scope, params)
        return out, unknown

    def helper_calls(self):
        """(call node, helper name, helper parameter names) for every call of a helper or wrapper."""
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            name, is_attribute = callee_name(node)
            if name is None:
                continue
            if name == "table":
                if is_attribute and "table" in self.helpers:
                    yield node, name, self.helpers["table"]
            elif name in self.helpers:
                yield node, name, self.helpers[name]
            elif name in self.wrappers and (not is_attribute or (isinstance(node.func.value, ast.Name)
                                                                  and node.func.value.id in self.imported)):
                yield node, name, None

    def chain_of(self, call):
        parent = self.parents.get(call)
        if isinstance(parent, ast.Attribute) and parent.value is call:
            grand = self.parents.get(parent)
            if isinstance(grand, ast.Call) and grand.func is parent:
                first = self.resolve(grand.args[0], self.scope_of(grand)) if grand.args else None
                return parent.attr, first
        return None, None

    def find_wrappers(self):
        """Module-level functions passing one of their parameters straight into a helper or wrapper."""
        found = {}
        for function in self.tree.body:
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or function.name in self.helpers:
                continue
            params = parameters_of(function)
            defaults = {}
            positional = function.args.posonlyargs + function.args.args
            for p, d in zip(positional[len(positional) - len(function.args.defaults):], function.args.defaults):
                defaults[p.arg] = d
            for p, d in zip(function.args.kwonlyargs, function.args.kw_defaults):
                if d is not None:
                    defaults[p.arg] = d
            for call, name, names in self.helper_calls_in(function):
                args, unknown = self.arguments(call, names, function, set(params))
                if unknown or not any("param" in v for v in args.values()):
                    continue
                found[function.name] = {
                    "helper": name, "params": params, "args": args,
                    "defaults": {k: self.resolve(v, self.tree) for k, v in defaults.items()},
                    "file": self.path, "line": call.lineno}
                break
        return found

    def helper_calls_in(self, function):
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                name, is_attribute = callee_name(node)
                if name == "table" and is_attribute and "table" in self.helpers:
                    yield node, name, self.helpers["table"]
                elif name in self.helpers and name != "table":
                    yield node, name, self.helpers[name]

    def enclosing_definition(self, node):
        """The module-level function around `node` when it is a wrapper of this file or a helper's
        own definition (whose pass-through calls are checked where it is called), else None."""
        scope = self.scope_of(node)
        while scope is not None and scope is not self.tree:
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and self.parents.get(scope) is self.tree:
                own = scope.name in self.wrappers and self.wrappers[scope.name]["file"] == self.path
                return scope if own or scope.name in self.helpers else None
            scope = self.scopes[scope]["parent"]
        return None

    def calls(self):
        out = []
        for call, name, names in self.helper_calls():
            definition = self.enclosing_definition(call)
            if definition is not None and names is not None:
                passed, _ = self.arguments(call, names, definition, set(parameters_of(definition)))
                if any("param" in v for v in passed.values()):
                    continue
            scope = self.scope_of(call)
            record = {"file": self.path, "line": call.lineno, "end_line": getattr(call, "end_lineno", call.lineno)}
            if names is None:
                wrapper = self.wrappers[name]
                given, unknown = self.arguments(call, wrapper["params"], scope)
                args = {}
                for slot, value in wrapper["args"].items():
                    if "param" in value:
                        param = value["param"]
                        if param in given:
                            args[slot] = given[param]
                        elif param in wrapper["defaults"]:
                            args[slot] = wrapper["defaults"][param]
                        else:
                            args[slot] = {"dynamic": "parameter `%s` of %s is not given" % (param, name)}
                    else:
                        args[slot] = value
                record.update({"helper": wrapper["helper"], "via": name, "via_file": wrapper["file"],
                               "via_line": wrapper["line"], "args": args, "unknown": unknown})
            else:
                args, unknown = self.arguments(call, names, scope)
                record.update({"helper": name, "args": args, "unknown": unknown})
                if name == "table":
                    method, first = self.chain_of(call)
                    record["chain"] = method
                    record["chain_arg"] = first
            out.append(record)
        return out


def main():
    helpers = json.loads(sys.argv[1])
    files = []
    errors = []
    for path in sys.argv[2:]:
        try:
            with open(path, "rb") as handle:
                source = handle.read()
            files.append((path, ast.parse(source, filename=path)))
        except SyntaxError as e:
            errors.append({"file": path, "line": e.lineno or 0, "message": "Python syntax error: %s" % e.msg})
        except (OSError, ValueError) as e:
            errors.append({"file": path, "line": 0, "message": "cannot be read: %s" % e})
        except RecursionError:
            errors.append({"file": path, "line": 0, "message": "nested too deeply for Python's parser"})
    # Wrappers by name, across files: a shared layer's wrapper is called from the lambdas. A
    # wrapper of a wrapper is not followed: its calls are reported as not checked.
    wrappers = {}
    scans = []
    for path, tree in files:
        try:
            scans.append(FileScan(path, tree, helpers, wrappers))
        except RecursionError:
            errors.append({"file": path, "line": 0, "message": "nested too deeply to be read"})
    for scan in list(scans):
        try:
            found = scan.find_wrappers()
        except RecursionError:
            errors.append({"file": scan.path, "line": 0, "message": "nested too deeply to be read"})
            scans.remove(scan)
            continue
        for name, wrapper in found.items():
            wrappers.setdefault(name, wrapper)
    calls = []
    for scan in scans:
        try:
            calls.extend(scan.calls())
        except RecursionError:
            errors.append({"file": scan.path, "line": 0, "message": "nested too deeply to be read"})
    json.dump({"calls": calls, "errors": errors}, sys.stdout)


main()
