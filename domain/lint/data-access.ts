/**
 * Rules about LEAN data objects used as if they were Python lists or C# collections: rolling
 * windows, history frames, custom indicators, and securities added with the wrong asset class.
 */
import { CRYPTO_BASES, CRYPTO_QUOTES, CSHARP_COLLECTION_METHODS, FOREX_CURRENCIES } from './lean-api';
import {
  argumentsOf,
  calleeName,
  compact,
  isSelfAttribute,
  memberOf,
  methodsOf,
  replace,
  text,
  type PythonSource,
} from './python-tree';
import { checkRule, editRule, type Spot } from './rule-kit';
import { fieldOf, isWithin, itemsOf, type SyntaxNode } from './syntax-tree';

/** `RollingWindow[T](n)`. */
function isRollingWindow(src: PythonSource, node: SyntaxNode | undefined): boolean {
  const fn = node?.type === 'call' ? fieldOf(node, 'function') : undefined;
  const value = fn?.type === 'subscript' ? fieldOf(fn, 'value') : undefined;
  return value?.type === 'identifier' && text(src, value) === 'RollingWindow';
}

/** `name` or `self.name`. */
function isSimpleTarget(src: PythonSource, node: SyntaxNode | undefined): boolean {
  return node?.type === 'identifier' || (isSelfAttribute(src, node) && memberOf(node!).name !== undefined);
}

/**
 * Where the code keeps RollingWindows: `self.window = RollingWindow[...](n)` gives `self.window`;
 * `self.windows[s] = RollingWindow[...](n)` or a dict of windows gives `self.windows[...]`.
 */
interface WindowHome {
  /** The target without spaces (`self.window`, `self.windows`). */
  target: string;
  /** The windows are the items of the target (`self.windows[s]`), not the target itself. */
  subscripted: boolean;
}

function rollingWindowHomes(src: PythonSource): WindowHome[] {
  const homes = new Map<string, WindowHome>();
  const add = (target: SyntaxNode, subscripted: boolean) => {
    const home = { target: compact(src, target), subscripted };
    homes.set(`${home.target}${subscripted ? '[]' : ''}`, home);
  };
  for (const assignment of src.assignments) {
    const left = fieldOf(assignment, 'left');
    const right = fieldOf(assignment, 'right');
    if (isRollingWindow(src, right)) {
      if (isSimpleTarget(src, left)) add(left!, false);
      else if (left?.type === 'subscript' && isSimpleTarget(src, fieldOf(left, 'value'))) add(fieldOf(left, 'value')!, true);
    } else if ((right?.type === 'dictionary' || right?.type === 'dictionary_comprehension') && isSimpleTarget(src, left)) {
      // a dict of windows: self.windows = {s: RollingWindow[float](20) for s in ...}
      const pairs = right.type === 'dictionary' ? itemsOf(right) : [fieldOf(right, 'body')];
      if (pairs.some((p) => p?.type === 'pair' && isRollingWindow(src, fieldOf(p, 'value')))) add(left!, true);
    }
  }
  return [...homes.values()];
}

/** Whether the node is one of the windows (`self.window`, or `self.windows[...]` for a dict of them). */
function isWindow(src: PythonSource, node: SyntaxNode | undefined, homes: WindowHome[]): node is SyntaxNode {
  if (!node) return false;
  return homes.some((h) =>
    h.subscripted
      ? node.type === 'subscript' && compact(src, fieldOf(node, 'value')) === h.target
      : (node.type === 'identifier' || node.type === 'attribute') && compact(src, node) === h.target,
  );
}

/** `obj.name` where obj is a window and name one of `names`. */
function windowMember(src: PythonSource, node: SyntaxNode | undefined, homes: WindowHome[], names: string[]): SyntaxNode | undefined {
  if (node?.type !== 'attribute') return undefined;
  const { object, name } = memberOf(node);
  return isWindow(src, object, homes) && names.includes(text(src, name)) ? object : undefined;
}

function noArguments(call: SyntaxNode): boolean {
  return argumentsOf(call)?.length === 0;
}

