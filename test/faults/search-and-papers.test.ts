import { faultMatrix } from '../helpers/fault-matrix';

describe('pipeline fault matrix: finding and fetching papers', () => {
  faultMatrix([
    { service: 'crossref', name: 'CrossRef' },
    { service: 'unpaywall', name: 'Unpaywall', authFallback: true },
  ]);
});
