import { ArtifactStore } from '../activities/artifacts';
import { ArxivClient } from '../activities/arxiv';
import { CrossrefClient } from '../activities/crossref';
import { PdfDownloader } from '../activities/download';
import type { ActivityDeps, ActivityMetrics } from '../activities';
import { migrateLearningDatabase, openLearningDatabase } from '../store/database';
import { isPostgresUrl } from '../store/postgres';
import type { LlmClient } from '../activities/llm';
import { QuantConnectClient } from '../activities/quantconnect/client';
import { UnpaywallClient } from '../activities/unpaywall';
import { packageVersion } from '../config/package-root';
import { AuthenticationError, DatabaseError } from '../domain/errors';
import type { LlmTask } from '../domain/prompts';
import { runSettings } from '../domain/run-settings';
import { serviceEndpoints } from '../domain/services';
import type { Settings } from '../config/settings';

export const USER_AGENT = `QuantCoder/${packageVersion()}`;

/** The provider and model of an LLM task: the task's own setting, else the default. */
export function llmChoice(settings: Settings, task: LlmTask): { provider: 'openai' | 'anthropic'; model: string } {
  const { llm } = settings.config;
  const perTask = task === 'summarize' || task === 'generate' || task === 'repair' ? llm[task] : {};
  return { provider: perTask.provider ?? llm.provider, model: perTask.model ?? llm.model };
}

/**
 * Builds the real clients every activity uses, from settings (never from process.env directly).
 * `prisma` is the learning store when the caller opened it (PostgreSQL is opened asynchronously).
 */
export function buildActivityDeps(settings: Settings, metrics?: ActivityMetrics, prisma?: ActivityDeps['prisma']): ActivityDeps {
  const endpoints = serviceEndpoints(settings.config);
  const { config, layout } = settings;
  const llmClients = new Map<string, LlmClient>();
  let qc: QuantConnectClient | undefined;
  const arxiv = new ArxivClient({ ...endpoints.arxiv, userAgent: USER_AGENT });
  // the worker is the learning database's writer: it brings the schema up to date before opening it
  // (a store opened by the caller, such as PostgreSQL, was migrated there)
  if (!prisma && isPostgresUrl(config.database.url)) {
    throw new DatabaseError('The learning store is PostgreSQL (database.url): open it with openLearningStore and pass the client in.');
  }
  if (!prisma) migrateLearningDatabase(layout.database);
  return {
    prisma: prisma ?? openLearningDatabase(layout.database),
    crossref: new CrossrefClient({ ...endpoints.crossref, userAgent: USER_AGENT }),
    arxiv,
    downloader: new PdfDownloader({
      allowedDirs: [layout.home],
      timeoutMs: config.download.timeoutSeconds * 1000,
      maxBytes: config.download.maxBytes,
      userAgent: USER_AGENT,
      unpaywall: new UnpaywallClient({ ...endpoints.unpaywall, timeoutMs: config.download.timeoutSeconds * 1000, userAgent: USER_AGENT }),
      arxivPdfBaseUrl: arxiv.pdfBaseUrl,
    }),
    artifacts: new ArtifactStore(layout.artifacts),
    downloadsDir: layout.downloads,
    generatedDir: layout.generated,
    llmFor(task) {
      const choice = llmChoice(settings, task);
      const key = `${choice.provider}:${choice.model}`;
      let client = llmClients.get(key);
      if (!client) {
        const endpoint = choice.provider === 'anthropic' ? endpoints.anthropic : endpoints.openai;
        // the LLM SDKs load with the first call that needs one, not when the worker starts
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { createLlmClient } = require('../activities/llm') as typeof import('../activities/llm');
        const recoverLostAnswers = choice.provider === 'openai' ? endpoints.openai.recoverLostAnswers : undefined;
        client = createLlmClient({ ...choice, baseUrl: endpoint.baseUrl, apiKey: endpoint.apiKey, timeoutMs: runSettings(config).llmTimeoutSeconds * 1000, recoverLostAnswers });
        llmClients.set(key, client);
      }
      return client;
    },
    quantconnect() {
      if (qc) return qc;
      const { userId, apiToken, baseUrl, timeoutMs } = endpoints.quantconnect;
      if (!userId || !apiToken) {
        throw new AuthenticationError(
          'QuantConnect credentials are not configured: set QUANTCONNECT_USER_ID and QUANTCONNECT_API_TOKEN (or use --local-only / --sandbox)',
          { service: 'quantconnect' },
        );
      }
      qc = new QuantConnectClient({ baseUrl, userId, apiToken, timeoutMs, userAgent: USER_AGENT });
      return qc;
    },
    quantconnectPollMs: endpoints.quantconnect.pollMs,
    quantconnectCompileTimeoutMs: Math.max(endpoints.quantconnect.timeoutMs * 5, 60_000),
    metrics,
    simulated: endpoints.sandbox,
  };
}
