import { jsonColumn } from '../codec.js';

/** `test_attempts.packages`: the package version per channel of the release at the time of the attempt. */
export const testAttemptPackages = jsonColumn<Record<string, number>>();
