package dev.berth.bench.work;

class Work09Test extends WorkSuiteBase {
}
