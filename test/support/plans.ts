// The plans PostgreSQL chose for the statements some code really ran. `capturePlans(db)` wraps a
// Db: every statement is first EXPLAINed (FORMAT JSON) with the same parameters on the same
// connection and in the same transaction, then run, so the plan is the one the statement got.
//
//   const { db: watched, plans } = capturePlans(db);
//   await postgresLedger(watched, { leaseMs }).record(…);
//   expect(scans(plans[0].plan)).toEqual(…);

import type { Db, Queryable } from '../../src/store/db.ts';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

export interface CapturedPlan {
  sql: string;
  plan: PlanNode;
}

/** Statements EXPLAIN accepts; others (ANALYZE, SET) run without a plan. */
const EXPLAINABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

export function capturePlans(db: Db): { db: Db; plans: CapturedPlan[] } {
  const plans: CapturedPlan[] = [];
  const watching = (target: Queryable): Queryable => ({
    async query(sql, params) {
      if (EXPLAINABLE.test(sql)) {
        const { rows } = await target.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (FORMAT JSON) ${sql}`,
          params,
        );
        const explained = rows[0]?.['QUERY PLAN'][0]?.Plan;
        if (!explained) throw new Error(`EXPLAIN gave no plan for ${sql}`);
        plans.push({ sql, plan: explained });
      }
      return target.query(sql, params);
    },
  });
  return {
    plans,
    db: {
      ...watching(db),
      transaction: (work) => db.transaction((tx) => work(watching(tx))),
      listen: (channel, handlers) => db.listen(channel, handlers),
      close: () => db.close(),
    },
  };
}

/** Every node of a plan, depth first (subplans, CTEs and init plans included). */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

export interface Scan {
  /** Seq Scan, Index Scan, Index Only Scan or Bitmap Index Scan. */
  type: string;
  table: string;
  index?: string;
  /** The columns the index condition pins with `=` (or `= ANY`). */
  pinned: string[];
}

/**
 * How each table was read. A bitmap heap scan is described by its bitmap index scans (PostgreSQL
 * leaves the table name off those), so `indexTables` maps index names to their tables.
 */
export function scans(plan: PlanNode, indexTables: ReadonlyMap<string, string>): Scan[] {
  return planNodes(plan).flatMap((node): Scan[] => {
    const type = node['Node Type'];
    if (type === 'Seq Scan') return [{ type, table: node['Relation Name'] ?? '?', pinned: [] }];
    if (type !== 'Index Scan' && type !== 'Index Only Scan' && type !== 'Bitmap Index Scan') return [];
    const index = node['Index Name'] ?? '?';
    return [
      {
        type,
        table: node['Relation Name'] ?? indexTables.get(index) ?? '?',
        index,
        pinned: pinnedColumns(node['Index Cond'] ?? ''),
      },
    ];
  });
}

/** `((campaign_id = 1) AND (batch = $2))` → campaign_id, batch; `(lower(email) = …)` → lower(email). */
function pinnedColumns(condition: string): string[] {
  return [...condition.matchAll(/(?:\w+\.)?(\w+(?:\((?:\w+\.)?\w+\))?) = /g)].map((m) => m[1] as string);
}

/** Index name → table name, for the tables of the current schema. */
export async function indexTables(db: Queryable): Promise<Map<string, string>> {
  const { rows } = await db.query<{ indexname: string; tablename: string }>(
    'SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()',
  );
  return new Map(rows.map((r) => [r.indexname, r.tablename]));
}
