package dev.berth.bench.floor;

class Floor04Test extends FloorSuiteBase {
}
