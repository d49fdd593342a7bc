/*
 * The codecs of JSON columns of the releases, work_items and mail_outbox tables
 * that the lifecycle and the checklist read, declared beside their tables.
 */

export { releaseChannels } from './releases.js';
export { workItemElements } from './work-items.js';
export { mailRecipients } from './mail-outbox.js';
export { mailCc } from './mail-outbox.js';
