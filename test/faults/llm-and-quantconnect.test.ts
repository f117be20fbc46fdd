import { faultMatrix } from '../helpers/fault-matrix';

describe('pipeline fault matrix: LLM and QuantConnect', () => {
  faultMatrix([
    { service: 'openai', name: 'OpenAI' },
    { service: 'quantconnect', route: 'backtests/create', name: 'QuantConnect' },
  ]);
});
