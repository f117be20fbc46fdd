import { z } from 'zod';

/** Strategy families QuantCoder knows; the sandbox has one corpus paper per family (besides `other`). */
export const STRATEGY_FAMILIES = ['momentum', 'mean_reversion', 'pairs', 'volatility', 'trend', 'factor', 'other'] as const;
export type StrategyFamily = (typeof STRATEGY_FAMILIES)[number];

/** The strategy specification an LLM writes from a paper (the summarise step's structured output). */
export const strategySpecSchema = z.object({
  title: z.string().min(1),
  family: z.enum(STRATEGY_FAMILIES),
  overview: z.string().min(1),
  mathematicalModel: z.string().min(1),
  signals: z.array(z.string().min(1)).min(1),
  entryRules: z.array(z.string().min(1)).min(1),
  exitRules: z.array(z.string().min(1)).min(1),
  riskManagement: z.array(z.string().min(1)).min(1),
  universe: z.object({ assets: z.array(z.string().min(1)).min(1), description: z.string() }),
  execution: z.object({ resolution: z.enum(['minute', 'hour', 'daily']), rebalance: z.string().min(1) }),
  parameters: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
        value: z.number(),
        description: z.string(),
        /**
         * The value in the unit the algorithm uses, when the paper states it in another one (12 months
         * as 252 trading days), and how it was converted; the faithfulness gate accepts either value.
         */
        derived: z.object({ value: z.number(), how: z.string().min(1) }).optional(),
      }),
    )
    .min(1),
});

export type StrategySpec = z.infer<typeof strategySpecSchema>;
