package dev.berth.samples.spring;

/** A product of the catalogue, its price in cents. */
public record Product(long id, String name, int priceCents) {
}
