export { testAttemptPackages } from './lifecycle.js';
