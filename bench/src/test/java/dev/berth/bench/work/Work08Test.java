package dev.berth.bench.work;

class Work08Test extends WorkSuiteBase {
}
