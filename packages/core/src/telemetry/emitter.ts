import type { TelemetryEvent, TelemetryEventType, TelemetryPayload } from './events.js';

export type TelemetryListener<E extends TelemetryEvent = TelemetryEvent> = (event: E) => void;

/** A consumer that may hold resources (a file): closed by `Telemetry.close()`. */
export interface TelemetrySink {
  write: TelemetryListener;
  close?: () => void;
}

/**
 * Synchronous event bus: `emit` stamps the time (and run id) and calls every subscriber in
 * subscription order. A subscriber that throws propagates the error — a broken log must not go
 * unnoticed.
 */
export class Telemetry {
  private readonly listeners: Array<{ type: TelemetryEventType | null; fn: TelemetryListener }> = [];
  private readonly sinks: TelemetrySink[] = [];

  constructor(
    readonly run?: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Subscribes to every event; returns the unsubscribe function. */
  on(listener: TelemetryListener): () => void;
  /** Subscribes to one event type. */
  on<T extends TelemetryEventType>(type: T, listener: TelemetryListener<Extract<TelemetryEvent, { type: T }>>): () => void;
  on(a: TelemetryEventType | TelemetryListener, b?: TelemetryListener<never>): () => void {
    const entry = typeof a === 'function' ? { type: null, fn: a } : { type: a, fn: b as unknown as TelemetryListener };
    this.listeners.push(entry);
    return () => {
      const i = this.listeners.indexOf(entry);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Adds a sink (e.g. `jsonlSink(file)`); `close()` closes it. */
  addSink(sink: TelemetrySink): () => void {
    this.sinks.push(sink);
    return this.on(sink.write);
  }

  emit(payload: TelemetryPayload): TelemetryEvent {
    const event = { ...payload, time: this.now().toISOString(), ...(this.run !== undefined ? { run: this.run } : {}) } as TelemetryEvent;
    for (const l of [...this.listeners]) if (l.type === null || l.type === event.type) l.fn(event);
    return event;
  }

  close(): void {
    for (const s of this.sinks.splice(0)) s.close?.();
    this.listeners.length = 0;
  }
}
