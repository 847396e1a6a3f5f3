/**
 * The run report: what a run's services and tests did over time, written at the end of the run as JSON and as a
 * self-contained HTML page that draws it. The bottom layer: it uses no other package.
 */
package dev.berth.internal.report;
