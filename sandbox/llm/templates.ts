import type { StrategyFamily } from '../../domain/strategy';
import { LANDSCAPES, canonicalParameters } from '../landscape';

/** The rule kinds a specification lists (entry rules, exit rules, risk management). */
export type RuleKind = 'entry' | 'exit' | 'risk';

/** What the scripted `generate` needs to write an algorithm. */
export interface AlgorithmPlan {
  family: StrategyFamily;
  title: string;
  /** Canonical family parameters; missing ones take the family's paper values. */
  parameters: Record<string, number>;
  /** Further parameters from the specification, written as attributes too. */
  extraParameters: Array<{ name: string; value: number; description: string }>;
  tickers: string[];
  resolution: 'minute' | 'hour' | 'daily';
  /** How many entry, exit and risk rules the specification has: each gets its `# rule:` marker. */
  rules?: Partial<Record<RuleKind, number>>;
  /** Backtest period as [year, month, day]; 2015-01-01 to 2023-12-31 when not given. */
  start?: [number, number, number];
  end?: [number, number, number];
}

const RESOLUTION = { minute: 'Resolution.MINUTE', hour: 'Resolution.HOUR', daily: 'Resolution.DAILY' } as const;

/** `252`, `0.08`, `2.0`: Python literals as a model would write them. */
export function pythonNumber(value: number, integer: boolean): string {
  if (integer) return String(Math.round(value));
  const rounded = Math.round(value * 10_000) / 10_000;
  return Number.isInteger(rounded) ? `${rounded}.0` : String(rounded);
}

const CLASS_STOP_WORDS = new Set(['a', 'an', 'and', 'the', 'of', 'in', 'on', 'for', 'with', 'to', 'by', 'from', 'at', 'as', 'study', 'evidence']);

/** `Time-Series Momentum in Liquid ETFs` → `TimeSeriesMomentumLiquidAlgorithm`. */
export function className(title: string): string {
  const words = title
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w && !CLASS_STOP_WORDS.has(w.toLowerCase()))
    .slice(0, 4)
    .map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
  const name = words.join('');
  return /^[A-Za-z]/.test(name) ? `${name}Algorithm` : 'GeneratedStrategyAlgorithm';
}

/** Fills in every family parameter, mapping aliases (`lookback_months`) onto canonical names. */
export function planParameters(family: StrategyFamily, given: Record<string, number>): Record<string, number> {
  const canonical = canonicalParameters(family, given);
  const out: Record<string, number> = {};
  for (const spec of LANDSCAPES[family].params) out[spec.name] = canonical[spec.name] ?? spec.paperValue;
  return out;
}

function tickersFor(plan: AlgorithmPlan, count?: number): string[] {
  const valid = plan.tickers.filter((t) => /^[A-Z]{1,5}$/.test(t));
  const chosen = valid.length >= (count ?? 1) ? valid : LANDSCAPES[plan.family].defaultTickers;
  return count === undefined ? chosen : chosen.slice(0, count);
}

function list(tickers: string[]): string {
  return `[${tickers.map((t) => `"${t}"`).join(', ')}]`;
}

