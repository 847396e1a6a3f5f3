/**
 * The run: one per test JVM and engine. {@code ServiceRuntime} connects, warms up and ends the run; {@code
 * ServiceTable} decides when each service starts and stops; scopes, handles and clients are what the extension hands
 * to tests. The top layer: it uses every package below, none uses it.
 */
package dev.berth.internal.run;
