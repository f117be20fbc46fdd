import type { CorpusPaper } from '../paper';

export const meanReversionPaper: CorpusPaper = {
  slug: 'short-horizon-mean-reversion',
  family: 'mean_reversion',
  title: 'Short-Horizon Mean Reversion in Equity Index ETFs with Bollinger Bands and RSI Confirmation',
  authors: [
    { given: 'Priya', family: 'Raghunathan', affiliation: 'Caldwell University, School of Business' },
    { given: 'Marcus', family: 'Oyelaran', affiliation: 'Halvorsen Capital Research' },
  ],
  journal: 'Quantitative Finance Letters',
  publisher: 'Halvorsen Scientific',
  published: [2020, 11, 18],
  doi: '10.5555/qfl.2020.0387',
  arxivId: '2011.09342',
  arxivVersion: 1,
  arxivCategories: ['q-fin.TR', 'q-fin.ST'],
  keywords: ['mean reversion', 'Bollinger Bands', 'relative strength index', 'oversold', 'reversal', 'ETF'],
  abstract:
    'Daily returns of broad equity index funds show mild negative autocorrelation after large declines. ' +
    'We test a long-only mean-reversion rule that buys SPY, QQQ and IWM when price closes below the lower Bollinger Band and the relative strength index confirms an oversold market, and sells when price reverts to the moving average. ' +
    'From 2008 to 2023 the rule is invested 23 percent of the time, wins on 64 percent of trades and earns a Sharpe ratio of 0.83 after costs.',
  sections: [
    {
      heading: '1. Introduction',
      blocks: [
        'Liquidity providers are compensated for absorbing order imbalances, and in equity indices this compensation shows up as short-horizon reversal: sharp declines over a few days tend to be partly reversed over the following days. ' +
          'Unlike momentum, which rewards patience, mean reversion rewards buying weakness and selling strength quickly.',
        'We combine two classic indicators. Bollinger Bands measure how far price has moved from its recent mean in units of its recent volatility, and the relative strength index (RSI) measures the balance of up and down moves. ' +
          'Requiring both conditions filters out declines that are driven by news rather than by temporary selling pressure.',
      ],
    },
    {
      heading: '2. Data',
      blocks: [
        'The universe consists of three index ETFs, SPY, QQQ and IWM, with daily open, high, low and close prices from January 2008 to December 2023. ' +
          'Signals are computed on the close and trades are executed at the next open. We assume costs of 3 basis points per side.',
      ],
    },
    {
      heading: '3. Methodology',
      blocks: [
        'For each fund we compute Bollinger Bands with a 20-day period and 2.0 standard deviations around a simple moving average:',
        { formula: 'MB(t) = SMA(P, 20),  UB(t) = MB(t) + k * SD(P, 20),  LB(t) = MB(t) - k * SD(P, 20),  k = 2.0' },
        'The normalised distance from the mean is the z-score z(t) = (P(t) - MB(t)) / SD(P, 20). The RSI uses Wilder smoothing with an RSI period of 14 days:',
        { formula: 'RSI(t) = 100 - 100 / (1 + AvgGain(14) / AvgLoss(14))' },
        'A fund is oversold when its close is below LB(t) and its RSI is below an oversold threshold of 30. Both indicators need a warm-up period of 20 trading days before the first signal.',
      ],
    },
    {
      heading: '4. Trading Rules',
      blocks: [
        {
          list: [
            'Entry: buy the fund at the next open when the close is below the lower Bollinger Band and RSI is below 30; each fund receives one third of equity.',
            'Exit: sell when the close reverts to or above the middle band (the 20-day moving average).',
            'Time exit: close any position still open after 10 trading days.',
            'No short positions are taken; when no fund is oversold the strategy holds cash.',
          ],
        },
        'The exit at the middle band captures the typical reversal while avoiding the long holding periods that expose the strategy to trending markets.',
      ],
    },
    {
      heading: '5. Risk Management',
      blocks: [
        'A hard stop-loss of 5% below the entry price closes the position immediately. Because entries occur after declines, a stop is essential during crashes such as October 2008 and March 2020, when prices kept falling through the bands. ' +
          'Position size is capped at one third of equity per fund, so the strategy is never leveraged.',
      ],
    },
    {
      heading: '6. Results',
      blocks: [
        {
          table: [
            ['Variant', 'Trades', 'Win rate', 'Sharpe', 'Max drawdown'],
            ['Bands only', '412', '58%', '0.55', '19.7%'],
            ['RSI only', '366', '60%', '0.61', '17.2%'],
            ['Bands and RSI', '251', '64%', '0.83', '11.4%'],
          ],
        },
        'Requiring both conditions halves the number of trades and raises the win rate. Wider bands of 2.5 standard deviations trade less often but slightly improve the Sharpe ratio in the high-volatility years, while shorter RSI periods of 10 days react faster to capitulation.',
      ],
    },
    {
      heading: '7. Conclusion',
      blocks: [
        'A simple mean-reversion rule on index ETFs, confirmed by RSI and protected by a stop-loss, earns attractive risk-adjusted returns while being invested less than a quarter of the time. ' +
          'The strategy complements trend-following allocations, since it profits from exactly the short-term overreactions that trend rules suffer from.',
      ],
    },
  ],
  references: [
    'Oyelaran, M. (2016). Liquidity provision and index reversals. Journal of Portfolio Engineering 3(4), 201-219.',
    'Sato, K. and Brandt, L. (2011). Band-based reversal rules revisited. Quantitative Finance Letters 2(3), 88-97.',
  ],
};