/** Renders the plan as a LEAN Python algorithm in the modern snake_case API. */
export function renderAlgorithm(plan: AlgorithmPlan): string {
  const res = RESOLUTION[plan.resolution];
  const specs = LANDSCAPES[plan.family].params;
  const lines = specs.map((s) => `        self.${s.name} = ${pythonNumber(plan.parameters[s.name] ?? s.paperValue, s.integer)}`);
  const body = BODIES[plan.family](plan, res);
  const reserved = new Set([...specs.flatMap((s) => [s.name, ...s.aliases]), ...[...body.matchAll(/self\.(\w+)/g)].map((m) => m[1]!)]);
  for (const extra of plan.extraParameters) {
    if (!/^[a-z_][a-z0-9_]*$/.test(extra.name) || reserved.has(extra.name)) continue;
    reserved.add(extra.name);
    lines.push(`        self.${extra.name} = ${pythonNumber(extra.value, Number.isInteger(extra.value))}`);
  }
  const header = [
    '# region imports',
    'from AlgorithmImports import *',
    ...(plan.family === 'pairs' || plan.family === 'volatility' ? ['import numpy as np'] : []),
    '# endregion',
    `# family: ${plan.family}`,
    '',
    '',
  ].join('\n');
  const [sy, sm, sd] = plan.start ?? [2015, 1, 1];
  const [ey, em, ed] = plan.end ?? [2023, 12, 31];
  const dated = body.replace('self.set_start_date(2015, 1, 1)', `self.set_start_date(${sy}, ${sm}, ${sd})`).replace('self.set_end_date(2023, 12, 31)', `self.set_end_date(${ey}, ${em}, ${ed})`);
  const marked = dated.replace(/^([ \t]*)\{RULES:([a-z,]+)\}\n/gm, (_, indent: string, kinds: string) => ruleMarker(indent, kinds.split(',') as RuleKind[], plan.rules));
  return header + marked.replace('{PARAMETERS}', lines.join('\n')).replace('{CLASS}', className(plan.title)).replace('{TITLE}', plan.title.replace(/"/g, "'")) + '\n';
}

/** The marker comment the generate prompt asks for, naming every rule of these kinds (`# rule: exit[1] exit[2]`). */
function ruleMarker(indent: string, kinds: RuleKind[], rules: AlgorithmPlan['rules']): string {
  const ids = kinds.flatMap((kind) => Array.from({ length: rules?.[kind] ?? 0 }, (_, i) => `${kind}[${i + 1}]`));
  return ids.length ? `${indent}# rule: ${ids.join(' ')}\n` : '';
}

const PREAMBLE = `
    def initialize(self):
        self.set_start_date(2015, 1, 1)
        self.set_end_date(2023, 12, 31)
        self.set_cash(100000)
{PARAMETERS}`;

const BODIES: Record<StrategyFamily, (plan: AlgorithmPlan, res: string) => string> = {
  momentum: (plan, res) => `class {CLASS}(QCAlgorithm):
    """Time-series momentum: hold the assets whose trailing return is positive ({TITLE})."""
${PREAMBLE}
        self.tickers = ${list(tickersFor(plan))}
        self.momentum = {}
        self.entry_prices = {}
        for ticker in self.tickers:
            symbol = self.add_equity(ticker, ${res}).symbol
            self.momentum[symbol] = self.momp(symbol, self.lookback, ${res})
        self.days_since_rebalance = self.rebalance_days
        self.set_warm_up(self.lookback, ${res})

    def on_data(self, data: Slice):
        if self.is_warming_up:
            return
        self.check_stops()
        self.days_since_rebalance += 1
        if self.days_since_rebalance < self.rebalance_days:
            return
        self.days_since_rebalance = 0
        winners = [s for s, m in self.momentum.items() if m.is_ready and m.current.value > 0]
        for symbol in self.momentum:
            {RULES:exit}
            if symbol not in winners and self.portfolio[symbol].invested:
                self.liquidate(symbol)
                self.entry_prices.pop(symbol, None)
        if not winners:
            return
        weight = 1.0 / len(winners)
        for symbol in winners:
            {RULES:entry}
            self.set_holdings(symbol, weight)
            self.entry_prices.setdefault(symbol, self.securities[symbol].price)

    def check_stops(self):
        for symbol, entry in list(self.entry_prices.items()):
            price = self.securities[symbol].price
            {RULES:risk}
            if self.portfolio[symbol].invested and price < entry * (1 - self.stop_loss):
                self.liquidate(symbol)
                del self.entry_prices[symbol]
`,

  mean_reversion: (plan, res) => `class {CLASS}(QCAlgorithm):
    """Buys oversold funds below the lower Bollinger Band with RSI confirmation; sells at the middle band ({TITLE})."""
${PREAMBLE}
        self.tickers = ${list(tickersFor(plan))}
        self.bands = {}
        self.rsis = {}
        self.entry_prices = {}
        for ticker in self.tickers:
            symbol = self.add_equity(ticker, ${res}).symbol
            self.bands[symbol] = self.bb(symbol, self.bb_period, self.bb_std, MovingAverageType.SIMPLE, ${res})
            self.rsis[symbol] = self.rsi(symbol, self.rsi_period, MovingAverageType.WILDERS, ${res})
        self.set_warm_up(max(self.bb_period, self.rsi_period), ${res})

    def on_data(self, data: Slice):
        if self.is_warming_up:
            return
        weight = 1.0 / len(self.tickers)
        for symbol, bands in self.bands.items():
            rsi = self.rsis[symbol]
            if not bands.is_ready or not rsi.is_ready or not data.contains_key(symbol):
                continue
            price = self.securities[symbol].price
            if not self.portfolio[symbol].invested:
                {RULES:entry}
                if price < bands.lower_band.current.value and rsi.current.value < self.rsi_oversold:
                    self.set_holdings(symbol, weight)
                    self.entry_prices[symbol] = price
            else:
                entry = self.entry_prices.get(symbol, price)
                {RULES:exit,risk}
                if price >= bands.middle_band.current.value or price < entry * (1 - self.stop_loss):
                    self.liquidate(symbol)
                    self.entry_prices.pop(symbol, None)
`,

  pairs: (plan, res) => {
    const [first, second] = tickersFor(plan, 2) as [string, string];
    return `class {CLASS}(QCAlgorithm):
    """Cointegration pairs trade on the z-score of the log-price spread ({TITLE})."""
${PREAMBLE}
        self.first = self.add_equity("${first}", ${res}).symbol
        self.second = self.add_equity("${second}", ${res}).symbol
        self.position = 0
        self.set_warm_up(self.lookback, Resolution.DAILY)
        self.schedule.on(self.date_rules.every_day(self.first), self.time_rules.before_market_close(self.first, 15), self.trade)

    def trade(self):
        if self.is_warming_up:
            return
        history = self.history([self.first, self.second], self.lookback, Resolution.DAILY)
        if history.empty:
            return
        closes = history["close"].unstack(level=0).dropna()
        if len(closes) < self.lookback:
            return
        a = np.log(closes[self.first].values)
        b = np.log(closes[self.second].values)
        hedge_ratio = np.polyfit(b, a, 1)[0]
        spread = a - hedge_ratio * b
        z = (spread[-1] - spread.mean()) / spread.std()
        if self.position == 0:
            {RULES:entry}
            if z > self.entry_z:
                self.set_holdings(self.first, -0.5)
                self.set_holdings(self.second, 0.5)
                self.position = -1
            elif z < -self.entry_z:
                self.set_holdings(self.first, 0.5)
                self.set_holdings(self.second, -0.5)
                self.position = 1
        {RULES:exit,risk}
        elif abs(z) < self.exit_z or abs(z) > self.stop_z:
            self.liquidate()
            self.position = 0
`;
  },

  volatility: (plan, res) => `class {CLASS}(QCAlgorithm):
    """Scales exposure by the ratio of target to realized volatility, capped at a maximum leverage ({TITLE})."""
${PREAMBLE}
        self.symbol = self.add_equity("${tickersFor(plan, 1)[0]}", ${res}, leverage=4).symbol
        self.set_warm_up(self.vol_lookback + 1, Resolution.DAILY)
        self.schedule.on(self.date_rules.week_start(self.symbol), self.time_rules.after_market_open(self.symbol, 30), self.rebalance)

    def rebalance(self):
        if self.is_warming_up:
            return
        history = self.history(self.symbol, self.vol_lookback + 1, Resolution.DAILY)
        if history.empty or len(history) < self.vol_lookback + 1:
            return
        returns = np.log(history["close"]).diff().dropna()
        realized_vol = returns.std() * np.sqrt(252)
        if realized_vol <= 0:
            return
        {RULES:risk}
        weight = min(self.target_vol / realized_vol, self.max_leverage)
        current = self.portfolio[self.symbol].holdings_value / self.portfolio.total_portfolio_value
        {RULES:entry,exit}
        if abs(weight - current) > 0.1:
            self.set_holdings(self.symbol, weight)
`,

  trend: (plan, res) => `class {CLASS}(QCAlgorithm):
    """Dual moving-average crossover with a trailing stop ({TITLE})."""
${PREAMBLE}
        self.tickers = ${list(tickersFor(plan))}
        self.fast_averages = {}
        self.slow_averages = {}
        self.highs = {}
        for ticker in self.tickers:
            symbol = self.add_equity(ticker, ${res}).symbol
            self.fast_averages[symbol] = self.sma(symbol, self.fast_period, ${res})
            self.slow_averages[symbol] = self.sma(symbol, self.slow_period, ${res})
        self.set_warm_up(self.slow_period, ${res})

    def on_data(self, data: Slice):
        if self.is_warming_up:
            return
        weight = 1.0 / len(self.tickers)
        for symbol, fast in self.fast_averages.items():
            slow = self.slow_averages[symbol]
            if not fast.is_ready or not slow.is_ready or not data.contains_key(symbol):
                continue
            price = self.securities[symbol].price
            if not self.portfolio[symbol].invested:
                {RULES:entry}
                if fast.current.value > slow.current.value:
                    self.set_holdings(symbol, weight)
                    self.highs[symbol] = price
            else:
                self.highs[symbol] = max(self.highs.get(symbol, price), price)
                {RULES:risk}
                stopped = price < self.highs[symbol] * (1 - self.stop_loss)
                {RULES:exit}
                if fast.current.value < slow.current.value or stopped:
                    self.liquidate(symbol)
`,

  factor: () => `class {CLASS}(QCAlgorithm):
    """Holds the top-ranked stocks on a composite of value, quality and momentum ranks ({TITLE})."""
${PREAMBLE}
        self.universe_settings.resolution = Resolution.DAILY
        self.add_universe(self.select_universe)
        self.add_equity("SPY", Resolution.DAILY)
        self.selected = []
        self.rebalance_due = False
        self.days_since_rebalance = self.rebalance_days
        self.set_warm_up(21, Resolution.DAILY)

    def select_universe(self, fundamental):
        if self.days_since_rebalance < self.rebalance_days:
            return Universe.UNCHANGED
        candidates = [f for f in fundamental if f.has_fundamental_data and f.price > 5]
        liquid = sorted(candidates, key=lambda f: f.dollar_volume, reverse=True)[:self.universe_size]
        history = self.history([f.symbol for f in liquid], self.lookback, Resolution.DAILY)
        if history.empty:
            return Universe.UNCHANGED
        closes = history["close"].unstack(level=0)
        momentum = closes.iloc[-21] / closes.iloc[0] - 1
        rows = [f for f in liquid if f.symbol in momentum.index]
        value = self.percentile_ranks([f.valuation_ratios.earning_yield for f in rows])
        quality = self.percentile_ranks([f.operation_ratios.roe.value for f in rows])
        trend = self.percentile_ranks([momentum[f.symbol] for f in rows])
        scores = sorted(((value[i] + quality[i] + trend[i]) / 3, f.symbol) for i, f in enumerate(rows))
        self.selected = [symbol for _, symbol in scores[-self.top_n:]]
        self.days_since_rebalance = 0
        self.rebalance_due = True
        return self.selected

    def percentile_ranks(self, values):
        order = sorted(range(len(values)), key=lambda i: values[i])
        ranks = [0.0] * len(values)
        for rank, i in enumerate(order):
            ranks[i] = rank / max(len(values) - 1, 1)
        return ranks

    def on_data(self, data: Slice):
        self.days_since_rebalance += 1
        if self.is_warming_up or not self.rebalance_due:
            return
        self.rebalance_due = False
        for holding in self.portfolio.values():
            {RULES:exit}
            if holding.invested and holding.symbol not in self.selected:
                self.liquidate(holding.symbol)
        {RULES:risk}
        weight = 1.0 / max(len(self.selected), 1)
        {RULES:entry}
        for symbol in self.selected:
            self.set_holdings(symbol, weight)
`,

  other: (plan, res) => `class {CLASS}(QCAlgorithm):
    """Holds the asset while it trades above its moving average, with a stop-loss ({TITLE})."""
${PREAMBLE}
        self.symbol = self.add_equity("${tickersFor(plan, 1)[0]}", ${res}).symbol
        self.average = self.sma(self.symbol, self.lookback, ${res})
        self.entry_price = None
        self.set_warm_up(self.lookback, ${res})

    def on_data(self, data: Slice):
        if self.is_warming_up or not self.average.is_ready:
            return
        price = self.securities[self.symbol].price
        if not self.portfolio[self.symbol].invested:
            {RULES:entry}
            if price > self.average.current.value:
                self.set_holdings(self.symbol, 1.0)
                self.entry_price = price
        {RULES:exit,risk}
        elif price < self.average.current.value or price < self.entry_price * (1 - self.stop_loss):
            self.liquidate(self.symbol)
`,
};
