/**
 * The engine boundary: {@code Engine} is what Berth asks of a container engine, {@code DockerBackend} is Docker's,
 * through docker-java. The only package that imports docker-java; it knows nothing of services.
 */
package dev.berth.internal.engine;
