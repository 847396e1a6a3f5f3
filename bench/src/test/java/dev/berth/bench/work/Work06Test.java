package dev.berth.bench.work;

class Work06Test extends WorkSuiteBase {
}
