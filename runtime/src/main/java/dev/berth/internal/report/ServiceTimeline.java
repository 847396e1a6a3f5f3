package dev.berth.internal.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One service's life in the run, as consecutive phases and marks between them. A service started again after it
 * died goes on in the same timeline, after a {@code died} mark. Each call costs a lock that is never contended for
 * long and an object or two: the run records as it goes, for a few microseconds a step.
 */
final class ServiceTimeline {

  /** A phase that ended. */
  record Span(Phase phase, long from, long to, String detail) {
  }

  /** Something that happened at one moment: a user came or went, a check passed, the service died. */
  record Mark(long at, String kind, String detail) {
  }

  /** Why a start failed, and the service's last lines. */
  record Failure(String message, List<String> logTail) {
  }

  final String name;
  final String image;
  final String digest;
  final String hostname;
  private final List<Span> spans = new ArrayList<>();
  private final List<Mark> marks = new ArrayList<>();
  private final Set<String> users = new LinkedHashSet<>();
  private Phase open;
  private long openedAt;
  private String openDetail;
  private String outcome = "running";
  private Failure failure;

  ServiceTimeline(String name, String image, String digest, String hostname) {
    this.name = name;
    this.image = image;
    this.digest = digest;
    this.hostname = hostname;
  }

  /** Ends the open phase, if any, and opens {@code phase}; the same phase again only amends its detail. */
  synchronized void enter(Phase phase, long at, String detail) {
    if (phase == open) {
      if (!detail.isEmpty()) {
        openDetail = detail;
      }
      return;
    }
    closeOpen(at);
    open = phase;
    openedAt = at;
    openDetail = detail;
    outcome = "running";
  }

  /** Amends the open phase's detail, if {@code phase} is the open one. */
  synchronized void describe(Phase phase, String detail) {
    if (phase == open) {
      openDetail = detail;
    }
  }

  synchronized void mark(long at, String kind, String detail) {
    marks.add(new Mark(at, kind, detail));
  }

  synchronized void used(long at, String user) {
    users.add(user);
    marks.add(new Mark(at, "used", user));
  }

  /** Ends the open phase: the service stopped, failed, died, or stays up for later runs. */
  synchronized void end(long at, String outcome) {
    if (open == null && !this.outcome.equals("running")) {
      return; // it failed or died already: that is how it ended
    }
    closeOpen(at);
    open = null;
    this.outcome = outcome;
  }

  synchronized void fail(long at, String message, List<String> logTail) {
    closeOpen(at);
    open = null;
    outcome = "failed";
    failure = new Failure(message, List.copyOf(logTail));
    marks.add(new Mark(at, "failed", firstLine(message)));
  }

  private void closeOpen(long at) {
    if (open != null) {
      spans.add(new Span(open, openedAt, Math.max(openedAt, at), openDetail));
    }
  }

  /** What the report shows of it, its open phase closed at {@code now}. */
  synchronized Snapshot snapshot(long now) {
    var closed = new ArrayList<>(spans);
    if (open != null) {
      closed.add(new Span(open, openedAt, Math.max(openedAt, now), openDetail));
    }
    return new Snapshot(name, image, digest, hostname, outcome, closed, List.copyOf(marks), List.copyOf(users),
        failure);
  }

  record Snapshot(String name, String image, String digest, String hostname, String outcome, List<Span> spans,
      List<Mark> marks, List<String> users, Failure failure) {
  }

  private static String firstLine(String message) {
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }
}
