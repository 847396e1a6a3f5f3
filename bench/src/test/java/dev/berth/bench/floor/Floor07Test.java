package dev.berth.bench.floor;

class Floor07Test extends FloorSuiteBase {
}
