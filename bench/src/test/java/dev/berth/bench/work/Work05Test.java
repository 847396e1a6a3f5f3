package dev.berth.bench.work;

class Work05Test extends WorkSuiteBase {
}
