import type { CorpusPaper } from '../paper';

export const pairsPaper: CorpusPaper = {
  slug: 'cointegration-pairs-trading',
  family: 'pairs',
  title: 'Cointegration-Based Pairs Trading in Consumer Staples: Z-Score Entry and Exit Thresholds',
  authors: [
    { given: 'Hannah', family: 'Vogelsang', affiliation: 'Meridian Institute of Finance' },
    { given: 'Diego', family: 'Arrieta', affiliation: 'Northgate Business School' },
    { given: 'Wen', family: 'Zhou', affiliation: 'Northgate Business School' },
  ],
  journal: 'Review of Empirical Asset Pricing',
  publisher: 'Northgate University Press',
  published: [2019, 7, 29],
  doi: '10.5555/reap.2019.0076',
  arxivId: '1907.11853',
  arxivVersion: 3,
  arxivCategories: ['q-fin.TR', 'q-fin.ST'],
  keywords: ['pairs trading', 'cointegration', 'statistical arbitrage', 'spread', 'hedge ratio', 'z-score'],
  abstract:
    'Pairs of stocks with a common economic driver often share a stochastic trend, so that a linear combination of their log prices is stationary. ' +
    'We trade the spread between Coca-Cola (KO) and PepsiCo (PEP), estimating the hedge ratio by rolling ordinary least squares and opening positions when the spread deviates by more than two standard deviations from its rolling mean. ' +
    'The market-neutral strategy earns a Sharpe ratio of 1.12 from 2010 to 2023 with a beta to the S&P 500 of 0.04.',
  sections: [
    {
      heading: '1. Introduction',
      blocks: [
        'Statistical arbitrage exploits temporary mispricings between related securities. The classic pairs trade buys the relatively cheap stock and shorts the relatively expensive one, betting that the gap will close. ' +
          'The approach is attractive because its returns are largely independent of the market direction.',
        'We use the cointegration framework rather than the distance method: if two log price series are integrated of order one and some linear combination is stationary, the spread reverts to a mean and deviations can be traded with well-defined entry and exit thresholds.',
      ],
    },
    {
      heading: '2. Data',
      blocks: [
        'We use daily closing prices of KO and PEP from January 2010 to December 2023, adjusted for dividends and splits. Both firms sell beverages and snacks worldwide and face the same input costs, which gives an economic reason for a shared trend. ' +
          'An Engle-Granger test rejects the null of no cointegration at the 1 percent level over the full sample and in 11 of 14 calendar years.',
      ],
    },
    {
      heading: '3. Model',
      blocks: [
        'Let a(t) = ln P_KO(t) and b(t) = ln P_PEP(t). Over a rolling lookback of 60 trading days we estimate the hedge ratio beta by ordinary least squares:',
        { formula: 'a(t) = alpha + beta * b(t) + e(t)' },
        'The spread and its standardised value are',
        { formula: 's(t) = a(t) - beta * b(t),    z(t) = (s(t) - mean(s, 60)) / std(s, 60)' },
        'Under cointegration z(t) is stationary with mean zero; its half-life of mean reversion in our sample is about 9 trading days, estimated from an AR(1) regression of the spread changes on the lagged spread.',
      ],
    },
    {
      heading: '4. Trading Rules',
      blocks: [
        {
          list: [
            'Entry (short spread): when the z-score exceeds 2.0, sell KO and buy beta units of PEP.',
            'Entry (long spread): when the z-score falls below -2.0, buy KO and sell beta units of PEP.',
            'Exit: close both legs when the z-score reverts to within 0.5 of zero.',
            'Sizing: each leg is 50 percent of equity, so the gross exposure is 100 percent and the net exposure close to zero.',
          ],
        },
        'The hedge ratio is re-estimated daily but held fixed for the life of each trade, so that the position does not drift while it is open.',
      ],
    },
    {
      heading: '5. Risk Management',
      blocks: [
        'Cointegration relationships can break, for example after an acquisition or a change in business mix. We therefore stop out of a trade when the z-score reaches a stop at a z-score of 4.0 in the direction of the trade, and we suspend trading for 20 days after a stop. ' +
          'A maximum holding period of 30 trading days prevents capital from being tied up in trades that no longer revert.',
      ],
    },
    {
      heading: '6. Results',
      blocks: [
        {
          table: [
            ['Entry z', 'Exit z', 'Trades', 'Sharpe', 'Max drawdown'],
            ['1.5', '0.5', '88', '1.05', '7.9%'],
            ['2.0', '0.5', '57', '1.12', '6.1%'],
            ['2.5', '0.5', '31', '0.87', '5.4%'],
          ],
        },
        'Lower entry thresholds trade more often and earn more in total, but each trade is less profitable after costs. Longer lookbacks of 90 days give more stable hedge ratios; exits closer to zero capture more of the reversion at the cost of longer holding periods.',
      ],
    },
    {
      heading: '7. Conclusion',
      blocks: [
        'A cointegration-based pairs trade in two consumer staples stocks provides steady, market-neutral returns. The essential ingredients are an economic reason for the relationship, a rolling hedge ratio, symmetric z-score thresholds, and a stop that acknowledges that relationships can break.',
      ],
    },
  ],
  references: [
    'Arrieta, D. (2014). Rolling hedge ratios for statistical arbitrage. Journal of Systematic Trading Research 6(1), 33-52.',
    'Zhou, W. and Vogelsang, H. (2017). Half-lives of equity spreads. Review of Empirical Asset Pricing 9(2), 140-163.',
  ],
};
