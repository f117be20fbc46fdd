export { searchPapers } from './search';
export type { SearchInput, SearchOutput } from './search';
export { researchPipeline, pipelineStatusQuery } from './pipeline';
export { processArticle, articleStatusQuery, articleStageSignal } from './article';
export {
  evolutionRun,
  evolutionStatusQuery,
  eliteQuery,
  historyQuery,
  pauseUpdate,
  resumeUpdate,
  stopUpdate,
  setBudgetUpdate,
  injectVariantSignal,
  DEFAULT_EVOLUTION,
} from './evolution';
export type { EvolutionConfig, EvolutionInput, EvolutionResult, EvolutionStatus, GenerationSummary } from './evolution';
export { libraryBuild, libraryStatusQuery } from './library';
export { autonomous, autonomousStatusQuery } from './autonomous';
export { downloadStep, summarizeStep, validateStep, backtestStep } from './steps';
export type { StepInput, ValidateInput, ValidateOutput } from './steps';
export { listProjectsStep, deleteProjectsStep } from './projects';
export type { QuantCoderProject } from './projects';
