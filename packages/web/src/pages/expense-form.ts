import type { DraftValue } from '@sessiond/sdk';

export const DRAFT_NAME = 'expense-report';

export const CATEGORIES = ['Travel', 'Lodging', 'Meals', 'Transport', 'Supplies', 'Other'] as const;
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'] as const;
export const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Operations', 'Finance'] as const;

let nextRow = 1;
export const newRowId = () => `r${Date.now().toString(36)}${nextRow++}`;

/** Item rows are named `item-<row>-<field>`: the draft's keys say which rows existed. */
export function rowsInDraft(fields: Record<string, DraftValue> | undefined): string[] {
  const rows: string[] = [];
  for (const key of Object.keys(fields ?? {})) {
    const m = /^item-([a-z0-9]+)-/.exec(key);
    if (m && !rows.includes(m[1]!)) rows.push(m[1]!);
  }
  return rows;
}

export interface ExpenseReport {
  title: string;
  department: string;
  costCenter: string;
  tripStart: string;
  tripEnd: string;
  currency: string;
  purpose: string;
  items: Array<{ date: string; description: string; category: string; amount: number }>;
  notes: string;
}

export function readReport(form: HTMLFormElement, rows: string[]): ExpenseReport {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  return {
    title: text('title'),
    department: text('department'),
    costCenter: text('costCenter'),
    tripStart: text('tripStart'),
    tripEnd: text('tripEnd'),
    currency: text('currency'),
    purpose: text('purpose'),
    items: rows.map((r) => ({
      date: text(`item-${r}-date`),
      description: text(`item-${r}-description`),
      category: text(`item-${r}-category`),
      amount: Number(text(`item-${r}-amount`).replace(',', '.')) || 0,
    })),
    notes: text('notes'),
  };
}
