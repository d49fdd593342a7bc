export const RELMAN_VERSION = '0.1.0';
