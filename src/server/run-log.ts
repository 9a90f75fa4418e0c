/**
 * One run's event log and its readers: the part of a run that every instance sees alike. The generating instance
 * (`LocalRun`) and a Redis mirror of another instance's run (`MirrorRun`) both extend it, so a response reads either
 * through the same {@link RunView}.
 *
 * The log only grows: events get consecutive sequence numbers from 1, readers are told of each one synchronously
 * and read it with `eventsAfter`, and the run ends exactly once.
 *
 * Storage is compact because a run is kept whole for resume (up to 60 s after it ends) and almost every event is a
 * `token`. The newest {@link BLOCK} events stay as they were logged (live readers read them as is); each full block
 * is then sealed into one string of its tokens plus a `Uint32Array` of where each ends, with the few other events
 * kept beside it. That is about 4 bytes plus the token's text per event, instead of three heap objects (~120 bytes):
 * at 1,000 streams × 100 events/s the old layout retained 2 million objects after 20 s, and the garbage collector's
 * work on them was the server's latency tail (docs/deploy.md "Load"). A token event whose data is not exactly
 * `{token}` (a `{tokens:[...]}` batch) is kept as an object, like any other event.
 */
import { EventName, type EventDataMap } from '../protocol.js';
import { RunStatus, type LoggedEvent, type RunReader, type RunView } from './run-store.js';

/** Events per sealed block: small enough that a block's objects die young, large enough to amortise its headers. */
const BLOCK = 128;

interface SealedBlock {
  /** The block's token texts, joined. */
  text: string;
  /** `ends[i]`: where event i's token ends in `text` (it starts where event i-1's ends). Non-tokens take no room. */
  ends: Uint32Array;
  /** The block's non-token events by index, or undefined when it holds only tokens. */
  others: Map<number, LoggedEvent> | undefined;
}

/**
 * The token text of an event stored as a bare token: data exactly `{token: string}`, nothing more (a mirrored log
 * from Redis carries whatever JSON was written). Anything else is kept as the object it was. Runs once per event,
 * at sealing, not on the path of a live write.
 */
function bareToken(e: LoggedEvent): string | undefined {
  if (e.event !== EventName.token || typeof e.data !== 'object' || e.data === null) return undefined;
  const d = e.data as { token?: unknown };
  return typeof d.token === 'string' && Object.keys(d).length === 1 ? d.token : undefined;
}

function seal(events: readonly LoggedEvent[]): SealedBlock {
  const ends = new Uint32Array(events.length);
  const parts: string[] = [];
  let others: Map<number, LoggedEvent> | undefined;
  let at = 0;
  for (let i = 0; i < events.length; i++) {
    const token = bareToken(events[i]);
    if (token === undefined) (others ??= new Map()).set(i, events[i]);
    else {
      parts.push(token);
      at += token.length;
    }
    ends[i] = at;
  }
  return { text: parts.join(''), ends, others };
}

export class RunLog implements RunView {
  readonly id: string;
  #status: RunStatus = RunStatus.running;
  /** Sealed blocks; block b holds seqs `b * BLOCK + 1` to `(b + 1) * BLOCK`. */
  readonly #sealed: SealedBlock[] = [];
  /** The newest events, as logged (fewer than BLOCK). */
  #open: LoggedEvent[] = [];
  #lastSeq = 0;
  readonly #readers = new Set<RunReader>();

  constructor(id: string) {
    this.id = id;
  }

  get status(): RunStatus {
    return this.#status;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get readerCount(): number {
    return this.#readers.size;
  }

  eventsAfter(afterSeq: number): readonly LoggedEvent[] {
    const from = Math.max(0, Math.floor(afterSeq) || 0); // sequence numbers are integers; NaN reads from the start
    const openStart = this.#sealed.length * BLOCK;
    // Live readers ask for the newest few: those are the logged objects themselves.
    if (from >= openStart) return this.#open.slice(from - openStart);
    const out: LoggedEvent[] = [];
    for (let b = Math.floor(from / BLOCK); b < this.#sealed.length; b++) {
      const { text, ends, others } = this.#sealed[b];
      for (let i = b === Math.floor(from / BLOCK) ? from % BLOCK : 0; i < BLOCK; i++) {
        const other = others?.get(i);
        if (other !== undefined) out.push(other);
        else {
          const token = text.slice(i === 0 ? 0 : ends[i - 1], ends[i]);
          out.push({ seq: b * BLOCK + i + 1, event: EventName.token, data: { token } });
        }
      }
    }
    for (const e of this.#open) out.push(e);
    return out;
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
    const logged: LoggedEvent<K> = { seq: ++this.#lastSeq, event, data };
    this.#open.push(logged as LoggedEvent);
    if (this.#open.length === BLOCK) {
      this.#sealed.push(seal(this.#open));
      this.#open = [];
    }
    // No copy of the set per event (RunReader.onEvent must not attach or detach readers; run-connection's only
    // schedules a write). finish() copies, because a reader detaches itself as it ends its response.
    for (const r of this.#readers) r.onEvent(logged as LoggedEvent);
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