export const rollingWindowMisuse = editRule({
  id: 'rolling-window-misuse',
  severity: 'error',
  message: 'a RollingWindow is not a Python list',
  find: (src) => {
    const homes = rollingWindowHomes(src);
    if (homes.length === 0) return [];
    const spots: Spot[] = [];
    const at = (node: SyntaxNode, message: string, replacement: string) =>
      spots.push({ line: node.line, message, edits: [replace(node, replacement)] });
    const handled = new Set<SyntaxNode>();
    for (const call of src.calls) {
      const fn = fieldOf(call, 'function');
      const args = argumentsOf(call) ?? [];
      const callee = fn?.type === 'identifier' ? text(src, fn) : '';
      if (callee === 'len' && args.length === 1 && isWindow(src, args[0], homes)) {
        const name = text(src, args[0]);
        at(call, `len(${name}) fails on a RollingWindow; use ${name}.count`, `${name}.count`);
        continue;
      }
      if (callee === 'list' && args.length === 1) {
        // list(w.values) and list(w.Values()) → list(w)
        const inner = args[0]!.type === 'call' && noArguments(args[0]!) ? fieldOf(args[0]!, 'function') : args[0];
        const window = windowMember(src, inner, homes, ['values', 'Values']);
        if (window) {
          const name = text(src, window);
          handled.add(inner!);
          at(call, `a RollingWindow has no .values; iterate it directly: list(${name})`, `list(${name})`);
          continue;
        }
      }
      const counted = noArguments(call) ? windowMember(src, fn, homes, ['count', 'Count']) : undefined;
      if (counted) {
        const name = text(src, counted);
        at(call, `${name}.count is a property, not a method`, `${name}.count`);
        continue;
      }
      const appended = windowMember(src, fn, homes, ['append']);
      if (appended) {
        const name = text(src, appended);
        spots.push({ line: call.line, message: `a RollingWindow has no append(); use ${name}.add(...)`, edits: [replace(fn!, `${name}.add`)] });
      }
    }
    for (const attribute of src.attributes) {
      const window = windowMember(src, attribute, homes, ['values', 'Values']);
      if (!window || handled.has(attribute) || [...handled].some((h) => isWithin(attribute, h))) continue;
      // w.Values() is replaced with its call
      const call = attribute.field === 'function' && attribute.parent?.type === 'call' && noArguments(attribute.parent) ? attribute.parent : attribute;
      const name = text(src, window);
      at(call, `a RollingWindow has no .values; iterate it directly: list(${name})`, `list(${name})`);
    }
    for (const subscript of src.nodes) {
      if (subscript.type !== 'subscript') continue;
      const window = fieldOf(subscript, 'value');
      const index = itemsOf(subscript).filter((c) => c.field === 'subscript');
      if (!isWindow(src, window, homes) || index.length !== 1 || index[0]!.type !== 'unary_operator') continue;
      const negated = fieldOf(index[0]!, 'argument');
      if (text(src, fieldOf(index[0]!, 'operator')) !== '-' || negated?.type !== 'integer' || !/^\d+$/.test(text(src, negated))) continue;
      const name = text(src, window);
      const k = Number(text(src, negated));
      at(subscript, `${name}[-${k}]: a RollingWindow has no negative indexes ([0] is the newest); use ${name}[${name}.count - ${k}]`, `${name}[${name}.count - ${k}]`);
    }
    return spots;
  },
});

export const historyInOnData = checkRule({
  id: 'history-in-on-data',
  severity: 'warning',
  message: 'history() requested on every data event',
  find: (src) => {
    const spots: Spot[] = [];
    const handlers = src.algorithmClasses.flatMap((cls) => methodsOf(src, cls)).filter((s) => /^(on_data|OnData)$/.test(s.name));
    for (const fn of handlers) {
      for (const call of src.calls) {
        const callee = fieldOf(call, 'function');
        const method = text(src, calleeName(src, call));
        if (!isSelfAttribute(src, callee) || !/^(history|History)$/.test(method) || !isWithin(call, fn.node)) continue;
        spots.push({
          line: call.line,
          message: `self.${method}() inside ${fn.name} runs a history request on every slice (slow, and it can time out); keep indicators or a RollingWindow updated instead, or request history in a scheduled event`,
        });
      }
    }
    return spots;
  },
});

