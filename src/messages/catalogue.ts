import type { MessageKey } from './en.ts';

/** A language's messages: exactly the English catalogue's keys (TypeScript refuses a missing or extra one). */
export type Catalogue = Record<MessageKey, string>;
