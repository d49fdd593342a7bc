import { jsonColumn } from '../codec.js';

/*
 * Codecs of JSON columns of the releases, work_items and mail_outbox tables
 * that the lifecycle and the checklist read.
 */

/** `releases.channels`: the channels the release carries. */
export const releaseChannels = jsonColumn<string[]>();
/** `work_items.elements`: the elements an item changes. */
export const workItemElements = jsonColumn<{ type: string; name: string }[]>();
/** `mail_outbox.recipients`: the To addresses of a queued mail. */
export const mailRecipients = jsonColumn<string[]>();
/** `mail_outbox.cc`: its Cc addresses. */
export const mailCc = jsonColumn<string[]>();
