import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../activities/failures';
import * as errors from '../../domain/errors';
import { NON_RETRYABLE_TYPES, typedErrorClasses } from '../../domain/failure-types';
import { servicePolicies } from '../../workflows/policies';

describe('which failures are retried', () => {
  it('knows every typed error class, the download, artifact and taxonomy errors included', () => {
    const names = typedErrorClasses().map((C) => C.name);
    for (const name of ['AuthenticationError', 'NotAPdfError', 'ArtifactCorruptError', 'TaxonomyError', 'RateLimitedError', 'TemporalUnavailableError']) {
      expect(names).toContain(name);
    }
    expect(names).not.toContain('QuantCoderError');
  });

  it('retries exactly the errors whose class says they are transient', () => {
    expect(NON_RETRYABLE_TYPES).toEqual(expect.arrayContaining(['TaxonomyError', 'NotAPdfError', 'DatabaseError', 'LlmAnswerError']));
    for (const transient of ['ServiceUnavailableError', 'RateLimitedError', 'MalformedResponseError', 'TemporalUnavailableError']) {
      expect(NON_RETRYABLE_TYPES).not.toContain(transient);
    }
  });

  it('agrees with the activity boundary: a failure is non-retryable there exactly when policies list its type', () => {
    for (const C of typedErrorClasses()) {
      const failure = toApplicationFailure(new C('boom')) as ApplicationFailure;
      expect([C.name, failure.nonRetryable]).toEqual([C.name, NON_RETRYABLE_TYPES.includes(C.name)]);
    }
  });

  it('hands the same list to every service policy', () => {
    for (const [service, policy] of Object.entries(servicePolicies('q'))) {
      expect([service, [...(policy.retry?.nonRetryableErrorTypes ?? [])].sort()]).toEqual([service, [...NON_RETRYABLE_TYPES]]);
    }
  });

  it('a subclass inherits its parent’s verdict (TaxonomyError is an InvalidInputError)', () => {
    expect(new errors.TaxonomyError('x')).toBeInstanceOf(errors.InvalidInputError);
    expect(new errors.TaxonomyError('x').name).toBe('TaxonomyError');
  });
});
