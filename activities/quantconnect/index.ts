export { quantconnectAuthHeaders } from '../../domain/quantconnect-auth';
export {
  QuantConnectClient,
  backtestOutcome,
  quantconnectMessages,
  type BacktestOutcome,
  type BacktestPollOptions,
  type CallOptions,
  type CompileResult,
  type CompileWaitOptions,
  type QcBacktest,
  type QcCompile,
  type QcCompileState,
  type QcFile,
  type QcProject,
  type QuantConnectClientOptions,
} from './client';
