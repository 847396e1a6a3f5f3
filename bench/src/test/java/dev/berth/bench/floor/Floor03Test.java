package dev.berth.bench.floor;

class Floor03Test extends FloorSuiteBase {
}
