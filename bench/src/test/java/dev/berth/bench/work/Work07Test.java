package dev.berth.bench.work;

class Work07Test extends WorkSuiteBase {
}
