package dev.berth.bench.floor;

class Floor09Test extends FloorSuiteBase {
}
