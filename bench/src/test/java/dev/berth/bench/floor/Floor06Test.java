package dev.berth.bench.floor;

class Floor06Test extends FloorSuiteBase {
}
