package dev.berth.bench.work;

class Work10Test extends WorkSuiteBase {
}
