/**
 * Compiled statements indexed by the services they can match, all of them and those on unrestricted
 * resources apart: a question about one action reads only the few statements of its service.
 */
import type { CompiledStatement } from './compiled-statement.js';

/** Statements by the service they can match, plus those that can match any service. */
class ServiceLists {
  // Created on first use: thousands of policy sets are indexed, most lists stay empty.
  private byService: Map<string, CompiledStatement[]> | undefined;
  readonly anyService: CompiledStatement[] = [];
  /** Specific-then-any lists, built on first use: most services are never asked about. */
  private merged: Map<string, CompiledStatement[]> | undefined;

  add(compiled: CompiledStatement): void {
    this.merged = undefined;
    if (compiled.services === null) {
      this.anyService.push(compiled);
      return;
    }
    this.byService ??= new Map();
    for (const service of compiled.services) {
      const list = this.byService.get(service);
      if (list) list.push(compiled);
      else this.byService.set(service, [compiled]);
    }
  }

  forService(service: string): CompiledStatement[] {
    const specific = this.byService?.get(service);
    if (!specific) return this.anyService;
    if (this.anyService.length === 0) return specific;
    this.merged ??= new Map();
    let merged = this.merged.get(service);
    if (!merged) {
      merged = [...specific, ...this.anyService];
      this.merged.set(service, merged);
    }
    return merged;
  }

  services(): string[] {
    return this.byService ? [...this.byService.keys()] : [];
  }
}

/** Statements indexed by the service they can touch, so a question about one action reads only a few. */
export class StatementIndex {
  private readonly everywhere = new ServiceLists();
  /** The same statements, only those on unrestricted resources. */
  private readonly unrestricted = new ServiceLists();

  add(compiled: CompiledStatement): void {
    this.everywhere.add(compiled);
    if (compiled.unrestricted) this.unrestricted.add(compiled);
  }

  /** The statements that can match an action of the service: its own first, then the any-service ones. */
  forService(service: string): CompiledStatement[] {
    return this.everywhere.forService(service);
  }

  /** {@link forService} restricted to statements on unrestricted resources, in the same order. */
  unrestrictedForService(service: string): CompiledStatement[] {
    return this.unrestricted.forService(service);
  }

  services(): string[] {
    return this.everywhere.services();
  }

  get hasAnyService(): boolean {
    return this.everywhere.anyService.length > 0;
  }

  /** True when an any-service statement covers unrestricted resources. */
  get hasUnrestrictedAnyService(): boolean {
    return this.unrestricted.anyService.length > 0;
  }
}

/**
 * The statements of an index on unrestricted resources that match some action of a service, or
 * `all` when one of them matches every action (then nothing needs to be looked at action by action).
 */
export function matchingOnUnrestricted(index: StatementIndex, service: string): 'all' | CompiledStatement[] {
  const matching: CompiledStatement[] = [];
  for (const compiled of index.unrestrictedForService(service)) {
    const coverage = compiled.coverageOf(service);
    if (coverage === 'all') return 'all';
    if (coverage === 'some') matching.push(compiled);
  }
  return matching;
}

/** Whether one of the statements' flags (undefined: a statement matching everything) marks the index. */
export function flagged(flags: Uint8Array[] | undefined, index: number): boolean {
  if (!flags) return true;
  for (const matched of flags) if (matched[index] === 1) return true;
  return false;
}
