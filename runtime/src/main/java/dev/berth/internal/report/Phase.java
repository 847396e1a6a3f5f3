package dev.berth.internal.report;

import java.util.Locale;

/** The phases of a service's life as the run report draws them, in the order a start goes through them. */
public enum Phase {
  /** Asked for; its bindings start first, or the last container of its definition is still being removed. */
  WAITING,
  /** Its image pulled or built (or found present). */
  IMAGE,
  /** Its container created and started, or joined. */
  CREATE,
  /** Checked until it serves. */
  READINESS,
  /** Held by tests or clients. */
  READY,
  /** Held by no one, kept for the grace period. */
  GRACE,
  /** Being stopped and removed. */
  STOPPING;

  /** As the report's data spells it. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
