package dev.berth.bench.floor;

class Floor01Test extends FloorSuiteBase {
}
