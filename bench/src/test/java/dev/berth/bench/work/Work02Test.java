package dev.berth.bench.work;

class Work02Test extends WorkSuiteBase {
}
