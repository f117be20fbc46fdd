import type { CorpusPaper } from '../paper';

export const trendPaper: CorpusPaper = {
  slug: 'dual-moving-average-trend',
  family: 'trend',
  title: 'Dual Moving-Average Crossover Rules for Trend Following in Equity Indices',
  authors: [
    { given: 'Laura', family: 'Bennington', affiliation: 'Northgate Business School' },
    { given: 'Kenji', family: 'Takahara', affiliation: 'Caldwell University, Department of Economics' },
  ],
  journal: 'Journal of Systematic Trading Research',
  publisher: 'Meridian Academic Press',
  published: [2018, 11, 5],
  doi: '10.5555/jstr.2018.0093',
  arxivId: '1811.02245',
  arxivVersion: 2,
  arxivCategories: ['q-fin.TR'],
  keywords: ['trend following', 'moving average', 'crossover', 'golden cross', 'technical analysis'],
  abstract:
    'We revisit the dual moving-average crossover, the best known trend-following rule, on the S&P 500 ETF SPY and the Nasdaq-100 ETF QQQ. ' +
    'The strategy is long when the fast moving average is above the slow moving average and in cash otherwise. ' +
    'From 2000 to 2023 the classic 50-day and 200-day combination earns a Sharpe ratio of 0.62 versus 0.45 for buy-and-hold, and avoids most of the 2000-2002 and 2008 bear markets.',
  sections: [
    {
      heading: '1. Introduction',
      blocks: [
        'Trend-following rules assume that prices move in persistent trends driven by the slow diffusion of information and by investor herding. ' +
          'Moving averages smooth daily noise, and the crossing of a fast average through a slow average is the traditional signal that a trend has started or ended. The crossing of the 50-day average above the 200-day average is known as the golden cross.',
        'Despite its popularity, the rule is rarely tested with realistic costs and parameter sensitivity. We provide both, and we add a stop-loss that limits the damage of false signals in sideways markets.',
      ],
    },
    {
      heading: '2. Data',
      blocks: [
        'We use daily adjusted prices of SPY and QQQ from January 2000 to December 2023. Trades are executed at the close of the signal day, with costs of 2 basis points per side.',
      ],
    },
    {
      heading: '3. Methodology',
      blocks: [
        'We compute a 50-day fast moving average and 200-day slow moving average of the closing price:',
        { formula: 'FMA(t) = (1/50) * sum of P(t-k) for k = 0..49,    SMA(t) = (1/200) * sum of P(t-k) for k = 0..199' },
        'The trend signal is S(t) = 1 if FMA(t) > SMA(t) and S(t) = 0 otherwise. Exponential moving averages, EMA(t) = a * P(t) + (1 - a) * EMA(t-1) with a = 2 / (n + 1), react faster and are tested as a variant.',
      ],
    },
    {
      heading: '4. Trading Rules',
      blocks: [
        {
          list: [
            'Entry: buy the index ETF with 100 percent of the allocated capital when the fast moving average crosses above the slow moving average.',
            'Exit: sell the whole position when the fast moving average crosses below the slow moving average.',
            'Both ETFs are traded independently with half of the capital each.',
            'Signals are evaluated daily after the close; the strategy needs 200 days of history before the first signal.',
          ],
        },
      ],
    },
    {
      heading: '5. Risk Management',
      blocks: [
        'Crossover rules react slowly. To limit losses after a false breakout we apply a trailing stop-loss of 10% from the highest close since entry; after a stop the strategy waits for a new crossover before re-entering. ' +
          'No leverage and no short positions are used.',
      ],
    },
    {
      heading: '6. Results',
      blocks: [
        {
          table: [
            ['Fast / slow', 'Trades', 'Sharpe', 'Max drawdown', 'Time invested'],
            ['20 / 100', '74', '0.51', '24.8%', '66%'],
            ['40 / 150', '39', '0.66', '21.2%', '69%'],
            ['50 / 200', '27', '0.62', '19.6%', '71%'],
          ],
        },
        'The 40 and 150 day combination is slightly better than the classic pair in our sample, and exponential averages improve the Sharpe ratio of every combination by about 0.05. Very short averages generate whipsaws that costs turn into losses.',
      ],
    },
    {
      heading: '7. Conclusion',
      blocks: [
        'The dual moving-average crossover remains a useful risk-management device: it gives up some return in strong bull markets but avoids the worst of bear markets. Medium-length averages and a trailing stop offer the best balance between responsiveness and whipsaw costs.',
      ],
    },
  ],
  references: [
    'Takahara, K. (2009). Moving averages and market timing. Review of Empirical Asset Pricing 1(1), 61-79.',
    'Bennington, L. and Ferreira, P. (2014). Whipsaws and the cost of trend following. Journal of Portfolio Engineering 1(2), 90-108.',
  ],
};