const CSHARP_METHODS = new Set<string>(CSHARP_COLLECTION_METHODS);

export const csharpCollectionMethods = checkRule({
  id: 'csharp-collection-methods',
  severity: 'warning',
  message: 'C#/LINQ collection methods do not exist on Python objects',
  find: (src) => {
    const defined = new Set(src.scopes.filter((s) => s.kind === 'def').map((s) => s.name));
    return src.calls
      .filter((call) => fieldOf(call, 'function')?.type === 'attribute')
      .map((call) => calleeName(src, call)!)
      .filter((name) => CSHARP_METHODS.has(text(src, name)) && !defined.has(text(src, name)))
      .map((name) => ({
        line: name.line,
        message: `.${text(src, name)}() is C#/LINQ; history() returns a pandas DataFrame and LEAN collections are Python iterables (use pandas methods, loops or comprehensions)`,
      }));
  },
});

export const indicatorBaseFloat = editRule({
  id: 'indicator-base-float',
  severity: 'error',
  message: 'custom indicators derive from IndicatorBase[IndicatorDataPoint], not IndicatorBase[float]',
  find: (src) =>
    src.nodes
      .filter((n) => {
        if (n.type !== 'subscript') return false;
        const value = fieldOf(n, 'value');
        const index = n.children.filter((c) => c.field === 'subscript');
        return value?.type === 'identifier' && text(src, value) === 'IndicatorBase' && index.length === 1 && index[0]!.type === 'identifier' && text(src, index[0]) === 'float';
      })
      .map((n) => ({
        line: n.line,
        message: 'IndicatorBase[float] is not a LEAN type; use IndicatorBase[IndicatorDataPoint]',
        edits: [replace(n.children.find((c) => c.field === 'subscript')!, 'IndicatorDataPoint')],
      })),
});

function addedAsEquity(src: PythonSource, classify: (ticker: string) => string | undefined, snake: string, pascal: string, what: string): Spot[] {
  const spots: Spot[] = [];
  for (const call of src.calls) {
    const method = calleeName(src, call);
    const first = argumentsOf(call)?.[0];
    const name = text(src, method);
    if (!method || !/^(add_equity|AddEquity)$/.test(name) || first?.type !== 'string') continue;
    const literal = /^(['"])([A-Za-z0-9./-]+)\1$/.exec(text(src, first));
    if (!literal) continue;
    const [, quote, raw] = literal;
    const ticker = classify(raw!.toUpperCase().replace(/[-/.]/g, ''));
    if (!ticker) continue;
    const replacement = name === 'add_equity' ? snake : pascal;
    spots.push({
      line: method.line,
      message: `${name}("${raw}") adds a stock named ${raw}; ${what} ${ticker} needs ${replacement}("${ticker}")`,
      edits: [replace(method, replacement), replace(first, `${quote}${ticker}${quote}`)],
    });
  }
  return spots;
}

function forexPair(t: string): string | undefined {
  return t.length === 6 && FOREX_CURRENCIES.has(t.slice(0, 3)) && FOREX_CURRENCIES.has(t.slice(3)) ? t : undefined;
}

function cryptoPair(t: string): string | undefined {
  const quote = CRYPTO_QUOTES.find((q) => t.endsWith(q) && CRYPTO_BASES.has(t.slice(0, t.length - q.length)));
  return quote ? t : undefined;
}

export const forexAsEquity = editRule({
  id: 'forex-as-equity',
  severity: 'error',
  message: 'a currency pair added with add_equity',
  find: (src) => addedAsEquity(src, forexPair, 'add_forex', 'AddForex', 'the currency pair'),
});

export const cryptoAsEquity = editRule({
  id: 'crypto-as-equity',
  severity: 'error',
  message: 'a crypto pair added with add_equity',
  find: (src) => addedAsEquity(src, cryptoPair, 'add_crypto', 'AddCrypto', 'the crypto pair'),
});
