import type { QuantCoderConfig } from './config';

/** Credentials the sandbox accepts. They are public: the sandbox only simulates the services. */
export const SANDBOX_CREDENTIALS = {
  quantconnectUserId: '424242',
  quantconnectApiToken: 'sandbox-quantconnect-token',
  openaiApiKey: 'sandbox-openai-key',
  anthropicApiKey: 'sandbox-anthropic-key',
} as const;

export interface ServiceEndpoints {
  sandbox: boolean;
  crossref: { baseUrl: string; mailto: string; timeoutMs: number };
  arxiv: { baseUrl: string; timeoutMs: number };
  unpaywall: { baseUrl: string; email: string };
  openai: { baseUrl: string; apiKey?: string; recoverLostAnswers?: boolean };
  anthropic: { baseUrl: string; apiKey?: string };
  quantconnect: { baseUrl: string; userId?: string; apiToken?: string; timeoutMs: number; pollMs: number };
}

/**
 * Where each external service is reached. In the sandbox profile every client points at the
 * local simulators under one base URL, with the sandbox's credentials.
 */
export function serviceEndpoints(config: QuantCoderConfig): ServiceEndpoints {
  const sandbox = config.profile === 'sandbox';
  const s = config.sandbox.url.replace(/\/+$/, '');
  return {
    sandbox,
    crossref: {
      baseUrl: sandbox ? `${s}/crossref` : config.crossref.baseUrl,
      mailto: config.crossref.mailto,
      timeoutMs: config.crossref.timeoutSeconds * 1000,
    },
    arxiv: { baseUrl: sandbox ? `${s}/arxiv` : config.arxiv.baseUrl, timeoutMs: config.arxiv.timeoutSeconds * 1000 },
    unpaywall: {
      baseUrl: sandbox ? `${s}/unpaywall` : config.unpaywall.baseUrl,
      email: config.unpaywall.email ?? config.crossref.mailto,
    },
    // the sandbox keeps and lists stored completions as OpenAI does, so recovery is on there too
    openai: sandbox
      ? { baseUrl: `${s}/openai/v1`, apiKey: SANDBOX_CREDENTIALS.openaiApiKey, recoverLostAnswers: config.openai.recoverLostAnswers ?? true }
      : { baseUrl: config.openai.baseUrl, apiKey: config.openai.apiKey, recoverLostAnswers: config.openai.recoverLostAnswers },
    anthropic: sandbox
      ? { baseUrl: `${s}/anthropic`, apiKey: SANDBOX_CREDENTIALS.anthropicApiKey }
      : { baseUrl: config.anthropic.baseUrl, apiKey: config.anthropic.apiKey },
    quantconnect: {
      baseUrl: sandbox ? `${s}/quantconnect/api/v2` : config.quantconnect.baseUrl,
      userId: sandbox ? SANDBOX_CREDENTIALS.quantconnectUserId : config.quantconnect.userId,
      apiToken: sandbox ? SANDBOX_CREDENTIALS.quantconnectApiToken : config.quantconnect.apiToken,
      timeoutMs: config.quantconnect.timeoutSeconds * 1000,
      pollMs: config.quantconnect.pollSeconds * 1000,
    },
  };
}
