import { useCheapPasswordHashesInTests } from '../../src/services/passwords.js';

// Every test file: new password hashes use the cheapest argon2id parameters (src/services/passwords.ts).
useCheapPasswordHashesInTests();
