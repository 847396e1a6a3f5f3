package dev.berth.bench.floor;

class Floor10Test extends FloorSuiteBase {
}
