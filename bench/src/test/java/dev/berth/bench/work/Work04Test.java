package dev.berth.bench.work;

class Work04Test extends WorkSuiteBase {
}
