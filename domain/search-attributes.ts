import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes every QuantCoder run carries, so the Web UI and `runs list` can filter. */
export const RUN_KIND = defineSearchAttributeKey('QuantCoderKind', SearchAttributeType.KEYWORD);
export const RUN_GENERATION = defineSearchAttributeKey('QuantCoderGeneration', SearchAttributeType.INT);
export const RUN_BEST_FITNESS = defineSearchAttributeKey('QuantCoderBestFitness', SearchAttributeType.DOUBLE);
export const RUN_TOPIC = defineSearchAttributeKey('QuantCoderTopic', SearchAttributeType.TEXT);

export const QUANTCODER_SEARCH_ATTRIBUTES = [RUN_KIND, RUN_GENERATION, RUN_BEST_FITNESS, RUN_TOPIC];

export type RunKind = 'search' | 'pipeline' | 'article' | 'step' | 'evolution' | 'library' | 'autonomous';
