package dev.berth.bench.floor;

class Floor08Test extends FloorSuiteBase {
}
