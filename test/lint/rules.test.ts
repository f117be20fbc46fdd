import { LINT_RULES, LINT_RULES_BY_ID, lintCode as lintWith, readPython, type PythonParser } from '../../domain/lint';
import { checkPythonSyntax, closePythonHelpers } from '../../python';
import { loadPythonParser } from '../../python/tree-sitter';
import { algo, py } from './helpers';

/**
 * Every rule: code it must flag (and, for fixable rules, exactly what the fix produces), and code
 * it must leave alone. A fix must be idempotent and leave nothing fixable for its rule.
 */
interface BadCase {
  name: string;
  code: string;
  /** The whole fixed code, when the rule can fix this case. */
  fixed?: string;
  /** Lines the rule reports. */
  lines?: number[];
  /** The rule reports this but cannot fix it. */
  unfixable?: boolean;
}

interface RuleCases {
  bad: BadCase[];
  clean: Array<{ name: string; code: string }>;
}

const MINIMAL = algo();

const CASES: Record<string, RuleCases> = {
  'markdown-fence': {
    bad: [
      {
        name: 'a fenced answer with prose around it keeps only the code',
        code: 'Here is the algorithm:\n\n```python\n' + MINIMAL + '```\n\nIt buys SPY and holds it.\n',
        fixed: MINIMAL,
        lines: [3, 12],
      },
      { name: 'a lone opening fence is dropped', code: '```python\n' + MINIMAL, fixed: MINIMAL, lines: [1] },
      { name: 'a lone closing fence is dropped', code: MINIMAL + '```\n', fixed: MINIMAL, lines: [9] },
    ],
    clean: [
      { name: 'a docstring that shows a markdown fence', code: algo('', '', 'NOTE = """\n```python\nx = 1\n```\n"""') },
    ],
  },

  'date-arguments': {
    bad: [
      {
        name: 'a start date given as an ISO string',
        code: algo('self.set_end_date("2021-06-30")'),
        fixed: algo('self.set_end_date(2021, 6, 30)'),
        lines: [9],
      },
      {
        name: 'integers with leading zeros (a syntax error in Python 3)',
        code: algo('self.set_end_date(2021, 01, 05)\nself.cutoff = datetime(2020, 03, 01)'),
        fixed: algo('self.set_end_date(2021, 1, 5)\nself.cutoff = datetime(2020, 3, 1)'),
        lines: [9, 10],
      },
      {
        name: 'leading zeros split over lines with a comment',
        code: algo('self.set_end_date(2021,  # year\n                  01, 05)'),
        fixed: algo('self.set_end_date(2021,  # year\n                  1, 5)'),
        lines: [9],
      },
      {
        name: 'legacy SetStartDate with a string',
        code: algo('self.SetEndDate("2021/12/31")'),
        fixed: algo('self.SetEndDate(2021, 12, 31)'),
      },
    ],
    clean: [
      { name: 'integer dates and datetimes', code: algo('self.set_end_date(datetime(2021, 12, 31))') },
      { name: 'a date inside a log message', code: algo('self.debug("start 2020-01-01, end (2021, 01, 05)")') },
    ],
  },

  'pascal-case-api': {
    bad: [
      {
        name: 'legacy methods, properties and event handlers',
        code: py`
          from AlgorithmImports import *


          class Demo(QCAlgorithm):
              def Initialize(self):
                  self.SetStartDate(2020, 1, 1)
                  self.SetCash(100000)
                  self.spy = self.AddEquity("SPY", Resolution.DAILY).Symbol
                  self.fast = self.EMA(self.spy, 10)
                  self.SetWarmUp(10)
                  self.Schedule.On(self.DateRules.EveryDay(self.spy), self.TimeRules.AfterMarketOpen(self.spy, 5), self.Trade)

              def Trade(self):
                  if self.fast.IsReady and not self.Portfolio[self.spy].Invested:
                      self.SetHoldings(self.spy, 1)
                      self.Debug(f"bought {self.Portfolio[self.spy].Quantity} at {self.Securities[self.spy].Price} on {self.Time}")

              def OnData(self, data):
                  if data.ContainsKey(self.spy) and data[self.spy].Close < self.fast.Current.Value:
                      self.Liquidate(self.spy)
        `,
        fixed: py`
          from AlgorithmImports import *


          class Demo(QCAlgorithm):
              def initialize(self):
                  self.set_start_date(2020, 1, 1)
                  self.set_cash(100000)
                  self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
                  self.fast = self.ema(self.spy, 10)
                  self.set_warm_up(10)
                  self.schedule.on(self.date_rules.every_day(self.spy), self.time_rules.after_market_open(self.spy, 5), self.Trade)

              def Trade(self):
                  if self.fast.is_ready and not self.portfolio[self.spy].invested:
                      self.set_holdings(self.spy, 1)
                      self.debug(f"bought {self.portfolio[self.spy].quantity} at {self.securities[self.spy].price} on {self.time}")

              def on_data(self, data):
                  if data.contains_key(self.spy) and data[self.spy].close < self.fast.current.value:
                      self.liquidate(self.spy)
        `,
        lines: [5, 6, 7, 8, 9, 10, 11, 14, 15, 16, 18, 19, 20],
      },
      {
        name: 'a class defining both OnData and on_data is reported but not renamed',
        code: algo('', 'def OnData(self, data):\n    pass\n\ndef on_data(self, data):\n    pass'),
        unfixable: true,
      },
    ],
    clean: [
      {
        name: 'user names, strings, comments and other libraries',
        code: algo(
          py`
            self.Price = Price
            self.ind = Smoother()
            self.debug("call SetHoldings and check Portfolio.Invested")  # self.SetHoldings(self.spy, 1)
            self.when = pd.Period("2020-01", freq="M")
            self.missing = np.NaN
          `,
          py`
            def on_data(self, data):
                self.ind.Update(data[self.spy].close)
                if self.ind.Value > self.Price:
                    self.set_holdings(self.spy, 1)
          `,
          py`
            import numpy as np
            import pandas as pd
            from QuantConnect.Data.Market import TradeBar

            Price = 10


            class Smoother:
                def __init__(self):
                    self.Value = 0.0

                def Update(self, x):
                    self.Value = 0.9 * self.Value + 0.1 * x
          `,
        ),
      },
    ],
  },

  'enum-casing': {
    bad: [
      {
        name: 'C#-cased enum members',
        code: algo('self.set_brokerage_model(BrokerageName.InteractiveBrokersBrokerage, AccountType.Margin)\nself.q = self.add_equity("QQQ", Resolution.Minute).symbol', 'def on_order_event(self, e):\n    if e.status == OrderStatus.PartiallyFilled or e.status == OrderStatus.None:\n        pass'),
        fixed: algo('self.set_brokerage_model(BrokerageName.INTERACTIVE_BROKERS_BROKERAGE, AccountType.MARGIN)\nself.q = self.add_equity("QQQ", Resolution.MINUTE).symbol', 'def on_order_event(self, e):\n    if e.status == OrderStatus.PARTIALLY_FILLED or e.status == OrderStatus.NONE:\n        pass'),
        lines: [9, 10, 13],
      },
      {
        name: 'security types and markets',
        code: algo('self.eur = Symbol.create("EURUSD", SecurityType.Forex, Market.Oanda)'),
        fixed: algo('self.eur = Symbol.create("EURUSD", SecurityType.FOREX, Market.OANDA)'),
      },
    ],
    clean: [
      { name: 'UPPER_SNAKE members, strings and user enums', code: algo('self.mode = MyMode.Daily\nself.debug("Resolution.Daily")\nself.market = Market.USA', '', 'class MyMode:\n    Daily = 1') },
    ],
  },

  'enum-as-string': {
    bad: [
      {
        name: 'order status and direction compared with strings',
        code: algo('', 'def on_order_event(self, order_event):\n    if order_event.status == "Filled" and order_event.direction != \'buy\':\n        pass'),
        fixed: algo('', 'def on_order_event(self, order_event):\n    if order_event.status == OrderStatus.FILLED and order_event.direction != OrderDirection.BUY:\n        pass'),
        lines: [11, 11],
      },
    ],
    clean: [
      { name: 'enum comparisons and unrelated status strings', code: algo('self.status = "ready"', 'def on_order_event(self, order_event):\n    if order_event.status == OrderStatus.FILLED and self.status == "ready":\n        pass') },
    ],
  },

  'api-shadowing': {
    bad: [
      {
        name: 'an indicator stored under its own method name',
        code: algo('self.sma = self.sma(self.spy, 20)\nself.slow = self.sma(self.spy, 50)', 'def on_data(self, data):\n    if self.sma.is_ready and self.sma.current.value > self.slow.current.value:\n        self.set_holdings(self.spy, 1)'),
        fixed: algo('self.sma_indicator = self.sma(self.spy, 20)\nself.slow = self.sma(self.spy, 50)', 'def on_data(self, data):\n    if self.sma_indicator.is_ready and self.sma_indicator.current.value > self.slow.current.value:\n        self.set_holdings(self.spy, 1)'),
        lines: [9],
      },
      {
        name: 'a list stored as self.history',
        code: algo('self.history = []', 'def on_data(self, data):\n    self.history.append(data[self.spy].close)'),
        fixed: algo('self._history = []', 'def on_data(self, data):\n    self._history.append(data[self.spy].close)'),
      },
      {
        name: 'a legacy self.RSI = self.RSI(...)',
        code: algo('self.RSI = self.RSI(self.spy, 14)'),
        fixed: algo('self.rsi_indicator = self.RSI(self.spy, 14)'),
      },
    ],
    clean: [
      { name: 'distinct attribute names and other classes', code: algo('self.sma_fast = self.sma(self.spy, 20)', '', 'class Model(AlphaModel):\n    def __init__(self):\n        self.sma = None') },
    ],
  },

  'reserved-attribute': {
    bad: [
      {
        name: 'alpha used as a smoothing parameter',
        code: algo('self.alpha = 0.05', 'def on_data(self, data):\n    self.level = self.alpha * data[self.spy].close'),
        fixed: algo('self._alpha = 0.05', 'def on_data(self, data):\n    self.level = self._alpha * data[self.spy].close'),
        lines: [9],
      },
      {
        name: 'universe used for a ticker list, with _universe taken',
        code: algo('self._universe = None\nself.universe = ["SPY", "QQQ"]\nfor t in self.universe:\n    self.add_equity(t)'),
        fixed: algo('self._universe = None\nself.universe_value = ["SPY", "QQQ"]\nfor t in self.universe_value:\n    self.add_equity(t)'),
      },
    ],
    clean: [
      { name: 'framework attributes used as LEAN intends', code: algo('self.alpha_level = 0.05\nself.universe_settings.resolution = Resolution.DAILY\nself.add_universe(self.universe.dollar_volume.top(50))') },
    ],
  },

  'rolling-window-misuse': {
    bad: [
      {
        name: 'len(), .values, append() and negative indexes',
        code: algo(
          'self.window = RollingWindow[float](10)',
          'def on_data(self, data):\n    self.window.append(data[self.spy].close)\n    if len(self.window) < 10 or self.window.count() < 10:\n        return\n    values = list(self.window.Values)\n    first = self.window.values[0]\n    oldest = self.window[-1]',
        ),
        fixed: algo(
          'self.window = RollingWindow[float](10)',
          'def on_data(self, data):\n    self.window.add(data[self.spy].close)\n    if self.window.count < 10 or self.window.count < 10:\n        return\n    values = list(self.window)\n    first = list(self.window)[0]\n    oldest = self.window[self.window.count - 1]',
        ),
        lines: [12, 13, 13, 15, 16, 17],
      },
      {
        name: 'a dict of windows',
        code: algo('self.windows = {}\nself.windows[self.spy] = RollingWindow[TradeBar](5)', 'def on_data(self, data):\n    if len(self.windows[self.spy]) == 5:\n        pass'),
        fixed: algo('self.windows = {}\nself.windows[self.spy] = RollingWindow[TradeBar](5)', 'def on_data(self, data):\n    if self.windows[self.spy].count == 5:\n        pass'),
      },
    ],
    clean: [
      { name: 'windows used properly and lists used as lists', code: algo('self.window = RollingWindow[float](10)\nself.prices = []', 'def on_data(self, data):\n    self.window.add(data[self.spy].close)\n    self.prices.append(1)\n    if self.window.is_ready and len(self.prices) > 2 and self.window[0] > self.window[self.window.count - 1]:\n        pass') },
    ],
  },

  'forex-as-equity': {
    bad: [
      {
        name: 'currency pairs added as stocks',
        code: algo('self.eur = self.add_equity("EURUSD", Resolution.HOUR).symbol\nself.gbp = self.AddEquity(\'gbpjpy\')'),
        fixed: algo('self.eur = self.add_forex("EURUSD", Resolution.HOUR).symbol\nself.gbp = self.AddForex(\'GBPJPY\')'),
        lines: [9, 10],
      },
      {
        name: 'a pair written on the line after a comment inside the call',
        code: algo('self.eur = self.add_equity(  # the euro\n    "EUR/USD",\n).symbol'),
        fixed: algo('self.eur = self.add_forex(  # the euro\n    "EURUSD",\n).symbol'),
        lines: [9],
      },
    ],
    clean: [
      { name: 'stocks and forex added properly', code: algo('self.eur = self.add_forex("EURUSD").symbol\nself.uup = self.add_equity("UUP").symbol\nself.debug(\'add_equity("EURUSD")\')') },
    ],
  },

  'crypto-as-equity': {
    bad: [
      {
        name: 'coins added as stocks, with exchange-style tickers',
        code: algo('self.btc = self.add_equity("BTCUSD").symbol\nself.eth = self.add_equity("ETH-USD").symbol\nself.sol = self.add_equity("SOLUSDT").symbol'),
        fixed: algo('self.btc = self.add_crypto("BTCUSD").symbol\nself.eth = self.add_crypto("ETHUSD").symbol\nself.sol = self.add_crypto("SOLUSDT").symbol'),
        lines: [9, 10, 11],
      },
    ],
    clean: [
      { name: 'crypto stocks and proper crypto', code: algo('self.gbtc = self.add_equity("GBTC").symbol\nself.coin = self.add_equity("COIN").symbol\nself.btc = self.add_crypto("BTCUSD").symbol') },
    ],
  },

  'indicator-base-float': {
    bad: [
      {
        name: 'a custom indicator typed on float',
        code: algo('', '', 'class Spread(IndicatorBase[float]):\n    pass'),
        fixed: algo('', '', 'class Spread(IndicatorBase[IndicatorDataPoint]):\n    pass'),
        lines: [2],
      },
    ],
    clean: [{ name: 'IndicatorDataPoint and float windows', code: algo('self.w = RollingWindow[float](5)', '', 'class Spread(IndicatorBase[IndicatorDataPoint]):\n    pass') }],
  },

  'wall-clock-time': {
    bad: [
      {
        name: 'machine time in algorithm methods',
        code: algo('self.started = datetime.now()', 'def on_data(self, data):\n    if datetime.utcnow().hour > 15 or date.today().weekday() == 4:\n        self.liquidate()'),
        fixed: algo('self.started = self.time', 'def on_data(self, data):\n    if self.utc_time.hour > 15 or self.time.date().weekday() == 4:\n        self.liquidate()'),
        lines: [9, 12, 12],
      },
      {
        name: 'machine time in a framework model reads the algorithm clock',
        code: algo('', '', 'class Alpha(AlphaModel):\n    def update(self, algorithm, data):\n        return [] if datetime.now().hour < 10 else []'),
        fixed: algo('', '', 'class Alpha(AlphaModel):\n    def update(self, algorithm, data):\n        return [] if algorithm.time.hour < 10 else []'),
      },
      { name: 'at module level there is no algorithm to ask', code: algo('', '', 'STARTED = datetime.now()'), unfixable: true },
    ],
    clean: [
      { name: 'algorithm time, constructed datetimes, timing code and text', code: algo('self.t0 = self.time\nself.cutoff = datetime(2020, 1, 1)\nself.debug("datetime.now() is wrong here")  # datetime.now()\nself.tick = time.time()', '', 'import time') },
    ],
  },

  'print-to-debug': {
    bad: [
      {
        name: 'print in algorithm methods',
        code: algo('print("starting")', 'def on_data(self, data):\n    print(data[self.spy].close)\n    print("close", data[self.spy].close)\n    print()'),
        fixed: algo('self.debug("starting")', 'def on_data(self, data):\n    self.debug(str(data[self.spy].close))\n    self.debug(" ".join(map(str, ("close", data[self.spy].close))))\n    self.debug("")'),
        lines: [9, 12, 13, 14],
      },
      {
        name: 'print in a framework model goes through algorithm',
        code: algo('', '', 'class Alpha(AlphaModel):\n    def update(self, algorithm, data):\n        print(f"{len(data)} bars")\n        return []'),
        fixed: algo('', '', 'class Alpha(AlphaModel):\n    def update(self, algorithm, data):\n        algorithm.debug(f"{len(data)} bars")\n        return []'),
      },
      { name: 'print with keyword arguments is only reported', code: algo('print("a", end="")'), unfixable: true },
    ],
    clean: [{ name: 'debug calls and print-like names', code: algo('self.debug("print(x)")\nself.blueprint = blueprint(1)\nself.print_summary = None', '', 'def blueprint(x):\n    return x') }],
  },

  'history-in-on-data': {
    bad: [
      {
        name: 'a history request on every slice',
        code: algo('', 'def on_data(self, data):\n    closes = self.history(self.spy, 20, Resolution.DAILY)["close"]\n    if closes.iloc[-1] > closes.mean():\n        self.set_holdings(self.spy, 1)'),
        lines: [11],
      },
    ],
    clean: [
      { name: 'history in initialize and in scheduled events', code: algo('self.seed = self.history(self.spy, 20, Resolution.DAILY)\nself.schedule.on(self.date_rules.every_day(self.spy), self.time_rules.at(10, 0), self.rebalance)', 'def rebalance(self):\n    closes = self.history(self.spy, 20, Resolution.DAILY)') },
    ],
  },

  'csharp-collection-methods': {
    bad: [
      {
        name: 'LINQ calls on a history frame',
        code: algo('', 'def rebalance(self):\n    h = self.history(self.spy, 5, Resolution.DAILY)\n    h.ForEach(lambda r: self.debug(str(r)))\n    last = h.GetValue("close")'),
        lines: [12, 13],
      },
    ],
    clean: [
      { name: 'pandas methods and user-defined PascalCase methods', code: algo('self.data = Basket()', 'def rebalance(self):\n    h = self.history(self.spy, 5, Resolution.DAILY)\n    h.where(h > 0).sum()\n    self.data.Select(1)', 'class Basket:\n    def Select(self, n):\n        return n') },
    ],
  },

  'missing-warm-up': {
    bad: [
      {
        name: 'indicators with literal periods',
        code: algo('self.fast = self.ema(self.spy, 20, Resolution.DAILY)\nself.slow = self.sma(self.spy, 50, Resolution.DAILY)'),
        fixed: algo('self.fast = self.ema(self.spy, 20, Resolution.DAILY)\nself.slow = self.sma(self.spy, 50, Resolution.DAILY)').replace(
          '        self.set_cash(100000)\n',
          '        self.set_cash(100000)\n        self.set_warm_up(50, Resolution.DAILY)\n',
        ),
        lines: [9],
      },
      {
        name: 'MACD at minute resolution with a period attribute',
        code: algo('self.signal_period = 9\nself.m = self.macd(self.spy, 12, 26, self.signal_period, MovingAverageType.EXPONENTIAL, Resolution.MINUTE)'),
        fixed: algo('self.signal_period = 9\nself.m = self.macd(self.spy, 12, 26, self.signal_period, MovingAverageType.EXPONENTIAL, Resolution.MINUTE)').replace(
          '        self.set_cash(100000)\n',
          '        self.set_cash(100000)\n        self.set_warm_up(35, Resolution.MINUTE)\n',
        ),
      },
      {
        name: 'a period read from a parameter is warmed up after it is set',
        code: algo('self.period = int(self.get_parameter("period"))\nself.trend = self.sma(self.spy, self.period)'),
        fixed: algo('self.period = int(self.get_parameter("period"))\nself.trend = self.sma(self.spy, self.period)\nself.set_warm_up(self.period, Resolution.DAILY)'),
      },
    ],
    clean: [
      { name: 'warm-up already set', code: algo('self.fast = self.ema(self.spy, 20)\nself.set_warm_up(timedelta(days=30))') },
      { name: 'indicators warmed one by one', code: algo('self.fast = self.ema(self.spy, 20)\nself.warm_up_indicator(self.spy, self.fast)') },
      { name: 'no indicators at all', code: MINIMAL },
    ],
  },

  'missing-algorithm-imports': {
    bad: [
      { name: 'no import at all', code: MINIMAL.replace('from AlgorithmImports import *\n', ''), fixed: MINIMAL, lines: [1] },
      {
        name: 'below a shebang and an encoding line',
        code: '#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n' + MINIMAL.replace('from AlgorithmImports import *\n', ''),
        fixed: '#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n' + MINIMAL,
      },
      {
        name: 'legacy QuantConnect imports',
        code: 'from QuantConnect.Algorithm import *\n' + MINIMAL.replace('from AlgorithmImports import *\n', ''),
        fixed: 'from AlgorithmImports import *\nfrom QuantConnect.Algorithm import *\n' + MINIMAL.replace('from AlgorithmImports import *\n', ''),
      },
      {
        name: 'after the module docstring and __future__ imports',
        code: '"""Demo."""\nfrom __future__ import annotations\n' + MINIMAL.replace('from AlgorithmImports import *\n', ''),
        fixed: '"""Demo."""\nfrom __future__ import annotations\nfrom AlgorithmImports import *\n' + MINIMAL.replace('from AlgorithmImports import *\n', ''),
      },
    ],
    clean: [{ name: 'the import is present', code: MINIMAL }],
  },

  'structure-algorithm-class': {
    bad: [
      { name: 'no QCAlgorithm subclass', code: 'from AlgorithmImports import *\n\nclass Demo:\n    pass\n', lines: [1], unfixable: true },
      { name: 'two QCAlgorithm subclasses', code: MINIMAL + '\n\nclass Other(QCAlgorithm):\n    def initialize(self):\n        pass\n', lines: [11], unfixable: true },
    ],
    clean: [
      { name: 'one subclass, even when named through the module', code: MINIMAL.replace('(QCAlgorithm)', '(QuantConnect.Algorithm.QCAlgorithm)') },
      { name: 'one subclass among helper classes', code: algo('', '', 'class Helper(object):\n    pass') },
    ],
  },

  'structure-initialize': {
    bad: [{ name: 'setup under another name', code: MINIMAL.replace('def initialize(self)', 'def setup(self)'), lines: [4], unfixable: true }],
    clean: [{ name: 'legacy Initialize counts', code: MINIMAL.replace('def initialize(self)', 'def Initialize(self)') }],
  },

  'structure-start-date': {
    bad: [
      { name: 'no start date', code: MINIMAL.replace('        self.set_start_date(2020, 1, 1)\n', ''), lines: [5], unfixable: true },
      { name: 'a start date only in a string', code: MINIMAL.replace('self.set_start_date(2020, 1, 1)', 'self.debug("set_start_date(2020, 1, 1)")'), lines: [5], unfixable: true },
    ],
    clean: [{ name: 'legacy SetStartDate counts', code: MINIMAL.replace('self.set_start_date', 'self.SetStartDate') }],
  },

  'structure-cash': {
    bad: [
      { name: 'no cash', code: MINIMAL.replace('        self.set_cash(100000)\n', ''), unfixable: true },
      { name: 'cash only mentioned in a comment', code: MINIMAL.replace('        self.set_cash(100000)\n', '        # self.set_cash(100000)\n'), unfixable: true },
    ],
    clean: [{ name: 'legacy SetCash counts', code: MINIMAL.replace('self.set_cash', 'self.SetCash') }],
  },

  'structure-security': {
    bad: [{ name: 'nothing is subscribed', code: MINIMAL.replace('        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol\n', ''), unfixable: true }],
    clean: [
      { name: 'a universe selection model counts', code: MINIMAL.replace('self.spy = self.add_equity("SPY", Resolution.DAILY).symbol', 'self.set_universe_selection(ManualUniverseSelectionModel([]))') },
      { name: 'legacy AddForex counts', code: MINIMAL.replace('self.add_equity("SPY", Resolution.DAILY)', 'self.AddForex("EURUSD")') },
    ],
  },
};

