/**
 * The LEAN (QuantConnect) Python API names the linter knows. Only names listed here are ever
 * renamed: a PascalCase name the linter does not know is left alone, since it may be the user's.
 */

/** `SetWarmUp` → `set_warm_up`, `SMA` → `sma`, `IsReady` → `is_ready`. */
export function pascalToSnake(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Indicator helper methods of QCAlgorithm (`self.SMA(...)`), PascalCase as in the C# API. */
export const INDICATOR_HELPERS = [
  'AD', 'ADOSC', 'ADX', 'ADXR', 'ALMA', 'AO', 'APO', 'AROON', 'ATR', 'BB', 'CCI', 'CMO', 'DCH', 'DEMA', 'DPO',
  'EMA', 'FRAMA', 'HMA', 'ICHIMOKU', 'KAMA', 'KCH', 'LOGR', 'LSMA', 'LWMA', 'MACD', 'MAX', 'MFI', 'MIN', 'MOM',
  'MOMP', 'NATR', 'OBV', 'PPO', 'PSAR', 'ROC', 'ROCP', 'ROCR', 'RSI', 'SMA', 'STD', 'STO', 'SUM', 'T3', 'TEMA',
  'TR', 'TRIMA', 'TRIX', 'ULTOSC', 'VAR', 'VWAP', 'WILR', 'ZLEMA',
] as const;

/** QCAlgorithm methods and properties other than indicator helpers and event handlers. */
export const ALGORITHM_MEMBERS = [
  'ActiveSecurities', 'AddAlpha', 'AddChart', 'AddCfd', 'AddCrypto', 'AddCryptoFuture', 'AddData', 'AddEquity',
  'AddForex', 'AddFuture', 'AddFutureContract', 'AddFutureOption', 'AddIndex', 'AddIndexOption',
  'AddIndexOptionContract', 'AddOption', 'AddOptionContract', 'AddRiskManagement', 'AddSecurity', 'AddUniverse',
  'AddUniverseSelection', 'Alpha', 'Benchmark', 'BrokerageModel', 'CalculateOrderQuantity', 'Consolidate',
  'DateRules', 'Debug', 'EmitInsights', 'EndDate', 'Error', 'Execution', 'FutureChainProvider', 'GetLastKnownPrice',
  'GetParameter', 'History', 'IsMarketOpen', 'IsWarmingUp', 'LimitIfTouchedOrder', 'LimitOrder', 'Liquidate',
  'LiveMode', 'Log', 'MarketOnCloseOrder', 'MarketOnOpenOrder', 'MarketOrder', 'Name', 'Notify', 'ObjectStore',
  'OptionChainProvider', 'Order', 'Plot', 'Portfolio', 'PortfolioConstruction', 'Quit', 'RegisterIndicator',
  'RemoveSecurity', 'RiskManagement', 'Schedule', 'Securities', 'SetAccountCurrency', 'SetAlpha', 'SetBenchmark',
  'SetBrokerageModel', 'SetCash', 'SetEndDate', 'SetExecution', 'SetName', 'SetPortfolioConstruction',
  'SetRiskManagement', 'SetSecurityInitializer', 'SetStartDate', 'SetTimeZone', 'SetUniverseSelection',
  'SetHoldings', 'SetWarmUp', 'SetWarmup', 'Settings', 'StartDate', 'StopLimitOrder', 'StopMarketOrder', 'SubscriptionManager',
  'Time', 'TimeRules', 'Transactions', 'TrailingStopOrder', 'Universe', 'UniverseManager', 'UniverseSettings',
  'UtcTime', 'WarmUpIndicator',
] as const;

/** Event handlers LEAN calls on the algorithm (and on framework models: `OnSecuritiesChanged`). */
export const EVENT_HANDLERS = [
  'Initialize', 'OnAssignmentOrderEvent', 'OnBrokerageDisconnect', 'OnBrokerageMessage', 'OnBrokerageReconnect',
  'OnData', 'OnDelistings', 'OnDividends', 'OnEndOfAlgorithm', 'OnEndOfDay', 'OnMarginCall', 'OnMarginCallWarning',
  'OnOrderEvent', 'OnSecuritiesChanged', 'OnSplits', 'OnSymbolChangedEvents', 'OnWarmupFinished',
  'OnWarmUpFinished',
] as const;

/** Members of other LEAN objects: data, securities, holdings, indicators, orders, schedules. */
export const OBJECT_MEMBERS = [
  'AbsoluteQuantity', 'Add', 'AddedSecurities', 'AdjustedPrice', 'AfterMarketOpen', 'AskPrice', 'At',
  'AveragePrice', 'Bars', 'BeforeMarketClose', 'BidPrice', 'CancelOpenOrders', 'Cash', 'Close', 'ContainsKey', 'Create',
  'Count', 'Current', 'Delistings', 'Direction', 'Dividends', 'DollarVolume', 'EndTime', 'Every', 'EveryDay',
  'Exchange', 'Expiry', 'Fast', 'FillPrice', 'FillQuantity', 'GetOpenOrders', 'GetOrderById', 'HasData',
  'HasFundamentalData', 'High', 'Histogram', 'Holdings', 'HoldingsCost', 'HoldingsValue', 'Hours', 'ID',
  'Invested', 'IsLong', 'IsOpen', 'IsReady', 'IsShort', 'IsTradable', 'Key', 'LastPrice', 'Low', 'LowerBand',
  'MarginRemaining', 'MarketCap', 'MiddleBand', 'Midnight', 'MonthEnd', 'MonthStart', 'Noon', 'On', 'Open',
  'OrderId', 'PBRatio', 'PERatio', 'Period', 'Price', 'Quantity', 'QuoteBars', 'RemovedSecurities', 'Reset',
  'Resolution', 'Right', 'Samples', 'SetDataNormalizationMode', 'SetFeeModel', 'SetFillModel', 'SetLeverage',
  'SetSlippageModel', 'Signal', 'Slow', 'Splits', 'StandardDeviation', 'Status', 'Strike', 'Symbol', 'Ticks',
  'Today', 'Tomorrow', 'Top', 'TotalFees', 'TotalHoldingsValue', 'TotalMarginUsed', 'TotalPortfolioValue',
  'TotalProfit', 'TotalUnrealizedProfit', 'Underlying', 'UnrealizedProfit', 'UnrealizedProfitPercent', 'Update',
  'UpperBand', 'ValuationRatios', 'Value', 'Volume', 'WarmUpPeriod', 'WeekEnd', 'WeekStart',
] as const;

const SNAKE_OVERRIDES: Record<string, string> = {
  SetWarmup: 'set_warm_up',
  OnWarmUpFinished: 'on_warmup_finished',
};

function snakeTable(names: readonly string[]): Map<string, string> {
  return new Map(names.map((n) => [n, SNAKE_OVERRIDES[n] ?? pascalToSnake(n)]));
}

/** Every PascalCase LEAN name the linter renames, with its snake_case form. */
export const PASCAL_TO_SNAKE: ReadonlyMap<string, string> = snakeTable([
  ...INDICATOR_HELPERS,
  ...ALGORITHM_MEMBERS,
  ...EVENT_HANDLERS,
  ...OBJECT_MEMBERS,
]);

export const EVENT_HANDLER_NAMES: ReadonlySet<string> = new Set(EVENT_HANDLERS);

/** snake_case names of QCAlgorithm members (an attribute with one of these names shadows it). */
export const ALGORITHM_MEMBER_SNAKE: ReadonlySet<string> = new Set(
  [...INDICATOR_HELPERS, ...ALGORITHM_MEMBERS].map((n) => SNAKE_OVERRIDES[n] ?? pascalToSnake(n)),
);

/** PascalCase names of QCAlgorithm members. */
export const ALGORITHM_MEMBER_PASCAL: ReadonlySet<string> = new Set([...INDICATOR_HELPERS, ...ALGORITHM_MEMBERS]);

export const INDICATOR_HELPER_SNAKE: ReadonlySet<string> = new Set(INDICATOR_HELPERS.map((n) => n.toLowerCase()));

/** QCAlgorithm attributes LLMs like to reuse for their own values (`self.alpha = 0.05`). */
export const RESERVED_ATTRIBUTES = ['alpha', 'universe', 'execution', 'name', 'risk_management', 'portfolio_construction'] as const;

/** LEAN enums and the members LLMs write in C# casing; Python uses UPPER_SNAKE (`Resolution.DAILY`). */
export const ENUM_MEMBERS: Record<string, readonly string[]> = {
  Resolution: ['Tick', 'Second', 'Minute', 'Hour', 'Daily'],
  OrderStatus: ['New', 'Submitted', 'PartiallyFilled', 'Filled', 'Canceled', 'None', 'Invalid', 'CancelPending', 'UpdateSubmitted'],
  OrderDirection: ['Buy', 'Sell', 'Hold'],
  OrderType: ['Market', 'Limit', 'StopMarket', 'StopLimit', 'MarketOnOpen', 'MarketOnClose', 'OptionExercise', 'LimitIfTouched', 'ComboMarket', 'ComboLimit', 'ComboLegLimit', 'TrailingStop'],
  SecurityType: ['Base', 'Equity', 'Option', 'Commodity', 'Forex', 'Future', 'Cfd', 'Crypto', 'FutureOption', 'Index', 'IndexOption', 'CryptoFuture'],
  Market: ['Usa', 'Oanda', 'Binance', 'BinanceUS', 'Bitfinex', 'Coinbase', 'Kraken', 'Bybit', 'Dukascopy'],
  InsightDirection: ['Up', 'Down', 'Flat'],
  InsightType: ['Price', 'Volatility'],
  DataNormalizationMode: ['Raw', 'Adjusted', 'SplitAdjusted', 'TotalReturn'],
  MovingAverageType: ['Simple', 'Exponential', 'Wilders', 'LinearWeightedMovingAverage', 'DoubleExponential', 'TripleExponential', 'Triangular', 'T3', 'Kama', 'Hull', 'Alma', 'Zlema'],
  OptionRight: ['Call', 'Put'],
  OptionStyle: ['American', 'European'],
  AccountType: ['Margin', 'Cash'],
  BrokerageName: ['Default', 'InteractiveBrokersBrokerage', 'OandaBrokerage', 'Alpaca', 'Binance', 'BinanceUS', 'Bitfinex', 'Coinbase', 'Kraken', 'Bybit', 'TradierBrokerage'],
  Field: ['Open', 'High', 'Low', 'Close', 'Volume', 'Average', 'Median', 'Typical'],
  TimeZones: ['NewYork', 'Utc', 'Chicago', 'London', 'Tokyo', 'HongKong'],
  Universe: ['Unchanged'],
};

/** `PartiallyFilled` → `PARTIALLY_FILLED`, `BinanceUS` → `BINANCEUS`. */
export function enumMemberUpper(member: string): string {
  if (member === 'BinanceUS') return 'BINANCEUS';
  return pascalToSnake(member).toUpperCase();
}

/** ISO 4217 codes of currencies LEAN trades as forex (Oanda/FXCM). */
export const FOREX_CURRENCIES = new Set([
  'AUD', 'CAD', 'CHF', 'CNH', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'HUF', 'INR', 'JPY', 'MXN', 'NOK', 'NZD', 'PLN',
  'SAR', 'SEK', 'SGD', 'THB', 'TRY', 'TWD', 'USD', 'ZAR',
]);

export const CRYPTO_BASES = new Set([
  'BTC', 'ETH', 'LTC', 'XRP', 'BCH', 'SOL', 'ADA', 'DOGE', 'DOT', 'LINK', 'AVAX', 'MATIC', 'XLM', 'UNI', 'ATOM',
  'ETC', 'BNB', 'TRX', 'SHIB', 'XMR', 'EOS', 'XTZ', 'ALGO', 'FIL', 'AAVE',
]);

export const CRYPTO_QUOTES = ['USDT', 'USDC', 'BUSD', 'USD', 'EUR', 'GBP', 'BTC', 'ETH'];

/** Methods that add securities (any of them satisfies "at least one security is added"). */
export const SECURITY_ADDERS = [
  'add_equity', 'add_forex', 'add_crypto', 'add_crypto_future', 'add_future', 'add_option', 'add_index',
  'add_index_option', 'add_cfd', 'add_data', 'add_security', 'add_future_contract', 'add_option_contract',
  'add_future_option', 'add_index_option_contract', 'add_universe', 'add_universe_selection',
  'set_universe_selection',
] as const;

/** LINQ / C# collection methods that do not exist on Python objects (pandas frames, lists). */
export const CSHARP_COLLECTION_METHODS = [
  'ForEach', 'GetValue', 'ToList', 'ToArray', 'Select', 'Where', 'OrderBy', 'OrderByDescending', 'FirstOrDefault',
  'First', 'Last', 'Any', 'All', 'Sum', 'Average', 'Take', 'Skip', 'ToDictionary',
] as const;
