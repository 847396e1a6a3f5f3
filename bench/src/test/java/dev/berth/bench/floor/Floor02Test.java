package dev.berth.bench.floor;

class Floor02Test extends FloorSuiteBase {
}
