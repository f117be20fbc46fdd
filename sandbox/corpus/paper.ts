import type { StrategyFamily } from '../../domain/strategy';

export type SectionBlock = string | { formula: string } | { list: string[] } | { table: string[][] };

export interface CorpusAuthor {
  given: string;
  family: string;
  affiliation: string;
}

/** One paper of the sandbox corpus: its bibliographic record and its full text. */
export interface CorpusPaper {
  slug: string;
  family: Exclude<StrategyFamily, 'other'>;
  title: string;
  authors: CorpusAuthor[];
  journal: string;
  publisher: string;
  /** Year, month, day of publication. */
  published: [number, number, number];
  doi: string;
  arxivId: string;
  arxivVersion: number;
  arxivCategories: string[];
  keywords: string[];
  abstract: string;
  sections: Array<{ heading: string; blocks: SectionBlock[] }>;
  references: string[];
}
