/**
 * One run's event log and its readers: the part of a run that every instance sees alike. The generating instance
 * (`LocalRun`) and a Redis mirror of another instance's run (`MirrorRun`) both extend it, so a response reads either
 * through the same {@link RunView}.
 *
 * The log only grows: events get consecutive sequence numbers from 1, readers are told of each one synchronously
 * and read it with `eventsAfter`, and the run ends exactly once.
 */
import { RunStatus, type LoggedEvent, type RunReader, type RunView } from './run-store.js';
import type { EventDataMap, EventName } from '../protocol.js';

export class RunLog implements RunView {
  readonly id: string;
  #status: RunStatus = RunStatus.running;
  readonly #events: LoggedEvent[] = [];
  readonly #readers = new Set<RunReader>();

  constructor(id: string) {
    this.id = id;
  }

  get status(): RunStatus {
    return this.#status;
  }

  get lastSeq(): number {
    return this.#events.length;
  }

  get readerCount(): number {
    return this.#readers.size;
  }

  // The log always starts at seq 1 and has no gaps, so event `seq` sits at index `seq - 1`.
  eventsAfter(afterSeq: number): readonly LoggedEvent[] {
    return this.#events.slice(Math.max(0, afterSeq));
  }

  attach(reader: RunReader): () => void {
    this.#readers.add(reader);
    this.onReadersChanged(this.#readers.size);
    return () => {
      if (this.#readers.delete(reader)) this.onReadersChanged(this.#readers.size);
    };
  }

  /** Hook for subclasses: the grace window (generating instance) or reader heartbeats (mirrors). */
  protected onReadersChanged(count: number): void {
    void count;
  }

  /** Logs the next event and hands it to every reader. The caller checks that the run is still running. */
  push<K extends EventName>(event: K, data: EventDataMap[K]): LoggedEvent<K> {
    const logged: LoggedEvent<K> = { seq: this.#events.length + 1, event, data };
    this.#events.push(logged as LoggedEvent);
    for (const r of [...this.#readers]) r.onEvent(logged as LoggedEvent);
    return logged;
  }

  /** Ends the run and tells every reader. Idempotent; returns false when it had already ended. */
  finish(status: Exclude<RunStatus, 'running'>): boolean {
    if (this.#status !== RunStatus.running) return false;
    this.#status = status;
    for (const r of [...this.#readers]) r.onEnd();
    return true;
  }
}
