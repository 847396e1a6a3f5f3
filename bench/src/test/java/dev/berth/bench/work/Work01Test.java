package dev.berth.bench.work;

class Work01Test extends WorkSuiteBase {
}
