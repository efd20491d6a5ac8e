// Delivery status notifications (RFC 3464) that arrive at a VERP address: what happened to the
// recipient. 5.x.x failures are hard; 4.x.x failures and delays are soft; a report of success
// (delivered, relayed, expanded) is not a bounce at all. A bounce that is not a DSN (old MTAs write
// prose) counts as soft: it says something went wrong, not what.

export type BounceKind = 'hard' | 'soft';

export interface Bounce {
  kind: BounceKind;
  /** The DSN's Status code (5.1.1) or undefined for a non-DSN bounce. */
  status?: string;
  diagnostic?: string;
}

/** Fields of the per-recipient blocks of a message/delivery-status body. */
function recipientFields(deliveryStatus: string): Map<string, string>[] {
  const unfolded = deliveryStatus.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded
    .split(/\r?\n\s*\r?\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((f) => f.has('action') || f.has('status'));
}

/**
 * Classifies a bounce from its message/delivery-status part, if it has one; undefined when the
 * report names no failure (only `failed` and `delayed` actions count).
 */
export function classifyBounce(deliveryStatus: string | undefined): Bounce | undefined {
  const blocks = deliveryStatus ? recipientFields(deliveryStatus) : [];
  if (!blocks.length) return { kind: 'soft' };
  // VERP means one recipient per message; if there are several, the worst one counts.
  let result: Bounce | undefined;
  for (const fields of blocks) {
    const action = fields.get('action')?.toLowerCase();
    const status = /\d\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0];
    if (action !== 'failed' && action !== 'delayed') continue;
    const bounce: Bounce = {
      kind: action === 'failed' && status?.startsWith('5') ? 'hard' : 'soft',
      status,
      diagnostic: fields.get('diagnostic-code')?.slice(0, 300),
    };
    if (!result || bounce.kind === 'hard') result = bounce;
  }
  return result;
}
