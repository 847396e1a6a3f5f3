package dev.berth.bench.floor;

class Floor05Test extends FloorSuiteBase {
}
