/**
 * Berth's API: {@link dev.berth.ServiceSpec} defines a service, {@link dev.berth.Service} and {@link
 * dev.berth.Container} are what a test holds, {@link dev.berth.Discovery} asks the session's DNS. Everything under
 * {@code dev.berth.internal} is Berth's own and may change without notice.
 */
package dev.berth;
