package dev.berth.bench.work;

class Work03Test extends WorkSuiteBase {
}