let parser: PythonParser;
const lintCode = (code: string) => lintWith(code, parser);

beforeAll(async () => {
  parser = await loadPythonParser();
});

afterAll(() => closePythonHelpers());

describe('the linter rule table', () => {
  it('has positive and negative cases for every rule', () => {
    for (const rule of LINT_RULES) {
      expect(CASES[rule.id]?.bad.length ?? 0).toBeGreaterThan(0);
      expect(CASES[rule.id]?.clean.length ?? 0).toBeGreaterThan(0);
    }
    expect(Object.keys(CASES).sort()).toEqual(LINT_RULES.map((r) => r.id).sort());
  });

  it('builds clean helper algorithms that no rule objects to', () => {
    expect(lintCode(MINIMAL)).toEqual([]);
  });
});

for (const [id, cases] of Object.entries(CASES)) {
  const rule = LINT_RULES_BY_ID.get(id)!;
  const issuesOf = (code: string) => lintCode(code).filter((i) => i.rule === id);
  const fix = (code: string) => rule.fix!(readPython(code, parser));

  describe(`rule ${id}`, () => {
    for (const c of cases.bad) {
      it(`flags ${c.name}`, async () => {
        const issues = issuesOf(c.code);
        expect(issues.length).toBeGreaterThan(0);
        if (c.lines) expect(issues.map((i) => i.line)).toEqual(c.lines);
        for (const issue of issues) expect(issue.severity).toBe(rule.severity);
        if (c.unfixable || !rule.fix) {
          expect(issues.every((i) => !i.fixable)).toBe(true);
          expect(c.fixed).toBeUndefined();
          return;
        }
        expect(issues.every((i) => i.fixable)).toBe(true);
        const fixed = fix(c.code);
        if (c.fixed !== undefined) expect(fixed).toBe(c.fixed);
        // idempotent: the fixed code has nothing left to fix for this rule, and fixing again changes nothing
        expect(issuesOf(fixed).filter((i) => i.fixable)).toEqual([]);
        expect(fix(fixed)).toBe(fixed);
        const syntax = await checkPythonSyntax(fixed);
        expect(syntax).toEqual({ ok: true, parser: 'cpython' });
      });
    }

    for (const c of cases.clean) {
      it(`leaves alone ${c.name}`, async () => {
        expect(issuesOf(c.code)).toEqual([]);
        if (rule.fix) expect(fix(c.code)).toBe(c.code);
        expect((await checkPythonSyntax(c.code)).ok).toBe(true);
      });
    }
  });
}
