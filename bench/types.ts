/**
 * The shape every benchmark group returns, so bench/run.ts can print and save any group the same way.
 * To add a group: write bench/<name>.ts exporting a `BenchGroup`, then list it in bench/groups.ts.
 */

/** A cell of a result row: raw values (numbers unformatted) so the JSON keeps full precision. */
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

/** How run.ts prints one column of a group's table. */
export interface Column {
  /** Key of the value in each row. */
  key: string;
  /** Header text. */
  label: string;
  /** Formats the raw value for the console; default: numbers with 3 significant digits, strings as is. */
  format?: (value: Cell, row: Row) => string;
  /** Default: right for numbers, left for strings. */
  align?: 'left' | 'right';
}

/** A performance target the project set itself, checked against one measured value. */
export interface TargetCheck {
  /** What is measured, e.g. "Wasm/TS touch ratio, uniform, 64 GiB". */
  name: string;
  /** The target as text, e.g. ">= 2x". */
  target: string;
  /** The measured value as text, e.g. "3.12x". */
  measured: string;
  /** The raw measured value, for the JSON. */
  value: number;
  met: boolean;
}

export interface GroupResult {
  /** Lines describing the scenario (what was run, with which settings), printed above the table. */
  notes: string[];
  columns: Column[];
  rows: Row[];
  targets: TargetCheck[];
  /** Further tables printed (and saved) after the main one, e.g. a breakdown. */
  subtables?: SubTable[];
  /** Anything a group wants to keep in the JSON beyond its rows. */
  extra?: Record<string, unknown>;
}

export interface SubTable {
  title: string;
  notes?: string[];
  columns: Column[];
  rows: Row[];
}

export interface BenchGroup {
  /** Short id, used on the command line (`npm run bench -- touches`) and in the JSON. */
  id: string;
  title: string;
  run(): GroupResult | Promise<GroupResult>;
}
