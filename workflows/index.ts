export { searchPapers } from './search';
export type { SearchInput, SearchOutput } from './search';
