import { ForbiddenError } from '../domain/errors.js';

export class ForbiddenCsrfError extends ForbiddenError {
  constructor() {
    super('csrf', []);
    this.message = 'the X-CSRF-Token header is missing or does not match your session';
  }
}
