/**
 * The run report: what the run did, recorded as it goes ({@code RunTimeline}: each service's phases, each test
 * class's tests) and written when it ends ({@code RunReport}: {@code report.json} and a self-contained
 * {@code report.html}). Uses nothing of Berth's; the run and the container layers record into it.
 */
package dev.berth.internal.report;
